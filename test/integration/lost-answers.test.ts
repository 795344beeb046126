import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/shared/data/client.js';
import { MemoryPublisher } from '../../functions/shared/data/event-publisher.js';
import { createStore } from '../../functions/shared/data/store.js';
import { Engine } from '../../functions/shared/use-cases/engine.js';
import { dealInput, HOST_ID, hostActor } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';
import { plainInput } from '../support/plain-input.js';

/**
 * A claim one of whose writes landed but whose answer was lost (a timeout, a reset): the claimer cannot tell
 * how far it got. A retry with the same Idempotency-Key must end with exactly one coupon for that key, never
 * a second attempt's coupon beside the first one's, and the sweep must give back whatever the lost attempt
 * took. A limit of 2 makes a second coupon possible, so the test can see it.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

interface Write {
  name: string;
  command: string;
  matches: (input: Record<string, unknown>) => boolean;
}

const item = (input: Record<string, unknown>) => (input.Item ?? {}) as Record<string, unknown>;
const WRITES: Write[] = [
  { name: 'retry record', command: 'PutItemCommand', matches: (input) => item(input).type === 'IDEMPOTENCY' },
  { name: 'slot', command: 'PutItemCommand', matches: (input) => String(item(input).SK).startsWith('SLOT#') },
  {
    name: 'unit',
    command: 'UpdateItemCommand',
    matches: (input) => (input.Key as { SK?: string } | undefined)?.SK === 'SHARD',
  },
  { name: 'ticket', command: 'PutItemCommand', matches: (input) => item(input).type === 'TICKET' },
  {
    name: 'coupon',
    command: 'PutItemCommand',
    matches: (input) => item(input).type === 'COUPON' && item(input).status === 'ISSUED',
  },
];

/** An engine whose client loses the answer of the first matching write, after the store applied it. */
const losingAnswerOf = (write: Write, events?: MemoryPublisher) => {
  const client = createDocumentClient({ endpoint: h.embedded.endpoint });
  let lost = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (
        !lost &&
        context.commandName === write.command &&
        write.matches(plainInput(args.input as Record<string, unknown>))
      ) {
        lost = true;
        throw Object.assign(new Error('timed out'), { name: 'TimeoutError' });
      }
      return result;
    },
    { step: 'initialize', name: 'loseAnswer' },
  );
  const engine = new Engine({
    store: createStore(client, h.embedded.tableName),
    clock: h.clock,
    logger: { error: () => {} },
    options: { replayWaitMs: 50, claimGraceMs: 1_000 },
    ...(events === undefined ? {} : { events }),
  });
  return { engine, client, lost: () => lost };
};

describe('a claim whose write landed but whose answer was lost', () => {
  it.each(WRITES)(
    'after the $name write: the same key ends with one coupon, and the sweep returns the rest',
    async (write) => {
      const clean = h.engine({ options: { claimGraceMs: 1_000 } });
      const deal = await clean.createDeal(dealInput({ stock: 5, perViewerLimit: 2, shards: 1 }), HOST_ID);
      await clean.cue(deal.dealId, { action: 'start' }, hostActor);
      const viewerId = `viewer-lost-${write.name}`;
      const { engine, client, lost } = losingAnswerOf(write);

      const first = await engine.claim(deal.dealId, viewerId, 'tap-1').then(
        (result) => result.coupon.code,
        (error: unknown) => error,
      );
      const retry = await engine.claim(deal.dealId, viewerId, 'tap-1');
      for (let round = 0; round < 3; round++) {
        h.clock.advance(1_001);
        await clean.sweep();
      }

      expect(lost()).toBe(true);
      // Either the claim found its own coupon after losing the answer, or it failed retryably and cleanly.
      if (typeof first === 'string') expect(first).toBe(retry.coupon.code);
      else expect(first).toMatchObject({ name: 'TimeoutError' });
      const { coupons } = await clean.listCoupons(viewerId, {});
      expect(coupons.filter((coupon) => coupon.status === 'ISSUED').map((c) => c.code)).toEqual([
        retry.coupon.code,
      ]);
      expect(await clean.getDeal(deal.dealId)).toMatchObject({ stock: 5, available: 4, held: 1 });
      const [shard] = await h.store.getShards(deal.dealId, 1);
      expect(shard?.checkedThrough).toBe(shard?.issued);
      client.destroy();
    },
  );
});

describe('a claim whose coupon write landed but whose answer was lost', () => {
  it('hands the coupon to the claimer and announces it once; the sweep records the claim once', async () => {
    const clean = h.engine();
    const deal = await clean.createDeal(dealInput({ stock: 5, shards: 1 }), HOST_ID);
    await clean.cue(deal.dealId, { action: 'start' }, hostActor);
    const events = new MemoryPublisher();
    const couponWrite = WRITES.find((write) => write.name === 'coupon') as Write;
    const { engine, client, lost } = losingAnswerOf(couponWrite, events);

    const first = await engine.claim(deal.dealId, 'viewer-lost-answer', 'tap-1');
    const retry = await engine.claim(deal.dealId, 'viewer-lost-answer', 'tap-1');

    expect(lost()).toBe(true);
    expect(retry.coupon.code).toBe(first.coupon.code);
    const claimed = events.published.filter((event) => event.detailType === 'Coupon Claimed');
    expect(claimed.map((event) => event.detail)).toEqual([
      expect.objectContaining({
        dealId: deal.dealId,
        viewerId: 'viewer-lost-answer',
        couponId: first.coupon.couponId,
        expiresAt: first.coupon.expiresAt,
      }),
    ]);
    await clean.sweep();
    await clean.sweep();
    const { records } = await clean.auditTrail(deal.dealId, hostActor, { couponId: first.coupon.couponId });
    expect(records.map((record) => record.action)).toEqual(['coupon.claimed']);
    client.destroy();
  });
});
