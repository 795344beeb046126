import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../lib/console/api.js';
import { heldOf } from '../../../lib/overlay/claim-state.js';
import { type CouponView, Wallet } from '../../../lib/overlay/wallet.js';

/** The wallet as the claim button reads it: which coupon of a deal still takes the viewer's place on it. */

const NOW = Date.parse('2026-12-05T20:00:00Z');

const coupon = (
  dealId: string,
  status: CouponView['status'],
  expiresAt = '2026-12-05T20:05:00Z',
): CouponView => ({
  couponId: `c-${dealId}-${status}`,
  code: 'ABCD-EFGH-JKMN-PQRS',
  dealId,
  viewerId: 'viewer-1',
  status,
  issuedAt: '2026-12-05T19:55:00Z',
  expiresAt,
  dealPrice: 2_000,
  listPrice: 4_000,
  currency: 'EUR',
});

/** A wallet loaded as after a reload: `GET /me/coupons` answering these coupons. The page's elements are not used. */
const loadedWallet = async (coupons: CouponView[]) => {
  const wallet = new Wallet({} as HTMLElement, {} as HTMLUListElement, {} as HTMLElement);
  const api = { request: async () => ({ coupons }) } as unknown as ApiClient;
  await wallet.load(api);
  return wallet;
};

describe('the wallet’s coupon of a deal', () => {
  it('is, after a reload, the issued coupon still in its hold, or a redeemed one', async () => {
    const wallet = await loadedWallet([coupon('d-held', 'ISSUED'), coupon('d-redeemed', 'REDEEMED')]);

    const held = heldOf(wallet.of('d-held'), NOW);
    const redeemed = heldOf(wallet.of('d-redeemed'), NOW);

    expect(held?.status).toBe('ISSUED');
    expect(redeemed?.status).toBe('REDEEMED');
  });

  it('is none once the coupon expired, was released after its hold, or its hold ran out', async () => {
    const wallet = await loadedWallet([
      coupon('d-expired', 'EXPIRED'),
      coupon('d-ran-out', 'ISSUED', '2026-12-05T19:59:59Z'),
      coupon('d-other', 'ISSUED'),
    ]);

    expect(heldOf(wallet.of('d-expired'), NOW)).toBeUndefined();
    expect(heldOf(wallet.of('d-ran-out'), NOW)).toBeUndefined();
    expect(heldOf(wallet.of('d-none'), NOW)).toBeUndefined();
  });

  it('is the coupon just claimed, before the wallet is loaded again', async () => {
    const wallet = await loadedWallet([coupon('d-1', 'EXPIRED')]);

    wallet.add(coupon('d-1', 'ISSUED'));

    expect(heldOf(wallet.of('d-1'), NOW)?.status).toBe('ISSUED');
  });
});
