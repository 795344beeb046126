/**
 * The audit trail: one immutable record per state change, readable per deal (merged over the deal's own
 * partition and its shards' partitions, paged) and per coupon. Replays, retries and repairs write the same
 * keys again, so they never add or change a record. The fake clock moves between steps, so every change has
 * its own instant and "time order" is the order the test made the changes in.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGetDealAuditHandler } from '../../functions/get-deal-audit/app.js';
import { createDocumentClient } from '../../functions/shared/data/client.js';
import { iso } from '../../functions/shared/domain/clock.js';
import { SCOPES } from '../../functions/shared/domain/roles.js';
import type { AuditActor, AuditRecordView, CouponView } from '../../functions/shared/domain/schemas.js';
import { auditPageSchema } from '../../functions/shared/domain/view-schemas.js';
import type { Engine } from '../../functions/shared/use-cases/engine.js';
import type { Actor } from '../../functions/shared/use-cases/types.js';
import { InjectedCrash } from '../support/crash.js';
import { adminActor, dealInput, HOST_ID, hostActor, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';
import { asCaller, dealEvent, withQuery } from '../support/http-events.js';
import { RecordingScheduler } from '../support/scheduler.js';
import { HOST_SUB, invoke, jsonBody, silentLogger } from '../unit/http/support.js';

const GRACE_MS = 1_000;
const OPTIONS = { claimGraceMs: GRACE_MS, replayWaitMs: 200 };

// A fresh store per test: a sweep sees only the deals of the test that runs it (and a crashing sweep can
// only crash on them), and the trail of one test never holds another's records.
let h: Harness;
let raw: ReturnType<typeof createDocumentClient>;
beforeEach(async () => {
  h = await startHarness();
  raw = createDocumentClient({ endpoint: h.embedded.endpoint });
});
afterEach(async () => {
  raw.destroy();
  await h.close();
});

const checkoutActor: Actor = { sub: 'checkout-1', scopes: new Set([SCOPES.checkout]) };
const otherHost: Actor = { sub: 'host-2', scopes: new Set([SCOPES.host]) };
const viewerActor: Actor = { sub: 'viewer-1', scopes: new Set([SCOPES.viewer]) };
const hostOf = { kind: 'host', id: HOST_ID } as const;
const checkoutOf = { kind: 'checkout', id: checkoutActor.sub } as const;
const sweeper = { kind: 'system', id: 'sweep' } as const;

/** Time passes (a second unless told): the next change gets its own instant. */
const tick = (ms = 1_000) => h.clock.advance(ms);
const now = () => iso(h.clock.now());

