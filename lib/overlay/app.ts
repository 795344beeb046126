/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The viewer overlay: one page, no framework, for /overlay?stream={streamId}. It shows the stream's live and
 * paused deals as cards that follow the live data (sources.ts), lets the viewer claim a coupon with one tap
 * (a fresh Idempotency-Key per tap, see claim-state.ts) and lists their coupons. English and Russian, picked
 * from the browser's languages, `?lang=` or the switcher.
 */
import { ApiClient, ApiError, NETWORK_STATUS } from '../console/api.js';
import { byId, newId, show } from '../console/page.js';
import type { OverlayConfig } from './build.js';
import { DealCard } from './card.js';
import { ClaimTaps, isUnknownOutcome, retryDelayMs } from './claim-state.js';
import { type Language, localeFor, type Phrase, pickLanguage, Words } from './i18n.js';
import { announcementOf, LiveStore, type OverlayDeal } from './live-state.js';
import { Session } from './session.js';
import { startSources } from './sources.js';
import { type CouponView, Wallet } from './wallet.js';

const params = new URLSearchParams(location.search);
const streamId = params.get('stream')?.trim() ?? '';
let words = new Words('en');
const cards = new Map<string, DealCard>();
const taps = new Map<string, ClaimTaps>();
let shown: OverlayDeal[] = [];

const loadConfig = async (): Promise<OverlayConfig> => {
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(String(response.status));
    const config = (await response.json()) as Partial<OverlayConfig>;
    return {
      apiUrl: (config.apiUrl ?? '').replace(/\/+$/, ''),
      ...(typeof config.liveUrl === 'string' && config.liveUrl.includes('{streamId}')
        ? { liveUrl: config.liveUrl }
        : {}),
      localIssuer: config.localIssuer === true,
      liveEvents: config.liveEvents === true,
      embedOrigins: Array.isArray(config.embedOrigins) ? config.embedOrigins : [],
    };
  } catch {
    return { apiUrl: '', localIssuer: false, liveEvents: false, embedOrigins: [] };
  }
};

