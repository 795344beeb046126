/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The open deal: its figures polled once a second for the gauge and the claims/s chart, the host's cues,
 * creating a deal, and (locally) virtual viewers fired at it.
 */
import { ApiError, type DealView } from './api.js';
import { claimRate, formatCountdown, formatMoney, toMinorUnits } from './format.js';
import { describeError } from './messages.js';
import { byId, clearMessage, field, newId, show, showMessage } from './page.js';
import { CHART_SECONDS, drawRateChart } from './rate-chart.js';
import { simulateViewers } from './simulate.js';
import { api, state } from './state.js';
import { loadTimeline } from './timeline.js';

const POLL_MS = 1_000;

/** What a poll answered 401 does: set by the page (signing out, which also closes the deal). */
let onUnauthorized = () => {};
export const whenUnauthorized = (handler: () => void) => {
  onUnauthorized = handler;
};

export const closeDeal = () => {
  state.generation++;
  clearTimeout(state.pollTimer);
  state.deal = undefined;
  state.lastSample = undefined;
  state.rates = [];
  state.peak = 0;
  state.lastPollError = undefined;
};

export const openDeal = async (dealId: string) => {
  const deal = await api().request<DealView>('GET', `/deals/${encodeURIComponent(dealId)}`);
  closeDeal();
  history.replaceState(null, '', `#deal=${encodeURIComponent(deal.dealId)}`);
  render(deal);
  show(byId('live'), true);
  schedulePoll(state.generation);
  if (deal.galaId && state.roles.includes('admin')) {
    (byId<HTMLFormElement>('gala').elements.namedItem('galaId') as HTMLInputElement).value = deal.galaId;
    await loadTimeline(deal.galaId);
  }
};

const schedulePoll = (generation: number) => {
  state.pollTimer = setTimeout(() => void poll(generation), POLL_MS);
};

const poll = async (generation: number) => {
  const dealId = state.deal?.dealId;
  if (!dealId || generation !== state.generation) return;
  try {
    const deal = await api().request<DealView>('GET', `/deals/${encodeURIComponent(dealId)}`);
    if (generation !== state.generation) return;
    render(deal);
    if (state.lastPollError) clearMessage();
    state.lastPollError = undefined;
  } catch (error) {
    if (generation !== state.generation) return;
    // Shown once per kind of failure: a flapping store must not flood the message line every second.
    const text = `Live figures: ${describeError(error)}`;
    if (text !== state.lastPollError) showMessage(text);
    state.lastPollError = text;
    if (error instanceof ApiError && error.status === 401) return onUnauthorized();
  }
  schedulePoll(generation);
};

const ENABLED: Record<string, readonly DealView['status'][]> = {
  start: ['SCHEDULED'],
  pause: ['LIVE'],
  resume: ['PAUSED'],
  restock: ['LIVE', 'PAUSED'],
  extend: ['LIVE', 'PAUSED'],
  end: ['SCHEDULED', 'LIVE', 'PAUSED'],
};

const render = (deal: DealView) => {
  const now = Date.now();
  const claimed = deal.held + deal.redeemed;
  if (state.lastSample && state.deal?.dealId === deal.dealId) {
    const rate = claimRate(state.lastSample, { at: now, claimed });
    state.rates = [...state.rates, rate].slice(-CHART_SECONDS);
    state.peak = Math.max(state.peak, rate);
  }
  state.lastSample = { at: now, claimed };
  state.deal = deal;

  byId('deal-title').textContent = deal.title;
  const status = byId('deal-status');
  status.textContent = deal.status;
  status.className = `status ${deal.status}`;
  byId('deal-price').textContent =
    `${formatMoney(deal.dealPrice, deal.currency)} (list ${formatMoney(deal.listPrice, deal.currency)})`;
  byId('deal-id').textContent = deal.dealId;
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-cue]')) {
    const action = button.dataset.cue ?? '';
    const allowed = (ENABLED[action] ?? []).includes(deal.status);
    // extend only pushes the end of a deal that has one.
    button.disabled = !allowed || (action === 'extend' && !deal.endsAt);
  }
  tickDeal();

  const total = Math.max(deal.stock, deal.available + deal.held + deal.redeemed, 1);
  for (const part of ['available', 'held', 'redeemed', 'stock'] as const) {
    byId(part).textContent = String(deal[part]);
    if (part !== 'stock') byId(`bar-${part}`).style.width = `${(100 * deal[part]) / total}%`;
  }
  byId('rate-now').textContent = (state.rates.at(-1) ?? 0).toFixed(1);
  byId('rate-peak').textContent = state.peak.toFixed(1);
  drawRateChart(byId<HTMLCanvasElement>('rate-chart'), state.rates, state.peak);
  show(byId('simulate'), state.config.localIssuer);
};

