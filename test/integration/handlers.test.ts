/**
 * The Lambda handlers, driven by the sample events in events/, against the real engine on the embedded
 * store: no mocks. Each sample is adapted only where it must name something real (a deal created here, a
 * code claimed here, another caller); every effect is read back through the handlers themselves.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClaimCouponHandler } from '../../functions/claim-coupon/app.js';
import { createCreateDealHandler } from '../../functions/create-deal/app.js';
import { createCueDealHandler } from '../../functions/cue-deal/app.js';
import { createGetDealHandler } from '../../functions/get-deal/app.js';
import { createListMyCouponsHandler } from '../../functions/list-my-coupons/app.js';
import { createRedeemCouponHandler } from '../../functions/redeem-coupon/app.js';
import { createReleaseCouponHandler } from '../../functions/release-coupon/app.js';
import { createDocumentClient } from '../../functions/shared/data/client.js';
import { createStore } from '../../functions/shared/data/store.js';
import { iso } from '../../functions/shared/domain/clock.js';
import { SCOPES } from '../../functions/shared/domain/roles.js';
import type { CouponView, DealView } from '../../functions/shared/domain/schemas.js';
import type { HttpHandler } from '../../functions/shared/http/http-handler.js';
import type { HttpEvent } from '../../functions/shared/http/types.js';
import { Engine } from '../../functions/shared/use-cases/engine.js';
import type { LivedropEngine, SweepReport } from '../../functions/shared/use-cases/types.js';
import { createSweepHandler, type SweepHandler } from '../../functions/sweep/app.js';
import { type Harness, startHarness } from '../support/harness.js';
import {
  asCaller,
  couponEvent,
  dealEvent,
  eventJsonBody,
  SAMPLE_COUPON_CODE,
  SAMPLE_DEAL_ID,
  withBodyFields,
  withHeader,
  withJsonBody,
  withQuery,
} from '../support/http-events.js';
import {
  HOST_SUB,
  invoke,
  JSON_HEADERS,
  jsonBody,
  lambdaContext,
  loadEvent,
  silentLogger,
  VIEWER_SUB,
} from '../unit/http/support.js';

// ------------------------------------------------------------------ wiring

interface Handlers {
  createDeal: HttpHandler;
  getDeal: HttpHandler;
  cueDeal: HttpHandler;
  claimCoupon: HttpHandler;
  listMyCoupons: HttpHandler;
  redeemCoupon: HttpHandler;
  releaseCoupon: HttpHandler;
  sweep: SweepHandler;
}

/** Every handler from its factory, all on one engine: one container serving every route. */
const handlersOn = (engine: LivedropEngine, logger = silentLogger()): Handlers => ({
  createDeal: createCreateDealHandler({ engine, logger }),
  getDeal: createGetDealHandler({ engine, logger }),
  cueDeal: createCueDealHandler({ engine, logger }),
  claimCoupon: createClaimCouponHandler({ engine, logger }),
  listMyCoupons: createListMyCouponsHandler({ engine, logger }),
  redeemCoupon: createRedeemCouponHandler({ engine, logger }),
  releaseCoupon: createReleaseCouponHandler({ engine, logger }),
  sweep: createSweepHandler({ engine, logger }),
});

let h: Harness;
let api: Handlers;

beforeEach(async () => {
  // A fresh store per test: figures, listings and sweep reports see only what the test did.
  h = await startHarness();
  api = handlersOn(h.engine());
});

afterEach(async () => {
  await h.close();
});

// ------------------------------------------------------------------ requests through the handlers

interface Answer {
  statusCode: number | undefined;
  headers: Record<string, unknown> | undefined;
  body: unknown;
}

const send = async (handler: HttpHandler, event: HttpEvent): Promise<Answer> => {
  const response = await invoke(handler, event);
  return { statusCode: response.statusCode, headers: response.headers, body: jsonBody(response) };
};

/** The deal the create-deal sample describes, with `fields` changed; created by HOST_SUB. */
const createDeal = async (fields: Record<string, unknown> = {}): Promise<DealView> => {
  const answer = await send(api.createDeal, withBodyFields(loadEvent('create-deal.valid'), fields));
  expect(answer.statusCode).toBe(201);
  return answer.body as DealView;
};

const cue = (dealId: string, body: unknown, sub = HOST_SUB): Promise<Answer> =>
  send(api.cueDeal, asCaller(withJsonBody(dealEvent('cue-deal.valid', dealId), body), sub));

const liveDeal = async (fields: Record<string, unknown> = {}): Promise<DealView> => {
  const deal = await createDeal(fields);
  const started = await cue(deal.dealId, { action: 'start' });
  expect(started.statusCode).toBe(200);
  return started.body as DealView;
};

interface ClaimOptions {
  sub?: string;
  /** The Idempotency-Key header; the sample's key unless given, none when null. */
  key?: string | null;
}

