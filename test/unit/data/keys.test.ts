/**
 * Key shapes are the table's contract with every stored item, so they are pinned literally here. The
 * caller-chosen parts (viewer ids, idempotency keys) must only ever end a key, and every GSI attribute the
 * code writes or reads must be an index key declared in functions/shared/contract/table-definition.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INDEX, TABLE } from '../../../functions/shared/contract/table-definition.js';
import {
  couponKey,
  couponPhase,
  couponPhasePartition,
  couponPhasePrefix,
  newCouponItem,
  viewerCouponsPartition,
} from '../../../functions/shared/data/coupon.js';
import { dealKey, newDealItem, SWEEP_PARTITION } from '../../../functions/shared/data/deal.js';
import { requestRecordKey } from '../../../functions/shared/data/request-record.js';
import { shardKey } from '../../../functions/shared/data/shard.js';
import { ticketKey } from '../../../functions/shared/data/ticket.js';
import {
  idempotencyKeyOf,
  SLOT_PREFIX,
  slotKey,
  viewerPartition,
} from '../../../functions/shared/data/viewer.js';

const DEAL_ID = '01JDQ4ZK7E5V3M2N8P9R0S1T2W';
const CODE = '7KQ2M9XH3TRDW4PZ';
/** Caller-chosen ids may contain the separator and look like other key parts. */
const HOSTILE_IDS = ['viewer-7', 'a#b', '#', 'x#SLOT#1', 'DEAL#01JDQ4ZK7E5V3M2N8P9R0S1T2W#SHARD#0', 'v:ü'];

const coupon = (fields: { viewerId: string }) =>
  newCouponItem({
    couponId: '01JDQ50000AAAAAAAAAAAAAAAA',
    code: CODE,
    dealId: DEAL_ID,
    viewerId: fields.viewerId,
    shard: 3,
    seq: 1,
    slot: 1,
    issuedAt: '2026-11-26T20:00:00.000Z',
    expiresAt: '2026-11-26T20:10:00.000Z',
    dealPrice: 500,
    listPrice: 1000,
    currency: 'EUR',
  });

const deal = (fields: { galaId?: string }) =>
  newDealItem({
    dealId: DEAL_ID,
    title: 'Jacket',
    sku: 'J-1',
    streamId: 'stream-1',
    hostId: 'host-1',
    ...fields,
    currency: 'EUR',
    listPrice: 1000,
    dealPrice: 500,
    perViewerLimit: 1,
    claimTtlSeconds: 600,
    shardCount: 4,
    createdAt: '2026-11-26T20:00:00.000Z',
  });

const indexNamed = (indexName: string) => {
  const index = TABLE.globalSecondaryIndexes.find((candidate) => candidate.indexName === indexName);
  if (!index) throw new Error(`no index ${indexName} in TABLE`);
  return index;
};

const INDEX_KEY_ATTRIBUTES = new Set(
  TABLE.globalSecondaryIndexes.flatMap((index) => [index.partitionKey.name, index.sortKey.name]),
);