/** The deal's end countdown, once a second between polls too. */
export const tickDeal = () => {
  const deal = state.deal;
  const ends = byId('deal-ends');
  if (!deal?.endsAt || deal.status === 'ENDED') {
    ends.textContent = '';
    return;
  }
  ends.textContent = `ends in ${formatCountdown(Date.parse(deal.endsAt) - Date.now())}`;
};

export const cue = async (action: string) => {
  const deal = state.deal;
  if (!deal) return;
  const body: Record<string, unknown> = { action, cueId: newId() };
  if (action === 'restock') body.quantity = Number(byId<HTMLInputElement>('restock-quantity').value);
  if (action === 'extend') body.durationSeconds = Number(byId<HTMLInputElement>('extend-seconds').value);
  const updated = await api().request<DealView>('POST', `/deals/${encodeURIComponent(deal.dealId)}/cues`, {
    body,
  });
  if (state.deal?.dealId === updated.dealId) render(updated);
  const done: Record<string, string> = {
    start: 'Started: viewers can claim now.',
    pause: 'Paused: claims are refused until you resume.',
    resume: 'Resumed: viewers can claim again.',
    restock: `Restocked ${String(body.quantity)} units.`,
    extend: `Extended by ${String(body.durationSeconds)} s.`,
    end: 'Ended: no more claims; coupons already claimed can still be redeemed.',
  };
  showMessage(done[action] ?? `The deal is ${updated.status.toLowerCase()}.`, 'info');
};

export const createDeal = async (form: HTMLFormElement) => {
  const currency = field(form, 'currency').toUpperCase();
  const listPrice = toMinorUnits(field(form, 'listPrice'), currency);
  const dealPrice = toMinorUnits(field(form, 'dealPrice'), currency);
  if (listPrice === undefined || dealPrice === undefined) {
    throw new Error(`Prices must be amounts in ${currency || 'the currency'}, like 120.00.`);
  }
  const body: Record<string, unknown> = {
    title: field(form, 'title'),
    sku: field(form, 'sku'),
    streamId: field(form, 'streamId'),
    currency,
    listPrice,
    dealPrice,
    stock: Number(field(form, 'stock')),
    perViewerLimit: Number(field(form, 'perViewerLimit') || '1'),
  };
  if (field(form, 'galaId')) body.galaId = field(form, 'galaId');
  if (field(form, 'durationSeconds')) body.durationSeconds = Number(field(form, 'durationSeconds'));
  const deal = await api().request<DealView>('POST', '/deals', { body });
  showMessage(`Created “${deal.title}”: press Start when the host says “now”.`, 'info');
  await openDeal(deal.dealId);
};

export const simulate = async (form: HTMLFormElement) => {
  const deal = state.deal;
  if (!deal || state.simulating) return;
  const count = Math.min(5_000, Math.max(1, Math.floor(Number(field(form, 'count')) || 0)));
  const output = byId('simulate-result');
  const button = form.querySelector('button') as HTMLButtonElement;
  state.simulating = true;
  button.disabled = true;
  try {
    const tally = await simulateViewers({
      api: api(),
      dealId: deal.dealId,
      count,
      onProgress: (progress) => {
        output.textContent = `${progress.done}/${progress.total} viewers: ${progress.granted} coupons, ${progress.soldOut} sold out, ${progress.notLive} not live, ${progress.failed} failed`;
      },
    });
    if (tally.lastError !== undefined) showMessage(`Some viewers failed: ${describeError(tally.lastError)}`);
  } finally {
    state.simulating = false;
    button.disabled = false;
  }
};
