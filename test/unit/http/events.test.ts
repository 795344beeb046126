/**
 * Every sample event in events/ goes through its real handler: the valid ones reach the engine with exactly
 * the parsed input, the invalid ones are refused with a 4xx before the engine is called.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createCancelPriceDropHandler } from '../../../functions/cancel-price-drop/app.js';
import { createClaimCouponHandler } from '../../../functions/claim-coupon/app.js';
import { createCreateDealHandler } from '../../../functions/create-deal/app.js';
import { createCreatePriceDropHandler } from '../../../functions/create-price-drop/app.js';
import { createCueDealHandler } from '../../../functions/cue-deal/app.js';
import { createGetDealHandler } from '../../../functions/get-deal/app.js';
import { createGetDealAuditHandler } from '../../../functions/get-deal-audit/app.js';
import { createGetDealLiveHandler } from '../../../functions/get-deal-live/app.js';
import { createGetStreamLiveHandler } from '../../../functions/get-stream-live/app.js';
import { createListMyCouponsHandler } from '../../../functions/list-my-coupons/app.js';
import { createListPriceDropsHandler } from '../../../functions/list-price-drops/app.js';
import { createListStreamDealsHandler } from '../../../functions/list-stream-deals/app.js';
import { createRedeemCouponHandler } from '../../../functions/redeem-coupon/app.js';
import { createReleaseCouponHandler } from '../../../functions/release-coupon/app.js';
import type { HttpHandler } from '../../../functions/shared/http/http-handler.js';
import type { HandlerDeps } from '../../../functions/shared/http/types.js';
import {
  ADMIN_SUB,
  CHECKOUT_SUB,
  COUPON_CODE,
  DEAL_ID,
  DROP_ID,
  eventFileNames,
  type FakeEngine,
  fakeEngine,
  firstAnswer,
  GALA_ID,
  HOST_SUB,
  invoke,
  jsonBody,
  loadEvent,
  sampleCoupon,
  sampleDeal,
  samplePriceDrop,
  silentLogger,
  VIEWER_SUB,
} from './support.js';

interface RouteCase {
  create: (deps: HandlerDeps) => HttpHandler;
  /** What the engine answers to the valid event. */
  arrange: (engine: FakeEngine) => void;
  validStatus: number;
  /** The engine call the valid event must cause, exactly. */
  expectCall: (engine: FakeEngine) => void;
  invalid: { statusCode: number; body: unknown };
}

const validationFailed = (...details: { field: string; message: string }[]) => ({
  error: { code: 'VALIDATION_FAILED', message: 'The request is not valid.', details },
});
const checkout = { viewerId: VIEWER_SUB, orderId: 'ORD-2025-11-26-000123' };

