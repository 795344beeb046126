import { beforeEach, describe, expect, it } from 'vitest';
import { createClaimCouponHandler } from '../../../functions/claim-coupon/app.js';
import { createCreateDealHandler } from '../../../functions/create-deal/app.js';
import { createCueDealHandler } from '../../../functions/cue-deal/app.js';
import { createGetDealHandler } from '../../../functions/get-deal/app.js';
import { createListMyCouponsHandler } from '../../../functions/list-my-coupons/app.js';
import { createRedeemCouponHandler } from '../../../functions/redeem-coupon/app.js';
import { createReleaseCouponHandler } from '../../../functions/release-coupon/app.js';
import { Forbidden, SoldOut } from '../../../functions/shared/domain/errors.js';
import type { HttpHandler } from '../../../functions/shared/http/http-handler.js';
import type { HandlerDeps } from '../../../functions/shared/http/types.js';
import {
  CHECKOUT_SUB,
  COUPON_CODE,
  DEAL_ID,
  type FakeEngine,
  fakeEngine,
  firstAnswer,
  HOST_SUB,
  invoke,
  JSON_HEADERS,
  jsonBody,
  loadEvent,
  sampleCoupon,
  sampleDeal,
  silentLogger,
  VIEWER_SUB,
} from './support.js';

let engine: FakeEngine;
let deps: HandlerDeps;

beforeEach(() => {
  engine = fakeEngine();
  deps = { engine, logger: silentLogger() };
});

const validationFailed = (...details: { field: string; message: string }[]) => ({
  error: { code: 'VALIDATION_FAILED', message: 'The request is not valid.', details },
});
const forbidden = { error: { code: 'FORBIDDEN', message: 'You are not allowed to do this.' } };

const expectNoEngineCall = () => {
  for (const method of Object.values(engine)) expect(method).not.toHaveBeenCalled();
};

describe('POST /deals', () => {
  let handler: HttpHandler;
  beforeEach(() => {
    handler = createCreateDealHandler(deps);
  });

  it('creates the deal for the calling host and points at it', async () => {
    const deal = sampleDeal({ status: 'SCHEDULED' });
    engine.createDealKeyed.mockResolvedValue(firstAnswer(deal));
    const event = loadEvent('create-deal.valid');
    event.body = JSON.stringify({
      title: '  Earbuds  ',
      sku: 'EARBUDS-PRO-2',
      streamId: 'stream-1',
      currency: 'EUR',
      listPrice: 12900,
      dealPrice: 7900,
      stock: 500,
    });
    const response = await invoke(handler, event);
    expect(response.statusCode).toBe(201);
    expect(response.headers).toStrictEqual({ ...JSON_HEADERS, location: `/deals/${DEAL_ID}` });
    expect(jsonBody(response)).toStrictEqual(deal);
    expect(engine.createDealKeyed).toHaveBeenCalledExactlyOnceWith(
      {
        title: 'Earbuds',
        sku: 'EARBUDS-PRO-2',
        streamId: 'stream-1',
        currency: 'EUR',
        listPrice: 12900,
        dealPrice: 7900,
        stock: 500,
        perViewerLimit: 1,
        claimTtlSeconds: 600,
      },
      HOST_SUB,
      undefined,
    );
  });

  it('lets an admin create a deal', async () => {
    engine.createDealKeyed.mockResolvedValue(firstAnswer(sampleDeal()));
    const event = loadEvent('create-deal.valid');
    event.requestContext.authorizer.jwt.claims.scope = 'livedrop/admin';
    expect((await invoke(handler, event)).statusCode).toBe(201);
  });

  it('refuses a viewer with 403', async () => {
    const event = loadEvent('create-deal.valid');
    event.requestContext.authorizer.jwt.claims.scope = 'livedrop/viewer';
    const response = await invoke(handler, event);
    expect(response.statusCode).toBe(403);
    expect(jsonBody(response)).toStrictEqual(forbidden);
    expectNoEngineCall();
  });

  it('refuses a body with a hostId of its own: the host is always the caller', async () => {
    const event = loadEvent('create-deal.valid');
    event.body = JSON.stringify({ ...JSON.parse(event.body ?? '{}'), hostId: 'someone-else' });
    const response = await invoke(handler, event);
    expect(response.statusCode).toBe(400);
    expect(jsonBody(response)).toStrictEqual(
      validationFailed({ field: 'body.hostId', message: 'Unknown field.' }),
    );
    expectNoEngineCall();
  });
});

