import type { Clock } from '../../functions/shared/domain/clock.js';

/** A clock tests pin and move by hand. */
export class TestClock implements Clock {
  constructor(private current = Date.parse('2026-11-26T20:00:00.000Z')) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