const claim = (dealId: string, { sub = VIEWER_SUB, key }: ClaimOptions = {}): Promise<Answer> => {
  let event = asCaller(dealEvent('claim-coupon.valid', dealId), sub);
  if (key !== undefined) event = withHeader(event, 'idempotency-key', key ?? undefined);
  return send(api.claimCoupon, event);
};

const claimed = async (dealId: string, options: ClaimOptions = {}): Promise<CouponView> => {
  const answer = await claim(dealId, options);
  expect(answer.statusCode).toBe(201);
  return answer.body as CouponView;
};

/** The sample's viewer and order unless given. */
const checkout = (route: 'redeem' | 'release', code: string, fields: Record<string, unknown> = {}) =>
  route === 'redeem'
    ? send(api.redeemCoupon, withBodyFields(couponEvent('redeem-coupon.valid', code), fields))
    : send(api.releaseCoupon, withBodyFields(couponEvent('release-coupon.valid', code), fields));

const getDeal = async (dealId: string): Promise<DealView> => {
  const answer = await send(api.getDeal, dealEvent('get-deal.valid', dealId));
  expect(answer.statusCode).toBe(200);
  return answer.body as DealView;
};

const figuresOf = async (dealId: string) => {
  const { status, stock, available, held, redeemed } = await getDeal(dealId);
  return { status, stock, available, held, redeemed };
};

/** Everything GET /me/coupons shows `sub`, in its order. */
const couponsOf = async (sub = VIEWER_SUB): Promise<CouponView[]> => {
  const event = asCaller(withQuery(loadEvent('list-my-coupons.valid'), { limit: '100' }), sub);
  const answer = await send(api.listMyCoupons, event);
  expect(answer.statusCode).toBe(200);
  return (answer.body as { coupons: CouponView[] }).coupons;
};

const sweep = (): Promise<SweepReport> => api.sweep(loadEvent<unknown>('sweep'), lambdaContext());

// ------------------------------------------------------------------ expectations

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){3}$/;
const OTHER_VIEWER = 'viewer-2';
const OTHER_HOST = 'host-2';
const OTHER_ORDER = 'ORD-2025-11-26-000999';
/** What the samples say. */
const SAMPLE_ORDER = 'ORD-2025-11-26-000123';
const SAMPLE_KEY = 'b7e2a9c4-1f3d-4e5a-9b8c-7d6e5f4a3b2c';

const now = (plusMs = 0) => iso(h.clock.now() + plusMs);

/** The deal the create-deal sample describes, as the API shows it before it starts. */
const sampleDealJson = (dealId: string): DealView => ({
  dealId,
  title: 'Wireless earbuds, live only',
  sku: 'EARBUDS-PRO-2',
  streamId: 'stream-2025-11-26-evening',
  hostId: HOST_SUB,
  status: 'SCHEDULED',
  currency: 'EUR',
  listPrice: 12900,
  dealPrice: 7900,
  stock: 500,
  available: 500,
  held: 0,
  redeemed: 0,
  perViewerLimit: 2,
  claimTtlSeconds: 600,
  durationSeconds: 1800,
  createdAt: now(),
});

/** A freshly claimed coupon of a sample deal, as the API shows it. */
const issuedCouponJson = (dealId: string, viewerId = VIEWER_SUB) => ({
  couponId: expect.stringMatching(ULID),
  code: expect.stringMatching(CODE),
  dealId,
  viewerId,
  status: 'ISSUED',
  issuedAt: now(),
  expiresAt: now(600_000),
  dealPrice: 7900,
  listPrice: 12900,
  currency: 'EUR',
});

const errorJson = (code: string, message: string | RegExp, details?: unknown) => ({
  error: {
    code,
    message: typeof message === 'string' ? message : expect.stringMatching(message),
    ...(details === undefined ? {} : { details }),
  },
});

const validationFailed = (...details: { field: string; message: string | RegExp }[]) =>
  errorJson(
    'VALIDATION_FAILED',
    'The request is not valid.',
    details.map(({ field, message }) => ({
      field,
      message: typeof message === 'string' ? message : expect.stringMatching(message),
    })),
  );

const couponNotFound = errorJson('COUPON_NOT_FOUND', 'No such coupon.');

// ------------------------------------------------------------------ routes