/** Every AUDIT item of a deal as stored, in key order: what "no record added or changed" compares. */
const auditItems = async (dealId: string): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await raw.send(
      new ScanCommand({
        TableName: h.embedded.tableName,
        FilterExpression: '#type = :audit AND dealId = :deal',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':audit': 'AUDIT', ':deal': dealId },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  const key = (item: Record<string, unknown>) => `${item.PK} ${item.SK}`;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
};

/** The whole trail, page by page, as a client would read it. */
const readAll = async (engine: Engine, dealId: string, limit: number, actor: Actor = hostActor) => {
  const pages: { records: AuditRecordView[]; nextCursor?: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await engine.auditTrail(dealId, actor, {
      limit,
      ...(cursor === undefined ? {} : { cursor }),
    });
    pages.push(page);
    cursor = page.nextCursor;
    expect(pages.length, 'the trail must end').toBeLessThan(200);
  } while (cursor !== undefined);
  return { pages, records: pages.flatMap((page) => page.records) };
};

const claimed = (coupon: CouponView): AuditRecordView => ({
  at: coupon.issuedAt,
  action: 'coupon.claimed',
  actor: { kind: 'viewer', id: coupon.viewerId },
  couponId: coupon.couponId,
  viewerId: coupon.viewerId,
  before: null,
  after: { status: 'ISSUED', expiresAt: coupon.expiresAt, dealPrice: coupon.dealPrice, unit: 'HELD' },
});

const expired = (coupon: CouponView, at: string, actor: AuditActor = sweeper): AuditRecordView => ({
  at,
  action: 'coupon.expired',
  actor,
  couponId: coupon.couponId,
  viewerId: coupon.viewerId,
  before: { status: 'ISSUED', expiresAt: coupon.expiresAt, dealPrice: coupon.dealPrice },
  after: { status: 'EXPIRED', unit: 'RETURNED' },
});

/** The error a call failed with (the test fails if it succeeded). */
const refusal = async (call: Promise<unknown>): Promise<{ code?: string; statusCode?: number }> => {
  const outcome = await call.then(
    () => ({ failed: false as const }),
    (error: unknown) => ({ failed: true as const, error }),
  );
  expect(outcome.failed, 'expected the call to be refused').toBe(true);
  return outcome.failed ? (outcome.error as { code?: string }) : {};
};

describe('a deal’s life', () => {
  it('leaves one record per change, with actor, instant, before and after, in time order, per deal and per coupon', async () => {
    const scheduler = new RecordingScheduler();
    const engine = h.engine({ scheduler, options: OPTIONS });
    const expected: AuditRecordView[] = [];

    // Created and started by its host.
    const deal = await engine.createDeal(
      dealInput({ galaId: 'gala-life', stock: 8, shards: 4, perViewerLimit: 2 }),
      HOST_ID,
    );
    const { dealId } = deal;
    expected.push({
      at: now(),
      action: 'deal.created',
      actor: hostOf,
      before: null,
      after: { status: 'SCHEDULED', dealPrice: 6_000, stock: 8, listPrice: 12_000, perViewerLimit: 2 },
    });
    tick();
    await engine.cue(dealId, { action: 'start', cueId: 'life-start' }, hostActor);
    expected.push({
      at: now(),
      action: 'deal.cued',
      actor: hostOf,
      cueId: 'life-start',
      before: { status: 'SCHEDULED', dealPrice: 6_000 },
      after: { status: 'LIVE', dealPrice: 6_000, action: 'start' },
    });
    // A price drop is scheduled for later: scheduling changes no deal, so it leaves no record.
    tick();
    const drop = await engine.schedulePriceDrop(
      'gala-life',
      { at: iso(h.clock.now() + 20 * 60_000), timeZone: 'UTC', percentOff: 50 },
      adminActor,
    );

    // Three viewers claim; the first redeems, cancels the order, the second redeems for good.
    const coupons: CouponView[] = [];
    for (const viewer of ['life-a', 'life-b', 'life-c']) {
      tick();
      const { coupon } = await engine.claim(dealId, viewer);
      coupons.push(coupon);
      expected.push(claimed(coupon));
    }
    const [a, b, c] = coupons as [CouponView, CouponView, CouponView];
    tick();
    await engine.redeem(a.code, { viewerId: 'life-a', orderId: 'order-a' }, checkoutActor);
    const heldA = { expiresAt: a.expiresAt, dealPrice: 6_000 };
    const redeemedA: AuditRecordView = {
      at: now(),
      action: 'coupon.redeemed',
      actor: checkoutOf,
      couponId: a.couponId,
      viewerId: 'life-a',
      orderId: 'order-a',
      before: { status: 'ISSUED', ...heldA },
      after: { status: 'REDEEMED', ...heldA, orderId: 'order-a' },
    };
    expected.push(redeemedA);
    tick();
    await engine.release(a.code, { viewerId: 'life-a', orderId: 'order-a' }, checkoutActor);
    const releasedA: AuditRecordView = {
      at: now(),
      action: 'coupon.released',
      actor: checkoutOf,
      couponId: a.couponId,
      viewerId: 'life-a',
      orderId: 'order-a',
      before: { status: 'REDEEMED', orderId: 'order-a', dealPrice: 6_000 },
      after: { status: 'ISSUED', ...heldA, unit: 'HELD' },
    };
    expected.push(releasedA);
    tick();
    await engine.redeem(b.code, { viewerId: 'life-b', orderId: 'order-b' }, checkoutActor);
    expected.push({
      at: now(),
      action: 'coupon.redeemed',
      actor: checkoutOf,
      couponId: b.couponId,
      viewerId: 'life-b',
      orderId: 'order-b',
      before: { status: 'ISSUED', expiresAt: b.expiresAt, dealPrice: 6_000 },
      after: { status: 'REDEEMED', expiresAt: b.expiresAt, dealPrice: 6_000, orderId: 'order-b' },
    });

    // The holds of a (released) and c run out; the sweep expires both at once.
    tick(601_000);
    const report = await engine.sweep();
    expect(report.expired).toBe(2);
    const expiredA = expired(a, now());
    expected.push(expiredA, expired(c, now()));

    // The host restocks, pauses and resumes.
    for (const cue of [
      { action: 'restock', cueId: 'life-restock', quantity: 3 },
      { action: 'pause', cueId: 'life-pause' },
      { action: 'resume', cueId: 'life-resume' },
    ] as const) {
      tick();
      const before = (await engine.getDeal(dealId)).status;
      const after = await engine.cue(dealId, cue, hostActor);
      const { action, cueId, ...rest } = cue;
      expected.push({
        at: now(),
        action: 'deal.cued',
        actor: hostOf,
        cueId,
        before: { status: before, dealPrice: 6_000 },
        after: { status: after.status, dealPrice: 6_000, action, ...rest },
      });
    }

    // The gala's drop fires at its instant: half price from now on.
    h.clock.advance(Date.parse(drop.at) - h.clock.now());
    const applied = await engine.applyPriceDrop('gala-life', drop.dropId);
    expect(applied.results).toStrictEqual({
      [dealId]: { outcome: 'APPLIED', previousPrice: 6_000, dealPrice: 3_000 },
    });
    expected.push({
      at: now(),
      action: 'deal.price-dropped',
      actor: { kind: 'system', id: 'gala:gala-life' },
      dropId: drop.dropId,
      before: { dealPrice: 6_000 },
      after: { dealPrice: 3_000, scheduledBy: adminActor.sub },
    });
    tick();
    const late = (await engine.claim(dealId, 'life-d')).coupon;
    expect(late.dealPrice).toBe(3_000);
    expected.push(claimed(late));

    // The host ends it.
    tick();
    await engine.cue(dealId, { action: 'end', cueId: 'life-end' }, hostActor);
    expected.push({
      at: now(),
      action: 'deal.cued',
      actor: hostOf,
      cueId: 'life-end',
      before: { status: 'LIVE', dealPrice: 3_000 },
      after: { status: 'ENDED', dealPrice: 3_000, action: 'end' },
    });
    tick();
    await engine.sweep();

    const whole = await engine.auditTrail(dealId, hostActor, {});
    expect(whole).toStrictEqual({ records: expected });
    expect(await auditItems(dealId)).toHaveLength(expected.length);
    expect((await engine.auditTrail(dealId, adminActor, {})).records).toStrictEqual(expected);
    for (const limit of [1, 2, 3, 5]) {
      const { pages, records } = await readAll(engine, dealId, limit, adminActor);
      expect(records, `pages of ${limit}`).toStrictEqual(expected);
      expect(pages.every((page) => page.records.length <= limit)).toBe(true);
    }
    expect((await engine.auditTrail(dealId, hostActor, { couponId: a.couponId })).records).toStrictEqual([
      expected.find((record) => record.couponId === a.couponId && record.action === 'coupon.claimed'),
      redeemedA,
      releasedA,
      expiredA,
    ]);
    expect((await engine.auditTrail(dealId, hostActor, { couponId: late.couponId })).records).toStrictEqual([
      claimed(late),
    ]);
  });

  it('records a deal ended by its duration once, by the sweep', async () => {
    const engine = h.engine({ options: OPTIONS });
    const deal = await liveDeal(engine, { durationSeconds: 60 });
    const endsAt = iso(h.clock.now() + 60_000);
    tick(61_000);

    await engine.sweep();
    tick();
    await engine.sweep();

    const ended = (await engine.auditTrail(deal.dealId, hostActor, {})).records.filter(
      (record) => record.action === 'deal.ended',
    );
    expect(ended).toStrictEqual([
      {
        at: expect.any(String),
        action: 'deal.ended',
        actor: sweeper,
        before: { status: 'LIVE', dealPrice: 6_000, endsAt },
        after: { status: 'ENDED', dealPrice: 6_000, endsAt, reason: 'duration ran out' },
      },
    ]);
  });

  it('records a deal ended by its stream going off air once, however often the end arrives', async () => {
    const engine = h.engine({ options: OPTIONS });
    const deal = await liveDeal(engine, { streamId: 'audit-stream-end' });
    tick();
    const endedAt = now();

    await engine.endStream('audit-stream-end');
    tick();
    await engine.endStream('audit-stream-end');

    const ended = (await engine.auditTrail(deal.dealId, hostActor, {})).records.filter(
      (record) => record.action === 'deal.ended',
    );
    expect(ended).toStrictEqual([
      {
        at: endedAt,
        action: 'deal.ended',
        actor: { kind: 'system', id: 'stream-end' },
        before: { status: 'LIVE', dealPrice: 6_000 },
        after: { status: 'ENDED', dealPrice: 6_000, reason: 'stream ended', streamId: 'audit-stream-end' },
      },
    ]);
  });
});

describe('a release after the hold ran out', () => {
  it('is recorded once, as the release that gave the unit back, with no separate expiry', async () => {
    const engine = h.engine({ options: OPTIONS });
    const deal = await liveDeal(engine, { claimTtlSeconds: 60 });
    const { coupon } = await engine.claim(deal.dealId, 'late-canceller');
    const order = { viewerId: 'late-canceller', orderId: 'order-1' };
    tick();
    await engine.redeem(coupon.code, order, checkoutActor);
    tick(60_000);
    const releasedAt = now();

    await engine.release(coupon.code, order, checkoutActor);
    tick();
    await engine.sweep();

    const records = (await engine.auditTrail(deal.dealId, hostActor, { couponId: coupon.couponId })).records;
    expect(records.map((record) => record.action)).toStrictEqual([
      'coupon.claimed',
      'coupon.redeemed',
      'coupon.released',
    ]);
    expect(records[2]).toStrictEqual({
      at: releasedAt,
      action: 'coupon.released',
      actor: checkoutOf,
      couponId: coupon.couponId,
      viewerId: 'late-canceller',
      orderId: 'order-1',
      before: { status: 'REDEEMED', orderId: 'order-1', dealPrice: 6_000 },
      after: { status: 'EXPIRED', expiresAt: coupon.expiresAt, dealPrice: 6_000, unit: 'RETURNED' },
    });
  });
});

describe('an expiry a claim finds before the sweep does', () => {
  it('is recorded once, by the claim, when the viewer’s new claim frees the slot, and the sweep adds nothing', async () => {
    const engine = h.engine({ options: OPTIONS });
    const deal = await liveDeal(engine, { claimTtlSeconds: 60, perViewerLimit: 1 });
    const { coupon } = await engine.claim(deal.dealId, 'eager-viewer');
    tick(61_000);
    const expiredAt = now();

    const again = (await engine.claim(deal.dealId, 'eager-viewer')).coupon;
    tick();
    await engine.sweep();

    const records = (await engine.auditTrail(deal.dealId, hostActor, {})).records.filter(
      (record) => record.action !== 'deal.created' && record.action !== 'deal.cued',
    );
    // The expiry and the claim it made room for share an instant; records of one instant sort by their id.
    expect(records).toHaveLength(3);
    expect(records).toStrictEqual(
      expect.arrayContaining([
        claimed(coupon),
        expired(coupon, expiredAt, { kind: 'system', id: 'claim' }),
        claimed(again),
      ]),
    );
  });
});

describe('reading the trail', () => {
  it('pages through records of the deal and of every shard, each exactly once and in order', async () => {
    const engine = h.engine({ options: OPTIONS });
    const deal = await liveDeal(engine, { stock: 12, shards: 4 });
    // Twelve claims empty every shard; pairs share an instant, so records of one instant span partitions.
    for (let i = 0; i < 12; i++) {
      if (i % 2 === 0) tick();
      await engine.claim(deal.dealId, `pager-${i}`);
    }
    tick();
    await engine.cue(deal.dealId, { action: 'pause' }, hostActor);
    // Claim records are the sweep's to write.
    await engine.sweep();
    const whole = (await engine.auditTrail(deal.dealId, hostActor, {})).records;
    const keyOf = (record: AuditRecordView) => `${record.at}#${record.couponId ?? record.cueId ?? ''}`;
    expect(whole).toHaveLength(15);
    expect(whole.map((record) => record.at)).toStrictEqual(whole.map((record) => record.at).sort());
    const shards = await h.store.getShards(deal.dealId, 4);
    expect(shards.every((shard) => shard.issued === 3)).toBe(true);

    for (const limit of [1, 2, 4, 7, 14, 15, 16]) {
      const { pages, records } = await readAll(engine, deal.dealId, limit);

      expect(records, `pages of ${limit}`).toStrictEqual(whole);
      expect(new Set(records.map(keyOf)).size).toBe(15);
      expect(
        pages.every((page) => page.records.length > 0 && page.records.length <= limit),
        `every page of ${limit} holds records, none more than ${limit}`,
      ).toBe(true);
      expect(pages.at(-1)?.nextCursor).toBeUndefined();
    }
  });

  it('lets only the deal’s host or an admin read it', async () => {
    const engine = h.engine({ options: OPTIONS });
    const deal = await liveDeal(engine);

    const strangers = [
      await refusal(engine.auditTrail(deal.dealId, otherHost, {})),
      await refusal(engine.auditTrail(deal.dealId, viewerActor, {})),
      await refusal(engine.auditTrail(deal.dealId, { sub: HOST_ID, scopes: new Set([SCOPES.viewer]) }, {})),
    ];

    expect(strangers.map(({ code, statusCode }) => ({ code, statusCode }))).toStrictEqual(
      Array.from({ length: 3 }, () => ({ code: 'FORBIDDEN', statusCode: 403 })),
    );
    expect((await engine.auditTrail(deal.dealId, adminActor, {})).records).toHaveLength(2);
  });

  it('answers DEAL_NOT_FOUND for a deal that does not exist', async () => {
    const engine = h.engine({ options: OPTIONS });

    const error = await refusal(engine.auditTrail('01JDQ8ZK3V6N7H9MXBR4TWCYPE', adminActor, {}));

    expect(error).toMatchObject({ code: 'DEAL_NOT_FOUND', statusCode: 404 });
  });

  it('refuses a cursor it did not issue with VALIDATION_FAILED', async () => {
    const engine = h.engine({ options: OPTIONS });
    const deal = await liveDeal(engine);
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const forged = [
      'not-a-cursor',
      b64(JSON.stringify({ PK: `AUDIT#${deal.dealId}#DEAL`, SK: 'x' })),
      b64('2026-11-26T20:00:00.000Z'),
      b64('yesterday#CREATED'),
      b64(`2026-11-26T20:00:00.000Z#${'x'.repeat(401)}`),
      b64('2026-11-26T20:00:00.000Z#CUE#with space'),
    ];

    const answers = await Promise.all(
      forged.map((cursor) => refusal(engine.auditTrail(deal.dealId, hostActor, { cursor }))),
    );

    expect(answers.map(({ code }) => code)).toStrictEqual(forged.map(() => 'VALIDATION_FAILED'));
  });

  it('serves the trail over HTTP to the deal’s host, and refuses another host with 403', async () => {
    const engine = h.engine({ options: OPTIONS });
    const handler = createGetDealAuditHandler({ engine, logger: silentLogger() });
    const deal = await engine.createDeal(dealInput(), HOST_SUB);
    tick();
    await engine.cue(deal.dealId, { action: 'start' }, { sub: HOST_SUB, scopes: new Set([SCOPES.host]) });
    const event = withQuery(dealEvent('get-deal-audit.valid', deal.dealId), { limit: '1' });

    const first = await invoke(handler, event);
    const firstBody = auditPageSchema.parse(jsonBody(first));
    const second = await invoke(
      handler,
      withQuery(event, { limit: '1', cursor: firstBody.nextCursor ?? 'missing' }),
    );
    const stranger = await invoke(handler, asCaller(event, 'host-2'));

    expect(first.statusCode).toBe(200);
    expect(firstBody.records.map((record) => record.action)).toStrictEqual(['deal.created']);
    expect(second.statusCode).toBe(200);
    expect(auditPageSchema.parse(jsonBody(second))).toStrictEqual({
      records: [expect.objectContaining({ action: 'deal.cued' })],
    });
    expect(stranger.statusCode).toBe(403);
  });

  it('refuses a page size outside 1..200 and a cursor it did not issue with 400 over HTTP', async () => {
    const engine = h.engine({ options: OPTIONS });
    const handler = createGetDealAuditHandler({ engine, logger: silentLogger() });
    const deal = await engine.createDeal(dealInput(), HOST_SUB);
    const event = dealEvent('get-deal-audit.valid', deal.dealId);

    const answers = await Promise.all(
      (
        [{ limit: '0' }, { limit: '201' }, { limit: 'ten' }, { cursor: 'not-a-cursor' }] as Record<
          string,
          string
        >[]
      ).map((query) => invoke(handler, withQuery(event, query))),
    );

    expect(answers.map((answer) => answer.statusCode)).toStrictEqual([400, 400, 400, 400]);
    expect(
      answers.map((answer) => (jsonBody(answer) as { error: { code: string } }).error.code),
    ).toStrictEqual(['VALIDATION_FAILED', 'VALIDATION_FAILED', 'VALIDATION_FAILED', 'VALIDATION_FAILED']);
  });
});

describe('replays and retries', () => {
  it('add no record and change none: same Idempotency-Key, same-order redeem and release, redelivered cues, a drop fired twice', async () => {
    const scheduler = new RecordingScheduler();
    const engine = h.engine({ scheduler, options: OPTIONS });
    const other = h.engine({ scheduler, options: OPTIONS });
    const deal = await engine.createDeal(
      dealInput({ galaId: 'gala-replay', stock: 6, shards: 2, perViewerLimit: 2 }),
      HOST_ID,
    );
    const { dealId } = deal;
    const streamCue = { action: 'start', cueId: 'replay-start', at: now() } as const;
    await engine.cue(dealId, streamCue, hostActor, { streamId: deal.streamId });
    tick();
    const drop = await engine.schedulePriceDrop(
      'gala-replay',
      { at: iso(h.clock.now() + 120_000), timeZone: 'UTC', dealPrice: 5_000 },
      adminActor,
    );
    tick();
    const first = await engine.claim(dealId, 'replay-a', 'key-a');
    tick();
    await engine.redeem(first.coupon.code, { viewerId: 'replay-a', orderId: 'order-1' }, checkoutActor);
    tick();
    const second = (await engine.claim(dealId, 'replay-b')).coupon;
    tick();
    await engine.redeem(second.code, { viewerId: 'replay-b', orderId: 'order-2' }, checkoutActor);
    tick();
    await engine.release(second.code, { viewerId: 'replay-b', orderId: 'order-2' }, checkoutActor);
    tick();
    await engine.cue(dealId, { action: 'restock', quantity: 2, cueId: 'replay-restock' }, hostActor);
    tick();
    await engine.cue(dealId, { action: 'pause', cueId: 'replay-pause' }, hostActor);
    h.clock.advance(Date.parse(drop.at) - h.clock.now());
    await engine.applyPriceDrop('gala-replay', drop.dropId);
    await engine.sweep();
    const before = await auditItems(dealId);
    expect(before).toHaveLength(10);
    tick(5_000);

    const replayedClaim = await other.claim(dealId, 'replay-a', 'key-a');
    const repeatedRedeem = await other.redeem(
      first.coupon.code,
      { viewerId: 'replay-a', orderId: 'order-1' },
      checkoutActor,
    );
    const repeatedRelease = await other.release(
      second.code,
      { viewerId: 'replay-b', orderId: 'order-2' },
      checkoutActor,
    );
    await other.cue(dealId, streamCue, hostActor, { streamId: deal.streamId });
    await other.cue(dealId, { action: 'restock', quantity: 2, cueId: 'replay-restock' }, hostActor);
    await other.cue(dealId, { action: 'pause', cueId: 'replay-pause' }, hostActor);
    const fired = await Promise.all([
      other.applyPriceDrop('gala-replay', drop.dropId),
      engine.applyPriceDrop('gala-replay', drop.dropId),
    ]);
    await other.sweep();

    expect(replayedClaim).toMatchObject({ replayed: true, coupon: { couponId: first.coupon.couponId } });
    expect(repeatedRedeem).toMatchObject({ status: 'REDEEMED', orderId: 'order-1' });
    expect(repeatedRelease).toMatchObject({ status: 'ISSUED' });
    expect(fired.map((view) => view.status)).toStrictEqual(['APPLIED', 'APPLIED']);
    expect(await auditItems(dealId)).toStrictEqual(before);
    expect((await engine.getDeal(dealId)).stock).toBe(8);
  });

  it('add no record for a late retry of a release after the coupon was redeemed and released again', async () => {
    const engine = h.engine({ options: OPTIONS });
    const deal = await liveDeal(engine);
    const { coupon } = await engine.claim(deal.dealId, 'late-retry');
    const checkout = (orderId: string) => ({ viewerId: 'late-retry', orderId });
    for (const orderId of ['order-1', 'order-2']) {
      tick();
      await engine.redeem(coupon.code, checkout(orderId), checkoutActor);
      tick();
      await engine.release(coupon.code, checkout(orderId), checkoutActor);
    }
    await engine.sweep();
    const before = await auditItems(deal.dealId);
    // created, started, claimed, then redeemed and released for each order
    expect(before).toHaveLength(7);
    tick();

    const answer = await engine.release(coupon.code, checkout('order-1'), checkoutActor);

    expect(answer.status).toBe('ISSUED');
    expect(await auditItems(deal.dealId)).toStrictEqual(before);
  });
});

describe('crashes', () => {
  const crashingAt = (target: string, extra: { scheduler?: RecordingScheduler } = {}) =>
    h.engine({
      ...extra,
      options: OPTIONS,
      seam: (step) => {
        if (step === target) throw new InjectedCrash(step);
      },
    });

  it('a deal whose creation died right after writing it still has its creation record', async () => {
    const clean = h.engine({ options: OPTIONS });
    const createdAt = now();

    await expect(
      crashingAt('create.deal').createDeal(dealInput({ streamId: 'crash-create-stream' }), HOST_ID),
    ).rejects.toBeInstanceOf(InjectedCrash);

    const [dealId = ''] = await h.store.listStreamDeals('crash-create-stream');
    expect((await clean.auditTrail(dealId, hostActor, {})).records).toStrictEqual([
      {
        at: createdAt,
        action: 'deal.created',
        actor: hostOf,
        before: null,
        after: { status: 'SCHEDULED', dealPrice: 6_000, stock: 10, listPrice: 12_000, perViewerLimit: 1 },
      },
    ]);
  });

  it('a claim that died after writing its coupon has no record until the sweep’s reconcile writes it', async () => {
    const clean = h.engine({ options: OPTIONS });
    const deal = await liveDeal(clean, { stock: 4, shards: 2 });
    tick();
    const claimAt = now();

    await expect(crashingAt('claim.coupon').claim(deal.dealId, 'crash-claimer')).rejects.toBeInstanceOf(
      InjectedCrash,
    );
    const [coupon] = (await clean.listCoupons('crash-claimer', {})).coupons;
    expect(coupon).toMatchObject({ status: 'ISSUED', issuedAt: claimAt });
    const couponId = coupon?.couponId ?? '';
    expect((await clean.auditTrail(deal.dealId, hostActor, { couponId })).records).toStrictEqual([]);
    for (let round = 0; round < 3; round++) {
      tick(GRACE_MS + 1);
      await clean.sweep();
    }

    expect((await clean.auditTrail(deal.dealId, hostActor, { couponId })).records).toStrictEqual([
      claimed(coupon as CouponView),
    ]);
    expect(
      (await clean.auditTrail(deal.dealId, hostActor, {})).records.filter(
        (r) => r.action === 'coupon.claimed',
      ),
    ).toHaveLength(1);
  });

  it('a redemption and a release that died before their records get them, once, from the checkout’s retry', async () => {
    const clean = h.engine({ options: OPTIONS });
    const deal = await liveDeal(clean);
    const { coupon } = await clean.claim(deal.dealId, 'crash-buyer');
    const order = { viewerId: 'crash-buyer', orderId: 'order-1' };
    tick();
    const redeemedAt = now();
    await expect(
      crashingAt('redeem.coupon').redeem(coupon.code, order, checkoutActor),
    ).rejects.toBeInstanceOf(InjectedCrash);
    tick();
    await clean.redeem(coupon.code, order, checkoutActor);
    tick();
    const releasedAt = now();
    await expect(
      crashingAt('release.coupon').release(coupon.code, order, checkoutActor),
    ).rejects.toBeInstanceOf(InjectedCrash);
    tick();
    await clean.release(coupon.code, order, checkoutActor);
    tick();
    await clean.release(coupon.code, order, checkoutActor);
    await clean.sweep();

    const records = (await clean.auditTrail(deal.dealId, hostActor, { couponId: coupon.couponId })).records;

    expect(records.map(({ action, at }) => ({ action, at }))).toStrictEqual([
      { action: 'coupon.claimed', at: coupon.issuedAt },
      { action: 'coupon.redeemed', at: redeemedAt },
      { action: 'coupon.released', at: releasedAt },
    ]);
  });

  it('a cue that died before its record gets it once, at the cue’s instant, when the host retries it', async () => {
    const clean = h.engine({ options: OPTIONS });
    const deal = await liveDeal(clean);
    tick();
    const pausedAt = now();
    const pause = { action: 'pause', cueId: 'crash-pause' } as const;
    await expect(crashingAt('cue.shard').cue(deal.dealId, pause, hostActor)).rejects.toBeInstanceOf(
      InjectedCrash,
    );
    tick(30_000);

    await clean.cue(deal.dealId, pause, hostActor);
    tick();
    await clean.cue(deal.dealId, pause, hostActor);

    const cued = (await clean.auditTrail(deal.dealId, hostActor, {})).records.filter(
      (record) => record.cueId === 'crash-pause',
    );
    expect(cued).toStrictEqual([
      {
        at: pausedAt,
        action: 'deal.cued',
        actor: hostOf,
        cueId: 'crash-pause',
        before: null,
        after: { status: 'PAUSED', dealPrice: 6_000, action: 'pause' },
      },
    ]);
  });

  it('a price drop that died after changing the price gets its record once from the next firing', async () => {
    const scheduler = new RecordingScheduler();
    const clean = h.engine({ scheduler, options: OPTIONS });
    const deal = await liveDeal(clean, { galaId: 'gala-crash' });
    const drop = await clean.schedulePriceDrop(
      'gala-crash',
      { at: iso(h.clock.now() + 60_000), timeZone: 'UTC', dealPrice: 4_500 },
      adminActor,
    );
    h.clock.advance(60_000);
    const firedAt = now();
    await expect(
      crashingAt('drop.price', { scheduler }).applyPriceDrop('gala-crash', drop.dropId),
    ).rejects.toBeInstanceOf(InjectedCrash);
    tick();

    await clean.applyPriceDrop('gala-crash', drop.dropId);
    tick();
    await clean.applyPriceDrop('gala-crash', drop.dropId);

    const dropped = (await clean.auditTrail(deal.dealId, hostActor, {})).records.filter(
      (record) => record.action === 'deal.price-dropped',
    );
    expect(dropped).toStrictEqual([
      {
        at: firedAt,
        action: 'deal.price-dropped',
        actor: { kind: 'system', id: 'gala:gala-crash' },
        dropId: drop.dropId,
        before: { dealPrice: 6_000 },
        after: { dealPrice: 4_500, scheduledBy: adminActor.sub },
      },
    ]);
  });

  it('a price drop repaired after a later drop still records the price it replaced', async () => {
    const scheduler = new RecordingScheduler();
    const clean = h.engine({ scheduler, options: OPTIONS });
    const deal = await liveDeal(clean, { galaId: 'gala-two-drops' });
    const first = await clean.schedulePriceDrop(
      'gala-two-drops',
      { at: iso(h.clock.now() + 60_000), timeZone: 'UTC', dealPrice: 4_500 },
      adminActor,
    );
    const second = await clean.schedulePriceDrop(
      'gala-two-drops',
      { at: iso(h.clock.now() + 120_000), timeZone: 'UTC', dealPrice: 4_000 },
      adminActor,
    );
    h.clock.advance(60_000);
    await expect(
      crashingAt('drop.price', { scheduler }).applyPriceDrop('gala-two-drops', first.dropId),
    ).rejects.toBeInstanceOf(InjectedCrash);
    h.clock.advance(60_000);
    await clean.applyPriceDrop('gala-two-drops', second.dropId);

    const repaired = await clean.applyPriceDrop('gala-two-drops', first.dropId);

    const records = (await clean.auditTrail(deal.dealId, hostActor, {})).records.filter(
      (record) => record.action === 'deal.price-dropped',
    );
    expect(records.map((record) => [record.dropId, record.before, record.after.dealPrice])).toStrictEqual([
      [first.dropId, { dealPrice: 6_000 }, 4_500],
      [second.dropId, { dealPrice: 4_500 }, 4_000],
    ]);
    expect(repaired.results?.[deal.dealId]).toMatchObject({ outcome: 'APPLIED', previousPrice: 6_000 });
  });

  it('a release after the hold ran out that died before returning the unit is recorded once, as the release', async () => {
    const clean = h.engine({ options: OPTIONS });
    const deal = await liveDeal(clean, { claimTtlSeconds: 60 });
    const { coupon } = await clean.claim(deal.dealId, 'crash-late-release');
    const order = { viewerId: 'crash-late-release', orderId: 'order-1' };
    await clean.redeem(coupon.code, order, checkoutActor);
    tick(61_000);
    const releasedAt = now();
    await expect(
      crashingAt('release.coupon').release(coupon.code, order, checkoutActor),
    ).rejects.toBeInstanceOf(InjectedCrash);
    tick();

    await clean.sweep();

    const records = (await clean.auditTrail(deal.dealId, hostActor, { couponId: coupon.couponId })).records;
    expect(records.map(({ action, at }) => ({ action, at }))).toStrictEqual([
      { action: 'coupon.claimed', at: coupon.issuedAt },
      { action: 'coupon.redeemed', at: coupon.issuedAt },
      { action: 'coupon.released', at: releasedAt },
    ]);
    expect(records.at(-1)).toMatchObject({
      actor: checkoutOf,
      orderId: 'order-1',
      after: { status: 'EXPIRED', unit: 'RETURNED' },
    });
    expect(await clean.getDeal(deal.dealId)).toMatchObject({ available: 10, held: 0, redeemed: 0 });
  });

  it('a sweep that died right after ending a deal by its duration leaves the record to the next sweep', async () => {
    const clean = h.engine({ options: OPTIONS });
    const deal = await liveDeal(clean, { durationSeconds: 60 });
    const endsAt = iso(h.clock.now() + 60_000);
    tick(61_000);
    const endedAt = now();
    await expect(crashingAt('sweep.ended').sweep()).rejects.toBeInstanceOf(InjectedCrash);
    expect((await clean.getDeal(deal.dealId)).status).toBe('ENDED');

    for (let round = 0; round < 3; round++) {
      tick(GRACE_MS + 1);
      await clean.sweep();
    }

    const ended = (await clean.auditTrail(deal.dealId, hostActor, {})).records.filter(
      (record) => record.action === 'deal.ended',
    );
    expect(ended).toStrictEqual([
      {
        at: endedAt,
        action: 'deal.ended',
        actor: sweeper,
        before: null,
        after: { status: 'ENDED', dealPrice: 6_000, endsAt, reason: 'duration ran out' },
      },
    ]);
  });

  it.each([
    [
      'the redelivered stream end',
      (engine: Engine) => engine.endStream('crash-stream-end').then(() => undefined),
    ],
    ['the next sweep', (engine: Engine) => engine.sweep().then(() => undefined)],
  ])('a stream end that died right after ending the deal gets its record from %s', async (_, repair) => {
    const clean = h.engine({ options: OPTIONS });
    const deal = await liveDeal(clean, { streamId: 'crash-stream-end' });
    tick();
    const endedAt = now();
    await expect(crashingAt('cue.deal').endStream('crash-stream-end')).rejects.toBeInstanceOf(InjectedCrash);
    expect((await clean.getDeal(deal.dealId)).status).toBe('ENDED');
    tick();

    await repair(clean);
    tick();
    await repair(clean);

    const ended = (await clean.auditTrail(deal.dealId, hostActor, {})).records.filter(
      (record) => record.action === 'deal.ended',
    );
    expect(ended).toStrictEqual([
      {
        at: endedAt,
        action: 'deal.ended',
        actor: { kind: 'system', id: 'stream-end' },
        before: null,
        after: { status: 'ENDED', dealPrice: 6_000, reason: 'stream ended', streamId: 'crash-stream-end' },
      },
    ]);
  });

  it('an expiry that died after freeing the slot is finished by the next sweep, which writes its record', async () => {
    const clean = h.engine({ options: OPTIONS });
    const deal = await liveDeal(clean, { stock: 4, shards: 2, claimTtlSeconds: 60 });
    const { coupon } = await clean.claim(deal.dealId, 'crash-expiring');
    await clean.sweep();
    tick(61_000);
    const expiredAt = now();

    await expect(crashingAt('expire.slot').sweep()).rejects.toBeInstanceOf(InjectedCrash);
    const { couponId } = coupon;
    expect((await clean.auditTrail(deal.dealId, hostActor, { couponId })).records).toStrictEqual([
      claimed(coupon),
    ]);
    tick(5_000);
    await clean.sweep();
    tick();
    await clean.sweep();

    expect((await clean.auditTrail(deal.dealId, hostActor, { couponId })).records).toStrictEqual([
      claimed(coupon),
      expired(coupon, expiredAt),
    ]);
    expect(await clean.getDeal(deal.dealId)).toMatchObject({ available: 4, held: 0 });
  });
});