const setLanguage = (language: Language) => {
  words = new Words(language, localeFor(language, navigator.languages ?? []));
  document.documentElement.lang = language;
  byId<HTMLSelectElement>('lang').value = language;
  for (const node of document.querySelectorAll<HTMLElement>('[data-t]')) {
    node.textContent = words.t(node.dataset.t as Phrase);
  }
  document.title = `livedrop · ${words.t('heading')}`;
  byId('stream').textContent = streamId ? words.stream(streamId) : '';
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const refusal = (error: unknown): string => {
  if (!(error instanceof ApiError)) return words.t('failed');
  if (error.status === NETWORK_STATUS) return words.t('network');
  const known: readonly string[] = [
    'SOLD_OUT',
    'LIMIT_REACHED',
    'DEAL_NOT_LIVE',
    'RATE_LIMITED',
    'UNAUTHORIZED',
  ];
  if (error.code && known.includes(error.code)) return words.t(error.code as Phrase);
  return error.status === 401 ? words.t('UNAUTHORIZED') : words.t('failed');
};

const start = async () => {
  const config = await loadConfig();
  const session = new Session(config.apiUrl, config.localIssuer);
  const api = new ApiClient(config.apiUrl, () => session.token);
  const store = new LiveStore(streamId);
  const wallet = new Wallet(byId('wallet'), byId<HTMLUListElement>('wallet-list'), byId('wallet-empty'));
  const announcer = byId('announcer');

  const renderWho = () => {
    const viewer = session.viewer;
    show(byId('who'), viewer !== undefined);
    byId('who-name').textContent = viewer === undefined ? '' : words.signedInAs(viewer);
    show(byId('token-sign-in'), viewer === undefined && !config.localIssuer);
    show(byId('switch-viewer'), config.localIssuer);
  };

  const render = () => {
    const now = Date.now();
    const container = byId('deals');
    const before = new Map(shown.map((deal) => [deal.dealId, deal]));
    const said: string[] = [];
    for (const deal of store.deals) {
      let card = cards.get(deal.dealId);
      if (!card) {
        card = new DealCard(deal.dealId, (tapped) => void claim(tapped));
        cards.set(deal.dealId, card);
      }
      card.update(deal, words, now);
      card.showCoupons(wallet.of(deal.dealId), words, now);
      container.append(card.root); // in the store's order, newest first
      const kind = announcementOf(before.get(deal.dealId), deal);
      if (kind) said.push(words.announce(kind, deal.title ?? '', deal.available));
    }
    const current = new Set(store.deals.map((deal) => deal.dealId));
    for (const [dealId, card] of cards) {
      if (current.has(dealId)) continue;
      const last = before.get(dealId);
      if (last) said.push(words.announce('ended', last.title ?? '', 0));
      card.root.remove();
      cards.delete(dealId);
    }
    shown = store.deals;
    show(byId('no-deals'), streamId !== '' && store.deals.length === 0);
    byId('no-deals').textContent = streamId ? words.t('none') : '';
    if (said.length > 0) announcer.textContent = said.join('. ');
  };

  const renderWallet = () =>
    session.token === undefined
      ? show(byId('wallet'), false)
      : wallet.render(words, (dealId) => store.titleOf(dealId), Date.now());

  const refreshWallet = async () => {
    if (session.token === undefined) return;
    try {
      await wallet.load(api);
      renderWallet();
      render();
    } catch {
      // The next refresh tries again; the claim's own answer already showed the coupon.
    }
  };

  const claim = async (card: DealCard) => {
    if (session.token === undefined && !(config.localIssuer && (await session.signInLocally()))) {
      card.setMessage(words.t('UNAUTHORIZED'));
      return;
    }
    renderWho();
    const tapsOfDeal = taps.get(card.dealId) ?? new ClaimTaps(newId);
    taps.set(card.dealId, tapsOfDeal);
    const key = tapsOfDeal.keyForTap();
    card.setMessage('');
    card.setBusy(true, words);
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          const coupon = await api.request<CouponView>(
            'POST',
            `/deals/${encodeURIComponent(card.dealId)}/claims`,
            {
              headers: { 'idempotency-key': key },
            },
          );
          tapsOfDeal.settle('answered');
          wallet.add(coupon);
          card.showCoupons(wallet.of(card.dealId), words, Date.now());
          renderWallet();
          return;
        } catch (error) {
          const status = error instanceof ApiError ? error.status : NETWORK_STATUS;
          const code = error instanceof ApiError ? error.code : undefined;
          const delay = retryDelayMs(attempt, status, code);
          if (delay !== undefined) {
            await sleep(delay);
            continue;
          }
          tapsOfDeal.settle(isUnknownOutcome(status, code) ? 'unknown' : 'answered');
          card.setMessage(refusal(error));
          if (code === 'LIMIT_REACHED') void refreshWallet();
          return;
        }
      }
    } finally {
      card.setBusy(false, words);
    }
  };

  setLanguage(pickLanguage(navigator.languages ?? [], params.get('lang')));
  byId<HTMLSelectElement>('lang').addEventListener('change', (event) => {
    const language = pickLanguage([], (event.target as HTMLSelectElement).value);
    params.set('lang', language);
    history.replaceState(null, '', `?${params.toString()}${location.hash}`);
    setLanguage(language);
    renderWho();
    render();
    renderWallet();
  });
  byId('switch-viewer').addEventListener('click', () => {
    session.forget();
    wallet.coupons = [];
    void session.signInLocally().then(() => {
      renderWho();
      render();
      void refreshWallet();
    });
  });
  byId<HTMLFormElement>('token-sign-in').addEventListener('submit', (event) => {
    event.preventDefault();
    const field = (event.target as HTMLFormElement).elements.namedItem('token') as HTMLTextAreaElement;
    signInWith(field.value);
  });
  const signInWith = (token: string) => {
    const message = byId('message');
    try {
      session.use(token);
      show(message, false);
    } catch (error) {
      message.textContent = (error as Error).message;
      show(message, true);
    }
    renderWho();
    void refreshWallet();
  };

  if (!streamId) {
    const message = byId('message');
    message.textContent = words.t('noStream');
    show(message, true);
    document.body.dataset.ready = 'true';
    return;
  }
  await session.resume().catch(() => false);
  renderWho();
  startSources({
    apiUrl: config.apiUrl,
    ...(config.liveUrl === undefined ? {} : { liveUrl: config.liveUrl }),
    streamId,
    store,
    api,
    token: () => session.token,
    liveEvents: config.liveEvents,
    embedOrigins: config.embedOrigins,
    onChange: render,
    onStale: (stale) => {
      const line = byId('connection');
      line.textContent = stale ? words.t('stale') : '';
      show(line, stale);
    },
    onToken: signInWith,
  });
  void refreshWallet();
  setInterval(() => {
    const now = Date.now();
    for (const card of cards.values()) card.tick(words, now);
    renderWallet();
  }, 1_000);
  setInterval(() => void refreshWallet(), 15_000);
  document.body.dataset.ready = 'true';
};

void start();