describe('POST /deals', () => {
  it('creates the sample deal as SCHEDULED, hosted by the caller, and points at it', async () => {
    const event = loadEvent('create-deal.valid');

    const answer = await send(api.createDeal, event);

    expect(answer.statusCode).toBe(201);
    const deal = answer.body as DealView;
    expect(deal.dealId).toMatch(ULID);
    expect(deal).toStrictEqual(sampleDealJson(deal.dealId));
    expect(answer.headers).toStrictEqual({ ...JSON_HEADERS, location: `/deals/${deal.dealId}` });
    expect(await getDeal(deal.dealId)).toStrictEqual(deal);
  });

  it('refuses the invalid sample with 400, naming every problem, and creates no deal', async () => {
    const event = loadEvent('create-deal.invalid');

    const answer = await send(api.createDeal, event);

    expect(answer.statusCode).toBe(400);
    expect(answer.body).toStrictEqual(
      validationFailed(
        { field: 'body.currency', message: 'Must be an ISO 4217 currency code in upper case, e.g. EUR.' },
        { field: 'body.discount', message: 'Unknown field.' },
        { field: 'body.dealPrice', message: 'dealPrice must be lower than listPrice.' },
      ),
    );
    expect(await h.store.listSweepDeals()).toStrictEqual([]);
  });
});

describe('GET /deals/{dealId}', () => {
  it('returns the deal with its figures after a claim, a redemption and a release', async () => {
    const deal = await liveDeal();
    const kept = await claimed(deal.dealId, { key: 'k-1' });
    const returned = await claimed(deal.dealId, { key: 'k-2' });
    expect((await checkout('redeem', kept.code)).statusCode).toBe(200);
    expect((await checkout('redeem', returned.code, { orderId: OTHER_ORDER })).statusCode).toBe(200);
    expect((await checkout('release', returned.code, { orderId: OTHER_ORDER })).statusCode).toBe(200);

    const answer = await send(api.getDeal, dealEvent('get-deal.valid', deal.dealId));

    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toStrictEqual(JSON_HEADERS);
    expect(answer.body).toStrictEqual({
      ...sampleDealJson(deal.dealId),
      status: 'LIVE',
      available: 498,
      held: 1,
      redeemed: 1,
      startedAt: now(),
      endsAt: now(1_800_000),
    });
  });

  it('refuses the invalid sample (a lower-case id) with 400, also when it spells a real deal', async () => {
    const deal = await createDeal();
    const sample = loadEvent('get-deal.invalid');
    const lowerCased = dealEvent('get-deal.invalid', deal.dealId.toLowerCase());

    const answers = [await send(api.getDeal, sample), await send(api.getDeal, lowerCased)];

    for (const answer of answers) {
      expect(answer.statusCode).toBe(400);
      expect(answer.body).toStrictEqual(
        validationFailed({ field: 'path.dealId', message: 'Must be a ULID.' }),
      );
    }
    expect(await getDeal(deal.dealId)).toStrictEqual(deal);
  });

  it('answers 404 DEAL_NOT_FOUND for a well-formed id no deal has (the sample placeholder)', async () => {
    const answer = await send(api.getDeal, loadEvent('get-deal.valid'));

    expect(answer.statusCode).toBe(404);
    expect(answer.body).toStrictEqual(errorJson('DEAL_NOT_FOUND', `Deal ${SAMPLE_DEAL_ID} does not exist.`));
  });
});

describe('POST /deals/{dealId}/cues', () => {
  it('adds the sample restock of 250 units to a live deal', async () => {
    const deal = await liveDeal();

    const answer = await send(api.cueDeal, dealEvent('cue-deal.valid', deal.dealId));

    expect(answer.statusCode).toBe(200);
    const expected = {
      ...sampleDealJson(deal.dealId),
      status: 'LIVE',
      stock: 750,
      available: 750,
      startedAt: now(),
      endsAt: now(1_800_000),
    };
    expect(answer.body).toStrictEqual(expected);
    expect(await getDeal(deal.dealId)).toStrictEqual(expected);
  });

  it('refuses the invalid sample (restock without quantity) with 400 and leaves the stock alone', async () => {
    const deal = await liveDeal();
    const before = await figuresOf(deal.dealId);

    const answer = await send(api.cueDeal, dealEvent('cue-deal.invalid', deal.dealId));

    expect(answer.statusCode).toBe(400);
    expect(answer.body).toStrictEqual(
      validationFailed({
        field: 'body.quantity',
        message: 'quantity is required for restock and allowed only there.',
      }),
    );
    expect(await figuresOf(deal.dealId)).toStrictEqual(before);
  });

  it('forbids a host to cue another host’s deal (403) and changes nothing', async () => {
    const deal = await createDeal();

    const restock = await send(api.cueDeal, asCaller(dealEvent('cue-deal.valid', deal.dealId), OTHER_HOST));
    const start = await cue(deal.dealId, { action: 'start' }, OTHER_HOST);

    for (const answer of [restock, start]) {
      expect(answer.statusCode).toBe(403);
      expect(answer.body).toStrictEqual(
        errorJson('FORBIDDEN', 'Only the deal’s host or an admin may cue it.'),
      );
    }
    expect(await getDeal(deal.dealId)).toStrictEqual(deal);
  });

  it('lets an admin cue a deal it does not host', async () => {
    const deal = await createDeal();
    const event = withJsonBody(dealEvent('cue-deal.valid', deal.dealId), { action: 'start' });

    const answer = await send(api.cueDeal, asCaller(event, 'ops-1', SCOPES.admin));

    expect(answer.statusCode).toBe(200);
    expect(answer.body).toMatchObject({ dealId: deal.dealId, hostId: HOST_SUB, status: 'LIVE' });
  });

  it('refuses to pause a SCHEDULED deal with 409 INVALID_TRANSITION', async () => {
    const deal = await createDeal();

    const answer = await cue(deal.dealId, { action: 'pause' });

    expect(answer.statusCode).toBe(409);
    expect(answer.body).toStrictEqual(
      errorJson('INVALID_TRANSITION', 'Cannot pause a deal that is SCHEDULED.', {
        status: 'SCHEDULED',
        action: 'pause',
      }),
    );
    expect(await getDeal(deal.dealId)).toStrictEqual(deal);
  });

  it('answers 404 DEAL_NOT_FOUND for a cue on an unknown deal', async () => {
    const answer = await send(api.cueDeal, loadEvent('cue-deal.valid'));

    expect(answer.statusCode).toBe(404);
    expect(answer.body).toStrictEqual(errorJson('DEAL_NOT_FOUND', `Deal ${SAMPLE_DEAL_ID} does not exist.`));
  });
});

