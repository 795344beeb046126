/** The fan-out bench's figure: per claim, how long until the last client held a state including it. */
import { describe, expect, it } from 'vitest';
import { claimDelays } from '../../../lib/bench/fanout.js';

describe('claimDelays', () => {
  it('counts a claim as seen at the first state whose issued count reached its ticket, on the slowest client', () => {
    // Ticket 3 answered at 100: one client saw issued 3 at 150, the other only at 400 (its 2 at 120 is too few).
    const clients = [
      [
        { taken: 1, at: 50 },
        { taken: 3, at: 150 },
      ],
      [
        { taken: 2, at: 120 },
        { taken: 5, at: 400 },
      ],
    ];

    const delays = claimDelays([{ at: 100, ticket: 3 }], clients);

    expect(delays).toEqual([300]);
  });

  it('counts a state that reached every client before the answer as no delay', () => {
    const delays = claimDelays([{ at: 100, ticket: 1 }], [[{ taken: 1, at: 90 }]]);

    expect(delays).toEqual([0]);
  });

  it('reports a claim some client never saw as infinitely late', () => {
    const delays = claimDelays([{ at: 100, ticket: 2 }], [[{ taken: 2, at: 130 }], [{ taken: 1, at: 110 }]]);

    expect(delays).toEqual([Number.POSITIVE_INFINITY]);
  });
});
