import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CreateDealInput } from '../../functions/shared/domain/schemas.js';
import type { Engine } from '../../functions/shared/use-cases/engine.js';
import { InjectedCrash } from '../support/crash.js';
import { adminActor, dealInput, HOST_ID, hostActor } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';
import { RecordingScheduler } from '../support/scheduler.js';

/**
 * Crash injection: every operation is aborted right after each of its writes (the engine's seam throws, as if
 * the Lambda died there), then the sweep's reconcile runs and we check that the invariant holds, no unit was
 * lost or doubled, nothing is left in flight and no viewer stays blocked.
 */
const GRACE_MS = 1_000;
const OPTIONS = {
  claimGraceMs: GRACE_MS,
  returnPruneGraceMs: 3_000,
  settleDelayMs: 1_000,
  replayWaitMs: 200,
};

// Each case gets its own store, so a sweep can only ever crash on the deal under test.
let h: Harness;
let clean: Engine;
beforeEach(async () => {
  h = await startHarness();
  clean = h.engine({ options: OPTIONS, scheduler: new RecordingScheduler() });
});
afterEach(async () => {
  await h.close();
});
afterAll(() => {
  console.info('crash-injection matrix (operation x step -> invariant):');
  console.table(matrix);
});

const matrix: { operation: string; step: string; invariant: string; stock: number; accounted: number }[] = [];

interface Ctx {
  dealId: string;
  /** Viewers whose holdings the scenario touched; none may stay blocked. */
  viewers: string[];
  state: Record<string, string>;
}

interface Scenario {
  operation: string;
  steps: string[];
  deal?: Partial<CreateDealInput>;
  /** false: leave the deal SCHEDULED. */
  start?: boolean;
  prepare?: (ctx: Ctx) => Promise<void>;
  act: (engine: Engine, ctx: Ctx) => Promise<unknown>;
  /** Runs after the repair: retrying the interrupted operation must now succeed. */
  retry?: (ctx: Ctx) => Promise<void>;
}

const crashingAt = (target: string) => {
  let crashed = false;
  const engine = h.engine({
    options: OPTIONS,
    scheduler: new RecordingScheduler(),
    seam: (step) => {
      if (step === target && !crashed) {
        crashed = true;
        throw new InjectedCrash(step);
      }
    },
  });
  return { engine, crashed: () => crashed };
};

/** The sweep as the schedule would run it, a few times, with time moving past every grace period. */
const repair = async () => {
  for (let round = 0; round < 3; round++) {
    h.clock.advance(GRACE_MS + 1);
    await clean.sweep();
  }
};

const holdings = async (dealId: string, viewerId: string) =>
  (await clean.listCoupons(viewerId, { limit: 100 })).coupons.filter(
    (c) => c.dealId === dealId && (c.status === 'ISSUED' || c.status === 'REDEEMED'),
  );

/** The coupons of the deal in a phase, counted one by one on the index (the figures must agree with it). */
const couponsIn = async (dealId: string, phase: 'ISSUED' | 'REDEEMED' | 'REDEEMING' | 'RETURNING') => {
  let count = 0;
  for (let k = 0; k < 4; k++) count += await h.store.countCouponsByPhase(dealId, k, phase);
  return count;
};

/**
 * After repair: every ticket taken is owned by a coupon or back in stock, every return absorbed, every redemption
 * counted; nothing is left in flight, and the figures (from shards and tallies) agree with the coupons themselves.
 */
const assertSettled = async (ctx: Ctx) => {
  const { shards, tallies } = await h.store.getStock(ctx.dealId, 4);
  for (const shard of shards) {
    expect(shard.checkedThrough, `shard ${shard.shard} has tickets in flight`).toBe(shard.issued);
    expect(shard.available).toBeGreaterThanOrEqual(0);
    const tally = tallies.find((t) => t.shard === shard.shard);
    expect(shard.absorbed, `shard ${shard.shard} has returns not absorbed`).toBe(tally?.returned ?? 0);
  }
  const deal = await clean.getDeal(ctx.dealId);
  expect(deal.available + deal.held + deal.redeemed).toBe(deal.stock);
  expect(await couponsIn(ctx.dealId, 'REDEEMING')).toBe(0);
  expect(await couponsIn(ctx.dealId, 'RETURNING')).toBe(0);
  expect(deal.redeemed).toBe(await couponsIn(ctx.dealId, 'REDEEMED'));
  expect(deal.held).toBe(await couponsIn(ctx.dealId, 'ISSUED'));
};

