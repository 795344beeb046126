import { describe, expect, it } from 'vitest';
import { itemSize, readUnits, valueSize, writeUnits } from '../../../lib/simulate/item-size.js';

describe('item size, as DynamoDB counts it', () => {
  it('counts attribute names and string values in UTF-8 bytes', () => {
    // prepare
    const item = { PK: { S: 'DEAL#1' }, név: { S: 'é' } };
    // act
    const size = itemSize(item);
    // assert: 2 + 6, then 4 (n, é as 2 bytes, v) + 2
    expect(size).toBe(8 + 6);
  });

  it('counts a number as one byte per two significant digits plus one', () => {
    expect(valueSize({ N: '12345' })).toBe(4);
    expect(valueSize({ N: '-0.0100' })).toBe(2);
    expect(valueSize({ N: '0' })).toBe(2);
  });

  it('sums lists, maps and sets with their overhead', () => {
    expect(valueSize({ L: [{ S: 'ab' }, { BOOL: true }] })).toBe(3 + 1 + 2 + 1 + 1);
    expect(valueSize({ M: { a: { S: 'xy' } } })).toBe(3 + 1 + 1 + 2);
    expect(valueSize({ SS: ['a', 'bc'] })).toBe(3);
  });

  it('treats an absent item as size zero', () => {
    expect(itemSize(undefined)).toBe(0);
  });
});

describe('capacity units', () => {
  it('charges one write unit per started kilobyte, at least one', () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
  });

  it('charges one read unit per started 4 KB strongly consistent, half eventually consistent', () => {
    expect(readUnits(4096, true)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(4097, false)).toBe(1);
    expect(readUnits(0, false)).toBe(0.5);
  });
});
