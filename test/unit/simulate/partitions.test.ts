import { describe, expect, it } from 'vitest';
import {
  batchGetTouches,
  getTouch,
  queryPartition,
  queryTouch,
  writeTouches,
} from '../../../lib/simulate/partitions.js';

const s = (text: string) => ({ S: text });

describe('partitions a command touches', () => {
  it('a new item lands on its table partition and on every index partition it names', () => {
    // prepare
    const after = { PK: s('COUPON#A'), SK: s('COUPON'), GSI1PK: s('VIEWER#v'), GSI2PK: s('PHASE#d#0') };
    // act
    const touches = writeTouches({ pk: 'COUPON#A', before: undefined, after, written: true });
    // assert
    expect(touches.map((touch) => touch.partition)).toEqual([
      'table#COUPON#A',
      'GSI1#VIEWER#v',
      'GSI2#PHASE#d#0',
    ]);
    expect(touches.every((touch) => touch.kind === 'write' && touch.units === 1)).toBe(true);
  });

  it('an item moving between index partitions writes the old one and the new one', () => {
    const before = { PK: s('C'), SK: s('C'), GSI2PK: s('ISSUED'), GSI1PK: s('V') };
    const after = { PK: s('C'), SK: s('C'), GSI2PK: s('REDEEMED'), GSI1PK: s('V') };
    const partitions = writeTouches({ pk: 'C', before, after, written: true }).map(
      (touch) => touch.partition,
    );
    expect(partitions).toEqual(['table#C', 'GSI1#V', 'GSI2#ISSUED', 'GSI2#REDEEMED']);
  });

  it('a deleted item leaves the index partitions it was in', () => {
    const before = { PK: s('S'), SK: s('S'), GSI3PK: s('GALA#g') };
    const partitions = writeTouches({ pk: 'S', before, after: undefined, written: true }).map(
      (t) => t.partition,
    );
    expect(partitions).toEqual(['table#S', 'GSI3#GALA#g']);
  });

  it('a refused conditional write still pays its table partition, by the larger item, and no index', () => {
    const before = { PK: s('D'), SK: s('D'), GSI1PK: s('X'), blob: s('x'.repeat(3000)) };
    const touches = writeTouches({ pk: 'D', before, after: before, written: false });
    expect(touches).toEqual([{ partition: 'table#D', kind: 'write', units: 3 }]);
  });

  it('a get reads its table partition, a missing item at the minimum', () => {
    expect(getTouch('DEAL#1', undefined, true)).toEqual({
      partition: 'table#DEAL#1',
      kind: 'read',
      units: 1,
    });
    expect(getTouch('DEAL#1', undefined, false).units).toBe(0.5);
  });

  it('a batch get reads each processed key by the item found for it, and nothing for an unprocessed key', () => {
    const big = { PK: s('A'), SK: s('A'), blob: s('x'.repeat(5000)) };
    const keys = [big, { PK: s('B'), SK: s('B') }, { PK: s('C'), SK: s('C') }].map(({ PK, SK }) => ({
      PK,
      SK,
    }));
    const touches = batchGetTouches(
      keys,
      { Responses: { t: [big] }, UnprocessedKeys: { t: { Keys: [{ PK: s('C'), SK: s('C') }] } } },
      true,
    );
    expect(touches).toEqual([
      { partition: 'table#A', kind: 'read', units: 2 },
      { partition: 'table#B', kind: 'read', units: 1 },
    ]);
  });

  it('a query reads the partition its key condition names, on the table or its index', () => {
    expect(
      queryPartition({
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk AND begins_with(GSI2SK, :prefix)',
        ExpressionAttributeValues: { ':pk': s('PHASE#d#3'), ':prefix': s('ISSUED') },
      }),
    ).toBe('GSI2#PHASE#d#3');
    expect(
      queryPartition({
        KeyConditionExpression: '#pk = :v',
        ExpressionAttributeNames: { '#pk': 'PK' },
        ExpressionAttributeValues: { ':v': s('VIEWER#1') },
      }),
    ).toBe('table#VIEWER#1');
  });

  it('an index query is eventually consistent: half a unit per started 4 KB over the page', () => {
    const touch = queryTouch(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': s('V') },
      },
      10_000,
    );
    expect(touch).toEqual({ partition: 'GSI1#V', kind: 'read', units: 1.5 });
  });
});