describe('POST /deals/{dealId}/claims', () => {
  it('issues the caller a coupon (201) and holds one unit for it', async () => {
    const deal = await liveDeal();

    const answer = await send(api.claimCoupon, dealEvent('claim-coupon.valid', deal.dealId));

    expect(answer.statusCode).toBe(201);
    expect(answer.headers).toStrictEqual(JSON_HEADERS);
    expect(answer.body).toStrictEqual(issuedCouponJson(deal.dealId));
    expect(await figuresOf(deal.dealId)).toStrictEqual({
      status: 'LIVE',
      stock: 500,
      available: 499,
      held: 1,
      redeemed: 0,
    });
    expect(await couponsOf()).toStrictEqual([answer.body]);
  });

  it('answers a retry with the same Idempotency-Key with 200 and the same coupon, holding one unit', async () => {
    const deal = await liveDeal();
    const event = dealEvent('claim-coupon.valid', deal.dealId);
    expect(event.headers['idempotency-key']).toBe(SAMPLE_KEY);
    const first = await send(api.claimCoupon, event);

    const retry = await send(api.claimCoupon, event);

    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(200);
    expect(retry.body).toStrictEqual(first.body);
    expect(await figuresOf(deal.dealId)).toMatchObject({ available: 499, held: 1 });
    expect(await couponsOf()).toStrictEqual([first.body]);
  });

  it('refuses the invalid sample (an Idempotency-Key with spaces) with 400 and claims nothing', async () => {
    const deal = await liveDeal();
    const before = await figuresOf(deal.dealId);

    const answer = await send(api.claimCoupon, dealEvent('claim-coupon.invalid', deal.dealId));

    expect(answer.statusCode).toBe(400);
    expect(answer.body).toStrictEqual(
      validationFailed({
        field: 'headers.idempotency-key',
        message: 'Must be printable ASCII without spaces.',
      }),
    );
    expect(await figuresOf(deal.dealId)).toStrictEqual(before);
    expect(await couponsOf()).toStrictEqual([]);
  });

  it('refuses a claim beyond the per-viewer limit with 409 LIMIT_REACHED', async () => {
    const deal = await liveDeal({ perViewerLimit: 1 });
    const first = await claimed(deal.dealId, { key: 'k-1' });

    const answer = await claim(deal.dealId, { key: 'k-2' });

    expect(answer.statusCode).toBe(409);
    expect(answer.body).toStrictEqual(
      errorJson('LIMIT_REACHED', 'You already hold the most coupons this deal allows per viewer (1).', {
        perViewerLimit: 1,
      }),
    );
    expect(await figuresOf(deal.dealId)).toMatchObject({ available: 499, held: 1 });
    expect(await couponsOf()).toStrictEqual([first]);
  });

  it('refuses a claim on a sold-out deal with 409 SOLD_OUT', async () => {
    const deal = await liveDeal({ stock: 1 });
    const last = await claimed(deal.dealId, { sub: OTHER_VIEWER });

    const answer = await claim(deal.dealId);

    expect(answer.statusCode).toBe(409);
    expect(answer.body).toStrictEqual(errorJson('SOLD_OUT', `Deal ${deal.dealId} is sold out.`));
    expect(await figuresOf(deal.dealId)).toMatchObject({ stock: 1, available: 0, held: 1 });
    expect(await couponsOf()).toStrictEqual([]);
    expect(await couponsOf(OTHER_VIEWER)).toStrictEqual([last]);
  });

  it('still answers a retry with its coupon after the deal sold out', async () => {
    const deal = await liveDeal({ stock: 1 });
    const first = await claim(deal.dealId);
    expect((await claim(deal.dealId, { sub: OTHER_VIEWER })).statusCode).toBe(409);

    const retry = await claim(deal.dealId);

    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(200);
    expect(retry.body).toStrictEqual(first.body);
  });

  it('refuses a claim before the deal starts with 409 DEAL_NOT_LIVE and keeps the viewer’s slot free', async () => {
    const deal = await createDeal({ perViewerLimit: 1 });

    const early = await claim(deal.dealId);

    expect(early.statusCode).toBe(409);
    expect(early.body).toStrictEqual(
      errorJson('DEAL_NOT_LIVE', `Deal ${deal.dealId} is not live (it is SCHEDULED).`, {
        status: 'SCHEDULED',
      }),
    );
    expect(await getDeal(deal.dealId)).toStrictEqual(deal);
    expect(await couponsOf()).toStrictEqual([]);
    // The refused claim left nothing behind: once live, the viewer's only slot is still there.
    expect((await cue(deal.dealId, { action: 'start' })).statusCode).toBe(200);
    expect((await claim(deal.dealId)).statusCode).toBe(201);
  });

  it('refuses a claim once the deal’s duration has run out with 409 DEAL_NOT_LIVE (ENDED)', async () => {
    const deal = await liveDeal();
    h.clock.advance(1_800_000);

    const answer = await claim(deal.dealId);

    expect(answer.statusCode).toBe(409);
    expect(answer.body).toStrictEqual(
      errorJson('DEAL_NOT_LIVE', `Deal ${deal.dealId} is not live (it is ENDED).`, { status: 'ENDED' }),
    );
    expect(await figuresOf(deal.dealId)).toMatchObject({ status: 'ENDED', available: 500, held: 0 });
  });

  it('answers 404 DEAL_NOT_FOUND for a claim on an unknown deal (the sample placeholder)', async () => {
    const answer = await send(api.claimCoupon, loadEvent('claim-coupon.valid'));

    expect(answer.statusCode).toBe(404);
    expect(answer.body).toStrictEqual(errorJson('DEAL_NOT_FOUND', `Deal ${SAMPLE_DEAL_ID} does not exist.`));
    expect(await couponsOf()).toStrictEqual([]);
  });
});