/** The invariant holds and every viewer the scenario touched can claim again, up to their limit. */
const assertHealthy = async (ctx: Ctx) => {
  const deal = await clean.getDeal(ctx.dealId);
  expect(deal.available + deal.held + deal.redeemed).toBe(deal.stock);
  if (deal.status !== 'LIVE') return deal;
  for (const viewerId of ctx.viewers) {
    if ((await holdings(ctx.dealId, viewerId)).length >= deal.perViewerLimit) continue;
    if ((await clean.getDeal(ctx.dealId)).available === 0) {
      await clean.cue(ctx.dealId, { action: 'restock', quantity: 1 }, adminActor);
    }
    const { coupon } = await clean.claim(ctx.dealId, viewerId);
    expect(coupon.status).toBe('ISSUED');
  }
  const after = await clean.getDeal(ctx.dealId);
  expect(after.available + after.held + after.redeemed).toBe(after.stock);
  return after;
};

/** Every shard carries the deal's current config (status, endsAt, price): the sweep mirrored what a crash cut. */
const assertShardsMirrored = async (dealId: string) => {
  const deal = await h.store.getDeal(dealId);
  for (const shard of await h.store.getShards(dealId, 4)) {
    expect(shard).toMatchObject({
      status: deal?.status,
      dealPrice: deal?.dealPrice,
      configVersion: deal?.configVersion,
    });
    expect(shard.endsAt).toBe(deal?.endsAt);
  }
};

const claimAndRedeem = async (ctx: Ctx) => {
  const { coupon } = await clean.claim(ctx.dealId, 'viewer-x');
  ctx.state.code = coupon.code;
  await clean.redeem(coupon.code, { viewerId: 'viewer-x', orderId: 'order-1' });
};

