import { expect, it } from 'vitest';
import { runFanout } from '../../lib/bench/fanout.js';

it('the bench’s fan-out mode connects its clients, runs the claims and reports delays and CPU', async () => {
  const result = await runFanout({ clients: 20, claims: 10, concurrency: 4 });

  expect(result.clientsConnected).toBe(20);
  expect(result.claims).toBe(10);
  expect(result.delayMs).toEqual({
    p50: expect.any(Number),
    p99: expect.any(Number),
    max: expect.any(Number),
  });
  // Each claim's ticket was read back and every client reached it: no claim is infinitely late.
  expect(result.delayMs.max).toBeLessThan(Number.POSITIVE_INFINITY);
  expect(result.cpu.userMs).toBeGreaterThan(0);
  expect(result.events).toBeGreaterThanOrEqual(20);
}, 60_000);
