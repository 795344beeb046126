/// <reference lib="dom" />
/** The viewer's wallet: their coupons (`GET /me/coupons`), newest first, each with its hold countdown. */

import type { CouponView } from '../../functions/shared/domain/schemas.js';
import type { ApiClient } from '../console/api.js';
import type { Words } from './i18n.js';

export type { CouponView };

export class Wallet {
  coupons: CouponView[] = [];

  constructor(
    private readonly section: HTMLElement,
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
  ) {}

  async load(api: ApiClient): Promise<void> {
    const page = await api.request<{ coupons: CouponView[] }>('GET', '/me/coupons?limit=20');
    this.coupons = page.coupons;
  }

  /**
   * The viewer's coupons of a deal, newest first, whatever their status: the card shows the newest that still
   * takes a place (`heldOf`) and counts the places taken against the deal's limit.
   */
  of(dealId: string): CouponView[] {
    return this.coupons.filter((coupon) => coupon.dealId === dealId);
  }

  /** Adds a coupon just claimed (before the next load). */
  add(coupon: CouponView): void {
    this.coupons = [coupon, ...this.coupons.filter((held) => held.couponId !== coupon.couponId)];
  }

  render(words: Words, titleOf: (dealId: string) => string | undefined, now: number): void {
    this.section.hidden = false;
    this.empty.hidden = this.coupons.length > 0;
    const items = this.coupons.map((coupon) => {
      const item = document.createElement('li');
      item.dataset.code = coupon.code;
      const title = document.createElement('span');
      title.className = 'wallet-title';
      title.textContent = titleOf(coupon.dealId) ?? coupon.dealId.slice(-6);
      const code = document.createElement('code');
      code.textContent = coupon.code;
      const detail = document.createElement('span');
      detail.className = 'muted';
      const left = Date.parse(coupon.expiresAt) - now;
      const status = coupon.status === 'ISSUED' && left <= 0 ? 'EXPIRED' : coupon.status;
      detail.textContent = [
        words.money(coupon.dealPrice, coupon.currency),
        status === 'ISSUED' ? words.heldFor(words.clock(left)) : words.t(status),
      ].join(' · ');
      item.append(title, code, detail);
      return item;
    });
    this.list.replaceChildren(...items);
  }
}
