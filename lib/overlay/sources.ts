/// <reference lib="dom" />
/**
 * Where the overlay's live data comes from, in order of preference:
 * 1. IVS timed metadata, when the page embedding the overlay in its IVS player posts each TEXT_METADATA_CUE's
 *    text to it (window.postMessage; only from the page's own origin or the configured embedding origins);
 * 2. Server-Sent Events from `GET /streams/{id}/live/events` (the local runtime's stand-in for IVS);
 * 3. polling `GET /streams/{id}/live` once a second with If-None-Match, while neither of the above is flowing,
 *    and whenever a compact payload lacks what the full state has; deployed, through the live CDN (`liveUrl`).
 * Where the public route does not exist (404 from the gateway), it polls the token-protected
 * `GET /streams/{id}/deals` and reads each deal's stock from `GET /deals/{id}` instead.
 */

import type { LiveMetadata } from '../../functions/shared/domain/stream-live.js';
import type { ApiClient } from '../console/api.js';
import {
  type LegacyDealView,
  type LiveStore,
  metadataOfMessage,
  parseMetadata,
  parseStreamLive,
} from './live-state.js';

const POLL_MS = 1_000;
/** IVS metadata counts as flowing for this long after its last cue. */
const IVS_FRESH_MS = 10_000;
/** In legacy mode a deal's stock is read again this often (a restock raises it). */
const STOCK_REFRESH_MS = 15_000;

export interface SourceOptions {
  apiUrl: string;
  /** The live CDN's URL of the live state, `{streamId}` to fill in (OverlayConfig.liveUrl). */
  liveUrl?: string;
  streamId: string;
  store: LiveStore;
  api: ApiClient;
  token: () => string | undefined;
  liveEvents: boolean;
  embedOrigins: readonly string[];
  /** The store changed. */
  onChange: () => void;
  /** Whether the last read failed (the page says it is reconnecting). */
  onStale: (stale: boolean) => void;
  /** The embedding page handed over the viewer's token. */
  onToken: (token: string) => void;
}

/**
 * Where to poll a stream's live state: the live CDN's URL when there is one, else the API's route. A live route
 * that wants a token (an older API) is read from the API: the CDN passes no Authorization on.
 */
export const liveStateUrl = (
  options: Pick<SourceOptions, 'apiUrl' | 'liveUrl' | 'streamId'>,
  withToken: boolean,
): string =>
  options.liveUrl === undefined || withToken
    ? `${options.apiUrl}/streams/${encodeURIComponent(options.streamId)}/live`
    : options.liveUrl.replace('{streamId}', encodeURIComponent(options.streamId));

export const startSources = (options: SourceOptions) => {
  const { apiUrl, streamId, store, api } = options;
  const base = `/streams/${encodeURIComponent(streamId)}`;
  let mode: 'live' | 'legacy' = 'live';
  let etag: string | undefined;
  let liveNeedsToken = false;
  let wantFull = true;
  let eventsOpen = false;
  let eventsStarted = false;
  let lastCueAt = 0;
  let busy = false;
  const stocks = new Map<string, { stock: number; at: number }>();

  const onMetadata = (meta: LiveMetadata) => {
    const { applied, needsFull } = store.applyMetadata(meta);
    if (applied) options.onChange();
    if (needsFull) {
      wantFull = true;
      void tick();
    }
  };

  const readLegacy = async () => {
    if (!options.token()) return;
    const { deals } = await api.request<{ deals: LegacyDealView[] }>('GET', `${base}/deals`);
    const now = Date.now();
    for (const deal of deals) {
      if (deal.status !== 'LIVE' && deal.status !== 'PAUSED') continue;
      const known = stocks.get(deal.dealId);
      if (known && known.stock >= deal.available && now - known.at < STOCK_REFRESH_MS) continue;
      const figures = await api.request<{ stock: number }>(
        'GET',
        `/deals/${encodeURIComponent(deal.dealId)}`,
      );
      stocks.set(deal.dealId, { stock: figures.stock, at: now });
    }
    store.applyLegacy(deals, new Map([...stocks].map(([dealId, { stock }]) => [dealId, stock])));
    options.onChange();
  };

  const readFull = async (): Promise<void> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (etag) headers['if-none-match'] = etag;
    const token = options.token();
    if (liveNeedsToken && token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(liveStateUrl(options, liveNeedsToken), { headers, cache: 'no-store' });
    if (response.status === 304) {
      wantFull = false;
      return;
    }
    if ((response.status === 401 || response.status === 403) && !liveNeedsToken && token) {
      liveNeedsToken = true;
      return readFull();
    }
    const text = await response.text();
    // The gateway's own 404 (no such route, `{ message }` without a code): the public route is not deployed here.
    if (response.status === 404 && !text.includes('"error"')) {
      mode = 'legacy';
      return readLegacy();
    }
    // livedrop's own 404 (say, a stream it does not know): nothing is live on it.
    if (response.status === 404) {
      store.applyLegacy([], new Map());
      options.onChange();
      return;
    }
    if (!response.ok) throw new Error(`GET ${base}/live answered ${response.status}`);
    const state = parseStreamLive(text);
    if (!state) throw new Error(`GET ${base}/live answered something else than a live state`);
    etag = response.headers.get('etag') ?? undefined;
    wantFull = false;
    if (store.applyFull(state)) options.onChange();
    if (options.liveEvents && !eventsStarted) openEvents();
  };

  const openEvents = () => {
    if (typeof EventSource === 'undefined') return;
    eventsStarted = true;
    const source = new EventSource(`${apiUrl}${base}/live/events`);
    let opened = false;
    source.onopen = () => {
      opened = true;
      eventsOpen = true;
    };
    source.onmessage = (event: MessageEvent<string>) => {
      const meta = parseMetadata(event.data);
      if (meta) onMetadata(meta);
    };
    source.onerror = () => {
      eventsOpen = false;
      if (source.readyState !== EventSource.CLOSED) return; // the browser reconnects by itself
      source.close();
      // Refused outright (no such route): polling it is. Closed after it worked (a restart): try again.
      if (opened) setTimeout(openEvents, 3_000);
    };
  };

  const flowing = () => eventsOpen || Date.now() - lastCueAt < IVS_FRESH_MS;

  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      if (mode === 'legacy') await readLegacy();
      else if (wantFull || !flowing()) await readFull();
      options.onStale(false);
    } catch {
      options.onStale(true);
    } finally {
      busy = false;
    }
  };

  window.addEventListener('message', (event: MessageEvent) => {
    const trusted = event.origin === location.origin || options.embedOrigins.includes(event.origin);
    if (!trusted || (event.source !== window.parent && event.source !== window)) return;
    const data = event.data as { type?: unknown; token?: unknown } | null;
    if (
      data &&
      typeof data === 'object' &&
      data.type === 'livedrop.token' &&
      typeof data.token === 'string'
    ) {
      options.onToken(data.token);
      return;
    }
    const meta = metadataOfMessage(event.data);
    if (!meta) return;
    lastCueAt = Date.now();
    onMetadata(meta);
  });

  setInterval(() => void tick(), POLL_MS);
  void tick();
  return { refresh: () => void tick() };
};
