/**
 * The claim use case against a scripted store port, no DynamoDB at all: what a claim asks of the store, in
 * which order, and what it undoes when a step is refused. The embedded-store tests prove the same writes
 * land; these prove the use case can be read and checked on its own (the port is the seam).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newDealItem } from '../../../functions/shared/data/deal.js';
import { newShardItem, type ShardItem } from '../../../functions/shared/data/shard.js';
import { DealNotLive, LimitReached, RateLimited, SoldOut } from '../../../functions/shared/domain/errors.js';
import type { StorePort } from '../../../functions/shared/domain/store-port.js';
import { Engine } from '../../../functions/shared/use-cases/engine.js';
import { TestClock } from '../../support/clock.js';

const DEAL_ID = '01JDQ4ZK7E5V3M2N8P9R0S1T2W';

const deal = newDealItem({
  dealId: DEAL_ID,
  title: 'Puffer jacket',
  sku: 'JKT-001',
  streamId: 'gala-stream-1',
  hostId: 'host-1',
  currency: 'EUR',
  listPrice: 12_000,
  dealPrice: 6_000,
  perViewerLimit: 1,
  claimTtlSeconds: 600,
  shardCount: 1,
  createdAt: '2026-11-26T19:00:00.000Z',
});

const liveShard = (available: number): ShardItem => ({
  ...newShardItem(DEAL_ID, 0, 10, 6_000),
  status: 'LIVE',
  available,
});

/**
 * A store port that answers from a script and records every call by name. A method the script does not
 * answer fails the test: the claim asked for something it should not need.
 */
const scriptedStore = (script: Partial<Record<keyof StorePort, (...args: never[]) => unknown>>) => {
  const calls: string[] = [];
  const store = new Proxy({} as StorePort, {
    get: (_target, name: string) => {
      return async (...args: never[]) => {
        calls.push(name);
        const answer = script[name as keyof StorePort];
        if (!answer) throw new Error(`unexpected store call ${name}`);
        return answer(...args);
      };
    },
  });
  return { store, calls };
};

const granting = (overrides: Partial<Record<keyof StorePort, (...args: never[]) => unknown>> = {}) =>
  scriptedStore({
    getDeal: () => deal,
    countRequest: () => true,
    querySlots: () => [],
    putSlot: () => true,
    takeUnit: () => ({ taken: { ...liveShard(9), issued: 1 } }),
    putTicket: () => true,
    putCoupon: () => true,
    putAudit: () => true,
    putIdempotency: () => ({ recorded: true }),
    freeSlot: () => true,
    dropIdempotency: () => undefined,
    getShard: () => liveShard(0),
    ...overrides,
  });

const engineOn = (store: StorePort) =>
  new Engine({ store, clock: new TestClock(), logger: { error: () => {} } });