const SCENARIOS: Scenario[] = [
  {
    operation: 'claim',
    steps: ['claim.idempotency', 'claim.slot', 'claim.unit', 'claim.ticket', 'claim.coupon'],
    act: (engine, ctx) => engine.claim(ctx.dealId, 'viewer-x', 'key-x'),
    retry: async (ctx) => {
      const again = await clean.claim(ctx.dealId, 'viewer-x', 'key-x');
      expect(again.coupon.status).toBe('ISSUED');
      expect(await holdings(ctx.dealId, 'viewer-x')).toHaveLength(1);
    },
  },
  {
    operation: 'claim (sold out)',
    steps: ['claim.slot-freed'],
    deal: { stock: 1 },
    prepare: async (ctx) => {
      await clean.claim(ctx.dealId, 'viewer-a');
    },
    act: (engine, ctx) => engine.claim(ctx.dealId, 'viewer-x'),
  },
  {
    operation: 'redeem',
    steps: ['redeem.coupon', 'redeem.tally', 'redeem.settled'],
    prepare: async (ctx) => {
      ctx.state.code = (await clean.claim(ctx.dealId, 'viewer-x')).coupon.code;
    },
    act: (engine, ctx) => engine.redeem(ctx.state.code ?? '', { viewerId: 'viewer-x', orderId: 'order-1' }),
    retry: async (ctx) => {
      const again = await clean.redeem(ctx.state.code ?? '', { viewerId: 'viewer-x', orderId: 'order-1' });
      expect(again).toMatchObject({ status: 'REDEEMED', orderId: 'order-1' });
    },
  },
  {
    operation: 'release (hold still valid)',
    steps: ['release.sweep', 'release.coupon', 'release.tally', 'release.settled'],
    prepare: claimAndRedeem,
    act: (engine, ctx) => engine.release(ctx.state.code ?? '', { viewerId: 'viewer-x', orderId: 'order-1' }),
    retry: async (ctx) => {
      const again = await clean.release(ctx.state.code ?? '', { viewerId: 'viewer-x', orderId: 'order-1' });
      expect(again.status).toBe('ISSUED');
    },
  },
  {
    operation: 'release (hold expired)',
    steps: [
      'release.sweep',
      'release.coupon',
      'release.tally',
      'release.settled',
      'return.tally',
      'release.unit',
      'release.slot',
      'release.returned',
    ],
    prepare: async (ctx) => {
      await claimAndRedeem(ctx);
      h.clock.advance(601_000);
    },
    act: (engine, ctx) => engine.release(ctx.state.code ?? '', { viewerId: 'viewer-x', orderId: 'order-1' }),
    retry: async (ctx) => {
      const again = await clean.release(ctx.state.code ?? '', { viewerId: 'viewer-x', orderId: 'order-1' });
      expect(again.status).toBe('EXPIRED');
    },
  },
  {
    operation: 'expire (sweep)',
    steps: ['expire.coupon', 'return.tally', 'expire.unit', 'expire.slot', 'expire.returned'],
    prepare: async (ctx) => {
      await clean.claim(ctx.dealId, 'viewer-x');
      await clean.claim(ctx.dealId, 'viewer-y');
      ctx.viewers.push('viewer-y');
      h.clock.advance(601_000);
    },
    act: (engine) => engine.sweep(),
  },
  {
    operation: 'cue start',
    steps: ['cue.deal', 'cue.shard'],
    start: false,
    act: (engine, ctx) => engine.cue(ctx.dealId, { action: 'start' }, hostActor),
  },
  {
    operation: 'cue pause',
    steps: ['cue.deal', 'cue.shard'],
    act: (engine, ctx) => engine.cue(ctx.dealId, { action: 'pause' }, hostActor),
    retry: async (ctx) => {
      await expect(clean.claim(ctx.dealId, 'viewer-z')).rejects.toMatchObject({ code: 'DEAL_NOT_LIVE' });
    },
  },
  {
    operation: 'restock',
    steps: ['restock.deal', 'restock.shard', 'restock.finished'],
    act: (engine, ctx) => engine.cue(ctx.dealId, { action: 'restock', quantity: 7 }, hostActor),
    retry: async (ctx) => {
      expect((await clean.getDeal(ctx.dealId)).stock).toBeGreaterThanOrEqual(17);
    },
  },
  {
    operation: 'reconcile (repairing a dead claim)',
    steps: [
      'void.coupon',
      'reconcile.orphan',
      'return.tally',
      'reconcile.unit',
      'reconcile.returned',
      'reconcile.progress',
    ],
    prepare: async (ctx) => {
      // Two claims died: one after writing its ticket arbiter, one after taking a unit with no arbiter yet.
      for (const [viewerId, step] of [
        ['viewer-x', 'claim.ticket'],
        ['viewer-y', 'claim.unit'],
      ] as const) {
        const { engine } = crashingAt(step);
        await expect(engine.claim(ctx.dealId, viewerId)).rejects.toBeInstanceOf(InjectedCrash);
      }
      ctx.viewers.push('viewer-y');
    },
    act: async (engine) => {
      for (let round = 0; round < 3; round++) {
        h.clock.advance(GRACE_MS + 1);
        await engine.sweep();
      }
    },
  },
  {
    operation: 'end by duration (sweep)',
    steps: ['sweep.ended'],
    deal: { durationSeconds: 5 },
    prepare: async (ctx) => {
      await clean.claim(ctx.dealId, 'viewer-x');
      h.clock.advance(6_000);
    },
    act: (engine) => engine.sweep(),
    retry: async (ctx) => {
      expect((await clean.getDeal(ctx.dealId)).status).toBe('ENDED');
      await expect(clean.claim(ctx.dealId, 'viewer-z')).rejects.toMatchObject({ code: 'DEAL_NOT_LIVE' });
    },
  },
  {
    operation: 'cue resume',
    steps: ['cue.deal', 'cue.shard'],
    prepare: async (ctx) => {
      await clean.cue(ctx.dealId, { action: 'pause' }, hostActor);
    },
    act: (engine, ctx) => engine.cue(ctx.dealId, { action: 'resume' }, hostActor),
    retry: async (ctx) => {
      await assertShardsMirrored(ctx.dealId);
      expect((await clean.getDeal(ctx.dealId)).status).toBe('LIVE');
    },
  },
  {
    operation: 'cue end',
    steps: ['cue.deal', 'cue.shard'],
    act: (engine, ctx) => engine.cue(ctx.dealId, { action: 'end' }, hostActor),
    retry: async (ctx) => {
      // The sweep mirrored the end onto every shard: no shard grants a unit any more.
      await assertShardsMirrored(ctx.dealId);
      await expect(clean.claim(ctx.dealId, 'viewer-z')).rejects.toMatchObject({ code: 'DEAL_NOT_LIVE' });
    },
  },
  {
    operation: 'cue extend',
    steps: ['cue.deal', 'cue.shard'],
    deal: { durationSeconds: 60 },
    act: (engine, ctx) =>
      engine.cue(ctx.dealId, { action: 'extend', durationSeconds: 600, cueId: 'x' }, hostActor),
    retry: async (ctx) => {
      await assertShardsMirrored(ctx.dealId);
      // The shards grant until the extended end, not the original one.
      h.clock.advance(120_000);
      await expect(clean.claim(ctx.dealId, 'viewer-z')).resolves.toMatchObject({ replayed: false });
    },
  },
  {
    operation: 'stream end (IVS)',
    steps: ['cue.deal', 'cue.shard'],
    act: (engine, ctx) => engine.endStream(dealInput().streamId, undefined, ctx.state.endedAt),
    prepare: async (ctx) => {
      ctx.state.endedAt = new Date(h.clock.now()).toISOString();
    },
    retry: async (ctx) => {
      await assertShardsMirrored(ctx.dealId);
      expect((await clean.getDeal(ctx.dealId)).status).toBe('ENDED');
      await expect(clean.claim(ctx.dealId, 'viewer-z')).rejects.toMatchObject({ code: 'DEAL_NOT_LIVE' });
      // The redelivered event finds nothing left to end.
      await expect(clean.endStream(dealInput().streamId)).resolves.toEqual({ ended: [] });
    },
  },
  {
    operation: 'start overtaken by its stream end',
    steps: ['cue.deal', 'cue.shard'],
    start: false,
    prepare: async (ctx) => {
      // The Stream End arrives first; the start it followed is still on its way.
      const endedAt = h.clock.now();
      ctx.state.cueAt = new Date(endedAt - 1_000).toISOString();
      await clean.endStream(dealInput().streamId, undefined, new Date(endedAt).toISOString());
    },
    act: (engine, ctx) =>
      engine.cue(
        ctx.dealId,
        { action: 'start', cueId: 'overtaken-start', at: ctx.state.cueAt ?? '' },
        hostActor,
        { streamId: dealInput().streamId },
      ),
    retry: async (ctx) => {
      const redelivered = await clean.cue(
        ctx.dealId,
        { action: 'start', cueId: 'overtaken-start', at: ctx.state.cueAt ?? '' },
        hostActor,
        { streamId: dealInput().streamId },
      );
      expect(redelivered.status).toBe('ENDED');
      await assertShardsMirrored(ctx.dealId);
      await expect(clean.claim(ctx.dealId, 'viewer-z')).rejects.toMatchObject({ code: 'DEAL_NOT_LIVE' });
    },
  },
  {
    operation: 'gala price drop fired',
    steps: ['drop.price', 'cue.shard', 'restock.shard', 'restock.finished', 'drop.deal', 'drop.applied'],
    deal: { galaId: 'gala-crash', listPrice: 12_000, dealPrice: 10_000 },
    prepare: async (ctx) => {
      const drop = await clean.schedulePriceDrop(
        'gala-crash',
        { at: new Date(h.clock.now() + 3_600_000).toISOString(), timeZone: 'UTC', percentOff: 20, stock: 6 },
        adminActor,
      );
      ctx.state.dropId = drop.dropId;
      // The schedule fires late enough that the sweep also counts the drop as overdue if it stays SCHEDULED.
      h.clock.advance(3_661_000);
    },
    act: (engine, ctx) => engine.applyPriceDrop('gala-crash', ctx.state.dropId ?? ''),
    retry: async (ctx) => {
      // The sweep finished the firing: applied once (price, history, new wave), shards at the new price.
      const [drop] = await clean.listPriceDrops('gala-crash');
      expect(drop).toMatchObject({ status: 'APPLIED', results: { [ctx.dealId]: { outcome: 'APPLIED' } } });
      const deal = await clean.getDeal(ctx.dealId);
      expect(deal).toMatchObject({ dealPrice: 8_000, stock: 16 });
      await assertShardsMirrored(ctx.dealId);
      // The scheduler's own retry of the firing changes nothing.
      await clean.applyPriceDrop('gala-crash', ctx.state.dropId ?? '');
      expect(await clean.getDeal(ctx.dealId)).toMatchObject({ dealPrice: 8_000, stock: 16 });
    },
  },
  {
    operation: 'gala price drop scheduled',
    steps: ['drop.recorded'],
    deal: { galaId: 'gala-crash', listPrice: 12_000, dealPrice: 10_000 },
    act: (engine) =>
      engine.schedulePriceDrop(
        'gala-crash',
        { at: new Date(h.clock.now() + 60_000).toISOString(), timeZone: 'UTC', dealPrice: 9_000 },
        adminActor,
      ),
    retry: async (ctx) => {
      // Recorded but never scheduled: once overdue, the sweep applies it, late rather than never.
      h.clock.advance(121_000);
      await clean.sweep();
      expect((await clean.listPriceDrops('gala-crash')).map((drop) => drop.status)).toEqual(['APPLIED']);
      expect((await clean.getDeal(ctx.dealId)).dealPrice).toBe(9_000);
    },
  },
  {
    operation: 'gala price drop cancelled',
    steps: ['drop.cancelled'],
    deal: { galaId: 'gala-crash', listPrice: 12_000, dealPrice: 10_000 },
    prepare: async (ctx) => {
      const drop = await clean.schedulePriceDrop(
        'gala-crash',
        { at: new Date(h.clock.now() + 60_000).toISOString(), timeZone: 'UTC', dealPrice: 9_000 },
        adminActor,
      );
      ctx.state.dropId = drop.dropId;
    },
    act: (engine, ctx) => engine.cancelPriceDrop('gala-crash', ctx.state.dropId ?? ''),
    retry: async (ctx) => {
      // The schedule was never deleted and fires: the drop is CANCELLED, so nothing changes.
      h.clock.advance(61_000);
      await clean.applyPriceDrop('gala-crash', ctx.state.dropId ?? '');
      expect((await clean.listPriceDrops('gala-crash')).map((drop) => drop.status)).toEqual(['CANCELLED']);
      expect((await clean.getDeal(ctx.dealId)).dealPrice).toBe(10_000);
    },
  },
];

