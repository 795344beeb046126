/**
 * What the overlay shows of a stream, merged from three sources (see sources.ts): the full live state
 * (`GET /streams/{id}/live`, `StreamLive`), its compact form (IVS timed metadata or the local SSE, `LiveMetadata`)
 * and, where the public route is missing, the token-protected views (`GET /streams/{id}/deals` and the deals'
 * figures). Pure: the unit tests feed it payloads as the page does.
 *
 * Rules: a payload whose version is lower than the one shown is ignored (sources race; IVS cues and polls
 * overtake each other). The compact form may lack the words (title, list price, prior lowest price): they are
 * kept from the last full state, and when a deal's are unknown, or deals were left out (`m: 1`), the caller
 * is told to read the full state.
 */
import * as z from 'zod/mini';
import {
  type LiveMetadata,
  type StreamLive,
  streamLiveSchema,
} from '../../functions/shared/domain/stream-live.js';

export interface OverlayDeal {
  dealId: string;
  status: 'LIVE' | 'PAUSED';
  currency: string;
  dealPrice: number;
  available: number;
  stock: number;
  /** How many of its coupons one viewer may hold at once. */
  perViewerLimit: number;
  /** Epoch milliseconds. */
  endsAt?: number;
  title?: string;
  listPrice?: number;
  priorLowestPrice?: number;
}

type Words = Pick<OverlayDeal, 'title' | 'listPrice' | 'priorLowestPrice'>;

const amount = z.int().check(z.gte(0));
const liveMetadataSchema = z.object({
  v: amount,
  s: z.string(),
  d: z.array(
    z.object({
      i: z.string(),
      s: z.enum(['L', 'P']),
      a: amount,
      k: amount,
      p: amount,
      c: z.string(),
      e: z.optional(amount),
      n: z.optional(z.int().check(z.gte(1))),
      t: z.optional(z.string()),
      l: z.optional(amount),
      o: z.optional(amount),
    }),
  ),
  m: z.optional(z.literal(1)),
});
// The schema reads exactly the encoder's type: a change to LiveMetadata fails the type check here.
const sameShape: (value: z.infer<typeof liveMetadataSchema>) => LiveMetadata = (value) => value;
void sameShape;

const asJson = (input: unknown): unknown => {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch {
    return undefined;
  }
};

/** A compact payload from its JSON text or object; undefined for anything else. */
export const parseMetadata = (input: unknown): LiveMetadata | undefined => {
  const parsed = liveMetadataSchema.safeParse(asJson(input));
  return parsed.success ? (parsed.data as LiveMetadata) : undefined;
};

/** A full live state from its JSON; undefined when it is not one. */
export const parseStreamLive = (input: unknown): StreamLive | undefined => {
  const parsed = streamLiveSchema.safeParse(asJson(input));
  return parsed.success ? parsed.data : undefined;
};

/**
 * What a page embedding the overlay may post to it: the payload itself (text or object), IVS's TextMetadataCue
 * (`{ text }`, as the player's TEXT_METADATA_CUE event gives it), or `{ type: 'livedrop.metadata', payload }`.
 */
export const metadataOfMessage = (data: unknown): LiveMetadata | undefined => {
  const direct = parseMetadata(data);
  if (direct || data === null || typeof data !== 'object') return direct;
  const message = data as { text?: unknown; payload?: unknown };
  return parseMetadata(message.text ?? message.payload);
};

/** The public per-deal view of the token-protected routes (`GET /streams/{id}/deals`), before /live existed. */
export interface LegacyDealView {
  dealId: string;
  title: string;
  status: string;
  available: number;
  currency: string;
  dealPrice: number;
  listPrice: number;
  priorLowestPrice?: number;
  endsAt?: string;
}

const wordsOf = (deal: Words): Words => ({
  ...(deal.title === undefined ? {} : { title: deal.title }),
  ...(deal.listPrice === undefined ? {} : { listPrice: deal.listPrice }),
  ...(deal.priorLowestPrice === undefined ? {} : { priorLowestPrice: deal.priorLowestPrice }),
});

export class LiveStore {
  /** The version shown; undefined until a versioned payload arrived (the legacy views have none). */
  version: number | undefined;
  deals: OverlayDeal[] = [];
  private readonly words = new Map<string, Words>();

  constructor(readonly streamId: string) {}

  private isOlder(version: number): boolean {
    return this.version !== undefined && version < this.version;
  }

