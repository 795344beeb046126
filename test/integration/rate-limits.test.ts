/**
 * Rate limits kept in the store: fixed windows counted with one conditional write per request, so every
 * container serving a caller shares the count. Each test uses its own viewers and codes, so the windows of
 * one test never touch another's; the fake clock is moved to a window's start where a test needs to know
 * how much of the window is left.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClaimCouponHandler } from '../../functions/claim-coupon/app.js';
import { createRedeemCouponHandler } from '../../functions/redeem-coupon/app.js';
import { loadConfig } from '../../functions/shared/config.js';
import { TABLE } from '../../functions/shared/contract/table-definition.js';
import { createDocumentClient } from '../../functions/shared/data/client.js';
import { rateWindowKey } from '../../functions/shared/data/viewer.js';
import { CouponNotFound, type DomainError, RateLimited } from '../../functions/shared/domain/errors.js';
import { SCOPES } from '../../functions/shared/domain/roles.js';
import { errorBodySchema } from '../../functions/shared/domain/view-schemas.js';
import type { Engine } from '../../functions/shared/use-cases/engine.js';
import type { RateLimits } from '../../functions/shared/use-cases/rate-limits.js';
import type { Actor } from '../../functions/shared/use-cases/types.js';
import { dealInput, HOST_ID, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';
import { asCaller, couponEvent, dealEvent, withBodyFields, withHeader } from '../support/http-events.js';
import { invoke, JSON_HEADERS, jsonBody, silentLogger } from '../unit/http/support.js';

let h: Harness;
let raw: ReturnType<typeof createDocumentClient>;
beforeAll(async () => {
  h = await startHarness();
  raw = createDocumentClient({ endpoint: h.embedded.endpoint });
});
afterAll(async () => {
  raw.destroy();
  await h.close();
});

const checkoutActor: Actor = { sub: 'checkout-1', scopes: new Set([SCOPES.checkout]) };

/** Containers whose limits are exactly `limits` (anything not named is off). */
const limitedContainers = (n: number, limits: Partial<RateLimits>) =>
  h.containers(n, {
    options: {
      rateLimits: { claimsPerViewer: null, checkoutPerViewer: null, checkoutPerCode: null, ...limits },
    },
  });

/** Moves the fake clock to the start of the next window of `windowSeconds`, plus `intoMs`. */
const toWindowStart = (windowSeconds: number, intoMs = 0): number => {
  const size = windowSeconds * 1000;
  h.clock.advance(size - (h.clock.now() % size) + intoMs);
  return h.clock.now() - intoMs;
};

/** The error a call failed with (the test fails if it succeeded). */
const refusal = async (call: Promise<unknown>): Promise<unknown> => {
  const outcome = await call.then(
    () => ({ failed: false as const }),
    (error: unknown) => ({ failed: true as const, error }),
  );
  expect(outcome.failed, 'expected the call to be refused').toBe(true);
  return outcome.failed ? outcome.error : undefined;
};

/** What a caller can observe of an error: its code, message, status and details. */
const observed = (error: unknown) => {
  const { code, message, statusCode, details } = error as DomainError;
  return { code, message, statusCode, details };
};

const rateWindowItem = async (scope: string, subject: string, windowStartMs: number) =>
  (
    await raw.send(
      new GetCommand({
        TableName: h.embedded.tableName,
        Key: rateWindowKey(scope, subject, windowStartMs),
        ConsistentRead: true,
      }),
    )
  ).Item;

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
const writesSince = (mark: number) => h.sent.slice(mark).filter((command) => WRITES.has(command));