const rows = SCENARIOS.flatMap((scenario) => scenario.steps.map((step) => ({ scenario, step })));

describe('crash injection', () => {
  it.each(rows)(
    '$scenario.operation crashing after $step: reconcile restores the invariant',
    async ({ scenario, step }) => {
      const deal = await clean.createDeal(dealInput({ stock: 10, shards: 4, ...scenario.deal }), HOST_ID);
      if (scenario.start !== false) await clean.cue(deal.dealId, { action: 'start' }, hostActor);
      const ctx: Ctx = { dealId: deal.dealId, viewers: ['viewer-x'], state: {} };
      await scenario.prepare?.(ctx);
      const { engine, crashed } = crashingAt(step);

      const error = await scenario.act(engine, ctx).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(crashed(), `step ${step} was never reached`).toBe(true);
      expect(error).toBeInstanceOf(InjectedCrash);
      await repair();
      await assertSettled(ctx);
      await scenario.retry?.(ctx);
      const after = await assertHealthy(ctx);
      matrix.push({
        operation: scenario.operation,
        step,
        invariant: 'held',
        stock: after.stock,
        accounted: after.available + after.held + after.redeemed,
      });
    },
  );

  it('never leaves a half-created deal visible', async () => {
    for (const step of ['create.shard', 'create.channel', 'create.deal']) {
      const { engine } = crashingAt(step);
      const input = dealInput({
        shards: 4,
        ivsChannelArn: 'arn:aws:ivs:eu-central-1:123456789012:channel/Crash',
      });
      const error = await engine.createDeal(input, HOST_ID).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InjectedCrash);
      matrix.push({ operation: 'create deal', step, invariant: 'held', stock: 0, accounted: 0 });
    }
    // A deal becomes visible only with its last write, complete; nothing listed for the sweep is partial.
    for (const dealId of await h.store.listSweepDeals()) {
      const deal = await clean.getDeal(dealId);
      expect(deal.available + deal.held + deal.redeemed).toBe(deal.stock);
    }
    // A channel link left without its deal leads nowhere: the channel's Stream End ends nothing.
    await expect(
      clean.endStream('no-such-stream', 'arn:aws:ivs:eu-central-1:123456789012:channel/Crash'),
    ).resolves.toEqual({ ended: [] });
  });
});