const ROUTES: Record<string, RouteCase> = {
  'create-deal': {
    create: createCreateDealHandler,
    arrange: (engine) => engine.createDealKeyed.mockResolvedValue(firstAnswer(sampleDeal())),
    validStatus: 201,
    expectCall: (engine) =>
      expect(engine.createDealKeyed).toHaveBeenCalledExactlyOnceWith(
        {
          title: 'Wireless earbuds, live only',
          sku: 'EARBUDS-PRO-2',
          streamId: 'stream-2025-11-26-evening',
          currency: 'EUR',
          listPrice: 12900,
          dealPrice: 7900,
          stock: 500,
          perViewerLimit: 2,
          claimTtlSeconds: 600,
          durationSeconds: 1800,
        },
        HOST_SUB,
        undefined,
      ),
    invalid: {
      statusCode: 400,
      body: validationFailed(
        { field: 'body.currency', message: 'Must be an ISO 4217 currency code in upper case, e.g. EUR.' },
        { field: 'body.discount', message: 'Unknown field.' },
        { field: 'body.dealPrice', message: 'dealPrice must be lower than listPrice.' },
      ),
    },
  },
  'get-deal': {
    create: createGetDealHandler,
    arrange: (engine) => engine.getDeal.mockResolvedValue(sampleDeal()),
    validStatus: 200,
    expectCall: (engine) => expect(engine.getDeal).toHaveBeenCalledExactlyOnceWith(DEAL_ID),
    invalid: {
      statusCode: 400,
      body: validationFailed({ field: 'path.dealId', message: 'Must be a ULID.' }),
    },
  },
  'get-deal-audit': {
    create: createGetDealAuditHandler,
    arrange: (engine) => engine.auditTrail.mockResolvedValue({ records: [] }),
    validStatus: 200,
    expectCall: (engine) =>
      expect(engine.auditTrail).toHaveBeenCalledExactlyOnceWith(
        DEAL_ID,
        { sub: HOST_SUB, scopes: new Set(['livedrop/host']) },
        { limit: 50 },
      ),
    invalid: {
      statusCode: 400,
      body: validationFailed({ field: 'query.limit', message: 'Must be between 1 and 200.' }),
    },
  },
  'get-deal-live': {
    create: createGetDealLiveHandler,
    arrange: (engine) =>
      engine.liveDeal.mockResolvedValue({
        dealId: DEAL_ID,
        title: 'Jacket',
        status: 'LIVE',
        available: 3,
        currency: 'EUR',
        dealPrice: 6_000,
        listPrice: 12_000,
      }),
    validStatus: 200,
    expectCall: (engine) => expect(engine.liveDeal).toHaveBeenCalledExactlyOnceWith(DEAL_ID),
    invalid: {
      statusCode: 400,
      body: validationFailed({ field: 'path.dealId', message: 'Must be a ULID.' }),
    },
  },
  'list-stream-deals': {
    create: createListStreamDealsHandler,
    arrange: (engine) => engine.streamDeals.mockResolvedValue([]),
    validStatus: 200,
    expectCall: (engine) => expect(engine.streamDeals).toHaveBeenCalledExactlyOnceWith('gala-stream-1'),
    invalid: {
      statusCode: 400,
      body: validationFailed({ field: 'path.streamId', message: 'Must be printable ASCII without spaces.' }),
    },
  },
  'get-stream-live': {
    create: createGetStreamLiveHandler,
    arrange: (engine) =>
      engine.streamLive.mockResolvedValue({
        streamId: 'gala-stream-1',
        version: 7,
        at: '2025-11-26T09:25:00.003Z',
        deals: [],
      }),
    validStatus: 200,
    expectCall: (engine) => expect(engine.streamLive).toHaveBeenCalledExactlyOnceWith('gala-stream-1'),
    invalid: {
      statusCode: 400,
      body: validationFailed({ field: 'path.streamId', message: 'Must be printable ASCII without spaces.' }),
    },
  },
  'cue-deal': {
    create: createCueDealHandler,
    arrange: (engine) => engine.cueKeyed.mockResolvedValue(firstAnswer(sampleDeal())),
    validStatus: 200,
    expectCall: (engine) =>
      expect(engine.cueKeyed).toHaveBeenCalledExactlyOnceWith(
        DEAL_ID,
        { action: 'restock', quantity: 250 },
        { sub: HOST_SUB, scopes: new Set(['livedrop/host']) },
        undefined,
      ),
    invalid: {
      statusCode: 400,
      body: validationFailed({
        field: 'body.quantity',
        message: 'quantity is required for restock and allowed only there.',
      }),
    },
  },
  'claim-coupon': {
    create: createClaimCouponHandler,
    arrange: (engine) => engine.claim.mockResolvedValue({ coupon: sampleCoupon(), replayed: false }),
    validStatus: 201,
    expectCall: (engine) =>
      expect(engine.claim).toHaveBeenCalledExactlyOnceWith(
        DEAL_ID,
        VIEWER_SUB,
        'b7e2a9c4-1f3d-4e5a-9b8c-7d6e5f4a3b2c',
      ),
    invalid: {
      statusCode: 400,
      body: validationFailed({
        field: 'headers.idempotency-key',
        message: 'Must be printable ASCII without spaces.',
      }),
    },
  },
  'list-my-coupons': {
    create: createListMyCouponsHandler,
    arrange: (engine) => engine.listCoupons.mockResolvedValue({ coupons: [sampleCoupon()] }),
    validStatus: 200,
    expectCall: (engine) =>
      expect(engine.listCoupons).toHaveBeenCalledExactlyOnceWith(VIEWER_SUB, {
        limit: 20,
      }),
    invalid: {
      statusCode: 400,
      body: validationFailed({ field: 'query.limit', message: 'Must be between 1 and 100.' }),
    },
  },
  'redeem-coupon': {
    create: createRedeemCouponHandler,
    arrange: (engine) => engine.redeem.mockResolvedValue(sampleCoupon({ status: 'REDEEMED' })),
    validStatus: 200,
    expectCall: (engine) =>
      expect(engine.redeem).toHaveBeenCalledExactlyOnceWith(COUPON_CODE, checkout, {
        sub: CHECKOUT_SUB,
        scopes: new Set(['livedrop/checkout']),
      }),
    invalid: {
      statusCode: 403,
      body: { error: { code: 'FORBIDDEN', message: 'You are not allowed to do this.' } },
    },
  },
  'release-coupon': {
    create: createReleaseCouponHandler,
    arrange: (engine) => engine.release.mockResolvedValue(sampleCoupon()),
    validStatus: 200,
    expectCall: (engine) =>
      expect(engine.release).toHaveBeenCalledExactlyOnceWith(COUPON_CODE, checkout, {
        sub: CHECKOUT_SUB,
        scopes: new Set(['livedrop/checkout']),
      }),
    invalid: {
      statusCode: 415,
      body: {
        error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The request body must be application/json.' },
      },
    },
  },
  'create-price-drop': {
    create: createCreatePriceDropHandler,
    arrange: (engine) => engine.schedulePriceDropKeyed.mockResolvedValue(firstAnswer(samplePriceDrop())),
    validStatus: 201,
    expectCall: (engine) =>
      expect(engine.schedulePriceDropKeyed).toHaveBeenCalledExactlyOnceWith(
        GALA_ID,
        { at: '2026-11-26T19:00:00Z', timeZone: 'Europe/Berlin', percentOff: 20, stock: 100 },
        { sub: ADMIN_SUB, scopes: new Set(['livedrop/admin']) },
        undefined,
      ),
    invalid: {
      statusCode: 400,
      body: validationFailed(
        { field: 'body.timeZone', message: 'Must be an IANA time zone, e.g. Europe/Berlin.' },
        { field: 'body.dealPrice', message: 'Give exactly one of dealPrice or percentOff.' },
      ),
    },
  },
  'list-price-drops': {
    create: createListPriceDropsHandler,
    arrange: (engine) => engine.listPriceDrops.mockResolvedValue([samplePriceDrop()]),
    validStatus: 200,
    expectCall: (engine) => expect(engine.listPriceDrops).toHaveBeenCalledExactlyOnceWith(GALA_ID),
    invalid: {
      statusCode: 400,
      body: validationFailed({ field: 'path.galaId', message: 'Must be printable ASCII without spaces.' }),
    },
  },
  'cancel-price-drop': {
    create: createCancelPriceDropHandler,
    arrange: (engine) => engine.cancelPriceDrop.mockResolvedValue(samplePriceDrop({ status: 'CANCELLED' })),
    validStatus: 200,
    expectCall: (engine) => expect(engine.cancelPriceDrop).toHaveBeenCalledExactlyOnceWith(GALA_ID, DROP_ID),
    invalid: {
      statusCode: 400,
      body: validationFailed({ field: 'path.dropId', message: 'Must be a ULID.' }),
    },
  },
};