describe('GET /me/coupons', () => {
  it('pages through only the caller’s coupons, newest first (the sample with a real cursor)', async () => {
    const dealA = await liveDeal();
    const dealB = await liveDeal();
    const oldest = await claimed(dealA.dealId, { key: 'k-1' });
    h.clock.advance(1_000);
    await claimed(dealA.dealId, { sub: OTHER_VIEWER });
    const middle = await claimed(dealB.dealId, { key: 'k-2' });
    h.clock.advance(1_000);
    const newest = await claimed(dealA.dealId, { key: 'k-3' });
    const sample = loadEvent('list-my-coupons.valid');
    const firstPage = await send(api.listMyCoupons, withQuery(sample, { limit: '2' }));
    const { nextCursor } = firstPage.body as { nextCursor: string };

    const secondPage = await send(api.listMyCoupons, withQuery(sample, { limit: '20', cursor: nextCursor }));

    expect(firstPage.statusCode).toBe(200);
    expect(firstPage.body).toStrictEqual({ coupons: [newest, middle], nextCursor: expect.any(String) });
    expect(secondPage.statusCode).toBe(200);
    expect(secondPage.body).toStrictEqual({ coupons: [oldest] });
  });

  it('refuses the invalid sample (limit=500) with 400', async () => {
    const answer = await send(api.listMyCoupons, loadEvent('list-my-coupons.invalid'));

    expect(answer.statusCode).toBe(400);
    expect(answer.body).toStrictEqual(
      validationFailed({ field: 'query.limit', message: 'Must be between 1 and 100.' }),
    );
  });

  it('refuses a cursor it did not issue with 400', async () => {
    const forged = Buffer.from(JSON.stringify({ pk: 'VIEWER#' })).toString('base64url');
    const answer = await send(
      api.listMyCoupons,
      withQuery(loadEvent('list-my-coupons.valid'), { cursor: forged }),
    );

    expect(answer.statusCode).toBe(400);
    expect(answer.body).toStrictEqual(
      validationFailed({ field: 'query.cursor', message: 'Not a cursor from this listing.' }),
    );
  });

  it('refuses another viewer’s cursor with 400 instead of showing their coupons', async () => {
    const deal = await liveDeal({ perViewerLimit: 3 });
    for (const key of ['k-1', 'k-2']) await claimed(deal.dealId, { sub: OTHER_VIEWER, key });
    const theirs = asCaller(withQuery(loadEvent('list-my-coupons.valid'), { limit: '1' }), OTHER_VIEWER);
    const { nextCursor } = (await send(api.listMyCoupons, theirs)).body as { nextCursor: string };

    const answer = await send(
      api.listMyCoupons,
      withQuery(loadEvent('list-my-coupons.valid'), { limit: '20', cursor: nextCursor }),
    );

    expect(answer.statusCode).toBe(400);
    expect(answer.body).toStrictEqual(
      validationFailed({ field: 'query.cursor', message: 'Not a cursor from this listing.' }),
    );
  });
});