describe('GET /deals/{dealId}', () => {
  it.each(['livedrop/viewer', 'livedrop/host', 'livedrop/checkout', 'livedrop/admin'])(
    'returns the deal to %s',
    async (scope) => {
      const deal = sampleDeal();
      engine.getDeal.mockResolvedValue(deal);
      const event = loadEvent('get-deal.valid');
      event.requestContext.authorizer.jwt.claims.scope = scope;
      const response = await invoke(createGetDealHandler(deps), event);
      expect(response.statusCode).toBe(200);
      expect(jsonBody(response)).toStrictEqual(deal);
      expect(engine.getDeal).toHaveBeenCalledExactlyOnceWith(DEAL_ID);
    },
  );
});

describe('POST /deals/{dealId}/cues', () => {
  it('passes the cue and the calling actor to the engine', async () => {
    const deal = sampleDeal({ status: 'PAUSED' });
    engine.cueKeyed.mockResolvedValue(firstAnswer(deal));
    const event = loadEvent('cue-deal.valid');
    event.body = JSON.stringify({ action: 'pause' });
    const response = await invoke(createCueDealHandler(deps), event);
    expect(response.statusCode).toBe(200);
    expect(jsonBody(response)).toStrictEqual(deal);
    expect(engine.cueKeyed).toHaveBeenCalledExactlyOnceWith(
      DEAL_ID,
      { action: 'pause' },
      { sub: HOST_SUB, scopes: new Set(['livedrop/host']) },
      undefined,
    );
  });

  it('answers with the engine’s refusal when the caller does not host the deal', async () => {
    engine.cueKeyed.mockRejectedValue(new Forbidden('Only the deal’s host or an admin can cue it.'));
    const response = await invoke(createCueDealHandler(deps), loadEvent('cue-deal.valid'));
    expect(response.statusCode).toBe(403);
    expect(jsonBody(response)).toStrictEqual({
      error: { code: 'FORBIDDEN', message: 'Only the deal’s host or an admin can cue it.' },
    });
  });

  it('refuses an unknown action with 400', async () => {
    const event = loadEvent('cue-deal.valid');
    event.body = JSON.stringify({ action: 'explode' });
    const response = await invoke(createCueDealHandler(deps), event);
    expect(response.statusCode).toBe(400);
    expect(jsonBody(response)).toStrictEqual(
      validationFailed({
        field: 'body.action',
        message: 'Invalid option: expected one of "start"|"pause"|"resume"|"end"|"restock"|"extend"',
      }),
    );
    expectNoEngineCall();
  });
});