describe('claims per viewer', () => {
  const claimLimit = { claimsPerViewer: { limit: 3, windowSeconds: 10 } };

  /** A live deal whose one slot per viewer `viewer` already holds: every further claim there misses. */
  const heldDeal = async (engine: Engine, viewer: string) => {
    const deal = await liveDeal(engine, { stock: 20, perViewerLimit: 1 });
    await engine.claim(deal.dealId, viewer);
    return deal;
  };

  it('refuses a viewer whose missed claims filled the window with RATE_LIMITED and the rest of it, across two containers', async () => {
    const containers = limitedContainers(2, claimLimit);
    toWindowStart(10, 4_000);
    const deal = await heldDeal(containers.at(0), 'rl-viewer-1');
    for (let i = 0; i < 3; i++) {
      await expect(containers.at(i).claim(deal.dealId, 'rl-viewer-1')).rejects.toMatchObject({
        code: 'LIMIT_REACHED',
      });
    }

    const error = await refusal(containers.at(3).claim(deal.dealId, 'rl-viewer-1'));

    expect(error).toBeInstanceOf(RateLimited);
    expect(observed(error)).toStrictEqual({
      code: 'RATE_LIMITED',
      message: 'Too many requests; retry in 6 s.',
      statusCode: 429,
      details: { scope: 'claims per viewer', limit: 3, windowSeconds: 10, retryAfterSeconds: 6 },
    });
    expect((error as RateLimited).retryAfterSeconds).toBe(6);
    expect((await containers.main.getDeal(deal.dealId)).held).toBe(1);
  });

  it('writes no window for granted claims: they are bounded by the deal’s per-viewer limit', async () => {
    const containers = limitedContainers(2, claimLimit);
    const deal = await liveDeal(containers.main, { stock: 20, perViewerLimit: 6 });
    const windowStart = toWindowStart(10);

    for (let i = 0; i < 6; i++) await containers.at(i).claim(deal.dealId, 'rl-buyer');

    expect((await containers.main.getDeal(deal.dealId)).held).toBe(6);
    expect(await rateWindowItem('CLAIM#VIEWER', 'rl-buyer', windowStart)).toBeUndefined();
  });

  it('counts a viewer’s misses over all deals, and every claim of a viewer who missed lately', async () => {
    const engine = limitedContainers(1, claimLimit).main;
    const first = await liveDeal(engine, { stock: 5, perViewerLimit: 1 });
    const second = await liveDeal(engine, { stock: 5, perViewerLimit: 1 });
    const windowStart = toWindowStart(10);
    await engine.claim(first.dealId, 'rl-viewer-2');
    await expect(engine.claim(first.dealId, 'rl-viewer-2')).rejects.toMatchObject({ code: 'LIMIT_REACHED' });
    await engine.claim(second.dealId, 'rl-viewer-2');
    await expect(engine.claim(second.dealId, 'rl-viewer-2')).rejects.toMatchObject({ code: 'LIMIT_REACHED' });
    expect(await rateWindowItem('CLAIM#VIEWER', 'rl-viewer-2', windowStart)).toMatchObject({ hits: 3 });

    const error = await refusal(engine.claim(first.dealId, 'rl-viewer-2'));

    expect(observed(error)).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 10 } });
  });

  it('never counts past the limit when a viewer’s misses race on two containers, and refuses them after', async () => {
    const containers = limitedContainers(2, claimLimit);
    toWindowStart(10);
    const deal = await heldDeal(containers.main, 'rl-racer');
    const windowStart = h.clock.now() - (h.clock.now() % 10_000);

    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        refusal(containers.at(i).claim(deal.dealId, 'rl-racer')).then((error) => observed(error).code),
      ),
    );
    const mark = h.sent.length;
    const after = await Promise.all(
      [0, 1].map((i) =>
        refusal(containers.at(i).claim(deal.dealId, 'rl-racer')).then((e) => observed(e).code),
      ),
    );

    expect(new Set(outcomes).size).toBeLessThanOrEqual(2);
    expect(outcomes.every((code) => code === 'LIMIT_REACHED' || code === 'RATE_LIMITED')).toBe(true);
    expect(await rateWindowItem('CLAIM#VIEWER', 'rl-racer', windowStart)).toMatchObject({ hits: 3 });
    expect(after).toStrictEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect(h.sent.slice(mark).filter((command) => command === 'PutItemCommand')).toStrictEqual([]);
    expect((await containers.main.getDeal(deal.dealId)).held).toBe(1);
  });

  it('admits the viewer again in the next window', async () => {
    const containers = limitedContainers(2, claimLimit);
    const other = await liveDeal(containers.main, { stock: 20, perViewerLimit: 1 });
    toWindowStart(10, 9_000);
    const deal = await heldDeal(containers.main, 'rl-viewer-3');
    for (let i = 0; i < 3; i++) await refusal(containers.at(i).claim(deal.dealId, 'rl-viewer-3'));
    const last = await refusal(containers.at(3).claim(other.dealId, 'rl-viewer-3'));
    expect(observed(last)).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 1 } });

    h.clock.advance(1_000);
    const { coupon } = await containers.at(4).claim(other.dealId, 'rl-viewer-3');

    expect(coupon.status).toBe('ISSUED');
  });

  it('leaves other viewers unaffected by one viewer’s full window', async () => {
    const containers = limitedContainers(2, claimLimit);
    toWindowStart(10);
    const deal = await heldDeal(containers.main, 'rl-greedy');
    for (let i = 0; i < 3; i++) await refusal(containers.at(i).claim(deal.dealId, 'rl-greedy'));
    await expect(containers.at(3).claim(deal.dealId, 'rl-greedy')).rejects.toBeInstanceOf(RateLimited);

    const others = await Promise.all(
      ['rl-other-a', 'rl-other-b'].map((viewer, i) => containers.at(i).claim(deal.dealId, viewer)),
    );

    expect(others.map(({ coupon }) => coupon.status)).toStrictEqual(['ISSUED', 'ISSUED']);
  });

  it('keeps the count in one item per viewer and window that carries a TTL past the window', async () => {
    const containers = limitedContainers(2, claimLimit);
    const windowStart = toWindowStart(10, 2_000);
    const deal = await heldDeal(containers.main, 'rl-viewer-ttl');
    await refusal(containers.at(0).claim(deal.dealId, 'rl-viewer-ttl'));
    await refusal(containers.at(1).claim(deal.dealId, 'rl-viewer-ttl'));

    const item = await rateWindowItem('CLAIM#VIEWER', 'rl-viewer-ttl', windowStart);

    expect(item).toMatchObject({ type: 'RATE', hits: 2 });
    expect(TABLE.timeToLiveAttribute).toBe('expiresAtEpoch');
    expect(Number.isInteger(item?.expiresAtEpoch)).toBe(true);
    expect((item?.expiresAtEpoch as number) * 1000).toBeGreaterThanOrEqual(windowStart + 10_000);
  });

  it('counts a replay of an earlier claim’s coupon as a miss', async () => {
    const engine = limitedContainers(1, claimLimit).main;
    const deal = await liveDeal(engine, { stock: 5, perViewerLimit: 1 });
    const windowStart = toWindowStart(10);
    const first = await engine.claim(deal.dealId, 'rl-replayer', 'key-1');

    const replay = await engine.claim(deal.dealId, 'rl-replayer', 'key-1');

    expect(replay).toMatchObject({ replayed: true, coupon: { code: first.coupon.code } });
    expect(await rateWindowItem('CLAIM#VIEWER', 'rl-replayer', windowStart)).toMatchObject({ hits: 1 });
  });

  it('spends no write, and no count, on a claim the sold-out fact refuses, with or without an Idempotency-Key', async () => {
    const containers = limitedContainers(1, { claimsPerViewer: { limit: 2, windowSeconds: 10 } });
    const engine = containers.main;
    const deal = await liveDeal(engine, { stock: 1 });
    const windowStart = toWindowStart(10);
    await engine.claim(deal.dealId, 'rl-early');
    // The claim that finds the shards empty teaches the container the deal is sold out; it is not counted.
    await expect(engine.claim(deal.dealId, 'rl-late')).rejects.toMatchObject({ code: 'SOLD_OUT' });
    const mark = h.sent.length;

    const refusals = [
      await refusal(engine.claim(deal.dealId, 'rl-late')),
      await refusal(engine.claim(deal.dealId, 'rl-late', 'key-1')),
      await refusal(engine.claim(deal.dealId, 'rl-late')),
    ];

    expect(refusals.map((error) => observed(error).code)).toStrictEqual(['SOLD_OUT', 'SOLD_OUT', 'SOLD_OUT']);
    expect(writesSince(mark)).toStrictEqual([]);
    expect(await rateWindowItem('CLAIM#VIEWER', 'rl-late', windowStart)).toBeUndefined();
  });

  it('spends no write on a claim the not-live fact refuses', async () => {
    const containers = limitedContainers(1, { claimsPerViewer: { limit: 1, windowSeconds: 10 } });
    const engine = containers.main;
    const deal = await engine.createDeal(dealInput({ stock: 3 }), HOST_ID);
    toWindowStart(10);
    await expect(engine.claim(deal.dealId, 'rl-too-soon')).rejects.toMatchObject({ code: 'DEAL_NOT_LIVE' });
    const mark = h.sent.length;

    const error = await refusal(engine.claim(deal.dealId, 'rl-too-soon'));

    expect(observed(error)).toMatchObject({ code: 'DEAL_NOT_LIVE', details: { status: 'SCHEDULED' } });
    expect(writesSince(mark)).toStrictEqual([]);
  });

  it('turns the limit off with null', async () => {
    const containers = limitedContainers(2, {});
    const deal = await liveDeal(containers.main, { stock: 5, perViewerLimit: 1 });
    const windowStart = toWindowStart(10);
    await containers.at(0).claim(deal.dealId, 'rl-unlimited');

    const answers = await Promise.all(
      Array.from({ length: 35 }, (_, i) =>
        refusal(containers.at(i + 1).claim(deal.dealId, 'rl-unlimited')).then((e) => observed(e).code),
      ),
    );

    expect(new Set(answers)).toStrictEqual(new Set(['LIMIT_REACHED']));
    expect(await rateWindowItem('CLAIM#VIEWER', 'rl-unlimited', windowStart)).toBeUndefined();
  });
});