// EventBridge samples, tested in test/unit/events and test/integration/stream-events; the input of a gala
// price drop's one-time schedule, tested in test/unit/http/price-drops.test.ts; the SQS batch of the
// live-metadata function, tested in test/unit/events/live-metadata.test.ts.
const NON_HTTP_EVENTS = [
  'apply-price-drop.json',
  'ivs-stream-end.json',
  'live-metadata.json',
  'stream-cue.invalid.json',
  'stream-cue.valid.json',
  'sweep.json',
];

it('has a valid and an invalid sample event for every route and nothing untested', () => {
  const expected = [
    ...Object.keys(ROUTES).flatMap((route) => [`${route}.invalid.json`, `${route}.valid.json`]),
    ...NON_HTTP_EVENTS,
  ].sort();
  expect(eventFileNames().sort()).toStrictEqual(expected);
});

describe.each(Object.entries(ROUTES))('events/%s.*.json', (route, routeCase) => {
  let engine: FakeEngine;
  let handler: HttpHandler;

  beforeEach(() => {
    engine = fakeEngine();
    handler = routeCase.create({ engine, logger: silentLogger() });
  });

  it('routes the valid event to the engine with the parsed input', async () => {
    routeCase.arrange(engine);
    const response = await invoke(handler, loadEvent(`${route}.valid`));
    expect(response.statusCode).toBe(routeCase.validStatus);
    routeCase.expectCall(engine);
    const calls = Object.values(engine).reduce((total, method) => total + method.mock.calls.length, 0);
    expect(calls).toBe(1);
  });

  it('refuses the invalid event with a 4xx and leaves the engine alone', async () => {
    const response = await invoke(handler, loadEvent(`${route}.invalid`));
    expect(response.statusCode).toBe(routeCase.invalid.statusCode);
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(jsonBody(response)).toStrictEqual(routeCase.invalid.body);
    for (const method of Object.values(engine)) expect(method).not.toHaveBeenCalled();
  });

  it('is an event for this route', () => {
    for (const kind of ['valid', 'invalid']) {
      const event = loadEvent(`${route}.${kind}`);
      expect(event.version).toBe('2.0');
      expect(event.requestContext.routeKey).toBe(event.routeKey);
      expect(event.requestContext.http.path).toBe(event.rawPath);
      expect(event.routeKey.startsWith(`${event.requestContext.http.method} `)).toBe(true);
    }
  });
});