describe('POST /deals/{dealId}/claims', () => {
  let handler: HttpHandler;
  beforeEach(() => {
    handler = createClaimCouponHandler(deps);
  });

  it('answers 201 with a new coupon', async () => {
    const coupon = sampleCoupon();
    engine.claim.mockResolvedValue({ coupon, replayed: false });
    const response = await invoke(handler, loadEvent('claim-coupon.valid'));
    expect(response.statusCode).toBe(201);
    expect(jsonBody(response)).toStrictEqual(coupon);
    expect(engine.claim).toHaveBeenCalledExactlyOnceWith(
      DEAL_ID,
      VIEWER_SUB,
      'b7e2a9c4-1f3d-4e5a-9b8c-7d6e5f4a3b2c',
    );
  });

  it('answers 200 with the first coupon when the claim is a replay', async () => {
    const coupon = sampleCoupon();
    engine.claim.mockResolvedValue({ coupon, replayed: true });
    const response = await invoke(handler, loadEvent('claim-coupon.valid'));
    expect(response.statusCode).toBe(200);
    expect(jsonBody(response)).toStrictEqual(coupon);
  });

  it('claims without an idempotency key when the header is absent', async () => {
    engine.claim.mockResolvedValue({ coupon: sampleCoupon(), replayed: false });
    const event = loadEvent('claim-coupon.valid');
    delete event.headers['idempotency-key'];
    expect((await invoke(handler, event)).statusCode).toBe(201);
    expect(engine.claim).toHaveBeenCalledExactlyOnceWith(DEAL_ID, VIEWER_SUB, undefined);
  });

  it('reads the Idempotency-Key header whatever its case', async () => {
    engine.claim.mockResolvedValue({ coupon: sampleCoupon(), replayed: false });
    const event = loadEvent('claim-coupon.valid');
    delete event.headers['idempotency-key'];
    event.headers['Idempotency-Key'] = 'retry-42';
    await invoke(handler, event);
    expect(engine.claim).toHaveBeenCalledExactlyOnceWith(DEAL_ID, VIEWER_SUB, 'retry-42');
  });

  it('refuses an empty idempotency key with 400, naming every rule it breaks', async () => {
    const event = loadEvent('claim-coupon.valid');
    event.headers['idempotency-key'] = '';
    const response = await invoke(handler, event);
    expect(response.statusCode).toBe(400);
    expect(jsonBody(response)).toStrictEqual(
      validationFailed(
        { field: 'headers.idempotency-key', message: 'Too small: expected string to have >=1 characters' },
        { field: 'headers.idempotency-key', message: 'Must be printable ASCII without spaces.' },
      ),
    );
    expectNoEngineCall();
  });

  it('ignores whatever body comes with the claim', async () => {
    engine.claim.mockResolvedValue({ coupon: sampleCoupon(), replayed: false });
    const event = loadEvent('claim-coupon.valid');
    event.headers['content-type'] = 'text/plain';
    event.body = 'viewerId=someone-else';
    expect((await invoke(handler, event)).statusCode).toBe(201);
    expect(engine.claim).toHaveBeenCalledExactlyOnceWith(
      DEAL_ID,
      VIEWER_SUB,
      'b7e2a9c4-1f3d-4e5a-9b8c-7d6e5f4a3b2c',
    );
  });

  it('refuses a host with 403: only viewers claim', async () => {
    const event = loadEvent('claim-coupon.valid');
    event.requestContext.authorizer.jwt.claims.scope = 'livedrop/host livedrop/admin';
    const response = await invoke(handler, event);
    expect(response.statusCode).toBe(403);
    expectNoEngineCall();
  });

  it('answers 409 SOLD_OUT when the engine has no stock left', async () => {
    engine.claim.mockRejectedValue(new SoldOut(DEAL_ID));
    const response = await invoke(handler, loadEvent('claim-coupon.valid'));
    expect(response.statusCode).toBe(409);
    expect(jsonBody(response)).toStrictEqual({
      error: { code: 'SOLD_OUT', message: `Deal ${DEAL_ID} is sold out.` },
    });
  });
});

