/**
 * What every viewer of a stream sees of its deals, the same for all of them and nothing personal: the public
 * live state (`GET /streams/{streamId}/live`, cached by CloudFront) and its compact form, the timed metadata put
 * into the stream's IVS channel (at most 1 KB) and, locally, the Server-Sent Events standing in for it.
 */
import * as z from 'zod/mini';

const instant = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'ISO 8601 UTC'));
const amount = z.int().check(z.gte(0));

export const streamLiveDealSchema = z.object({
  dealId: z.string(),
  title: z.string(),
  status: z.enum(['LIVE', 'PAUSED']),
  currency: z.string(),
  dealPrice: amount,
  listPrice: amount,
  /** The lowest price of the 30 days before the current one (EU Omnibus rule); absent with no history. */
  priorLowestPrice: z.optional(amount),
  endsAt: z.optional(instant),
  available: amount,
  stock: amount,
  /**
   * How many of the deal's coupons one viewer may hold at once. Always sent; a state without it (from before it
   * was, still in a cache during a deploy) reads as 1, the deals' default.
   */
  perViewerLimit: z._default(z.int().check(z.gte(1)), 1),
});
export type StreamLiveDeal = z.infer<typeof streamLiveDealSchema>;

export const streamLiveSchema = z.object({
  streamId: z.string(),
  /** Grows with every change of any figure, status, price or end of the stream's deals; never falls. */
  version: amount,
  /** When the state was read. */
  at: instant,
  /** The LIVE and PAUSED deals, newest first. */
  deals: z.array(streamLiveDealSchema),
});
export type StreamLive = z.infer<typeof streamLiveSchema>;

/** IVS's limit for one PutMetadata payload. */
export const METADATA_MAX_BYTES = 1_024;

/**
 * The compact form, short keys: `v` version, `s` streamId, `d` deals, each `i` dealId, `s` status (L or P), `a`
 * available, `k` stock, `p` dealPrice, `c` currency, `e` endsAt (epoch seconds), and, while they fit, `t` title,
 * `l` listPrice, `o` priorLowestPrice; `n` perViewerLimit when above 1 (absent: 1). `m: 1` says deals were left out
 * to fit 1 KB: read the live state for them.
 */
export interface LiveMetadata {
  v: number;
  s: string;
  d: {
    i: string;
    s: 'L' | 'P';
    a: number;
    k: number;
    p: number;
    c: string;
    e?: number;
    n?: number;
    t?: string;
    l?: number;
    o?: number;
  }[];
  m?: 1;
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** The figures of a deal, always sent; the words only while the payload stays within 1 KB. */
const compactDeal = (deal: StreamLiveDeal, withWords: boolean): LiveMetadata['d'][number] => ({
  i: deal.dealId,
  s: deal.status === 'LIVE' ? 'L' : 'P',
  a: deal.available,
  k: deal.stock,
  p: deal.dealPrice,
  c: deal.currency,
  ...(deal.endsAt === undefined ? {} : { e: Math.floor(Date.parse(deal.endsAt) / 1000) }),
  ...(deal.perViewerLimit > 1 ? { n: deal.perViewerLimit } : {}),
  ...(withWords
    ? {
        t: deal.title,
        l: deal.listPrice,
        ...(deal.priorLowestPrice === undefined ? {} : { o: deal.priorLowestPrice }),
      }
    : {}),
});

/** The IVS timed-metadata payload of a live state: as much as fits 1 KB, figures before words, newest deals first. */
export const toLiveMetadata = (state: StreamLive): LiveMetadata => {
  const full: LiveMetadata = {
    v: state.version,
    s: state.streamId,
    d: state.deals.map((d) => compactDeal(d, true)),
  };
  if (bytes(full) <= METADATA_MAX_BYTES) return full;
  const figures: LiveMetadata = { v: state.version, s: state.streamId, d: [], m: 1 };
  for (const deal of state.deals) {
    const next = { ...figures, d: [...figures.d, compactDeal(deal, false)] };
    if (bytes(next) > METADATA_MAX_BYTES) break;
    figures.d = next.d;
  }
  return figures;
};