describe('checkout limits', () => {
  /** A live deal and `count` coupons of `viewer`. */
  const couponsOf = async (engine: Engine, viewer: string, count: number) => {
    const deal = await liveDeal(engine, { stock: 10, perViewerLimit: count });
    const codes: string[] = [];
    for (let i = 0; i < count; i++) codes.push((await engine.claim(deal.dealId, viewer)).coupon.code);
    return { dealId: deal.dealId, codes };
  };

  it('limits redemptions and releases of one code, across containers, and leaves the coupon as it was', async () => {
    const containers = limitedContainers(2, { checkoutPerCode: { limit: 3, windowSeconds: 60 } });
    const { codes } = await couponsOf(containers.main, 'rl-buyer-1', 1);
    const code = codes[0] ?? '';
    toWindowStart(60, 15_000);
    await containers.at(0).redeem(code, { viewerId: 'rl-buyer-1', orderId: 'order-1' }, checkoutActor);
    await containers.at(1).release(code, { viewerId: 'rl-buyer-1', orderId: 'order-1' }, checkoutActor);
    await containers.at(0).redeem(code, { viewerId: 'rl-buyer-1', orderId: 'order-2' }, checkoutActor);

    const error = await refusal(
      containers.at(1).release(code, { viewerId: 'rl-buyer-1', orderId: 'order-2' }, checkoutActor),
    );

    expect(observed(error)).toStrictEqual({
      code: 'RATE_LIMITED',
      message: 'Too many requests; retry in 45 s.',
      statusCode: 429,
      details: { scope: 'checkout requests per code', limit: 3, windowSeconds: 60, retryAfterSeconds: 45 },
    });
    const [coupon] = (await containers.main.listCoupons('rl-buyer-1', {})).coupons;
    expect(coupon).toMatchObject({ code, status: 'REDEEMED', orderId: 'order-2' });
  });

  it('limits checkout requests naming one viewer over all their codes, and not other viewers', async () => {
    const containers = limitedContainers(2, { checkoutPerViewer: { limit: 3, windowSeconds: 60 } });
    const mine = await couponsOf(containers.main, 'rl-buyer-2', 2);
    const theirs = await couponsOf(containers.main, 'rl-buyer-3', 1);
    const [first = '', second = ''] = mine.codes;
    toWindowStart(60);
    await containers.at(0).redeem(first, { viewerId: 'rl-buyer-2', orderId: 'order-1' });
    await containers.at(1).release(first, { viewerId: 'rl-buyer-2', orderId: 'order-1' });
    await containers.at(0).redeem(second, { viewerId: 'rl-buyer-2', orderId: 'order-2' });

    const error = await refusal(
      containers.at(1).release(second, { viewerId: 'rl-buyer-2', orderId: 'order-2' }),
    );
    const other = await containers.at(1).redeem(theirs.codes[0] ?? '', {
      viewerId: 'rl-buyer-3',
      orderId: 'order-3',
    });

    expect(observed(error)).toMatchObject({
      code: 'RATE_LIMITED',
      details: { scope: 'checkout requests per viewer', limit: 3, windowSeconds: 60, retryAfterSeconds: 60 },
    });
    expect(other.status).toBe('REDEEMED');
  });

  it('answers an unknown, a malformed and someone else’s code with the same COUPON_NOT_FOUND, under the limit and at it', async () => {
    const containers = limitedContainers(2, {
      checkoutPerViewer: { limit: 6, windowSeconds: 60 },
      checkoutPerCode: { limit: 2, windowSeconds: 60 },
    });
    const victim = await couponsOf(containers.main, 'rl-victim', 1);
    const victimCode = victim.codes[0] ?? '';
    const unknownCode = victimCode === '0000000000000000' ? '0000000000000001' : '0000000000000000';
    toWindowStart(60);
    const attempt = (code: string, i: number) =>
      refusal(
        containers
          .at(i)
          .redeem(code, { viewerId: 'rl-prober', orderId: `order-${i}` })
          .then(() => undefined),
      ).then(observed);

    // Under both limits: two tries at each code (the per-code window holds two).
    const underLimit = [];
    for (const code of [unknownCode, 'not a code!', victimCode]) {
      underLimit.push(await attempt(code, 0), await attempt(code, 1));
    }
    // The viewer's window (six) is now full: every code answers alike again.
    const atLimit = [];
    for (const code of [unknownCode, 'not a code!', victimCode]) atLimit.push(await attempt(code, 2));

    const notFound = observed(new CouponNotFound());
    expect(underLimit).toStrictEqual(Array.from({ length: 6 }, () => notFound));
    expect(new Set(atLimit.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(atLimit[0]).toMatchObject({
      code: 'RATE_LIMITED',
      details: { scope: 'checkout requests per viewer' },
    });
    // The probes used up the code's window too; the owner's checkout gets through in the next one.
    h.clock.advance(60_000);
    const redeemed = await containers.main.redeem(victimCode, { viewerId: 'rl-victim', orderId: 'order-v' });
    expect(redeemed.status).toBe('REDEEMED');
  });

  it('answers an unknown code and someone else’s code alike once the per-code window is full', async () => {
    const containers = limitedContainers(2, { checkoutPerCode: { limit: 2, windowSeconds: 60 } });
    const victim = await couponsOf(containers.main, 'rl-victim-2', 1);
    const victimCode = victim.codes[0] ?? '';
    const unknownCode = victimCode === '1111111111111111' ? '1111111111111112' : '1111111111111111';
    toWindowStart(60);
    const tries = async (code: string) => {
      const answers = [];
      for (const i of [0, 1, 2]) {
        const call = containers.at(i).redeem(code, { viewerId: 'rl-prober-2', orderId: `order-${i}` });
        answers.push(observed(await refusal(call)));
      }
      return answers;
    };

    const unknown = await tries(unknownCode);
    const someoneElses = await tries(victimCode);

    expect(someoneElses).toStrictEqual(unknown);
    expect(unknown.map((answer) => answer.code)).toStrictEqual([
      'COUPON_NOT_FOUND',
      'COUPON_NOT_FOUND',
      'RATE_LIMITED',
    ]);
  });

  it('turns the checkout limits off with null', async () => {
    const containers = limitedContainers(2, {});
    const windowStart = toWindowStart(60);

    const answers = await Promise.all(
      Array.from({ length: 70 }, (_, i) =>
        refusal(containers.at(i).redeem('2222222222222222', { viewerId: 'rl-free', orderId: `o-${i}` })).then(
          (error) => observed(error).code,
        ),
      ),
    );

    expect(new Set(answers)).toStrictEqual(new Set(['COUPON_NOT_FOUND']));
    expect(await rateWindowItem('CHECKOUT#VIEWER', 'rl-free', windowStart)).toBeUndefined();
    expect(await rateWindowItem('CHECKOUT#CODE', '2222222222222222', windowStart)).toBeUndefined();
  });

  it('applies the documented defaults when no limits are given: 20 checkout requests per code a minute', async () => {
    const engines = h.containers(2);
    const windowStart = toWindowStart(60);

    const answers = [];
    for (let i = 0; i < 21; i++) {
      answers.push(
        observed(
          await refusal(
            engines.at(i).redeem('3333333333333333', { viewerId: `rl-walker-${i}`, orderId: 'o' }),
          ),
        ),
      );
    }

    expect(answers.slice(0, 20).every((answer) => answer.code === 'COUPON_NOT_FOUND')).toBe(true);
    expect(answers[20]).toMatchObject({
      code: 'RATE_LIMITED',
      details: { scope: 'checkout requests per code', limit: 20, windowSeconds: 60 },
    });
    expect(await rateWindowItem('CHECKOUT#CODE', '3333333333333333', windowStart)).toMatchObject({
      hits: 20,
    });
  });
});

describe('defaults and configuration', () => {
  it('allows a viewer 30 missed claims in 10 seconds when no limits are given', async () => {
    const engines = h.containers(2);
    const deal = await liveDeal(engines.main, { stock: 5, perViewerLimit: 1 });
    toWindowStart(10);
    await engines.at(0).claim(deal.dealId, 'rl-default-viewer');

    const answers = [];
    for (let i = 1; i <= 31; i++) {
      answers.push(observed(await refusal(engines.at(i).claim(deal.dealId, 'rl-default-viewer'))));
    }

    expect(answers.slice(0, 30).every((answer) => answer.code === 'LIMIT_REACHED')).toBe(true);
    expect(answers[30]).toMatchObject({
      code: 'RATE_LIMITED',
      details: { scope: 'claims per viewer', limit: 30, windowSeconds: 10, retryAfterSeconds: 10 },
    });
  });

  it('reads each limit from LIVEDROP_RATE_* as requests/seconds or off, leaving the others at their defaults', async () => {
    const config = loadConfig({
      TABLE_NAME: 'livedrop',
      LIVEDROP_RATE_CLAIMS_PER_VIEWER: '1/5',
      LIVEDROP_RATE_CHECKOUT_PER_VIEWER: 'off',
    });
    expect(config.rateLimits).toStrictEqual({
      claimsPerViewer: { limit: 1, windowSeconds: 5 },
      checkoutPerViewer: null,
    });
    expect(loadConfig({ TABLE_NAME: 'livedrop' }).rateLimits).toBeUndefined();
    const engine = h.engine({ options: { ...(config.rateLimits ? { rateLimits: config.rateLimits } : {}) } });
    const deal = await liveDeal(engine, { stock: 5, perViewerLimit: 1 });
    toWindowStart(60);
    await engine.claim(deal.dealId, 'rl-configured');
    await expect(engine.claim(deal.dealId, 'rl-configured')).rejects.toMatchObject({ code: 'LIMIT_REACHED' });

    const claimAgain = observed(await refusal(engine.claim(deal.dealId, 'rl-configured')));
    const probes = [];
    for (let i = 0; i < 21; i++) {
      probes.push(
        observed(
          await refusal(engine.redeem('5555555555555555', { viewerId: 'rl-configured', orderId: 'o' })),
        ),
      );
    }

    expect(claimAgain).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 1, windowSeconds: 5 } });
    expect(probes.slice(0, 20).every((answer) => answer.code === 'COUPON_NOT_FOUND')).toBe(true);
    expect(probes[20]).toMatchObject({
      code: 'RATE_LIMITED',
      details: { scope: 'checkout requests per code', limit: 20 },
    });
  });

  it.each(['0/10', '30', '30/0', '30/10s', 'none', ''])(
    'stops the cold start on the malformed limit %j',
    (value) => {
      expect(() => loadConfig({ TABLE_NAME: 'livedrop', LIVEDROP_RATE_CHECKOUT_PER_CODE: value })).toThrow(
        /LIVEDROP_RATE_CHECKOUT_PER_CODE/,
      );
    },
  );
});