describe('a claim, as the store port sees it', () => {
  it('writes a slot, a unit, the ticket and the coupon, in that order, and reads nothing', async () => {
    const { store, calls } = granting();

    const { coupon } = await engineOn(store).claim(DEAL_ID, 'viewer-1');

    expect(coupon.status).toBe('ISSUED');
    expect(calls).toEqual(['getDeal', 'putSlot', 'takeUnit', 'putTicket', 'putCoupon']);
  });

  it('records its Idempotency-Key first, before any slot or unit: five calls for a keyed grant', async () => {
    const { store, calls } = granting();

    await engineOn(store).claim(DEAL_ID, 'viewer-1', 'key-1');

    expect(calls.slice(1)).toEqual(['putIdempotency', 'putSlot', 'takeUnit', 'putTicket', 'putCoupon']);
  });

  it('replays a key held by an earlier attempt from the record its refused put handed back: no record read', async () => {
    const earlier = { code: 'C0DE', couponId: 'c', at: '2026-11-26T19:00:00.000Z' };
    const { store, calls } = granting({
      putIdempotency: () => ({ refused: { dealId: DEAL_ID, viewerId: 'viewer-1', ...earlier } }),
      getCoupon: () => ({
        ...earlier,
        dealId: DEAL_ID,
        status: 'ISSUED',
        expiresAt: '2099-01-01T00:00:00.000Z',
      }),
    });

    const { coupon, replayed } = await engineOn(store).claim(DEAL_ID, 'viewer-1', 'key-1');

    expect({ code: coupon.code, replayed }).toEqual({ code: 'C0DE', replayed: true });
    expect(calls.slice(1)).toEqual(['putIdempotency', 'getCoupon', 'countRequest']);
  });

  it('goes on with the claim when its put was refused by its own first send (an answer lost, the SDK repeat)', async () => {
    const { store, calls } = granting({
      putIdempotency: (item: never) => ({ refused: item }),
    });

    const { coupon, replayed } = await engineOn(store).claim(DEAL_ID, 'viewer-1', 'key-1');

    expect({ status: coupon.status, replayed }).toEqual({ status: 'ISSUED', replayed: false });
    expect(calls.slice(1)).toEqual(['putIdempotency', 'putSlot', 'takeUnit', 'putTicket', 'putCoupon']);
  });

  it('keeps the slot its own first put wrote when the SDK repeated that put after a lost answer', async () => {
    let written: unknown;
    const { store, calls } = granting({
      putSlot: (item: never) => {
        // The first put landed but its answer was lost; the repeat is refused by it.
        written = item;
        return false;
      },
      querySlots: () => [written],
    });

    const { coupon } = await engineOn(store).claim(DEAL_ID, 'viewer-1');

    expect(coupon.status).toBe('ISSUED');
    expect(calls.filter((call) => call === 'putSlot')).toHaveLength(1);
    expect(calls).not.toContain('freeSlot');
  });

  it('counts a viewer’s miss after it, then counts that viewer first, and refuses them once the window is full', async () => {
    let windowOpen = true;
    const { store, calls } = granting({
      putSlot: () => false,
      querySlots: () => [
        { dealId: DEAL_ID, viewerId: 'viewer-1', slot: 1, code: 'C0DE', couponId: 'c', claimedAt: '' },
      ],
      getCoupons: () =>
        new Map([['C0DE', { code: 'C0DE', status: 'ISSUED', expiresAt: '2099-01-01T00:00:00.000Z' }]]),
      countRequest: () => windowOpen,
    });
    const engine = engineOn(store);

    await expect(engine.claim(DEAL_ID, 'viewer-1')).rejects.toBeInstanceOf(LimitReached);
    expect(calls.slice(1)).toEqual(['putSlot', 'querySlots', 'getCoupons', 'countRequest']);

    calls.length = 0;
    windowOpen = false;
    await expect(engine.claim(DEAL_ID, 'viewer-1')).rejects.toBeInstanceOf(RateLimited);
    expect(calls).toEqual(['countRequest']);

    calls.length = 0;
    await expect(engine.claim(DEAL_ID, 'viewer-1')).rejects.toBeInstanceOf(RateLimited);
    expect(calls).toEqual([]);
  });

  it('gives its slot back when the deal turns out sold out, and takes no ticket', async () => {
    const { store, calls } = granting({ takeUnit: () => ({ refused: liveShard(0) }) });

    await expect(engineOn(store).claim(DEAL_ID, 'viewer-1')).rejects.toBeInstanceOf(SoldOut);

    expect(calls).toContain('freeSlot');
    expect(calls).not.toContain('putTicket');
  });

  it('gives its slot back when the shard is no longer live', async () => {
    const { store, calls } = granting({
      takeUnit: () => ({ refused: { ...liveShard(5), status: 'ENDED' } }),
    });

    await expect(engineOn(store).claim(DEAL_ID, 'viewer-1')).rejects.toBeInstanceOf(DealNotLive);

    expect(calls.filter((call) => call === 'freeSlot')).toHaveLength(1);
  });

  it('refuses a viewer whose slots are all held, without touching stock', async () => {
    const held = {
      dealId: DEAL_ID,
      viewerId: 'viewer-1',
      slot: 1,
      code: 'C0DE',
      couponId: 'c',
      claimedAt: '',
    };
    const { store, calls } = granting({
      putSlot: () => false,
      querySlots: () => [held],
      getCoupons: () =>
        new Map([['C0DE', { code: 'C0DE', status: 'ISSUED', expiresAt: '2099-01-01T00:00:00.000Z' }]]),
    });

    await expect(engineOn(store).claim(DEAL_ID, 'viewer-1')).rejects.toBeInstanceOf(LimitReached);

    expect(calls).not.toContain('takeUnit');
    expect(calls.filter((call) => call === 'putSlot')).toHaveLength(1);
  });

  it('once sold out in this container, refuses the next claim without a single store call', async () => {
    const { store, calls } = granting({ takeUnit: () => ({ refused: liveShard(0) }) });
    const engine = engineOn(store);
    await expect(engine.claim(DEAL_ID, 'viewer-1')).rejects.toBeInstanceOf(SoldOut);
    const before = calls.length;

    await expect(engine.claim(DEAL_ID, 'viewer-2')).rejects.toBeInstanceOf(SoldOut);

    expect(calls.slice(before)).toEqual([]);
  });
});

