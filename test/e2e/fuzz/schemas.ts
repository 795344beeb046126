/**
 * The body schemas of the fuzz tests: creating a deal, cues, checkout, gala price drops and local tokens,
 * with the values each field never accepts.
 */
import fc from 'fast-check';
import type { BodySchema } from './bodies.js';
import {
  badIdentifier,
  badInt,
  badUlidValue,
  char,
  compact,
  isoAt,
  maybe,
  notObject,
  notString,
  printable,
  withBadChar,
  without,
} from './values.js';

const TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const badCurrency = fc.oneof(
  notString,
  fc.constantFrom('eur', 'Eur', 'EURO', 'EU', '', '€', ' EUR', 'EUR ', 'E U R', 'ЕUR'),
  fc.string({ unit: char(0x41, 0x5a), minLength: 3, maxLength: 3 }).filter((c) => !CURRENCIES.has(c)),
);

const badTimeZone = fc.oneof(
  notString,
  fc
    .constantFrom(
      'Europe/Atlantis',
      'utc',
      'europe/berlin',
      'GMT+1',
      '+01:00',
      '',
      'CEST',
      'Europe/Berlin ',
      'Mars/Olympus',
    )
    .filter((zone) => !TIME_ZONES.has(zone)),
  withBadChar,
);

const offsets = fc.constantFrom(0, 60, 120, -300, 330, 840, -720, 345);
const futureInstant = fc
  .tuple(fc.integer({ min: 2 * 3_600_000, max: 300 * 86_400_000 }), offsets)
  .map(([ahead, offset]) => isoAt(Date.now() + ahead, offset));
const pastInstant = fc
  .tuple(
    fc.integer({ min: Date.parse('1971-01-01T00:00:00Z'), max: Date.parse('2025-01-01T00:00:00Z') }),
    offsets,
  )
  .map(([ms, offset]) => isoAt(ms, offset));

const badInstant = fc.oneof(
  notString,
  fc.constantFrom(
    '2027-02-30T10:00:00Z',
    '2027-04-31T00:00:00+02:00',
    '2027-12-31T24:00:00Z',
    '2027-01-01T00:00:60Z',
    '2027-01-01',
    '2027-01-01T00:00:00',
    '2027-01-01T00:00Z',
    '2027-01-01 00:00:00Z',
    '2027-01-01T00:00:00+2400',
    '2027-01-01T00:00:00+25:00',
    '+2027-01-01T00:00:00Z',
    '10000-01-01T00:00:00Z',
    'tomorrow',
    '1893456000',
    '',
  ),
  withBadChar,
);

const titleValid = fc
  .oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), printable(1, 200))
  .filter((t) => t.trim().length > 0 && t.trim().length <= 200);

const ivsArn = fc
  .tuple(
    fc.constantFrom('us-east-1', 'eu-west-1'),
    fc.string({ unit: char(0x61, 0x7a), minLength: 4, maxLength: 12 }),
  )
  .map(([region, id]) => `arn:aws:ivs:${region}:123456789012:channel/${id}`);

export const createDealSchema: BodySchema = {
  valid: fc
    .record({
      title: titleValid,
      sku: printable(1, 100),
      streamId: printable(1, 128),
      galaId: maybe(printable(1, 128)),
      ivsChannelArn: maybe(ivsArn),
      currency: fc.constantFrom('EUR', 'USD', 'JPY', 'GBP', 'CHF'),
      listPrice: fc.integer({ min: 2, max: 1e12 }),
      dealPriceShare: fc.double({ min: 0, max: 0.999, noNaN: true }),
      stock: fc.integer({ min: 1, max: 1_000 }),
      perViewerLimit: maybe(fc.integer({ min: 1, max: 10 })),
      claimTtlSeconds: maybe(fc.integer({ min: 1, max: 86_400 })),
      durationSeconds: maybe(fc.integer({ min: 1, max: 7 * 86_400 })),
      shards: maybe(fc.integer({ min: 1, max: 64 })),
    })
    .map(({ dealPriceShare, ...deal }) =>
      compact({
        ...deal,
        dealPrice: Math.max(1, Math.min(deal.listPrice - 1, Math.floor(deal.listPrice * dealPriceShare))),
        shards: deal.shards === undefined ? undefined : Math.min(deal.shards, deal.stock),
      }),
    ),
  required: ['title', 'sku', 'streamId', 'currency', 'listPrice', 'dealPrice', 'stock'],
  known: [
    'title',
    'sku',
    'streamId',
    'galaId',
    'ivsChannelArn',
    'currency',
    'listPrice',
    'dealPrice',
    'stock',
    'perViewerLimit',
    'claimTtlSeconds',
    'durationSeconds',
    'shards',
  ],
  invalid: {
    title: fc.oneof(
      notString,
      fc.constantFrom('', ' ', '\t\n', '\u00a0', '\ufeff', '\u2028'),
      fc.integer({ min: 201, max: 400 }).map((n) => 'a'.repeat(n)),
    ),
    sku: badIdentifier(100),
    streamId: badIdentifier(128),
    galaId: badIdentifier(128),
    ivsChannelArn: fc.oneof(
      notString,
      fc.constantFrom(
        'arn:aws:ivs:us-east-1:123456789012:channel/abc-def',
        'arn:aws:ivs:us-east-1:12345678901:channel/abc',
        'arn:aws:ivs:us-east-1:123456789012:channel/',
        'arn:aws:ivs:us-east-1:123456789012:channel/abc\n',
        'arn:aws:s3:::bucket',
        'arn:aws:ivs:US-EAST-1:123456789012:channel/abc',
      ),
      withBadChar,
    ),
    currency: badCurrency,
    listPrice: badInt(1, 1e12),
    dealPrice: badInt(1, 1e12),
    stock: badInt(1, 10_000_000),
    perViewerLimit: badInt(1, 10),
    claimTtlSeconds: badInt(1, 86_400),
    durationSeconds: badInt(1, 7 * 86_400),
    shards: badInt(1, 64),
  },
  cross: [
    (deal) => fc.constant({ ...deal, dealPrice: deal.listPrice }),
    (deal) =>
      fc.integer({ min: 1, max: 1e6 }).map((more) => ({ ...deal, dealPrice: Number(deal.listPrice) + more })),
    (deal) => fc.integer({ min: 1, max: 63 }).map((stock) => ({ ...deal, stock, shards: stock + 1 })),
  ],
};

