import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryPublisher } from '../../functions/shared/data/event-publisher.js';
import { EVENT_SCHEMAS } from '../../functions/shared/domain/events.js';
import { adminActor, dealInput, HOST_ID, hostActor, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';
import { RecordingScheduler } from '../support/scheduler.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const inAnHour = () => new Date(h.clock.now() + 3_600_000).toISOString();

const galaEngine = (scheduler = new RecordingScheduler(), events = new MemoryPublisher()) => ({
  engine: h.engine({ scheduler, events }),
  scheduler,
  events,
});

describe('gala price drops', () => {
  it('schedules a drop at its instant in its time zone through the scheduler port', async () => {
    const { engine, scheduler } = galaEngine();

    const drop = await engine.schedulePriceDrop(
      'gala-a',
      { at: '2026-11-26T22:00:00+01:00', timeZone: 'Europe/Berlin', percentOff: 20 },
      adminActor,
    );

    expect(drop).toMatchObject({
      status: 'SCHEDULED',
      at: '2026-11-26T21:00:00.000Z',
      timeZone: 'Europe/Berlin',
    });
    expect(scheduler.created).toEqual([
      {
        group: 'livedrop-gala-drops',
        name: `drop-${drop.dropId}`,
        at: '2026-11-26T21:00:00.000Z',
        timeZone: 'Europe/Berlin',
        target: 'apply-price-drop',
        input: { galaId: 'gala-a', dropId: drop.dropId },
      },
    ]);
    expect((await engine.listPriceDrops('gala-a')).map((d) => d.dropId)).toEqual([drop.dropId]);
  });

  it('applies the new price to each deal of the gala once, skipping ended deals and keeping claimed prices', async () => {
    const { engine, events } = galaEngine();
    const live = await liveDeal(engine, { galaId: 'gala-b', listPrice: 10_000, dealPrice: 8_000, stock: 5 });
    const scheduled = await engine.createDeal(
      dealInput({ galaId: 'gala-b', listPrice: 10_000, dealPrice: 9_000 }),
      HOST_ID,
    );
    const ended = await liveDeal(engine, { galaId: 'gala-b' });
    await engine.cue(ended.dealId, { action: 'end' }, hostActor);
    const before = await engine.claim(live.dealId, 'early-bird');
    const drop = await engine.schedulePriceDrop(
      'gala-b',
      { at: inAnHour(), timeZone: 'UTC', percentOff: 25 },
      adminActor,
    );
    h.clock.advance(3_600_000);

    const applied = await engine.applyPriceDrop('gala-b', drop.dropId);
    const again = await Promise.all([1, 2, 3].map(() => engine.applyPriceDrop('gala-b', drop.dropId)));

    expect(applied.status).toBe('APPLIED');
    expect(applied.results).toEqual({
      [live.dealId]: { outcome: 'APPLIED', previousPrice: 8_000, dealPrice: 6_000 },
      [scheduled.dealId]: { outcome: 'APPLIED', previousPrice: 9_000, dealPrice: 6_750 },
      [ended.dealId]: { outcome: 'SKIPPED_ENDED' },
    });
    expect(again.every((d) => d.status === 'APPLIED' && d.appliedAt === applied.appliedAt)).toBe(true);
    expect((await engine.getDeal(live.dealId)).dealPrice).toBe(6_000);
    expect((await engine.getDeal(live.dealId)).priorLowestPrice).toBe(8_000);
    const after = await h.engine().claim(live.dealId, 'late-bird');
    expect(after.coupon.dealPrice).toBe(6_000);
    expect(before.coupon.dealPrice).toBe(8_000);
    expect((await engine.listCoupons('early-bird', {})).coupons[0]?.dealPrice).toBe(8_000);
    for (const event of events.published) {
      expect(EVENT_SCHEMAS[event.detailType].safeParse(event.detail).success, event.detailType).toBe(true);
    }
    const dropped = events.published.filter((event) => event.detailType === 'Price Dropped');
    expect(dropped.map((event) => event.detail.dealId).sort()).toEqual(
      [live.dealId, scheduled.dealId].sort(),
    );
  });

  it('applies to the named deals only, keeps prices within 1..listPrice and adds a wave of units once', async () => {
    const { engine } = galaEngine();
    const cheap = await liveDeal(engine, { galaId: 'gala-c', listPrice: 500, dealPrice: 400, stock: 10 });
    const other = await liveDeal(engine, { galaId: 'gala-c', listPrice: 500, dealPrice: 400, stock: 10 });
    const foreign = await liveDeal(engine, { galaId: 'gala-x', stock: 10 });
    const drop = await engine.schedulePriceDrop(
      'gala-c',
      {
        at: inAnHour(),
        timeZone: 'UTC',
        dealPrice: 9_999,
        dealIds: [cheap.dealId, foreign.dealId],
        stock: 5,
      },
      adminActor,
    );
    h.clock.advance(3_600_000);

    await engine.applyPriceDrop('gala-c', drop.dropId);
    const result = await engine.applyPriceDrop('gala-c', drop.dropId);

    expect(result.results).toEqual({
      [cheap.dealId]: { outcome: 'APPLIED', previousPrice: 400, dealPrice: 500 },
      [foreign.dealId]: { outcome: 'SKIPPED_NOT_IN_GALA' },
    });
    expect(await engine.getDeal(cheap.dealId)).toMatchObject({ dealPrice: 500, stock: 15, available: 15 });
    expect(await engine.getDeal(other.dealId)).toMatchObject({ dealPrice: 400, stock: 10 });
  });

  it('finishes a cancel whose schedule deletion failed when the cancel is repeated, and answers it the same', async () => {
    const { engine, scheduler } = galaEngine();
    await liveDeal(engine, { galaId: 'gala-retry', listPrice: 10_000, dealPrice: 8_000 });
    const drop = await engine.schedulePriceDrop(
      'gala-retry',
      { at: inAnHour(), timeZone: 'UTC', dealPrice: 5_000 },
      adminActor,
    );
    scheduler.failNextCancel = true;
    await expect(engine.cancelPriceDrop('gala-retry', drop.dropId)).rejects.toThrow('scheduler unavailable');

    const again = await engine.cancelPriceDrop('gala-retry', drop.dropId);

    expect(again.status).toBe('CANCELLED');
    expect(scheduler.cancelled).toEqual([`drop-${drop.dropId}`]);
    expect((await engine.applyPriceDrop('gala-retry', drop.dropId)).status).toBe('CANCELLED');
  });

  it('never fires a cancelled drop, and refuses to cancel one that is no longer scheduled', async () => {
    const { engine, scheduler } = galaEngine();
    const deal = await liveDeal(engine, { galaId: 'gala-d', listPrice: 10_000, dealPrice: 8_000 });
    const drop = await engine.schedulePriceDrop(
      'gala-d',
      { at: inAnHour(), timeZone: 'UTC', dealPrice: 5_000 },
      adminActor,
    );

    const cancelled = await engine.cancelPriceDrop('gala-d', drop.dropId);
    const late = await engine.applyPriceDrop('gala-d', drop.dropId);

    expect(cancelled.status).toBe('CANCELLED');
    expect(scheduler.cancelled).toEqual([`drop-${drop.dropId}`]);
    expect(late.status).toBe('CANCELLED');
    expect((await engine.getDeal(deal.dealId)).dealPrice).toBe(8_000);
    expect((await engine.cancelPriceDrop('gala-d', drop.dropId)).status).toBe('CANCELLED');
    await expect(engine.cancelPriceDrop('gala-d', '01JH0000000000000000000000')).rejects.toMatchObject({
      code: 'PRICE_DROP_NOT_FOUND',
    });
    const applied = await engine.schedulePriceDrop(
      'gala-d',
      { at: inAnHour(), timeZone: 'UTC', dealPrice: 6_000 },
      adminActor,
    );
    h.clock.advance(3_600_000);
    await engine.applyPriceDrop('gala-d', applied.dropId);
    await expect(engine.cancelPriceDrop('gala-d', applied.dropId)).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { status: 'APPLIED' },
    });
  });

  it('applies a drop whose schedule never fired from the sweep, a minute late rather than never', async () => {
    const { engine } = galaEngine();
    const deal = await liveDeal(engine, { galaId: 'gala-e', listPrice: 10_000, dealPrice: 8_000 });
    const drop = await engine.schedulePriceDrop(
      'gala-e',
      { at: inAnHour(), timeZone: 'UTC', dealPrice: 7_000 },
      adminActor,
    );
    h.clock.advance(3_600_000 + 30_000);
    await engine.sweep();
    expect((await engine.getDeal(deal.dealId)).dealPrice).toBe(8_000);

    h.clock.advance(31_000);
    const report = await engine.sweep();

    expect(report.dropsApplied).toBeGreaterThanOrEqual(1);
    expect((await engine.getDeal(deal.dealId)).dealPrice).toBe(7_000);
    expect((await engine.listPriceDrops('gala-e')).find((d) => d.dropId === drop.dropId)?.status).toBe(
      'APPLIED',
    );
  });

  it('ignores a firing more than a minute early (a DST-ambiguous wall time) and applies at the instant', async () => {
    const { engine } = galaEngine();
    const deal = await liveDeal(engine, { galaId: 'gala-g', listPrice: 10_000, dealPrice: 8_000 });
    const drop = await engine.schedulePriceDrop(
      'gala-g',
      { at: inAnHour(), timeZone: 'UTC', dealPrice: 7_000 },
      adminActor,
    );

    const early = await engine.applyPriceDrop('gala-g', drop.dropId);
    h.clock.advance(3_600_000);
    const onTime = await engine.applyPriceDrop('gala-g', drop.dropId);

    expect(early.status).toBe('SCHEDULED');
    expect(onTime.status).toBe('APPLIED');
    expect((await engine.getDeal(deal.dealId)).dealPrice).toBe(7_000);
  });

  it('refuses an instant in the past, and cancels the drop when the scheduler refuses it', async () => {
    const { engine, scheduler } = galaEngine();

    await expect(
      engine.schedulePriceDrop(
        'gala-f',
        { at: '2020-01-01T00:00:00Z', timeZone: 'UTC', percentOff: 10 },
        adminActor,
      ),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    scheduler.failNext = true;
    await expect(
      engine.schedulePriceDrop('gala-f', { at: inAnHour(), timeZone: 'UTC', percentOff: 10 }, adminActor),
    ).rejects.toMatchObject({
      name: 'RequestUndone',
      cause: expect.objectContaining({ message: 'scheduler unavailable' }),
    });

    const drops = await engine.listPriceDrops('gala-f');
    expect(drops.map((d) => d.status)).toEqual(['CANCELLED']);
  });
});