describe('a claim on a draining deal, as the store port sees it', () => {
  const threeShards = { ...deal, shardCount: 3 };
  const shard = (k: number, available: number): ShardItem => ({
    ...newShardItem(DEAL_ID, k, 10, 6_000),
    status: 'LIVE',
    available,
  });
  /** Shards 0 and 1 are dry; shard 2 has units. */
  const draining = (overrides: Partial<Record<keyof StorePort, (...args: never[]) => unknown>> = {}) =>
    granting({
      getDeal: () => threeShards,
      takeUnit: (_dealId: never, k: never) =>
        k === 2 ? { taken: { ...shard(2, 4), issued: 7 } } : { refused: shard(k, 0) },
      getShards: () => [shard(0, 0), shard(1, 0), shard(2, 5)],
      ...overrides,
    });
  // The first pick is the lowest shard not known dry.
  const pickLowest = () => vi.spyOn(Math, 'random').mockReturnValue(0);
  afterEach(() => vi.restoreAllMocks());

  it('after one dry shard, reads all of them once instead of probing each, and the next claim goes straight to stock', async () => {
    const { store, calls } = draining();
    const engine = engineOn(store);
    pickLowest();

    await engine.claim(DEAL_ID, 'viewer-1');
    expect(calls.slice(1)).toEqual([
      'putSlot',
      'takeUnit',
      'getShards',
      'takeUnit',
      'putTicket',
      'putCoupon',
    ]);

    calls.length = 0;
    await engine.claim(DEAL_ID, 'viewer-2');
    expect(calls).toEqual(['putSlot', 'takeUnit', 'putTicket', 'putCoupon']);
  });

  it('still probes when that read fails: the read only saves probes', async () => {
    const { store, calls } = draining({
      getShards: () => {
        throw new Error('throttled');
      },
    });
    pickLowest();

    const { coupon } = await engineOn(store).claim(DEAL_ID, 'viewer-1');

    expect(coupon.status).toBe('ISSUED');
    expect(calls.filter((call) => call === 'takeUnit')).toHaveLength(3);
  });

  it('marks a shard it took the last unit of, so the next claim of the container does not probe it', async () => {
    const probed: number[] = [];
    const { store } = draining({
      takeUnit: (_dealId: never, k: never) => {
        probed.push(k);
        return { taken: { ...shard(k, 0), issued: 10 } };
      },
    });
    const engine = engineOn(store);
    pickLowest();

    await engine.claim(DEAL_ID, 'viewer-1');
    await engine.claim(DEAL_ID, 'viewer-2');

    expect(probed).toEqual([0, 1]);
  });
});
