/**
 * Findings of the gala review (issue 13), each reproduced with faults at the store client on a chosen
 * partition: DynamoDB throttling a hot key, or an answer lost after the write landed. Every answer livedrop
 * gives must stay true under them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryPublisher } from '../../functions/shared/data/event-publisher.js';
import { auditWrites, type Call, faultyEngine, figureReads, onShard, onTally } from '../support/faults.js';
import { adminActor, dealInput, figures, HOST_ID, hostActor, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const detailTypes = (publisher: MemoryPublisher) => publisher.published.map((event) => event.detailType);

describe('a written coupon is never answered with an error', () => {
  it('grants the claim and publishes Coupon Claimed while the stock figures cannot be read', async () => {
    const publisher = new MemoryPublisher();
    const deal = await liveDeal(h.engine(), { stock: 5 });
    const { engine, faults, close } = faultyEngine(
      h,
      [{ kind: 'throttle', matches: figureReads(deal.dealId) }],
      { events: publisher },
    );

    const { coupon } = await engine.claim(deal.dealId, 'viewer-1');
    close();

    expect(faults.hits[0]).toBeGreaterThan(0);
    expect(coupon.status).toBe('ISSUED');
    expect(detailTypes(publisher)).toContain('Coupon Claimed');
  });

  it('grants the claim while its audit record cannot be written, and the sweep writes the record', async () => {
    const deal = await liveDeal(h.engine(), { stock: 5 });
    const { engine, close } = faultyEngine(h, [{ kind: 'throttle', matches: auditWrites(deal.dealId) }]);

    const { coupon } = await engine.claim(deal.dealId, 'viewer-1');
    close();
    h.clock.advance(31_000);
    await h.engine().sweep();
    const trail = await h.engine().auditTrail(deal.dealId, adminActor, { couponId: coupon.couponId });

    expect(coupon.status).toBe('ISSUED');
    expect(trail.records.map((record) => record.action)).toEqual(['coupon.claimed']);
  });

  it('publishes Coupon Redeemed and Coupon Released while the stock figures cannot be read', async () => {
    const deal = await liveDeal(h.engine(), { stock: 5 });
    const { coupon } = await h.engine().claim(deal.dealId, 'viewer-1');
    const publisher = new MemoryPublisher();
    const { engine, faults, close } = faultyEngine(
      h,
      [{ kind: 'throttle', matches: figureReads(deal.dealId) }],
      { events: publisher },
    );

    await engine.redeem(coupon.code, { viewerId: 'viewer-1', orderId: 'order-1' });
    await engine.release(coupon.code, { viewerId: 'viewer-1', orderId: 'order-1' });
    close();

    expect(faults.hits[0]).toBeGreaterThan(0);
    expect(detailTypes(publisher)).toEqual(expect.arrayContaining(['Coupon Redeemed', 'Coupon Released']));
  });

  it('answers a redemption whose count on the tally is throttled, and the sweep counts it once', async () => {
    const deal = await liveDeal(h.engine(), { stock: 5 });
    const { coupon } = await h.engine().claim(deal.dealId, 'viewer-1');
    const { engine, faults, close } = faultyEngine(h, [{ kind: 'throttle', matches: onTally(deal.dealId) }]);

    const redeemed = await engine.redeem(coupon.code, { viewerId: 'viewer-1', orderId: 'order-1' });
    close();
    expect(faults.hits[0]).toBeGreaterThan(0);
    await h.engine().sweep();

    expect(redeemed).toMatchObject({ status: 'REDEEMED', orderId: 'order-1' });
    expect(await figures(h.engine(), deal.dealId)).toMatchObject({ available: 4, held: 0, redeemed: 1 });
  });
});

describe('a claim whose write was retried after a lost answer', () => {
  it.each([
    [
      'ticket',
      (dealId: string) => (call: Call) =>
        call.command === 'PutItemCommand' && call.partition.startsWith(`DEAL#${dealId}#SHARD#`),
    ],
    [
      'coupon',
      () => (call: Call) => call.command === 'PutItemCommand' && call.partition.startsWith('COUPON#'),
    ],
  ])(
    'grants the coupon when the SDK’s repeat of its %s write is refused by the write itself',
    async (_what, rule) => {
      const deal = await liveDeal(h.engine(), { stock: 5 });
      const { engine, faults, close } = faultyEngine(h, [
        { kind: 'retried-after-lost-answer', times: 1, matches: rule(deal.dealId) },
      ]);

      const { coupon } = await engine.claim(deal.dealId, 'viewer-1');
      close();

      expect(faults.hits).toEqual([1]);
      expect(coupon.status).toBe('ISSUED');
      expect((await h.engine().listCoupons('viewer-1', {})).coupons.map((c) => c.code)).toContain(
        coupon.code,
      );
    },
  );
});

describe('end is a barrier', () => {
  it('an end whose shard update was throttled is finished by the host’s retry, and then nothing is granted', async () => {
    const deal = await h.engine().createDeal(dealInput({ stock: 40, shards: 4 }), HOST_ID);
    await h.engine().cue(deal.dealId, { action: 'start' }, hostActor);
    const { engine, faults, close } = faultyEngine(h, [
      {
        kind: 'throttle',
        matches: (call) => call.command === 'UpdateItemCommand' && onShard(deal.dealId, 2)(call),
      },
    ]);
    await expect(engine.cue(deal.dealId, { action: 'end' }, hostActor)).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
    faults.off = true;

    // The host's HTTP retry: a new request, so a new cue id.
    const ended = await engine.cue(deal.dealId, { action: 'end' }, hostActor);
    close();
    const attempts = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => h.engine().claim(deal.dealId, `late-${i}`)),
    );

    expect(ended.status).toBe('ENDED');
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(0);
    for (const shard of await h.store.getShards(deal.dealId, 4)) expect(shard.status).toBe('ENDED');
  });

  it('a pause whose shard update was throttled is finished by the host’s retry, and then nothing is granted', async () => {
    const deal = await h.engine().createDeal(dealInput({ stock: 40, shards: 4 }), HOST_ID);
    await h.engine().cue(deal.dealId, { action: 'start' }, hostActor);
    const { engine, faults, close } = faultyEngine(h, [
      {
        kind: 'throttle',
        matches: (call) => call.command === 'UpdateItemCommand' && onShard(deal.dealId, 1)(call),
      },
    ]);
    await expect(engine.cue(deal.dealId, { action: 'pause' }, hostActor)).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
    faults.off = true;

    const paused = await engine.cue(deal.dealId, { action: 'pause' }, hostActor);
    close();
    const attempts = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => h.engine().claim(deal.dealId, `paused-${i}`)),
    );

    expect(paused.status).toBe('PAUSED');
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(0);
    for (const shard of await h.store.getShards(deal.dealId, 4)) expect(shard.status).toBe('PAUSED');
  });

  it('an end repeated on an ENDED deal answers the deal and records nothing new', async () => {
    const deal = await liveDeal(h.engine(), { stock: 5 });
    await h.engine().cue(deal.dealId, { action: 'end' }, hostActor);

    const again = await h.engine().cue(deal.dealId, { action: 'end' }, hostActor);
    const trail = await h.engine().auditTrail(deal.dealId, adminActor, {});

    expect(again.status).toBe('ENDED');
    expect(trail.records.filter((record) => record.action === 'deal.cued')).toHaveLength(2);
  });
});

describe('a throttled shard', () => {
  it('sends the claim to another shard that has stock', async () => {
    const deal = await h.engine().createDeal(dealInput({ stock: 20, shards: 2, perViewerLimit: 1 }), HOST_ID);
    await h.engine().cue(deal.dealId, { action: 'start' }, hostActor);
    const { engine, close } = faultyEngine(h, [
      {
        kind: 'throttle',
        matches: (call) => call.command === 'UpdateItemCommand' && onShard(deal.dealId, 0)(call),
      },
    ]);

    const answers = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => engine.claim(deal.dealId, `v-${i}`)),
    );
    close();

    expect(answers.filter((answer) => answer.status === 'fulfilled')).toHaveLength(10);
    expect((await figures(h.engine(), deal.dealId)).accounted).toBe(20);
  });

  it('answers 503, not SOLD_OUT, when every shard with stock is throttled', async () => {
    const deal = await h.engine().createDeal(dealInput({ stock: 4, shards: 2 }), HOST_ID);
    await h.engine().cue(deal.dealId, { action: 'start' }, hostActor);
    const { engine, close } = faultyEngine(h, [
      {
        kind: 'throttle',
        matches: (call) => call.command === 'UpdateItemCommand' && onShard(deal.dealId)(call),
      },
    ]);

    await expect(engine.claim(deal.dealId, 'viewer-1')).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
    close();
  });
});

describe('a cached refusal', () => {
  it('does not refuse claims once the start cue was answered by another container', async () => {
    const viewerSide = h.engine();
    const deal = await h.engine().createDeal(dealInput({ stock: 20 }), HOST_ID);
    await expect(viewerSide.claim(deal.dealId, 'early')).rejects.toMatchObject({ code: 'DEAL_NOT_LIVE' });

    await h.engine().cue(deal.dealId, { action: 'start' }, hostActor);
    const answers = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => viewerSide.claim(deal.dealId, `right-after-${i}`)),
    );

    expect(answers.filter((answer) => answer.status === 'fulfilled')).toHaveLength(10);
  });

  it('still refuses without a store call once the deal ended', async () => {
    const viewerSide = h.engine();
    const deal = await liveDeal(h.engine(), { stock: 20 });
    await h.engine().cue(deal.dealId, { action: 'end' }, hostActor);
    await expect(viewerSide.claim(deal.dealId, 'first')).rejects.toMatchObject({ code: 'DEAL_NOT_LIVE' });
    const before = h.sent.length;

    await expect(viewerSide.claim(deal.dealId, 'second')).rejects.toMatchObject({ code: 'DEAL_NOT_LIVE' });

    expect(h.sent.length).toBe(before);
  });
});

describe('a take whose answer was lost', () => {
  const takes = (dealId: string) => (call: Call) =>
    call.command === 'UpdateItemCommand' &&
    onShard(dealId, 0)(call) &&
    call.input.ConditionExpression !== undefined;

  it('gives back, seconds later and without the sweep, the unit a take that failed may have taken', async () => {
    const deal = await h.engine().createDeal(dealInput({ stock: 3, shards: 1 }), HOST_ID);
    await h.engine().cue(deal.dealId, { action: 'start' }, hostActor);
    const { engine, close } = faultyEngine(
      h,
      [{ kind: 'lose-answer', times: 1, matches: takes(deal.dealId) }],
      {
        options: { lostTakeSettleMs: 20 },
      },
    );

    await expect(engine.claim(deal.dealId, 'viewer-1')).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await h.engine().getDeal(deal.dealId)).available).toBe(2);
    await engine.settled();
    close();

    expect(await figures(h.engine(), deal.dealId)).toMatchObject({ available: 3, held: 0, accounted: 3 });
  });

  it('gives back the unit of an earlier send when the SDK’s repeat of the take was answered', async () => {
    const deal = await h.engine().createDeal(dealInput({ stock: 3, shards: 1 }), HOST_ID);
    await h.engine().cue(deal.dealId, { action: 'start' }, hostActor);
    const { engine, faults, close } = faultyEngine(
      h,
      [{ kind: 'sdk-retries-lost-answer', times: 1, matches: takes(deal.dealId) }],
      { options: { lostTakeSettleMs: 20 } },
    );

    const { coupon } = await engine.claim(deal.dealId, 'viewer-1');
    expect(faults.hits).toStrictEqual([1]);
    expect((await h.engine().getDeal(deal.dealId)).available).toBe(1);
    await engine.settled();
    close();

    expect(coupon.status).toBe('ISSUED');
    expect(await figures(h.engine(), deal.dealId)).toMatchObject({ available: 2, held: 1, accounted: 3 });
  });
});