describe('item keys', () => {
  it('gives every item type its own literal shape', () => {
    expect(dealKey(DEAL_ID)).toEqual({ PK: `DEAL#${DEAL_ID}`, SK: 'DEAL' });
    expect(shardKey(DEAL_ID, 7)).toEqual({ PK: `DEAL#${DEAL_ID}#SHARD#7`, SK: 'SHARD' });
    expect(ticketKey(DEAL_ID, 7, 42)).toEqual({
      PK: `DEAL#${DEAL_ID}#SHARD#7#TICKET#0000000042`,
      SK: 'TICKET',
    });
    expect(slotKey(DEAL_ID, 'viewer-7', 2)).toEqual({
      PK: `DEAL#${DEAL_ID}#VIEWER#viewer-7`,
      SK: 'SLOT#2',
    });
    expect(idempotencyKeyOf(DEAL_ID, 'viewer-7', 'retry-1')).toEqual({
      PK: `DEAL#${DEAL_ID}#VIEWER#viewer-7`,
      SK: 'IDEM#retry-1',
    });
    expect(couponKey(CODE)).toEqual({ PK: `COUPON#${CODE}`, SK: 'COUPON' });
  });

  it('zero-pads ticket seqs to 10 digits', () => {
    expect(ticketKey(DEAL_ID, 0, 1).PK).toMatch(/#TICKET#0000000001$/);
    expect(ticketKey(DEAL_ID, 0, 1_234_567_890).PK).toMatch(/#TICKET#1234567890$/);
  });

  it('sorts ticket keys of a shard in seq order', () => {
    const seqs = [100, 9, 1, 99_999, 10, 11, 1_234_567_890, 2, 1_000];
    const byKey = seqs
      .map((seq) => ({ seq, pk: ticketKey(DEAL_ID, 3, seq).PK }))
      .sort((a, b) => (a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : 0))
      .map((entry) => entry.seq);

    expect(byKey).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('keeps shard and ticket partitions of different shards apart', () => {
    const partitions = [
      shardKey(DEAL_ID, 1).PK,
      shardKey(DEAL_ID, 11).PK,
      ticketKey(DEAL_ID, 1, 1).PK,
      ticketKey(DEAL_ID, 11, 1).PK,
      ticketKey(DEAL_ID, 1, 11).PK,
    ];

    expect(new Set(partitions).size).toBe(partitions.length);
  });

  it.each(HOSTILE_IDS)('puts viewer id %j only at the very end of every key it appears in', (viewerId) => {
    const prefix = `DEAL#${DEAL_ID}#VIEWER#`;

    expect(slotKey(DEAL_ID, viewerId, 1).PK).toBe(`${prefix}${viewerId}`);
    expect(idempotencyKeyOf(DEAL_ID, viewerId, 'k').PK).toBe(`${prefix}${viewerId}`);
    expect(viewerPartition(DEAL_ID, viewerId)).toBe(`${prefix}${viewerId}`);
    expect(coupon({ viewerId }).GSI1PK).toBe(`VIEWER#${viewerId}`);
    expect(viewerCouponsPartition(viewerId)).toBe(`VIEWER#${viewerId}`);
  });

  it.each(HOSTILE_IDS)('puts idempotency key %j only at the very end of its sort key', (idempotencyKey) => {
    const key = idempotencyKeyOf(DEAL_ID, 'viewer-7', idempotencyKey);

    expect(key.SK).toBe(`IDEM#${idempotencyKey}`);
    expect(key.SK.startsWith(SLOT_PREFIX)).toBe(false);
  });

  it.each(HOSTILE_IDS)(
    'hashes caller %j into a request record’s partition and ends its key with the key',
    (caller) => {
      const key = requestRecordKey({ route: 'CREATE_DEAL', caller, idempotencyKey: caller });

      expect(key.PK).toMatch(/^REQUEST#CREATE_DEAL#[0-9a-f]{64}$/);
      expect(key.SK).toBe(`KEY#${caller}`);
    },
  );

  it('keeps request records of other callers and routes apart', () => {
    const of = (route: string, caller: string) => requestRecordKey({ route, caller, idempotencyKey: 'k' }).PK;

    const partitions = [
      of('CREATE_DEAL', 'a'),
      of('CREATE_DEAL', 'b'),
      of('CUE_DEAL', 'a'),
      of('CREATE_DEAL', 'a#b'),
    ];

    expect(new Set(partitions).size).toBe(partitions.length);
  });

  it('puts slots and retry records in the viewer’s partition, where only slots match the slot prefix', () => {
    const slot = slotKey(DEAL_ID, 'viewer-7', 3);
    const retry = idempotencyKeyOf(DEAL_ID, 'viewer-7', 'SLOT#3');

    expect(slot.PK).toBe(viewerPartition(DEAL_ID, 'viewer-7'));
    expect(retry.PK).toBe(slot.PK);
    expect(slot.SK.startsWith(SLOT_PREFIX)).toBe(true);
    expect(retry.SK.startsWith(SLOT_PREFIX)).toBe(false);
  });
});

describe('GSI keys', () => {
  it('files coupons by deal shard, then phase, time and code', () => {
    expect(couponPhasePartition(DEAL_ID, 3)).toBe(`DEAL#${DEAL_ID}#SHARD#3`);
    expect(couponPhase('ISSUED', '2026-11-26T20:10:00.000Z', CODE)).toBe(
      `ISSUED#2026-11-26T20:10:00.000Z#${CODE}`,
    );
    expect(couponPhasePrefix('RETURNING')).toBe('RETURNING#');
  });

  it('never lets one phase prefix match another phase’s sort keys', () => {
    const phases = ['ISSUED', 'REDEEMED', 'RETURNING', 'EXPIRED'] as const;
    for (const phase of phases) {
      for (const other of phases) {
        const sortKey = couponPhase(other, '2026-11-26T20:10:00.000Z', CODE);
        expect(sortKey.startsWith(couponPhasePrefix(phase))).toBe(phase === other);
      }
    }
  });

  it('sorts a phase by time first, so a range up to a time is one contiguous slice', () => {
    const early = couponPhase('ISSUED', '2026-11-26T20:00:00.000Z', 'ZZZZZZZZZZZZZZZZ');
    const late = couponPhase('ISSUED', '2026-11-26T20:00:00.001Z', '0000000000000000');

    expect(early < late).toBe(true);
  });

  it('uses the key attributes of the index each access pattern reads', () => {
    const byOwner = indexNamed(INDEX.byOwner);
    const byPhase = indexNamed(INDEX.byPhase);
    const byGala = indexNamed(INDEX.byGala);
    const ownerKeys = [byOwner.partitionKey.name, byOwner.sortKey.name];

    const indexKeys = (item: object, prefix: string) =>
      Object.keys(item).filter((name) => name.startsWith(prefix));

    expect(indexKeys(coupon({ viewerId: 'viewer-7' }), 'GSI1')).toEqual(ownerKeys);
    expect(indexKeys(deal({}), 'GSI1')).toEqual(ownerKeys);
    expect(indexKeys(deal({}), 'GSI2')).toEqual([byPhase.partitionKey.name, byPhase.sortKey.name]);
    expect(indexKeys(deal({ galaId: 'gala-1' }), 'GSI3')).toEqual([
      byGala.partitionKey.name,
      byGala.sortKey.name,
    ]);
    expect(indexKeys(deal({}), 'GSI3')).toEqual([]);
  });

  it('puts the sweep list on the SWEEP partition of the phase index', () => {
    expect(deal({})).toMatchObject({ GSI2PK: SWEEP_PARTITION, GSI2SK: `DEAL#${DEAL_ID}` });
    expect(SWEEP_PARTITION).toBe('SWEEP');
  });

  it('declares every index the code names, with string keys', () => {
    for (const indexName of Object.values(INDEX)) {
      const index = indexNamed(indexName);
      expect(index.partitionKey.type).toBe('S');
      expect(index.sortKey.type).toBe('S');
    }
  });

  it.each(
    readdirSync(new URL('../../../functions/shared/data/', import.meta.url))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => `functions/shared/data/${name}`),
  )(
    'names only GSI attributes that functions/shared/contract/table-definition.ts declares, in %s',
    (path) => {
      const source = readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

      const named = new Set(source.match(/\bGSI\d+(?:PK|SK)\b/g) ?? []);

      for (const attribute of named) expect(INDEX_KEY_ATTRIBUTES).toContain(attribute);
    },
  );
});
