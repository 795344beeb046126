/** The zod schemas are the single source of truth for inputs: defaults, bounds and cross-field rules. */
import { describe, expect, it } from 'vitest';
import {
  checkoutSchema,
  createDealSchema,
  cueSchema,
  dealIdSchema,
} from '../../../functions/shared/domain/schemas.js';

const validDeal = () => ({
  title: 'Puffer jacket, half price',
  sku: 'JKT-001',
  streamId: 'stream-1',
  currency: 'EUR',
  listPrice: 12_000,
  dealPrice: 6_000,
  stock: 10,
});

/** The issues of a failed parse as "path: code", so a test can name what must be rejected and why. */
const issuesOf = (result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; code: string }[] };
}) => (result.error?.issues ?? []).map((issue) => `${issue.path.map(String).join('.')}: ${issue.code}`);

describe('createDealSchema', () => {
  it('defaults perViewerLimit to 1 and claimTtlSeconds to 600', () => {
    const parsed = createDealSchema.parse(validDeal());

    expect(parsed).toEqual({ ...validDeal(), perViewerLimit: 1, claimTtlSeconds: 600 });
  });

  it('keeps explicit limits, durations, shard hints and gala ids', () => {
    const input = {
      ...validDeal(),
      perViewerLimit: 3,
      claimTtlSeconds: 60,
      durationSeconds: 1_800,
      shards: 4,
      galaId: 'gala-1',
    };

    expect(createDealSchema.parse(input)).toEqual(input);
  });

  it('trims the title and refuses one that is only blanks', () => {
    expect(createDealSchema.parse({ ...validDeal(), title: '  Jacket  ' }).title).toBe('Jacket');
    expect(createDealSchema.safeParse({ ...validDeal(), title: '   ' }).success).toBe(false);
  });

  it.each([
    ['equal to', 12_000],
    ['above', 12_001],
  ])('rejects a dealPrice %s listPrice, on the dealPrice field', (_relation, dealPrice) => {
    const result = createDealSchema.safeParse({ ...validDeal(), dealPrice });

    expect(result.success).toBe(false);
    expect(issuesOf(result)).toEqual(['dealPrice: custom']);
  });

  it('accepts a dealPrice one minor unit below listPrice', () => {
    expect(createDealSchema.safeParse({ ...validDeal(), dealPrice: 11_999 }).success).toBe(true);
  });

  it.each(['eur', 'Eur', 'XYZ', 'EURO', ''])('rejects the currency %j', (currency) => {
    const result = createDealSchema.safeParse({ ...validDeal(), currency });

    expect(issuesOf(result)).toEqual(['currency: custom']);
  });

  it.each(['USD', 'JPY', 'CHF'])('accepts the ISO 4217 currency %s', (currency) => {
    expect(createDealSchema.safeParse({ ...validDeal(), currency }).success).toBe(true);
  });

  it('rejects unknown fields', () => {
    const result = createDealSchema.safeParse({ ...validDeal(), discount: 50 });

    expect(result.success).toBe(false);
    expect(issuesOf(result)).toContain(': unrecognized_keys');
  });

  it('rejects more shards than units of stock, on the shards field', () => {
    const result = createDealSchema.safeParse({ ...validDeal(), stock: 3, shards: 4 });

    expect(issuesOf(result)).toEqual(['shards: custom']);
  });

  it('accepts exactly as many shards as units of stock', () => {
    expect(createDealSchema.safeParse({ ...validDeal(), stock: 4, shards: 4 }).success).toBe(true);
  });

  it.each([
    ['a fractional price', { listPrice: 120.5 }],
    ['a zero deal price', { dealPrice: 0 }],
    ['zero stock', { stock: 0 }],
    ['a perViewerLimit above 10', { perViewerLimit: 11 }],
    ['a claimTtlSeconds above a day', { claimTtlSeconds: 86_401 }],
    ['a duration above a week', { durationSeconds: 7 * 86_400 + 1 }],
    ['more than 64 shards', { stock: 1_000, shards: 65 }],
    ['a sku with a space', { sku: 'JKT 001' }],
    ['a missing title', { title: undefined }],
  ])('rejects %s', (_what, overrides) => {
    expect(createDealSchema.safeParse({ ...validDeal(), ...overrides }).success).toBe(false);
  });
});

describe('cueSchema', () => {
  it.each(['start', 'pause', 'resume', 'end'])('accepts %s without a quantity', (action) => {
    expect(cueSchema.parse({ action })).toEqual({ action });
  });

  it.each(['start', 'pause', 'resume', 'end'])(
    'rejects %s with a quantity, on the quantity field',
    (action) => {
      const result = cueSchema.safeParse({ action, quantity: 5 });

      expect(issuesOf(result)).toEqual(['quantity: custom']);
    },
  );

  it('accepts restock with a quantity', () => {
    expect(cueSchema.parse({ action: 'restock', quantity: 5 })).toEqual({ action: 'restock', quantity: 5 });
  });

  it('rejects restock without a quantity, on the quantity field', () => {
    const result = cueSchema.safeParse({ action: 'restock' });

    expect(issuesOf(result)).toEqual(['quantity: custom']);
  });

  it.each([0, -1, 1.5])('rejects the restock quantity %d', (quantity) => {
    expect(cueSchema.safeParse({ action: 'restock', quantity }).success).toBe(false);
  });

  it('rejects an unknown action and unknown fields', () => {
    expect(cueSchema.safeParse({ action: 'cancel' }).success).toBe(false);
    expect(cueSchema.safeParse({ action: 'start', reason: 'x' }).success).toBe(false);
  });
});

describe('identifiers', () => {
  it('accepts a ULID deal id and rejects one with a letter Crockford leaves out', () => {
    expect(dealIdSchema.safeParse('01JDQ4ZK7E5V3M2N8P9R0S1T2W').success).toBe(true);
    expect(dealIdSchema.safeParse('01JDQ4ZK7E5V3M2N8P9R0S1T2U').success).toBe(false);
    expect(dealIdSchema.safeParse('01jdq4zk7e5v3m2n8p9r0s1t2w').success).toBe(false);
  });

  it('accepts printable checkout ids and rejects blanks and control characters', () => {
    expect(checkoutSchema.safeParse({ viewerId: 'viewer#7', orderId: 'ORD-1' }).success).toBe(true);
    expect(checkoutSchema.safeParse({ viewerId: 'viewer 7', orderId: 'ORD-1' }).success).toBe(false);
    expect(checkoutSchema.safeParse({ viewerId: 'viewer-7', orderId: 'ORD\n1' }).success).toBe(false);
    expect(checkoutSchema.safeParse({ viewerId: '', orderId: 'ORD-1' }).success).toBe(false);
  });
});
