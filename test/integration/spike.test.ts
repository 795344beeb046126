import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../functions/shared/domain/errors.js';
import type { CouponView } from '../../functions/shared/domain/schemas.js';
import { figures, liveDeal } from '../support/fixtures.js';
import { type Containers, type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

interface Attempt {
  viewerId: string;
  idempotencyKey?: string;
  /** A retry sent once the first request with the same key has answered (a client retry after a timeout). */
  after?: Attempt;
  /** Arrival offset within the rush. */
  atMs: number;
  /** Sent and answered before the rush starts, so its repeats in the rush always have a coupon to replay. */
  early?: boolean;
}

/**
 * 2,000 viewers: every one claims once; 600 of them send that claim with an Idempotency-Key and repeat it
 * with the same key (half racing the first request, half after its answer); `extra` more claims go beyond a
 * viewer's first (over a limit of 1, or towards a higher limit). Requests arrive within a quarter second,
 * spread over four engines = four Lambda containers.
 */
/** Arrivals spread over a few seconds, as a rush reaches the API: not one lockstep burst of promises. */
const ARRIVAL_WINDOW_MS = 5_000;
const arrival = () => Math.random() * ARRIVAL_WINDOW_MS;

/** Keyed viewers whose first claim lands before the rush: how fast a loaded machine runs decides nothing. */
const EARLY_BIRDS = 50;

const spikeAttempts = (viewers: number, retries: number, extra: number): Attempt[] => {
  const keyed: Attempt[] = [];
  const rest: Attempt[] = [];
  for (let v = 0; v < viewers; v++) {
    const viewerId = `viewer-${v}`;
    if (v < retries) {
      // Keyed first requests arrive early in the rush, so some win units and their repeats have a coupon to replay.
      const first = { viewerId, idempotencyKey: `key-${v}`, atMs: arrival() / 5, early: v < EARLY_BIRDS };
      keyed.push(first);
      const repeat = { ...first, early: false };
      rest.push(v % 2 === 0 ? { ...repeat, atMs: arrival() } : { ...repeat, after: first, atMs: 0 });
    } else {
      rest.push({ viewerId, atMs: arrival() });
    }
  }
  for (let i = 0; i < extra; i++) rest.push({ viewerId: `viewer-${(i * 7) % viewers}`, atMs: arrival() });
  return [...keyed, ...rest];
};

const rush = async (engines: Containers, dealId: string, attempts: Attempt[]) => {
  const started = performance.now();
  const answered = new Map<Attempt, Promise<unknown>>();
  const send = async (attempt: Attempt, i: number) => {
    const engine = engines.at(i);
    if (!attempt.early) await new Promise((resolve) => setTimeout(resolve, attempt.atMs));
    if (attempt.after) await answered.get(attempt.after);
    try {
      const result = await engine.claim(dealId, attempt.viewerId, attempt.idempotencyKey);
      return { attempt, coupon: result.coupon, replayed: result.replayed };
    } catch (error) {
      if (error instanceof DomainError) return { attempt, error: error.code };
      throw error;
    }
  };
  const start = (attempt: Attempt, i: number) => {
    const pending = send(attempt, i);
    answered.set(attempt, pending);
    return pending;
  };
  const early = await Promise.all(
    attempts.flatMap((attempt, i) => (attempt.early ? [start(attempt, i)] : [])),
  );
  const rest = await Promise.all(
    attempts.flatMap((attempt, i) => (attempt.early ? [] : [start(attempt, i)])),
  );
  const outcomes = [...early, ...rest];
  return { outcomes, ms: performance.now() - started };
};

describe.each([
  { perViewerLimit: 1, extra: 400 },
  { perViewerLimit: 3, extra: 500 },
])('a spike of claims with perViewerLimit $perViewerLimit', ({ perViewerLimit, extra }) => {
  it('grants exactly the stock, never more than the limit per viewer, and keeps every unit accounted for', async () => {
    const engines = h.containers(4);
    const deal = await liveDeal(engines.main, { stock: 500, perViewerLimit });
    const attempts = spikeAttempts(2_000, 600, extra);

    const { outcomes, ms } = await rush(engines, deal.dealId, attempts);

    const coupons = new Map<string, CouponView>();
    for (const outcome of outcomes) if (outcome.coupon) coupons.set(outcome.coupon.code, outcome.coupon);
    const errors = new Map<string, number>();
    for (const outcome of outcomes)
      if (outcome.error) errors.set(outcome.error, (errors.get(outcome.error) ?? 0) + 1);
    console.info(
      `spike perViewerLimit=${perViewerLimit}: ${attempts.length} attempts, ${coupons.size} coupons, ` +
        `${outcomes.filter((o) => o.replayed).length} replays, errors ${JSON.stringify(Object.fromEntries(errors))}, ` +
        `${Math.round(ms)} ms`,
    );

    expect(attempts.length).toBeGreaterThanOrEqual(3_000);
    expect(coupons.size).toBe(500);
    expect(
      [...errors.keys()].every((code) => ['SOLD_OUT', 'LIMIT_REACHED', 'CLAIM_IN_PROGRESS'].includes(code)),
    ).toBe(true);
    const perViewer = new Map<string, number>();
    for (const coupon of coupons.values())
      perViewer.set(coupon.viewerId, (perViewer.get(coupon.viewerId) ?? 0) + 1);
    expect(Math.max(...perViewer.values())).toBeLessThanOrEqual(perViewerLimit);

    // Same viewer + same key -> the same coupon, whichever of the two requests ran first.
    expect(outcomes.filter((o) => o.replayed).length).toBeGreaterThan(0);
    const byKey = new Map<string, string>();
    for (const outcome of outcomes) {
      if (!outcome.coupon || !outcome.attempt.idempotencyKey) continue;
      const key = `${outcome.attempt.viewerId}/${outcome.attempt.idempotencyKey}`;
      const seen = byKey.get(key);
      if (seen) expect(outcome.coupon.code).toBe(seen);
      byKey.set(key, outcome.coupon.code);
    }

    // The store agrees with what callers were told, viewer by viewer.
    for (const [viewerId, count] of perViewer) {
      const { coupons: held } = await engines.main.listCoupons(viewerId, { limit: 100 });
      expect(held.filter((c) => c.dealId === deal.dealId)).toHaveLength(count);
    }
    const after = await figures(engines.main, deal.dealId);
    expect(after).toMatchObject({ stock: 500, available: 0, held: 500, redeemed: 0, accounted: 500 });
  });
});