describe('over HTTP', () => {
  it('answers the claim over the limit with 429, Retry-After and the documented error body', async () => {
    const engine = limitedContainers(1, { claimsPerViewer: { limit: 1, windowSeconds: 10 } }).main;
    const handler = createClaimCouponHandler({ engine, logger: silentLogger() });
    const deal = await liveDeal(engine, { stock: 5, perViewerLimit: 1 });
    toWindowStart(10, 3_000);
    const event = withHeader(
      asCaller(dealEvent('claim-coupon.valid', deal.dealId), 'rl-http-viewer'),
      'idempotency-key',
      undefined,
    );
    expect((await invoke(handler, event)).statusCode).toBe(201);
    expect((await invoke(handler, event)).statusCode).toBe(409);

    const response = await invoke(handler, event);

    expect(response.statusCode).toBe(429);
    expect(response.headers).toStrictEqual({ ...JSON_HEADERS, 'retry-after': '7' });
    const body = jsonBody(response);
    expect(errorBodySchema.safeParse(body).success).toBe(true);
    expect(body).toStrictEqual({
      error: {
        code: 'RATE_LIMITED',
        message: 'Too many requests; retry in 7 s.',
        details: { scope: 'claims per viewer', limit: 1, windowSeconds: 10, retryAfterSeconds: 7 },
      },
    });
  });

  it('answers a redemption over the per-code limit with 429 and Retry-After', async () => {
    const engine = limitedContainers(1, { checkoutPerCode: { limit: 1, windowSeconds: 60 } }).main;
    const handler = createRedeemCouponHandler({ engine, logger: silentLogger() });
    const event = withBodyFields(couponEvent('redeem-coupon.valid', '4444-4444-4444-4444'), {
      viewerId: 'rl-http-buyer',
    });
    toWindowStart(60, 59_001);
    expect((await invoke(handler, event)).statusCode).toBe(404);

    const response = await invoke(handler, event);

    expect(response.statusCode).toBe(429);
    expect(response.headers).toStrictEqual({ ...JSON_HEADERS, 'retry-after': '1' });
    expect(jsonBody(response)).toStrictEqual({
      error: {
        code: 'RATE_LIMITED',
        message: 'Too many requests; retry in 1 s.',
        details: { scope: 'checkout requests per code', limit: 1, windowSeconds: 60, retryAfterSeconds: 1 },
      },
    });
  });
});