describe('GET /me/coupons', () => {
  let handler: HttpHandler;
  beforeEach(() => {
    handler = createListMyCouponsHandler(deps);
  });

  it('lists the caller’s coupons with the next cursor', async () => {
    const coupons = [sampleCoupon(), sampleCoupon({ code: 'AAAA-BBBB-CCCC-DDDD', status: 'REDEEMED' })];
    engine.listCoupons.mockResolvedValue({ coupons, nextCursor: 'next-page' });
    const event = loadEvent('list-my-coupons.valid');
    event.queryStringParameters = { limit: '20', cursor: 'this-page' };
    const response = await invoke(handler, event);
    expect(response.statusCode).toBe(200);
    expect(jsonBody(response)).toStrictEqual({ coupons, nextCursor: 'next-page' });
    expect(engine.listCoupons).toHaveBeenCalledExactlyOnceWith(VIEWER_SUB, {
      limit: 20,
      cursor: 'this-page',
    });
  });

  it('leaves out nextCursor on the last page', async () => {
    engine.listCoupons.mockResolvedValue({ coupons: [] });
    const event = loadEvent('list-my-coupons.valid');
    delete event.queryStringParameters;
    const response = await invoke(handler, event);
    expect(response.body).toBe('{"coupons":[]}');
    expect(engine.listCoupons).toHaveBeenCalledExactlyOnceWith(VIEWER_SUB, {
      limit: undefined,
      cursor: undefined,
    });
  });

  it.each(['1', '100'])('accepts limit=%s', async (limit) => {
    engine.listCoupons.mockResolvedValue({ coupons: [] });
    const event = loadEvent('list-my-coupons.valid');
    event.queryStringParameters = { limit };
    expect((await invoke(handler, event)).statusCode).toBe(200);
    expect(engine.listCoupons).toHaveBeenCalledExactlyOnceWith(VIEWER_SUB, {
      limit: Number(limit),
      cursor: undefined,
    });
  });

  it.each([
    ['0', 'Must be between 1 and 100.'],
    ['101', 'Must be between 1 and 100.'],
    ['ten', 'Must be a whole number.'],
    ['-5', 'Must be a whole number.'],
  ])('refuses limit=%s with 400', async (limit, message) => {
    const event = loadEvent('list-my-coupons.valid');
    event.queryStringParameters = { limit };
    const response = await invoke(handler, event);
    expect(response.statusCode).toBe(400);
    expect(jsonBody(response)).toStrictEqual(validationFailed({ field: 'query.limit', message }));
    expectNoEngineCall();
  });

  it('refuses an unknown query parameter with 400', async () => {
    const event = loadEvent('list-my-coupons.valid');
    event.queryStringParameters = { viewerId: 'someone-else' };
    const response = await invoke(handler, event);
    expect(jsonBody(response)).toStrictEqual(
      validationFailed({ field: 'query.viewerId', message: 'Unknown field.' }),
    );
    expectNoEngineCall();
  });
});

describe.each([
  ['POST /coupons/{code}/redemptions', 'redeem-coupon.valid', createRedeemCouponHandler, 'redeem'] as const,
  ['POST /coupons/{code}/releases', 'release-coupon.valid', createReleaseCouponHandler, 'release'] as const,
])('%s', (_route, eventName, create, method) => {
  it('passes the code and the order to the engine and returns the coupon', async () => {
    const coupon = sampleCoupon({ status: method === 'redeem' ? 'REDEEMED' : 'ISSUED' });
    engine[method].mockResolvedValue(coupon);
    const response = await invoke(create(deps), loadEvent(eventName));
    expect(response.statusCode).toBe(200);
    expect(jsonBody(response)).toStrictEqual(coupon);
    expect(engine[method]).toHaveBeenCalledExactlyOnceWith(
      COUPON_CODE,
      { viewerId: VIEWER_SUB, orderId: 'ORD-2025-11-26-000123' },
      { sub: CHECKOUT_SUB, scopes: new Set(['livedrop/checkout']) },
    );
  });

  it('refuses a code longer than 64 characters with 400', async () => {
    const event = loadEvent(eventName);
    event.pathParameters = { code: 'X'.repeat(65) };
    const response = await invoke(create(deps), event);
    expect(jsonBody(response)).toStrictEqual(
      validationFailed({ field: 'path.code', message: 'Too big: expected string to have <=64 characters' }),
    );
    expectNoEngineCall();
  });

  it('refuses a body without an orderId with 400', async () => {
    const event = loadEvent(eventName);
    event.isBase64Encoded = false;
    event.body = JSON.stringify({ viewerId: VIEWER_SUB });
    const response = await invoke(create(deps), event);
    expect(jsonBody(response)).toStrictEqual(
      validationFailed({
        field: 'body.orderId',
        message: 'Invalid input: expected string, received undefined',
      }),
    );
    expectNoEngineCall();
  });

  it('is for checkout only', async () => {
    const event = loadEvent(eventName);
    event.requestContext.authorizer.jwt.claims.scope = 'livedrop/viewer livedrop/host livedrop/admin';
    const response = await invoke(create(deps), event);
    expect(response.statusCode).toBe(403);
    expect(jsonBody(response)).toStrictEqual(forbidden);
    expectNoEngineCall();
  });
});
