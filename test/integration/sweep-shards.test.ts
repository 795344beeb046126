import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorePort } from '../../functions/shared/domain/store-port.js';
import { Engine } from '../../functions/shared/use-cases/engine.js';
import { dealInput, HOST_ID, hostActor } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';

/**
 * A gala deal's holds run out together: the sweep expires them shard by shard side by side (the shards share no
 * item), so thousands of expiries take one shard's time, not the sum of its shards'.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

/** The store, counting how many expiries are under way at once and on how many shards. */
const watchingExpiries = () => {
  const watch = { inFlight: 0, peak: 0, codes: [] as string[] };
  const store = new Proxy(h.store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (name !== 'expireCoupon' || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        watch.inFlight++;
        watch.peak = Math.max(watch.peak, watch.inFlight);
        watch.codes.push(String(args[0]));
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          watch.inFlight--;
        }
      };
    },
  }) as StorePort;
  return { watch, store };
};

describe('the sweep on a deal whose holds ran out', () => {
  it('expires the coupons of different shards at the same time, and every unit comes back', async () => {
    // prepare: 4 shards, every unit held by a coupon whose hold runs out
    const clean = h.engine();
    const deal = await clean.createDeal(dealInput({ stock: 24, shards: 4, claimTtlSeconds: 60 }), HOST_ID);
    await clean.cue(deal.dealId, { action: 'start' }, hostActor);
    await Promise.all(Array.from({ length: 24 }, (_, v) => clean.claim(deal.dealId, `held-${v}`)));
    h.clock.advance(61_000);
    const { watch, store } = watchingExpiries();
    const sweeper = new Engine({ store, clock: h.clock, logger: { error: () => {} } });
    // act
    const report = await sweeper.sweep();
    // assert
    expect(report.expired).toBe(24);
    expect(watch.peak).toBeGreaterThan(1);
    const after = await clean.getDeal(deal.dealId);
    expect(after).toMatchObject({ available: 24, held: 0, redeemed: 0 });
  });
});