describe('POST /coupons/{code}/redemptions', () => {
  it('spends the viewer’s coupon on the order: REDEEMED, and the held unit counts as redeemed', async () => {
    const deal = await liveDeal();
    const coupon = await claimed(deal.dealId);
    h.clock.advance(5_000);
    const event = couponEvent('redeem-coupon.valid', coupon.code);
    expect(eventJsonBody(event)).toStrictEqual({ viewerId: VIEWER_SUB, orderId: SAMPLE_ORDER });

    const answer = await send(api.redeemCoupon, event);

    expect(answer.statusCode).toBe(200);
    expect(answer.body).toStrictEqual({
      ...coupon,
      status: 'REDEEMED',
      redeemedAt: now(),
      orderId: SAMPLE_ORDER,
    });
    expect(await figuresOf(deal.dealId)).toMatchObject({ available: 499, held: 0, redeemed: 1 });
    expect(await couponsOf()).toStrictEqual([answer.body]);
  });

  it('refuses the invalid sample (a viewer token, not checkout) with 403 and leaves the coupon ISSUED', async () => {
    const deal = await liveDeal();
    const coupon = await claimed(deal.dealId);
    const before = await figuresOf(deal.dealId);

    const answer = await send(api.redeemCoupon, couponEvent('redeem-coupon.invalid', coupon.code));

    expect(answer.statusCode).toBe(403);
    expect(answer.body).toStrictEqual(errorJson('FORBIDDEN', 'You are not allowed to do this.'));
    expect(await figuresOf(deal.dealId)).toStrictEqual(before);
    expect(await couponsOf()).toStrictEqual([coupon]);
  });

  it('answers a repeat for the same order with the same 200, another order with 409 ALREADY_REDEEMED', async () => {
    const deal = await liveDeal();
    const coupon = await claimed(deal.dealId);
    const first = await checkout('redeem', coupon.code);
    h.clock.advance(1_000);

    const repeat = await checkout('redeem', coupon.code);
    const otherOrder = await checkout('redeem', coupon.code, { orderId: OTHER_ORDER });

    expect(first.statusCode).toBe(200);
    expect(repeat.statusCode).toBe(200);
    expect(repeat.body).toStrictEqual(first.body);
    expect(otherOrder.statusCode).toBe(409);
    expect(otherOrder.body).toStrictEqual(
      errorJson('ALREADY_REDEEMED', 'This coupon was already redeemed for another order.'),
    );
    expect(await figuresOf(deal.dealId)).toMatchObject({ available: 499, held: 0, redeemed: 1 });
    expect(await couponsOf()).toStrictEqual([first.body]);
  });

  it('answers 404 COUPON_NOT_FOUND when the viewerId is not the coupon’s owner, and for an unknown code', async () => {
    const deal = await liveDeal();
    const coupon = await claimed(deal.dealId);

    const notTheirs = await checkout('redeem', coupon.code, { viewerId: OTHER_VIEWER });
    const unknown = await send(api.redeemCoupon, loadEvent('redeem-coupon.valid'));
    const malformed = await checkout('redeem', 'NOT-A-CODE');

    for (const answer of [notTheirs, unknown, malformed]) {
      expect(answer.statusCode).toBe(404);
      expect(answer.body).toStrictEqual(couponNotFound);
    }
    expect(SAMPLE_COUPON_CODE).not.toBe(coupon.code);
    expect(await figuresOf(deal.dealId)).toMatchObject({ available: 499, held: 1, redeemed: 0 });
    expect(await couponsOf()).toStrictEqual([coupon]);
  });

  it('accepts the code as a person types it: lower case, without dashes', async () => {
    const deal = await liveDeal();
    const coupon = await claimed(deal.dealId);

    const answer = await checkout('redeem', coupon.code.replaceAll('-', '').toLowerCase());

    expect(answer.statusCode).toBe(200);
    expect(answer.body).toMatchObject({ code: coupon.code, status: 'REDEEMED' });
  });

  it('answers 410 COUPON_EXPIRED once the clock passes expiresAt', async () => {
    const deal = await liveDeal();
    const coupon = await claimed(deal.dealId);
    h.clock.advance(600_000);

    const answer = await checkout('redeem', coupon.code);

    expect(answer.statusCode).toBe(410);
    expect(answer.body).toStrictEqual(errorJson('COUPON_EXPIRED', 'This coupon has expired.'));
    expect(await couponsOf()).toStrictEqual([{ ...coupon, status: 'EXPIRED' }]);
    expect(await figuresOf(deal.dealId)).toMatchObject({ redeemed: 0 });
  });
});

