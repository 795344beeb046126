/// <reference lib="dom" />
/**
 * One deal's card: title, prices (deal, list, the Omnibus prior lowest), the countdown to its end, the stock
 * bar, the claim button and the coupon it got. Built once per deal and updated in place, so a viewer's focus on
 * the button survives every update of the figures.
 */
import { claimButton, heldOf } from './claim-state.js';
import type { Words } from './i18n.js';
import type { OverlayDeal } from './live-state.js';

export interface HeldCoupon {
  code: string;
  expiresAt: string;
  status: string;
}

const element = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  parent?: HTMLElement,
): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  parent?.append(node);
  return node;
};

/** Text for assistive technology only (the visible layout says it by position). */
const hidden = (parent: HTMLElement) => element('span', 'visually-hidden', parent);

export class DealCard {
  readonly root: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly dealPriceLabel: HTMLSpanElement;
  private readonly dealPrice: HTMLSpanElement;
  private readonly listPriceLabel: HTMLSpanElement;
  private readonly listPrice: HTMLSpanElement;
  private readonly list: HTMLElement;
  private readonly omnibus: HTMLParagraphElement;
  private readonly ends: HTMLParagraphElement;
  private readonly bar: HTMLDivElement;
  private readonly fill: HTMLSpanElement;
  private readonly left: HTMLParagraphElement;
  readonly button: HTMLButtonElement;
  private readonly message: HTMLParagraphElement;
  private readonly coupon: HTMLDivElement;
  private readonly couponHeading: HTMLParagraphElement;
  private readonly code: HTMLElement;
  private readonly hold: HTMLParagraphElement;
  private deal: OverlayDeal | undefined;
  private coupons: readonly HeldCoupon[] = [];
  private busy = false;

  constructor(
    readonly dealId: string,
    onClaim: (card: DealCard) => void,
  ) {
    this.root = element('article', 'deal');
    this.root.dataset.dealId = dealId;
    const titleId = `deal-${dealId}-title`;
    this.root.setAttribute('aria-labelledby', titleId);
    this.title = element('h2', 'title', this.root);
    this.title.id = titleId;
    const prices = element('p', 'prices', this.root);
    const deal = element('span', 'deal-price', prices);
    this.dealPriceLabel = hidden(deal);
    this.dealPrice = element('span', '', deal);
    this.list = element('s', 'list-price', prices);
    this.listPriceLabel = hidden(this.list);
    this.listPrice = element('span', '', this.list);
    this.omnibus = element('p', 'omnibus', this.root);
    this.ends = element('p', 'ends', this.root);
    this.ends.setAttribute('role', 'timer');
    const stock = element('div', 'stock', this.root);
    this.bar = element('div', 'bar', stock);
    this.bar.setAttribute('role', 'meter');
    this.bar.setAttribute('aria-valuemin', '0');
    this.fill = element('span', '', this.bar);
    this.left = element('p', 'left', stock);
    this.left.setAttribute('aria-hidden', 'true');
    this.button = element('button', 'claim', this.root);
    this.button.type = 'button';
    this.button.addEventListener('click', () => onClaim(this));
    this.message = element('p', 'claim-message', this.root);
    this.message.setAttribute('role', 'status');
    this.coupon = element('div', 'coupon', this.root);
    this.coupon.hidden = true;
    this.couponHeading = element('p', 'coupon-heading', this.coupon);
    this.code = element('code', 'code', this.coupon);
    this.hold = element('p', 'hold', this.coupon);
    this.hold.setAttribute('role', 'timer');
  }

  /** Shows the deal's latest figures in the viewer's words. */
  update(deal: OverlayDeal, words: Words, now: number): void {
    this.deal = deal;
    this.root.dataset.status = deal.status;
    this.title.textContent = deal.title ?? '…';
    this.dealPriceLabel.textContent = `${words.t('dealPrice')}: `;
    this.dealPrice.textContent = words.money(deal.dealPrice, deal.currency);
    this.list.hidden = deal.listPrice === undefined;
    this.listPriceLabel.textContent = `${words.t('listPrice')}: `;
    this.listPrice.textContent =
      deal.listPrice === undefined ? '' : words.money(deal.listPrice, deal.currency);
    this.omnibus.hidden = deal.priorLowestPrice === undefined;
    this.omnibus.textContent =
      deal.priorLowestPrice === undefined
        ? ''
        : words.priorLowest(words.money(deal.priorLowestPrice, deal.currency));
    const soldOut = deal.available <= 0;
    const paused = deal.status === 'PAUSED';
    const text = paused ? `${words.t('paused')} · ${words.left(deal.available)}` : words.left(deal.available);
    this.left.textContent = text;
    this.root.dataset.soldOut = String(soldOut);
    this.bar.setAttribute('aria-valuemax', String(Math.max(deal.stock, deal.available)));
    this.bar.setAttribute('aria-valuenow', String(Math.max(0, deal.available)));
    this.bar.setAttribute('aria-valuetext', text);
    this.bar.setAttribute('aria-label', words.t('stock'));
    // CSSOM, not a style attribute: the page's CSP allows no inline styles.
    const share = deal.stock > 0 ? Math.min(1, Math.max(0, deal.available) / deal.stock) : 0;
    this.fill.style.width = `${(100 * share).toFixed(1)}%`;
    this.tick(words, now);
  }

  /** The countdowns (the deal's end, the coupon's hold) and the claim button, which a hold running out frees. */
  tick(words: Words, now: number): void {
    const deal = this.deal;
    if (deal) {
      const button = claimButton({
        busy: this.busy,
        soldOut: deal.available <= 0,
        paused: deal.status === 'PAUSED',
        coupons: this.coupons,
        perViewerLimit: deal.perViewerLimit,
        now,
      });
      // Only on a change: a button rewritten every second would be read out again by some screen readers.
      const text = words.t(button.phrase);
      if (this.button.textContent !== text) this.button.textContent = text;
      this.button.disabled = button.disabled;
    }
    const endsAt = deal?.endsAt;
    this.ends.hidden = endsAt === undefined;
    if (endsAt !== undefined) {
      this.ends.textContent = words.endsIn(words.clock(endsAt - now));
      this.ends.setAttribute('aria-label', words.endsIn(words.inTime(endsAt - now)));
    }
    const held = heldOf(this.coupons, now);
    this.coupon.hidden = held === undefined;
    if (held) {
      this.couponHeading.textContent = words.t('coupon');
      this.code.textContent = held.code;
      this.code.setAttribute('aria-label', `${words.t('code')} ${held.code.split('').join(' ')}`);
      const left = Date.parse(held.expiresAt) - now;
      this.hold.textContent =
        held.status === 'REDEEMED'
          ? words.t('REDEEMED')
          : left > 0
            ? words.heldFor(words.clock(left))
            : words.t('EXPIRED');
    }
  }

  setBusy(busy: boolean, words: Words): void {
    this.busy = busy;
    this.root.setAttribute('aria-busy', String(busy));
    if (this.deal) this.update(this.deal, words, Date.now());
  }

  setMessage(text: string): void {
    this.message.textContent = text;
  }

  /** The viewer's coupons of this deal (from the wallet, the claim's answer included); it shows the newest held. */
  showCoupons(coupons: readonly HeldCoupon[], words: Words, now: number): void {
    this.coupons = coupons;
    this.tick(words, now);
  }
}