export const CUE_ACTIONS = ['start', 'pause', 'resume', 'end', 'restock', 'extend'] as const;
export type CueAction = (typeof CUE_ACTIONS)[number];

/** A valid cue body for `action` (restock carries a quantity, extend a duration). */
export const cueBody = (action: CueAction) =>
  fc
    .record({
      quantity: fc.integer({ min: 1, max: 10_000_000 }),
      durationSeconds: fc.integer({ min: 1, max: 7 * 86_400 }),
      cueId: maybe(printable(1, 128)),
    })
    .map(({ quantity, durationSeconds, cueId }) =>
      compact({
        action,
        ...(action === 'restock' ? { quantity } : {}),
        ...(action === 'extend' ? { durationSeconds } : {}),
        cueId,
      }),
    );

export const cueSchema = (valid: fc.Arbitrary<Record<string, unknown>>): BodySchema => ({
  valid,
  required: ['action'],
  known: ['action', 'quantity', 'durationSeconds', 'cueId'],
  invalid: {
    action: fc.oneof(
      notString,
      fc.constantFrom('START', 'Start', ' start', 'start ', 'stop', '', 'ѕtart', 'restock\u0000', 'end\n'),
      withBadChar,
    ),
    quantity: badInt(1, 10_000_000),
    durationSeconds: badInt(1, 7 * 86_400),
    cueId: badIdentifier(128),
  },
  cross: [
    // quantity only with restock, durationSeconds only with extend, and each required there.
    (cue) =>
      fc
        .integer({ min: 1, max: 100 })
        .map((quantity) => (cue.action === 'restock' ? without(cue, 'quantity') : { ...cue, quantity })),
    (cue) =>
      fc
        .integer({ min: 1, max: 100 })
        .map((durationSeconds) =>
          cue.action === 'extend' ? without(cue, 'durationSeconds') : { ...cue, durationSeconds },
        ),
  ],
});

export const checkoutSchema = (valid: fc.Arbitrary<Record<string, unknown>>): BodySchema => ({
  valid,
  required: ['viewerId', 'orderId'],
  known: ['viewerId', 'orderId'],
  invalid: { viewerId: badIdentifier(256), orderId: badIdentifier(128) },
});

export const priceDropSchema = (dealIds: readonly string[]): BodySchema => ({
  valid: fc
    .record({
      at: futureInstant,
      timeZone: fc.constantFrom(
        'Europe/Berlin',
        'UTC',
        'America/New_York',
        'Asia/Kolkata',
        'Pacific/Kiritimati',
      ),
      dealIds: maybe(
        fc.uniqueArray(fc.oneof(fc.constantFrom(...dealIds), fc.ulid()), { minLength: 1, maxLength: 5 }),
      ),
      price: fc.oneof(
        fc.integer({ min: 1, max: 1e12 }).map((dealPrice) => ({ dealPrice })),
        fc.integer({ min: 1, max: 99 }).map((percentOff) => ({ percentOff })),
      ),
      stock: maybe(fc.integer({ min: 1, max: 10_000_000 })),
    })
    .map(({ price, ...drop }) => compact({ ...drop, ...price })),
  required: ['at', 'timeZone'],
  known: ['at', 'timeZone', 'dealIds', 'dealPrice', 'percentOff', 'stock'],
  invalid: {
    at: fc.oneof(badInstant, pastInstant),
    timeZone: badTimeZone,
    dealIds: fc.oneof(
      fc.constant([]),
      notObject.filter((v) => !Array.isArray(v)),
      fc.array(fc.ulid(), { minLength: 101, maxLength: 110 }),
      fc
        .tuple(fc.array(fc.ulid(), { maxLength: 3 }), badUlidValue(dealIds))
        .map(([ids, bad]) => [...ids, bad]),
      fc.array(notString, { minLength: 1, maxLength: 3 }),
    ),
    dealPrice: badInt(1, 1e12),
    percentOff: badInt(1, 99),
    stock: badInt(1, 10_000_000),
  },
  cross: [
    (drop) =>
      fc
        .integer({ min: 1, max: 99 })
        .map((percentOff) => ({ ...drop, percentOff, dealPrice: percentOff * 10 })),
    (drop) => fc.constant(without(without(drop, 'dealPrice'), 'percentOff')),
  ],
});

export const tokenRequestSchema: BodySchema = {
  valid: fc
    .record({
      sub: printable(1, 256),
      role: fc.constantFrom('viewer', 'host', 'checkout', 'admin'),
      ttlSeconds: maybe(fc.integer({ min: 1, max: 7 * 86_400 })),
    })
    .map(compact),
  required: ['sub', 'role'],
  known: ['sub', 'role', 'ttlSeconds'],
  invalid: {
    sub: badIdentifier(256),
    role: fc.oneof(notString, fc.constantFrom('Admin', 'root', '', 'viewer ', 'livedrop/admin')),
    ttlSeconds: badInt(1, 7 * 86_400),
  },
};
