/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The host console: one page, no framework. It signs in (a local token or a pasted one), creates and cues
 * deals, polls the deal's figures once a second for the gauge and the claims/s chart, shows a gala's
 * price-drop timeline with countdowns, and locally can fire virtual viewers at a deal.
 */
import { instantOf } from '../../functions/shared/domain/time-zone.js';
import { ApiClient, ApiError, type DealView, type PriceDropView, rolesOf, subjectOf } from './api.js';
import { claimRate, formatCountdown, formatInZone, formatMoney, toMinorUnits } from './format.js';
import { describeError } from './messages.js';
import { simulateViewers } from './simulate.js';

interface ConsoleConfig {
  /** '' = the API is this page's own origin (the local runtime). */
  apiUrl: string;
  /** The local runtime's issuer is there: sign in by name, and virtual viewers can get tokens. */
  localIssuer: boolean;
}

const POLL_MS = 1_000;
const TIMELINE_REFRESH_MS = 10_000;
const CHART_SECONDS = 60;
const TOKEN_KEY = 'livedrop.console.token';

const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
};
const field = (form: HTMLFormElement, name: string): string => {
  const control = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
  return control ? control.value.trim() : '';
};
const show = (element: HTMLElement, visible: boolean) => {
  element.hidden = !visible;
};

const state: {
  config: ConsoleConfig;
  token?: string;
  roles: string[];
  deal?: DealView;
  /** Bumped whenever the deal or sign-in changes, so a late poll answer for the old one is dropped. */
  generation: number;
  pollTimer?: ReturnType<typeof setTimeout>;
  lastSample?: { at: number; claimed: number };
  rates: number[];
  peak: number;
  lastPollError?: string;
  drops: PriceDropView[];
  galaId?: string;
  timelineTimer?: ReturnType<typeof setInterval>;
  simulating: boolean;
} = {
  config: { apiUrl: '', localIssuer: false },
  roles: [],
  generation: 0,
  rates: [],
  peak: 0,
  drops: [],
  simulating: false,
};

let client = new ApiClient('', () => state.token);

// --- messages --------------------------------------------------------------------------------------------

let messageTimer: ReturnType<typeof setTimeout> | undefined;
const showMessage = (text: string, kind: 'error' | 'info' = 'error') => {
  const box = byId('message');
  box.textContent = text;
  box.className = kind;
  box.hidden = false;
  clearTimeout(messageTimer);
  // Errors stay until the next action; confirmations fade on their own.
  if (kind === 'info') messageTimer = setTimeout(() => show(box, false), 4_000);
};
const clearMessage = () => show(byId('message'), false);

/** Runs a user action: clears the last message, shows any failure as a sentence. */
const act = async (work: () => Promise<void>) => {
  clearMessage();
  try {
    await work();
  } catch (error) {
    showMessage(describeError(error));
  }
};

const newId = (): string =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

// --- sign-in ---------------------------------------------------------------------------------------------

const signIn = (token: string) => {
  const roles = rolesOf(token);
  if (!roles.includes('host') && !roles.includes('admin')) {
    throw new Error('This token carries neither the livedrop/host nor the livedrop/admin scope.');
  }
  state.token = token;
  state.roles = roles;
  sessionStorage.setItem(TOKEN_KEY, token);
  const who = byId('who');
  who.textContent = `${subjectOf(token) ?? 'signed in'} · ${roles.join(', ')}`;
  show(who, true);
  show(byId('sign-out'), true);
  show(byId('sign-in'), false);
  show(byId('deals'), true);
  show(byId('timeline-panel'), true);
  const admin = roles.includes('admin');
  show(byId('gala'), admin);
  show(byId('schedule-drop'), false);
  byId('timeline-note').textContent = admin
    ? 'Enter a gala to see its scheduled price drops.'
    : 'Gala price drops are listed for admins only (GET /galas/{galaId}/price-drops needs livedrop/admin): sign in as admin to see the timeline.';
  const dealId = new URLSearchParams(location.hash.slice(1)).get('deal');
  if (dealId) void act(() => openDeal(dealId));
};

const signOut = () => {
  state.token = undefined;
  state.roles = [];
  sessionStorage.removeItem(TOKEN_KEY);
  closeDeal();
  stopTimeline();
  for (const id of ['who', 'sign-out', 'deals', 'timeline-panel', 'live']) show(byId(id), false);
  show(byId('sign-in'), true);
};

// --- the deal: figures, gauge and chart ------------------------------------------------------------------

const closeDeal = () => {
  state.generation++;
  clearTimeout(state.pollTimer);
  state.deal = undefined;
  state.lastSample = undefined;
  state.rates = [];
  state.peak = 0;
  state.lastPollError = undefined;
};

