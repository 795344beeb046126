import { readdirSync, readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { type Mocked, vi } from 'vitest';
import type { CouponView, DealView, PriceDropView } from '../../../functions/shared/domain/schemas.js';
import type { HttpHandler } from '../../../functions/shared/http/http-handler.js';
import type { HttpEvent, HttpResponse } from '../../../functions/shared/http/types.js';
import { Logger } from '../../../functions/shared/logger.js';
import type { LivedropEngine, Replayable } from '../../../functions/shared/use-cases/types.js';

export const DEAL_ID = '01JDQ8ZK3V6N7H9MXBR4TWCYPE';
export const COUPON_CODE = '7KQ2-M9XH-3TRD-W4PZ';
/** The subs used in events/*.json. */
export const HOST_SUB = 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
export const VIEWER_SUB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
export const CHECKOUT_SUB = '3n4b5urk1ft4fl3mg5e62d9ado';
export const ADMIN_SUB = 'a9d8c7b6-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
/** The gala and the drop the price-drop samples name. */
export const GALA_ID = 'gala-2026';
export const DROP_ID = '01KB6Y2Q8M3N4P5R6S7T8V9W0X';

const EVENTS_DIR = new URL('../../../events/', import.meta.url);

export const eventFileNames = (): string[] =>
  readdirSync(EVENTS_DIR).filter((name) => name.endsWith('.json'));

/** A fresh copy of a sample event from events/, so a test can change it freely. */
export const loadEvent = <T = HttpEvent>(name: string): T =>
  JSON.parse(readFileSync(new URL(name.endsWith('.json') ? name : `${name}.json`, EVENTS_DIR), 'utf8')) as T;

export type FakeEngine = Mocked<LivedropEngine>;

/** Every use case is a vi.fn that fails loudly unless the test says what it returns. */
export const fakeEngine = (): FakeEngine => {
  const unexpected = (name: string) => () => Promise.reject(new Error(`unexpected call to engine.${name}`));
  return {
    createDeal: vi.fn<LivedropEngine['createDeal']>(unexpected('createDeal')),
    getDeal: vi.fn<LivedropEngine['getDeal']>(unexpected('getDeal')),
    cue: vi.fn<LivedropEngine['cue']>(unexpected('cue')),
    claim: vi.fn<LivedropEngine['claim']>(unexpected('claim')),
    listCoupons: vi.fn<LivedropEngine['listCoupons']>(unexpected('listCoupons')),
    redeem: vi.fn<LivedropEngine['redeem']>(unexpected('redeem')),
    release: vi.fn<LivedropEngine['release']>(unexpected('release')),
    sweep: vi.fn<LivedropEngine['sweep']>(unexpected('sweep')),
    endStream: vi.fn<LivedropEngine['endStream']>(unexpected('endStream')),
    liveDeal: vi.fn<LivedropEngine['liveDeal']>(unexpected('liveDeal')),
    streamDeals: vi.fn<LivedropEngine['streamDeals']>(unexpected('streamDeals')),
    streamLive: vi.fn<LivedropEngine['streamLive']>(unexpected('streamLive')),
    schedulePriceDrop: vi.fn<LivedropEngine['schedulePriceDrop']>(unexpected('schedulePriceDrop')),
    listPriceDrops: vi.fn<LivedropEngine['listPriceDrops']>(unexpected('listPriceDrops')),
    cancelPriceDrop: vi.fn<LivedropEngine['cancelPriceDrop']>(unexpected('cancelPriceDrop')),
    applyPriceDrop: vi.fn<LivedropEngine['applyPriceDrop']>(unexpected('applyPriceDrop')),
    auditTrail: vi.fn<LivedropEngine['auditTrail']>(unexpected('auditTrail')),
    createDealKeyed: vi.fn<LivedropEngine['createDealKeyed']>(unexpected('createDealKeyed')),
    schedulePriceDropKeyed: vi.fn<LivedropEngine['schedulePriceDropKeyed']>(
      unexpected('schedulePriceDropKeyed'),
    ),
    cueKeyed: vi.fn<LivedropEngine['cueKeyed']>(unexpected('cueKeyed')),
    putLiveMetadata: vi.fn<LivedropEngine['putLiveMetadata']>(unexpected('putLiveMetadata')),
  };
};

/** What a keyed route's use case answers to a first request (no replay). */
export const firstAnswer = <T>(value: T): Replayable<T> => ({ value, replayed: false });

/** A real Logger that prints nothing; spy on its methods to see what was logged. */
export const silentLogger = (): Logger => new Logger({ serviceName: 'livedrop-test', logLevel: 'SILENT' });

export const lambdaContext = (): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'livedrop-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:livedrop-test',
  memoryLimitInMB: '1024',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  logGroupName: '/aws/lambda/livedrop-test',
  logStreamName: '2025/11/26/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

export const invoke = (handler: HttpHandler, event: HttpEvent): Promise<HttpResponse> =>
  handler(event, lambdaContext());

/** The parsed JSON body of a response. */
export const jsonBody = (response: HttpResponse): unknown =>
  response.body === undefined ? undefined : JSON.parse(response.body);

export const sampleDeal = (overrides: Partial<DealView> = {}): DealView => ({
  dealId: DEAL_ID,
  title: 'Wireless earbuds, live only',
  sku: 'EARBUDS-PRO-2',
  streamId: 'stream-2025-11-26-evening',
  hostId: HOST_SUB,
  status: 'LIVE',
  currency: 'EUR',
  listPrice: 12900,
  dealPrice: 7900,
  stock: 500,
  available: 480,
  held: 15,
  redeemed: 5,
  perViewerLimit: 2,
  claimTtlSeconds: 600,
  durationSeconds: 1800,
  createdAt: '2025-11-26T09:00:00.000Z',
  startedAt: '2025-11-26T09:05:00.000Z',
  endsAt: '2025-11-26T09:35:00.000Z',
  ...overrides,
});

export const sampleCoupon = (overrides: Partial<CouponView> = {}): CouponView => ({
  couponId: '01JDQ9A0B1C2D3E4F5G6H7J8K9',
  code: COUPON_CODE,
  dealId: DEAL_ID,
  viewerId: VIEWER_SUB,
  status: 'ISSUED',
  issuedAt: '2025-11-26T09:10:00.000Z',
  expiresAt: '2025-11-26T09:20:00.000Z',
  dealPrice: 7900,
  listPrice: 12900,
  currency: 'EUR',
  ...overrides,
});

export const samplePriceDrop = (overrides: Partial<PriceDropView> = {}): PriceDropView => ({
  dropId: DROP_ID,
  galaId: GALA_ID,
  status: 'SCHEDULED',
  at: '2026-11-26T19:00:00.000Z',
  timeZone: 'Europe/Berlin',
  percentOff: 20,
  stock: 100,
  createdAt: '2025-11-26T09:25:00.000Z',
  ...overrides,
});

/** The headers every JSON response carries. */
export const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
};
