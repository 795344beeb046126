import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { ULID_PATTERN } from '../../../functions/shared/domain/identifiers.js';
import { newUlid } from '../../../functions/shared/domain/ulid.js';

describe('newUlid', () => {
  it('is a ULID carrying the given time', () => {
    const now = Date.parse('2026-11-26T19:00:00.000Z');

    const id = newUlid(now);

    expect(id).toMatch(ULID_PATTERN);
    expect(decodeTime(id)).toBe(now);
  });

  it('draws a fresh random part every time, across refills of its byte pool', () => {
    const ids = Array.from({ length: 1_000 }, () => newUlid(0));

    expect(new Set(ids).size).toBe(ids.length);
  });

  it('spreads every character of the random part over the whole alphabet', () => {
    const seen = new Set(Array.from({ length: 2_000 }, () => newUlid(0).slice(10)).join(''));

    expect(seen.size).toBe(32);
  });
});