const openDeal = async (dealId: string) => {
  const deal = await client.request<DealView>('GET', `/deals/${encodeURIComponent(dealId)}`);
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
    const deal = await client.request<DealView>('GET', `/deals/${encodeURIComponent(dealId)}`);
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
    if (error instanceof ApiError && error.status === 401) return signOut();
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
  drawChart();
  show(byId('simulate'), state.config.localIssuer);
};

/** The deal's end countdown, once a second between polls too. */
const tickDeal = () => {
  const deal = state.deal;
  const ends = byId('deal-ends');
  if (!deal?.endsAt || deal.status === 'ENDED') {
    ends.textContent = '';
    return;
  }
  ends.textContent = `ends in ${formatCountdown(Date.parse(deal.endsAt) - Date.now())}`;
};

const drawChart = () => {
  const canvas = byId<HTMLCanvasElement>('rate-chart');
  const context = canvas.getContext('2d');
  if (!context) return;
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  const top = Math.max(1, Math.ceil(state.peak * 1.15));
  context.strokeStyle = '#dde1e6';
  context.fillStyle = '#646a73';
  context.font = '11px system-ui, sans-serif';
  for (const fraction of [0, 0.5, 1]) {
    const y = height - 18 - fraction * (height - 30);
    context.beginPath();
    context.moveTo(34, y);
    context.lineTo(width - 4, y);
    context.stroke();
    context.fillText((top * fraction).toFixed(top < 10 ? 1 : 0), 4, y + 4);
  }
  const slot = (width - 40) / CHART_SECONDS;
  context.fillStyle = '#5b3df5';
  const offset = CHART_SECONDS - state.rates.length;
  state.rates.forEach((rate, index) => {
    const barHeight = (rate / top) * (height - 30);
    context.fillRect(36 + (offset + index) * slot, height - 18 - barHeight, Math.max(1, slot - 2), barHeight);
  });
  context.fillStyle = '#646a73';
  context.fillText('-60 s', 36, height - 4);
  context.fillText('now', width - 28, height - 4);
};

