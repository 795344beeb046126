import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplyPriceDropHandler } from '../../functions/apply-price-drop/app.js';
import { MemoryPublisher } from '../../functions/shared/data/event-publisher.js';
import { iso } from '../../functions/shared/domain/clock.js';
import { DomainError } from '../../functions/shared/domain/errors.js';
import type { LivedropEvent } from '../../functions/shared/domain/events.js';
import type { Engine } from '../../functions/shared/use-cases/engine.js';
import { createStreamCueHandler } from '../../functions/stream-cue/app.js';
import { createStreamEndHandler } from '../../functions/stream-end/app.js';
import { createSweepHandler } from '../../functions/sweep/app.js';
import { InjectedCrash } from '../support/crash.js';
import { adminActor, dealInput, HOST_ID, hostActor, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';
import { RecordingScheduler } from '../support/scheduler.js';
import { lambdaContext, loadEvent, silentLogger } from '../unit/http/support.js';

/**
 * Every async trigger of the wiring (Deal Cue on the bus, IVS Stream End, the sweep schedule, a gala drop's
 * one-time schedule) delivered the way AWS may deliver it: each event 1-3 times, in any order, some copies
 * at the same time, a refusal that may be an overtaken event retried later, claims in between. The final
 * state must be the one the in-order, exactly-once delivery gives, and the events promised once are once.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const RUNS = 20;

/**
 * A store of its own: the sweep works on every deal of the store, so a run must not see (and end, and
 * announce) the deals of the runs before it.
 */
const onOwnStore = async (run: (h: Harness) => Promise<void>) => {
  const own = await startHarness();
  try {
    await run(own);
  } finally {
    await own.close();
  }
};

type AnyHandler = (event: never, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/**
 * Delivers `batches` (the copies in one batch run at the same time) through `handler`. A thrown delivery is
 * delivered again after the others, as Lambda's async retries and the rule's retry policy do; `between` runs
 * after every batch. Returns what still failed after 8 rounds.
 */
const deliver = async <E>(
  handler: AnyHandler,
  batches: E[][],
  between: () => Promise<unknown> = async () => {},
) => {
  let pending = batches;
  for (let round = 0; round < 8 && pending.length > 0; round++) {
    const retry: E[][] = [];
    for (const batch of pending) {
      await Promise.all(
        batch.map((event) =>
          handler(event as never, lambdaContext()).catch((error: unknown) => {
            if (error instanceof InjectedCrash) throw error;
            retry.push([event]);
          }),
        ),
      );
      await between();
    }
    pending = retry;
  }
  return pending.flat();
};

/** Each item 1-3 times, shuffled, cut into batches of one or two concurrent copies. */
const redeliveries = <T>(items: readonly T[]) =>
  fc
    .tuple(
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: items.length, maxLength: items.length }),
      fc.infiniteStream(fc.boolean()),
    )
    .chain(([copies, pairs]) => {
      const all = items.flatMap((item, i) => Array.from({ length: copies[i] ?? 1 }, () => item));
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }).map((order) => {
        const batches: T[][] = [];
        const together = pairs[Symbol.iterator]();
        for (let i = 0; i < order.length; i++) {
          const next = order[i + 1];
          if (next !== undefined && together.next().value) {
            batches.push([order[i] as T, next]);
            i++;
          } else {
            batches.push([order[i] as T]);
          }
        }
        return batches;
      });
    });

