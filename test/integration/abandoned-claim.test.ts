import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorePort } from '../../functions/shared/domain/store-port.js';
import { errorResponse } from '../../functions/shared/http/responses.js';
import { Engine } from '../../functions/shared/use-cases/engine.js';
import { dealInput, HOST_ID, hostActor } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';

/**
 * A claim so slow that the reconciler took its unit over (or voided its code) did nothing: its unit is back and
 * its slot free. It is answered like a store fault, 503 with Retry-After, and the retry is granted.
 */
const GRACE_MS = 1_000;
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

/** An engine whose next write of `method` waits until the reconciler took over what the claim started. */
const stallingBefore = (method: 'putTicket' | 'putCoupon', sweeper: Engine) => {
  let stalled = false;
  const store = new Proxy(h.store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (name !== method || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (!stalled) {
          stalled = true;
          // The reconciler takes over units taken before a snapshot older than the grace: two sweeps.
          for (let round = 0; round < 2; round++) {
            h.clock.advance(GRACE_MS + 1);
            await sweeper.sweep();
          }
        }
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  }) as StorePort;
  return new Engine({
    store,
    clock: h.clock,
    logger: { error: () => {} },
    options: { claimGraceMs: GRACE_MS },
  });
};

describe('a claim the reconciler took over', () => {
  it.each([
    ['its ticket', 'putTicket'],
    ['its coupon', 'putCoupon'],
  ] as const)(
    'stalled before writing %s: answered 503 with Retry-After, nothing held, the retry granted',
    async (_what, method) => {
      // prepare
      const clean = h.engine({ options: { claimGraceMs: GRACE_MS } });
      const deal = await clean.createDeal(dealInput({ stock: 1, shards: 1 }), HOST_ID);
      await clean.cue(deal.dealId, { action: 'start' }, hostActor);
      const slow = stallingBefore(method, clean);
      // act
      const failure = await slow
        .claim(deal.dealId, `slow-${method}`, `key-${method}`)
        .catch((error: unknown) => error);
      h.clock.advance(GRACE_MS + 1);
      await clean.sweep();
      const response = errorResponse(failure);
      const retry = await clean.claim(deal.dealId, `slow-${method}`, `key-${method}`);
      // assert
      expect(response.statusCode).toBe(503);
      expect(response.headers?.['retry-after']).toBe('1');
      expect(retry.coupon.status).toBe('ISSUED');
      const after = await clean.getDeal(deal.dealId);
      expect(after).toMatchObject({ available: 0, held: 1, redeemed: 0 });
    },
  );
});