const cue = async (action: string) => {
  const deal = state.deal;
  if (!deal) return;
  const body: Record<string, unknown> = { action, cueId: newId() };
  if (action === 'restock') body.quantity = Number(byId<HTMLInputElement>('restock-quantity').value);
  if (action === 'extend') body.durationSeconds = Number(byId<HTMLInputElement>('extend-seconds').value);
  const updated = await client.request<DealView>('POST', `/deals/${encodeURIComponent(deal.dealId)}/cues`, {
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

const createDeal = async (form: HTMLFormElement) => {
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
  const deal = await client.request<DealView>('POST', '/deals', { body });
  showMessage(`Created “${deal.title}”: press Start when the host says “now”.`, 'info');
  await openDeal(deal.dealId);
};

// --- virtual viewers -------------------------------------------------------------------------------------

const simulate = async (form: HTMLFormElement) => {
  const deal = state.deal;
  if (!deal || state.simulating) return;
  const count = Math.min(5_000, Math.max(1, Math.floor(Number(field(form, 'count')) || 0)));
  const output = byId('simulate-result');
  const button = form.querySelector('button') as HTMLButtonElement;
  state.simulating = true;
  button.disabled = true;
  try {
    const tally = await simulateViewers({
      api: client,
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

// --- gala timeline ---------------------------------------------------------------------------------------

const stopTimeline = () => {
  clearInterval(state.timelineTimer);
  state.timelineTimer = undefined;
  state.drops = [];
  byId('timeline').replaceChildren();
};

const loadTimeline = async (galaId: string) => {
  const { drops } = await client.request<{ drops: PriceDropView[] }>(
    'GET',
    `/galas/${encodeURIComponent(galaId)}/price-drops`,
  );
  state.galaId = galaId;
  state.drops = [...drops].sort((a, b) => a.at.localeCompare(b.at));
  byId('timeline-note').textContent =
    drops.length === 0 ? `Gala ${galaId} has no price drops yet.` : `Gala ${galaId}, in time order.`;
  const form = byId<HTMLFormElement>('schedule-drop');
  const zone = form.elements.namedItem('timeZone') as HTMLInputElement;
  if (!zone.value) zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone;
  show(form, true);
  renderTimeline();
  if (state.timelineTimer === undefined) {
    let elapsed = 0;
    state.timelineTimer = setInterval(() => {
      elapsed += 1_000;
      if (elapsed % TIMELINE_REFRESH_MS === 0 && state.galaId) {
        const gala = state.galaId;
        client
          .request<{ drops: PriceDropView[] }>('GET', `/galas/${encodeURIComponent(gala)}/price-drops`)
          .then(({ drops: fresh }) => {
            if (state.galaId !== gala) return;
            state.drops = [...fresh].sort((a, b) => a.at.localeCompare(b.at));
          })
          .catch(() => {
            // The next refresh tries again; the countdowns keep running on what is known.
          });
      }
      renderTimeline();
    }, 1_000);
  }
};

const describeDrop = (drop: PriceDropView): string => {
  const change =
    drop.percentOff !== undefined
      ? `${drop.percentOff}% off`
      : drop.dealPrice !== undefined
        ? `price set to ${drop.dealPrice} (minor units)`
        : 'no price change';
  const wave = drop.stock !== undefined ? `, +${drop.stock} units each` : '';
  const scope = drop.dealIds ? `${drop.dealIds.length} deal(s)` : 'every deal of the gala';
  return `${change}${wave} · ${scope}`;
};

const renderTimeline = () => {
  const list = byId('timeline');
  const now = Date.now();
  list.replaceChildren(
    ...state.drops.map((drop) => {
      const item = document.createElement('li');
      item.className = drop.status;
      const when = document.createElement('span');
      when.className = 'countdown';
      when.textContent =
        drop.status === 'SCHEDULED' ? formatCountdown(Date.parse(drop.at) - now) : drop.status.toLowerCase();
      const what = document.createElement('span');
      const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
      what.textContent = `${formatInZone(drop.at, drop.timeZone)} (${drop.timeZone})${
        here === drop.timeZone ? '' : ` · here ${formatInZone(drop.at, here)}`
      } — ${describeDrop(drop)}`;
      const status = document.createElement('span');
      status.textContent = drop.status;
      item.append(when, what, status);
      return item;
    }),
  );
};

const scheduleDrop = async (form: HTMLFormElement) => {
  const galaId = state.galaId;
  if (!galaId) return;
  const timeZone = field(form, 'timeZone');
  const wall = field(form, 'at');
  const body: Record<string, unknown> = {
    // datetime-local leaves out the seconds when they are zero.
    at: instantOf(wall.length === 16 ? `${wall}:00` : wall, timeZone),
    timeZone,
    percentOff: Number(field(form, 'percentOff')),
  };
  if (field(form, 'stock')) body.stock = Number(field(form, 'stock'));
  const drop = await client.request<PriceDropView>(
    'POST',
    `/galas/${encodeURIComponent(galaId)}/price-drops`,
    {
      body,
    },
  );
  showMessage(`Drop scheduled for ${formatInZone(drop.at, drop.timeZone)} (${drop.timeZone}).`, 'info');
  await loadTimeline(galaId);
};

// --- wiring the page -------------------------------------------------------------------------------------

const onSubmit = (id: string, handler: (form: HTMLFormElement) => Promise<void>) => {
  const form = byId<HTMLFormElement>(id);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(() => handler(form));
  });
};

const loadConfig = async (): Promise<ConsoleConfig> => {
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(String(response.status));
    const config = (await response.json()) as Partial<ConsoleConfig>;
    return {
      apiUrl: (config.apiUrl ?? '').replace(/\/+$/, ''),
      localIssuer: config.localIssuer === true,
    };
  } catch {
    // Without a config the page assumes the API is where the page is.
    return { apiUrl: '', localIssuer: false };
  }
};

const start = async () => {
  state.config = await loadConfig();
  client = new ApiClient(state.config.apiUrl, () => state.token);
  show(byId('local-sign-in'), state.config.localIssuer);

  onSubmit('local-sign-in', async (form) => {
    const { token } = await client.request<{ token: string }>('POST', '/local/token', {
      body: { sub: field(form, 'sub'), role: field(form, 'role') },
      token: '',
    });
    signIn(token);
  });
  onSubmit('token-sign-in', async (form) => signIn(field(form, 'token').replace(/^Bearer\s+/i, '')));
  onSubmit('create-deal', createDeal);
  onSubmit('open-deal', (form) => openDeal(field(form, 'dealId').toUpperCase()));
  onSubmit('simulate', simulate);
  onSubmit('gala', (form) => loadTimeline(field(form, 'galaId')));
  onSubmit('schedule-drop', scheduleDrop);
  byId('sign-out').addEventListener('click', signOut);
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-cue]')) {
    button.addEventListener('click', () => void act(() => cue(button.dataset.cue ?? '')));
  }
  setInterval(tickDeal, 1_000);

  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    try {
      signIn(saved);
    } catch {
      sessionStorage.removeItem(TOKEN_KEY);
    }
  }
  document.body.dataset.ready = 'true';
};

void start();
