/** Pure deal rules: the status machine, the status a reader sees, and how stock is spread over shards. */
import { describe, expect, it } from 'vitest';
import {
  distribute,
  effectiveStatus,
  MAX_AUTO_SHARDS,
  priorLowestPrice,
  RESTOCKABLE,
  shardCountFor,
  transitionFor,
  UNITS_PER_SHARD,
} from '../../../functions/shared/domain/deal.js';
import { DEAL_STATUSES } from '../../../functions/shared/domain/schemas.js';

const NOW = '2026-11-26T20:00:00.000Z';
const PAST = '2026-11-26T19:59:59.999Z';
const FUTURE = '2026-11-26T20:00:00.001Z';

describe('transitionFor', () => {
  it.each([
    ['start', ['SCHEDULED'], 'LIVE'],
    ['pause', ['LIVE'], 'PAUSED'],
    ['resume', ['PAUSED'], 'LIVE'],
    ['end', ['SCHEDULED', 'LIVE', 'PAUSED'], 'ENDED'],
  ] as const)('%s moves a deal from %j to %s', (cue, from, to) => {
    expect(transitionFor(cue)).toEqual({ from, to });
  });

  it('lets `end` cancel a deal that never started', () => {
    expect(transitionFor('end').from).toContain('SCHEDULED');
  });

  it('never leaves ENDED', () => {
    for (const cue of ['start', 'pause', 'resume', 'end'] as const) {
      expect(transitionFor(cue).from).not.toContain('ENDED');
    }
  });

  it('allows restocks only while the deal can still sell', () => {
    expect([...RESTOCKABLE].sort()).toEqual(['LIVE', 'PAUSED']);
  });
});

describe('effectiveStatus', () => {
  it.each(['LIVE', 'PAUSED'] as const)('reports a %s deal whose endsAt has passed as ENDED', (status) => {
    expect(effectiveStatus(status, PAST, NOW)).toBe('ENDED');
  });

  it.each(['LIVE', 'PAUSED'] as const)(
    'reports a %s deal as ENDED at the very instant endsAt arrives',
    (status) => {
      expect(effectiveStatus(status, NOW, NOW)).toBe('ENDED');
    },
  );

  it.each(['LIVE', 'PAUSED'] as const)('keeps a %s deal as it is while endsAt is ahead', (status) => {
    expect(effectiveStatus(status, FUTURE, NOW)).toBe(status);
  });

  it.each(DEAL_STATUSES)('keeps a %s deal without endsAt as it is', (status) => {
    expect(effectiveStatus(status, undefined, NOW)).toBe(status);
  });

  it.each(['SCHEDULED', 'ENDED'] as const)('never changes a %s deal, whatever its endsAt', (status) => {
    expect(effectiveStatus(status, PAST, NOW)).toBe(status);
  });
});

describe('shardCountFor', () => {
  it.each([
    [1, 1],
    [99, 1],
    [100, 1],
    [101, 2],
    [250, 3],
    [3_100, 31],
    [3_200, 32],
    [3_201, 32],
    [10_000_000, 32],
  ])('gives %i units %i shard(s): one per 100, at least 1, at most 32', (stock, shards) => {
    expect(shardCountFor(stock)).toBe(shards);
  });

  it('documents its own constants', () => {
    expect(UNITS_PER_SHARD).toBe(100);
    expect(MAX_AUTO_SHARDS).toBe(32);
  });

  it.each([
    [10_000, 1, 1],
    [10_000, 64, 64],
    [5, 5, 5],
    [100, 7, 7],
  ])('lets the creator’s hint win (stock %i, hint %i -> %i)', (stock, hint, shards) => {
    expect(shardCountFor(stock, hint)).toBe(shards);
  });
});

describe('distribute', () => {
  it('hands the remainder to the first shards', () => {
    expect(distribute(10, 3)).toEqual([4, 3, 3]);
    expect(distribute(11, 3)).toEqual([4, 4, 3]);
    expect(distribute(12, 3)).toEqual([4, 4, 4]);
  });

  it('leaves trailing shards empty when there are fewer units than shards', () => {
    expect(distribute(2, 4)).toEqual([1, 1, 0, 0]);
  });

  it('puts everything on a single shard', () => {
    expect(distribute(7, 1)).toEqual([7]);
  });

  it('always sums to the quantity, with shares differing by at most one', () => {
    for (let quantity = 0; quantity <= 300; quantity += 7) {
      for (let shards = 1; shards <= 64; shards++) {
        const shares = distribute(quantity, shards);

        expect(shares).toHaveLength(shards);
        expect(shares.reduce((sum, share) => sum + share, 0)).toBe(quantity);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
        expect(shares.every((share) => Number.isInteger(share) && share >= 0)).toBe(true);
      }
    }
  });

  it('spreads a large stock over the automatic shard count exactly', () => {
    const stock = 10_000_000;

    const shares = distribute(stock, shardCountFor(stock));

    expect(shares).toHaveLength(32);
    expect(shares.reduce((sum, share) => sum + share, 0)).toBe(stock);
  });
});

describe('priorLowestPrice (EU Omnibus)', () => {
  const day = 86_400_000;
  const at = (days: number) => new Date(Date.parse('2026-11-01T00:00:00.000Z') + days * day).toISOString();

  it('is unknown while the deal has had one price', () => {
    expect(priorLowestPrice([{ at: at(0), price: 5_000 }])).toBeUndefined();
  });

  it('is the lowest price of the 30 days before the current price took effect', () => {
    const history = [
      { at: at(0), price: 4_000 },
      { at: at(20), price: 7_000 },
      { at: at(40), price: 6_000 },
      { at: at(45), price: 5_500 },
    ];

    // Window: day 15..45. 4,000 lasted until day 20, so it counts; 7,000 and 6,000 count too.
    expect(priorLowestPrice(history)).toBe(4_000);
  });

  it('ignores prices that ended more than 30 days before the current one', () => {
    const history = [
      { at: at(0), price: 3_000 },
      { at: at(10), price: 8_000 },
      { at: at(50), price: 6_000 },
    ];

    expect(priorLowestPrice(history)).toBe(8_000);
  });
});
