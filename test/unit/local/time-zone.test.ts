import { describe, expect, it } from 'vitest';
import { instantOf, wallTime } from '../../../functions/shared/domain/time-zone.js';

describe('wall-clock time in a zone', () => {
  it.each([
    ['2026-11-26T19:00:00.000Z', 'Europe/Berlin', '2026-11-26T20:00:00'],
    ['2026-07-01T18:00:00.000Z', 'Europe/Berlin', '2026-07-01T20:00:00'],
    ['2026-03-29T01:30:00.000Z', 'Europe/Berlin', '2026-03-29T03:30:00'],
    ['2026-11-26T14:30:00.000Z', 'Asia/Kolkata', '2026-11-26T20:00:00'],
    ['2026-11-26T09:00:00.000Z', 'Australia/Sydney', '2026-11-26T20:00:00'],
  ])('shows %s in %s as %s, and reads it back as the same instant', (instant, zone, wall) => {
    expect(wallTime(instant, zone)).toBe(wall);
    expect(instantOf(wall, zone)).toBe(instant);
  });
});