  /** Applies a full state; false when it is older than the one shown (or of another stream). */
  applyFull(state: StreamLive): boolean {
    if (state.streamId !== this.streamId || this.isOlder(state.version)) return false;
    this.version = state.version;
    this.deals = state.deals.map((deal) => {
      const words = wordsOf(deal);
      this.words.set(deal.dealId, words);
      return {
        dealId: deal.dealId,
        status: deal.status,
        currency: deal.currency,
        dealPrice: deal.dealPrice,
        available: deal.available,
        stock: deal.stock,
        perViewerLimit: deal.perViewerLimit,
        ...(deal.endsAt === undefined ? {} : { endsAt: Date.parse(deal.endsAt) }),
        ...words,
      };
    });
    return true;
  }

  /**
   * Applies a compact payload. `needsFull` asks for the full state: deals were left out, or a deal's words are
   * unknown. With `m: 1` the deals left out keep what was shown of them until the full state says otherwise.
   */
  applyMetadata(meta: LiveMetadata): { applied: boolean; needsFull: boolean } {
    if (meta.s !== this.streamId || this.isOlder(meta.v)) return { applied: false, needsFull: false };
    this.version = meta.v;
    let needsFull = meta.m === 1;
    const listed = meta.d.map((deal): OverlayDeal => {
      const sent = wordsOf({ title: deal.t, listPrice: deal.l, priorLowestPrice: deal.o });
      const words = deal.t === undefined ? this.words.get(deal.i) : sent;
      if (words === undefined) needsFull = true;
      else this.words.set(deal.i, words);
      return {
        dealId: deal.i,
        status: deal.s === 'L' ? 'LIVE' : 'PAUSED',
        currency: deal.c,
        dealPrice: deal.p,
        available: deal.a,
        stock: deal.k,
        perViewerLimit: deal.n ?? 1,
        ...(deal.e === undefined ? {} : { endsAt: deal.e * 1000 }),
        ...words,
      };
    });
    const ids = new Set(listed.map((deal) => deal.dealId));
    this.deals = meta.m === 1 ? [...listed, ...this.deals.filter((deal) => !ids.has(deal.dealId))] : listed;
    return { applied: true, needsFull };
  }

  /**
   * Applies the legacy views (no version: used only while the versioned sources are absent). Their stock is
   * not in the view; `stocks` has it from each deal's figures. SCHEDULED deals are not shown.
   */
  applyLegacy(views: readonly LegacyDealView[], stocks: ReadonlyMap<string, number>): void {
    this.deals = views
      .filter((view) => view.status === 'LIVE' || view.status === 'PAUSED')
      .map((view) => {
        const words = wordsOf(view);
        this.words.set(view.dealId, words);
        return {
          dealId: view.dealId,
          status: view.status as OverlayDeal['status'],
          currency: view.currency,
          dealPrice: view.dealPrice,
          available: view.available,
          stock: Math.max(stocks.get(view.dealId) ?? 0, view.available),
          // Not in the legacy view; the engine still refuses a claim over the deal's limit.
          perViewerLimit: 1,
          ...(view.endsAt === undefined ? {} : { endsAt: Date.parse(view.endsAt) }),
          ...words,
        };
      });
  }

  /** The words last known of a deal, for the wallet's coupons of deals no longer shown. */
  titleOf(dealId: string): string | undefined {
    return this.words.get(dealId)?.title;
  }
}

/** Reaching this many units left is said once; above it, only crossing a quarter of the stock is. */
export const FEW_LEFT = 10;

const quarter = (deal: OverlayDeal) =>
  deal.stock <= 0 ? 0 : Math.ceil((4 * Math.max(0, deal.available)) / deal.stock);

/**
 * What the polite live region says about a deal's change, if anything: a new deal, a pause or resume, sold out,
 * the end, and stock only when it crosses a quarter of the stock or reaches a few units: not every tick.
 */
export const announcementOf = (
  before: OverlayDeal | undefined,
  after: OverlayDeal | undefined,
): 'live' | 'paused' | 'resumed' | 'soldOut' | 'ended' | 'stock' | undefined => {
  if (!after) return before ? 'ended' : undefined;
  if (!before) return 'live';
  if (before.status !== after.status) return after.status === 'PAUSED' ? 'paused' : 'resumed';
  if (after.available === before.available) return undefined;
  if (after.available <= 0) return 'soldOut';
  if (after.available <= FEW_LEFT && before.available > FEW_LEFT) return 'stock';
  if (after.available > before.available) return 'stock';
  return quarter(after) !== quarter(before) && after.available > FEW_LEFT ? 'stock' : undefined;
};