describe('POST /coupons/{code}/releases', () => {
  it('gives a redeemed coupon back (the base64 sample): ISSUED again, newest among only the caller’s', async () => {
    const deal = await liveDeal();
    const older = await claimed(deal.dealId, { key: 'k-1' });
    await claimed(deal.dealId, { sub: OTHER_VIEWER });
    h.clock.advance(1_000);
    const coupon = await claimed(deal.dealId, { key: 'k-2' });
    expect((await checkout('redeem', coupon.code)).statusCode).toBe(200);
    const sample = couponEvent('release-coupon.valid', coupon.code);
    expect(sample.isBase64Encoded).toBe(true);
    expect(eventJsonBody(sample)).toStrictEqual({ viewerId: VIEWER_SUB, orderId: SAMPLE_ORDER });

    const answer = await send(api.releaseCoupon, sample);

    expect(answer.statusCode).toBe(200);
    expect(answer.body).toStrictEqual(coupon);
    expect(await figuresOf(deal.dealId)).toMatchObject({ available: 497, held: 3, redeemed: 0 });
    expect(await couponsOf()).toStrictEqual([coupon, older]);
  });

  it('answers a repeated release for the same order with the same 200', async () => {
    const deal = await liveDeal();
    const coupon = await claimed(deal.dealId);
    expect((await checkout('redeem', coupon.code)).statusCode).toBe(200);
    const first = await checkout('release', coupon.code);

    const repeat = await checkout('release', coupon.code);

    expect(first.statusCode).toBe(200);
    expect(repeat.statusCode).toBe(200);
    expect(repeat.body).toStrictEqual(first.body);
    expect(await figuresOf(deal.dealId)).toMatchObject({ available: 499, held: 1, redeemed: 0 });
  });

  it('refuses the invalid sample (text/plain) with 415 and leaves the coupon REDEEMED', async () => {
    const deal = await liveDeal();
    const coupon = await claimed(deal.dealId);
    const redeemed = await checkout('redeem', coupon.code);
    const before = await figuresOf(deal.dealId);

    const answer = await send(api.releaseCoupon, couponEvent('release-coupon.invalid', coupon.code));

    expect(answer.statusCode).toBe(415);
    expect(answer.body).toStrictEqual(
      errorJson('UNSUPPORTED_MEDIA_TYPE', 'The request body must be application/json.'),
    );
    expect(await figuresOf(deal.dealId)).toStrictEqual(before);
    expect(await couponsOf()).toStrictEqual([redeemed.body]);
  });

  it('refuses to release a coupon not redeemed for this order with 409 INVALID_TRANSITION', async () => {
    const deal = await liveDeal();
    const coupon = await claimed(deal.dealId);

    const answer = await checkout('release', coupon.code);

    expect(answer.statusCode).toBe(409);
    expect(answer.body).toStrictEqual(
      errorJson('INVALID_TRANSITION', 'This coupon is not redeemed for this order.', { status: 'ISSUED' }),
    );
    expect(await couponsOf()).toStrictEqual([coupon]);
  });

  it('answers 404 COUPON_NOT_FOUND for another viewer’s coupon and leaves it REDEEMED', async () => {
    const deal = await liveDeal();
    const coupon = await claimed(deal.dealId);
    const redeemed = await checkout('redeem', coupon.code);

    const answer = await checkout('release', coupon.code, { viewerId: OTHER_VIEWER });

    expect(answer.statusCode).toBe(404);
    expect(answer.body).toStrictEqual(couponNotFound);
    expect(await couponsOf()).toStrictEqual([redeemed.body]);
  });
});