/** How many times each key was published. */
const tally = (events: readonly LivedropEvent[], keyOf: (event: LivedropEvent) => string | undefined) => {
  const counts = new Map<string, number>();
  for (const event of events) {
    const key = keyOf(event);
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
};

const detail = (event: LivedropEvent) => event.detail as Record<string, unknown>;

const invariant = async (engine: Engine, dealId: string) => {
  const deal = await engine.getDeal(dealId);
  expect(deal.available + deal.held + deal.redeemed, `stock of ${dealId}`).toBe(deal.stock);
  return deal;
};

let viewerSeq = 0;
/** One claim by a new viewer; refusals are part of the game (not live, sold out). */
const claimBetween = (engine: Engine, dealId: string) => async () => {
  await engine.claim(dealId, `between-${viewerSeq++}`).catch((error: unknown) => {
    if (!(error instanceof DomainError)) throw error;
  });
};

// ------------------------------------------------------------------------------------------- Deal Cue

describe('Deal Cue events delivered again and out of order', () => {
  const at = (second: number) => iso(Date.parse('2026-11-26T20:00:00.000Z') + second * 1000);
  const cueEvent = (dealId: string, cue: Record<string, unknown>) => ({
    ...loadEvent<Record<string, unknown>>('stream-cue.valid'),
    detail: { dealId, streamId: 'redelivery-stream', hostId: HOST_ID, ...cue },
  });
  /** What the studio sent, in this order. */
  const CUES = [
    { cueId: 'start', at: at(1), action: 'start' },
    { cueId: 'pause', at: at(2), action: 'pause' },
    { cueId: 'extend', at: at(3), action: 'extend', durationSeconds: 300 },
    { cueId: 'resume', at: at(4), action: 'resume' },
    { cueId: 'restock', at: at(5), action: 'restock', quantity: 5 },
    { cueId: 'pause-again', at: at(6), action: 'pause' },
  ];

  const run = async (batches: Record<string, unknown>[][]) => {
    const events = new MemoryPublisher();
    const engine = h.engine({ events });
    const handler = createStreamCueHandler({ engine, logger: silentLogger() });
    const deal = await engine.createDeal(
      dealInput({ stock: 10, streamId: 'redelivery-stream', durationSeconds: 600 }),
      HOST_ID,
    );
    const cues = batches.map((batch) => batch.map((cue) => cueEvent(deal.dealId, cue)));
    const unapplied = await deliver(handler as AnyHandler, cues, claimBetween(engine, deal.dealId));
    const after = await invariant(engine, deal.dealId);
    return { after, events: events.published, unapplied };
  };

  it('converges on the in-order state, each cue applied once, whatever the duplication and order', async () => {
    const inOrder = await run(CUES.map((cue) => [cue]));
    const expected = {
      status: inOrder.after.status,
      stock: inOrder.after.stock,
      runsFor: Date.parse(inOrder.after.endsAt ?? '') - Date.parse(inOrder.after.startedAt ?? ''),
    };
    expect(expected).toEqual({ status: 'PAUSED', stock: 15, runsFor: 900_000 });

    await fc.assert(
      fc.asyncProperty(redeliveries(CUES), async (batches) => {
        const { after, events, unapplied } = await run(batches);

        expect(unapplied).toEqual([]);
        expect({
          status: after.status,
          stock: after.stock,
          runsFor: Date.parse(after.endsAt ?? '') - Date.parse(after.startedAt ?? ''),
        }).toEqual(expected);
        // A cue's event is published at most once; restock and extend commute, so theirs exactly once.
        const perCue = tally(events, (event) => detail(event).cueId as string | undefined);
        expect(Math.max(...perCue.values())).toBe(1);
        expect(perCue.get('restock')).toBe(1);
        expect(perCue.get('extend')).toBe(1);
      }),
      { numRuns: RUNS },
    );
  });
});

// ------------------------------------------------------------------------------------- IVS Stream End

describe('IVS Stream End delivered again and out of order', () => {
  const streamEvent = (streamId: string, eventName: string, time: string) => ({
    ...loadEvent<Record<string, unknown>>('ivs-stream-end'),
    time,
    detail: { event_name: eventName, channel_name: streamId, stream_id: 'st-1' },
  });

  it('ends the stream’s live and paused deals once, leaves the others, whatever the duplication and order', async () => {
    let stream = 0;
    await fc.assert(
      fc.asyncProperty(
        redeliveries(['Stream Start', 'Stream End', 'Session Created'] as const),
        async (batches) => {
          const events = new MemoryPublisher();
          const engine = h.engine({ events });
          const handler = createStreamEndHandler({ engine, logger: silentLogger() });
          const streamId = `ivs-stream-${stream++}`;
          const live = await liveDeal(engine, { streamId, stock: 20 });
          const paused = await liveDeal(engine, { streamId, stock: 5 });
          await engine.cue(paused.dealId, { action: 'pause' }, hostActor);
          const scheduled = await engine.createDeal(dealInput({ streamId }), HOST_ID);
          const elsewhere = await liveDeal(engine, { streamId: `${streamId}-other` });
          const time = iso(h.clock.now());
          const deliveries = batches.map((batch) => batch.map((name) => streamEvent(streamId, name, time)));

          const unapplied = await deliver(
            handler as AnyHandler,
            deliveries,
            claimBetween(engine, live.dealId),
          );

          expect(unapplied).toEqual([]);
          expect((await invariant(engine, live.dealId)).status).toBe('ENDED');
          expect((await invariant(engine, paused.dealId)).status).toBe('ENDED');
          expect((await engine.getDeal(scheduled.dealId)).status).toBe('SCHEDULED');
          expect((await engine.getDeal(elsewhere.dealId)).status).toBe('LIVE');
          const ended = tally(events.published, (event) =>
            event.detailType === 'Deal Ended' ? (detail(event).dealId as string) : undefined,
          );
          expect(Object.fromEntries(ended)).toEqual({ [live.dealId]: 1, [paused.dealId]: 1 });
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('a Stream End delivered after the next broadcast started', () => {
  it('leaves the deal the next broadcast started on the same channel live', async () => {
    const engine = h.engine();
    const handler = createStreamEndHandler({ engine, logger: silentLogger() });
    const streamId = 'ivs-reused-channel';
    // The channel's first broadcast ended at 20:00; its Stream End is held back (a retry, a slow target).
    const firstBroadcastEnded = iso(h.clock.now());
    const stale = {
      ...loadEvent<Record<string, unknown>>('ivs-stream-end'),
      time: firstBroadcastEnded,
      detail: { event_name: 'Stream End', channel_name: streamId, stream_id: 'st-first' },
    };
    h.clock.advance(600_000);
    const nextBroadcast = await liveDeal(engine, { streamId });

    await handler(stale as never, lambdaContext());

    // In the order things happened the end came first and found nothing live: the deal stays LIVE.
    expect((await engine.getDeal(nextBroadcast.dealId)).status).toBe('LIVE');
    await handler({ ...stale, time: iso(h.clock.now()) } as never, lambdaContext());
    expect((await engine.getDeal(nextBroadcast.dealId)).status).toBe('ENDED');
  });
});

describe('a start cue and its stream’s Stream End delivered again and out of order', () => {
  type Delivery = 'start' | 'stream-end';
  const STATUS_EVENTS = new Set(['Deal Started', 'Deal Paused', 'Deal Resumed', 'Deal Ended']);
  let stream = 0;

  /**
   * The studio cued the start at the harness's now (whole seconds); the broadcast went off air 30 s later
   * (IVS time), or, with `startAfterEnd`, 5 min before the start was cued (a later broadcast).
   */
  const run = async (batches: Delivery[][], startAfterEnd = false) => {
    const cuedAt = Math.floor(h.clock.now() / 1000) * 1000;
    const streamEnded = startAfterEnd ? cuedAt - 300_000 : cuedAt + 30_000;
    const events = new MemoryPublisher();
    const engine = h.engine({ events });
    const onCue = createStreamCueHandler({ engine, logger: silentLogger() });
    const onStreamEnd = createStreamEndHandler({ engine, logger: silentLogger() });
    const streamId = `overtaken-start-${stream++}`;
    const deal = await engine.createDeal(dealInput({ stock: 10, streamId, durationSeconds: 600 }), HOST_ID);
    const start = {
      ...loadEvent<Record<string, unknown>>('stream-cue.valid'),
      detail: {
        dealId: deal.dealId,
        streamId,
        hostId: HOST_ID,
        cueId: 'start',
        at: iso(cuedAt),
        action: 'start',
      },
    };
    const streamEnd = {
      ...loadEvent<Record<string, unknown>>('ivs-stream-end'),
      time: iso(streamEnded).replace('.000Z', 'Z'),
      detail: { event_name: 'Stream End', channel_name: streamId, stream_id: 'st-1' },
    };
    const handler = (delivery: Delivery, context: ReturnType<typeof lambdaContext>) =>
      delivery === 'start' ? onCue(start as never, context) : onStreamEnd(streamEnd as never, context);

    const unapplied = await deliver(handler as AnyHandler, batches, claimBetween(engine, deal.dealId));

    const after = await invariant(engine, deal.dealId);
    const published = events.published
      .filter((event) => detail(event).dealId === deal.dealId && STATUS_EVENTS.has(event.detailType))
      .map((event) => ({
        detailType: event.detailType,
        status: detail(event).status,
        cueId: detail(event).cueId,
      }))
      .sort((a, b) => (a.detailType < b.detailType ? -1 : 1));
    const records = (await engine.auditTrail(deal.dealId, adminActor, {})).records
      .filter((record) => record.action.startsWith('deal.'))
      .map((record) => ({
        action: record.action,
        actor: record.actor,
        cueId: record.cueId,
        status: (record.after as Record<string, unknown> | null)?.status,
        reason: (record.after as Record<string, unknown> | null)?.reason,
      }));
    return { status: after.status, unapplied, published, records };
  };

  it('ends the deal, with the start’s and the end’s events and records, whatever the duplication and order', async () => {
    const inOrder = await run([['start'], ['stream-end']]);
    expect(inOrder).toMatchObject({ status: 'ENDED', unapplied: [] });
    expect(inOrder.records).toEqual([
      {
        action: 'deal.created',
        actor: expect.anything(),
        cueId: undefined,
        status: 'SCHEDULED',
        reason: undefined,
      },
      { action: 'deal.cued', actor: expect.anything(), cueId: 'start', status: 'LIVE', reason: undefined },
      {
        action: 'deal.ended',
        actor: expect.anything(),
        cueId: undefined,
        status: 'ENDED',
        reason: 'stream ended',
      },
    ]);
    expect(inOrder.published).toEqual([
      { detailType: 'Deal Ended', status: 'ENDED', cueId: undefined },
      { detailType: 'Deal Started', status: 'LIVE', cueId: 'start' },
    ]);

    await fc.assert(
      fc.asyncProperty(redeliveries(['start', 'stream-end'] as const), async (batches) => {
        const reordered = await run(batches);

        expect(reordered.unapplied).toEqual([]);
        expect(reordered.status).toBe('ENDED');
        expect(reordered.published).toEqual(inOrder.published);
        // The start's record shows where the deal went: LIVE in order, straight to ENDED when overtaken.
        const withoutStatus = (records: typeof inOrder.records) =>
          records.map(({ status: _, ...rest }) => rest);
        expect(withoutStatus(reordered.records)).toEqual(withoutStatus(inOrder.records));
        expect(reordered.records.at(-1)).toEqual(inOrder.records.at(-1));
      }),
      { numRuns: RUNS },
    );
  });

  it('starts the deal when the start was cued after the stream ended (a later broadcast), in either order', async () => {
    for (const order of [
      [['stream-end'], ['start']],
      [['start'], ['stream-end']],
    ] as Delivery[][][]) {
      const later = await run(order, true);

      expect(later.status).toBe('LIVE');
      expect(later.published).toEqual([{ detailType: 'Deal Started', status: 'LIVE', cueId: 'start' }]);
    }
  });
});

// ------------------------------------------------------------------------------------------ the sweep

describe('the sweep schedule delivered again and overlapping', () => {
  it('expires each lapsed coupon once, returns each unit once, ends a deal once, whatever the overlap', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 6 }), (overlaps) =>
        onOwnStore(async (h) => {
          const events = new MemoryPublisher();
          const engine = h.engine({ events, options: { claimGraceMs: 1_000 } });
          const handler = createSweepHandler({ engine, logger: silentLogger() });
          // A deal that ends by its duration, with coupons that lapse, and a claim that died holding a unit.
          const deal = await liveDeal(engine, { stock: 8, claimTtlSeconds: 30, durationSeconds: 120 });
          const kept = await engine.claim(deal.dealId, 'keeper');
          await engine.redeem(kept.coupon.code, { viewerId: 'keeper', orderId: 'order-1' });
          const lapsing = await Promise.all(
            ['a', 'b', 'c'].map((v) => engine.claim(deal.dealId, `lapser-${v}`)),
          );
          const dying = h.engine({
            seam: (step) => {
              if (step === 'claim.unit') throw new InjectedCrash(step);
            },
          });
          await expect(dying.claim(deal.dealId, 'dies')).rejects.toBeInstanceOf(InjectedCrash);
          h.clock.advance(31_000);

          // Each schedule tick may run 1-3 times at once; claims go on between ticks.
          const ticks = overlaps.map((copies) => Array.from({ length: copies }, () => ({})));
          const unapplied = await deliver(handler as AnyHandler, ticks, async () => {
            await claimBetween(engine, deal.dealId)();
            h.clock.advance(30_000);
          });
          // Time runs out for everything: whatever the ticks left, one more settles it.
          h.clock.advance(120_000);
          await handler({} as never, lambdaContext());

          expect(unapplied).toEqual([]);
          const after = await invariant(engine, deal.dealId);
          expect(after).toMatchObject({ status: 'ENDED', held: 0, redeemed: 1 });
          expect(after.available).toBe(after.stock - 1);
          const expired = tally(events.published, (event) =>
            event.detailType === 'Coupon Expired' ? (detail(event).couponId as string) : undefined,
          );
          for (const { coupon } of lapsing) expect(expired.get(coupon.couponId)).toBe(1);
          expect(Math.max(...expired.values())).toBe(1);
          expect(events.published.filter((event) => event.detailType === 'Deal Ended')).toHaveLength(1);
        }),
      ),
      { numRuns: RUNS },
    );
  });
});

// ------------------------------------------------------------------------------- gala price drops

describe('gala price drop firings delivered again and out of order', () => {
  it('applies each drop to each deal once and converges on the in-order prices and stock', async () => {
    let gala = 0;
    await fc.assert(
      fc.asyncProperty(redeliveries(['first', 'second', 'overdue-sweep'] as const), (batches) =>
        onOwnStore(async (h) => {
          const events = new MemoryPublisher();
          const scheduler = new RecordingScheduler();
          const engine = h.engine({ events, scheduler });
          const handler = createApplyPriceDropHandler({ engine, logger: silentLogger() });
          const galaId = `gala-redelivery-${gala++}`;
          const deals = await Promise.all(
            [10_000, 8_000].map((dealPrice) =>
              liveDeal(engine, { galaId, listPrice: 12_000, dealPrice, stock: 4 }),
            ),
          );
          const inHours = (hours: number) => iso(h.clock.now() + hours * 3_600_000);
          // Percentages commute, so the in-order result does not depend on which firing comes first.
          const first = await engine.schedulePriceDrop(
            galaId,
            { at: inHours(1), timeZone: 'UTC', percentOff: 10, stock: 3 },
            adminActor,
          );
          const second = await engine.schedulePriceDrop(
            galaId,
            { at: inHours(2), timeZone: 'UTC', percentOff: 20 },
            adminActor,
          );
          h.clock.advance(2 * 3_600_000 + 61_000);
          const firing = { first: first.dropId, second: second.dropId } as const;

          const unapplied = await deliver(
            (async (name: keyof typeof firing | 'overdue-sweep') =>
              name === 'overdue-sweep'
                ? engine.sweep()
                : handler({ galaId, dropId: firing[name] } as never, lambdaContext())) as AnyHandler,
            batches,
            claimBetween(engine, deals[0]?.dealId ?? ''),
          );
          await engine.sweep();

          expect(unapplied).toEqual([]);
          const drops = await engine.listPriceDrops(galaId);
          expect(drops.map((drop) => drop.status)).toEqual(['APPLIED', 'APPLIED']);
          for (const [i, deal] of deals.entries()) {
            const after = await invariant(engine, deal.dealId);
            const start = [10_000, 8_000][i] as number;
            expect(after.dealPrice).toBe(Math.round((Math.round(start * 0.9) * 80) / 100));
            expect(after.stock).toBe(7);
          }
          const dropped = tally(events.published, (event) =>
            event.detailType === 'Price Dropped'
              ? `${detail(event).dropId} ${detail(event).dealId}`
              : undefined,
          );
          expect([...dropped.values()]).toEqual([1, 1, 1, 1]);
        }),
      ),
      { numRuns: RUNS },
    );
  });
});