describe('sweep (events/sweep.json)', () => {
  it('expires coupons past expiresAt and puts their units back', async () => {
    const deal = await liveDeal({ stock: 5 });
    const mine = await claimed(deal.dealId);
    const theirs = await claimed(deal.dealId, { sub: OTHER_VIEWER });
    h.clock.advance(1_000);
    const spent = await checkout('redeem', (await claimed(deal.dealId, { key: 'k-2' })).code);
    expect(spent.statusCode).toBe(200);
    expect(await figuresOf(deal.dealId)).toMatchObject({ available: 2, held: 2, redeemed: 1 });
    h.clock.advance(600_000);

    const report = await sweep();

    expect(report).toStrictEqual({
      deals: 1,
      expired: 2,
      unitsReturned: 2,
      orphansReturned: 0,
      slotsFreed: 0,
      dealsEnded: 0,
      dealsSettled: 0,
      dropsApplied: 0,
      errors: 0,
    });
    expect(await figuresOf(deal.dealId)).toStrictEqual({
      status: 'LIVE',
      stock: 5,
      available: 4,
      held: 0,
      redeemed: 1,
    });
    expect(await couponsOf()).toStrictEqual([spent.body, { ...mine, status: 'EXPIRED' }]);
    expect(await couponsOf(OTHER_VIEWER)).toStrictEqual([{ ...theirs, status: 'EXPIRED' }]);
    // The expired coupon's slot is free again: the viewer may claim anew.
    expect((await claim(deal.dealId, { sub: OTHER_VIEWER, key: 'again' })).statusCode).toBe(201);
  });

  it('changes nothing while no coupon has expired', async () => {
    const deal = await liveDeal({ stock: 5 });
    const coupon = await claimed(deal.dealId);
    h.clock.advance(599_000);

    const report = await sweep();

    expect(report).toMatchObject({ deals: 1, expired: 0, unitsReturned: 0, errors: 0 });
    expect(await figuresOf(deal.dealId)).toMatchObject({ available: 4, held: 1 });
    expect(await couponsOf()).toStrictEqual([coupon]);
  });

  it('ends a deal whose duration ran out, then settles it once two sweeps found it idle', async () => {
    const deal = await liveDeal({ stock: 5 });
    h.clock.advance(1_800_000);

    const ending = await sweep();
    h.clock.advance(120_000);
    const settling = await sweep();

    expect(ending).toMatchObject({ deals: 1, dealsEnded: 1, dealsSettled: 0, errors: 0 });
    expect(settling).toMatchObject({ deals: 1, dealsEnded: 0, dealsSettled: 1, errors: 0 });
    expect(await figuresOf(deal.dealId)).toStrictEqual({
      status: 'ENDED',
      stock: 5,
      available: 5,
      held: 0,
      redeemed: 0,
    });
    expect(await h.store.listSweepDeals()).toStrictEqual([]);
  });
});

// ------------------------------------------------------------------ failures we must not explain

/** A port nothing listens on: opened, then closed again. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
};

describe('an unreachable store', () => {
  const routes: [string, (handlers: Handlers) => HttpHandler, () => HttpEvent][] = [
    ['POST /deals', (a) => a.createDeal, () => loadEvent('create-deal.valid')],
    ['GET /deals/{dealId}', (a) => a.getDeal, () => loadEvent('get-deal.valid')],
    ['POST /deals/{dealId}/cues', (a) => a.cueDeal, () => loadEvent('cue-deal.valid')],
    ['POST /deals/{dealId}/claims', (a) => a.claimCoupon, () => loadEvent('claim-coupon.valid')],
    ['GET /me/coupons', (a) => a.listMyCoupons, () => loadEvent('list-my-coupons.valid')],
    ['POST /coupons/{code}/redemptions', (a) => a.redeemCoupon, () => loadEvent('redeem-coupon.valid')],
    ['POST /coupons/{code}/releases', (a) => a.releaseCoupon, () => loadEvent('release-coupon.valid')],
  ];

  it.each(routes)(
    '%s answers 503 SERVICE_UNAVAILABLE with Retry-After when the store is unreachable, and logs the cause',
    async (_, pick, event) => {
      const port = await closedPort();
      const client = createDocumentClient({ endpoint: `http://127.0.0.1:${port}` });
      const logger = silentLogger();
      const logged = vi.spyOn(logger, 'error');
      const dead = new Engine({
        store: createStore(client, 'livedrop'),
        clock: h.clock,
        logger: { error: () => {} },
      });
      try {
        const answer = await send(pick(handlersOn(dead, logger)), event());

        expect(answer.statusCode).toBe(503);
        expect(answer.headers).toStrictEqual({ ...JSON_HEADERS, 'retry-after': '1' });
        expect(answer.body).toStrictEqual({
          error: { code: 'SERVICE_UNAVAILABLE', message: 'The service is busy; retry shortly.' },
        });
        expect(JSON.stringify(answer.body)).not.toContain(String(port));
        expect(logged).toHaveBeenCalledExactlyOnceWith(
          'http request failed',
          expect.objectContaining({
            status: 503,
            errorCode: 'SERVICE_UNAVAILABLE',
            error: expect.any(Error),
          }),
        );
      } finally {
        client.destroy();
      }
    },
  );

  it('fails the sweep run so the scheduler retries it', async () => {
    const port = await closedPort();
    const client = createDocumentClient({ endpoint: `http://127.0.0.1:${port}` });
    const dead = new Engine({
      store: createStore(client, 'livedrop'),
      clock: h.clock,
      logger: { error: () => {} },
    });
    try {
      await expect(handlersOn(dead).sweep(loadEvent<unknown>('sweep'), lambdaContext())).rejects.toThrow();
    } finally {
      client.destroy();
    }
  });
});
