import { rateWindowKey } from '../data/viewer.js';
import { RateLimited } from '../domain/errors.js';
import type { Context } from './context.js';

/** A fixed-window limit: at most `limit` requests per `windowSeconds`. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/**
 * The abuse limits. Counts live in the store (one small item per caller and window, expiring by TTL), so
 * they hold however many containers serve the caller. null turns a limit off.
 */
export interface RateLimits {
  /** Claims per viewer, over all deals: a bot cannot hammer the spike path from one account. */
  claimsPerViewer: RateLimit | null;
  /** Redemptions and releases naming one viewer: walking codes for a viewer is slowed down. */
  checkoutPerViewer: RateLimit | null;
  /** Redemptions and releases of one code: a code cannot be hammered with orders. */
  checkoutPerCode: RateLimit | null;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  claimsPerViewer: { limit: 30, windowSeconds: 10 },
  checkoutPerViewer: { limit: 60, windowSeconds: 60 },
  checkoutPerCode: { limit: 20, windowSeconds: 60 },
};

/** The window `nowMs` falls in, and the whole seconds left in it (at least 1, for Retry-After). */
export const windowOf = (limit: RateLimit, nowMs: number): { startMs: number; retryAfterSeconds: number } => {
  const size = limit.windowSeconds * 1000;
  const startMs = Math.floor(nowMs / size) * size;
  return { startMs, retryAfterSeconds: Math.max(1, Math.ceil((startMs + size - nowMs) / 1000)) };
};

const SCOPE_NAMES: Record<string, string> = {
  'CLAIM#VIEWER': 'claims per viewer',
  'CHECKOUT#VIEWER': 'checkout requests per viewer',
  'CHECKOUT#CODE': 'checkout requests per code',
};

/** Counts one request against a rate limit kept in the store; RATE_LIMITED once the window is full. */
export const countAgainst = async (
  ctx: Context,
  scope: keyof typeof SCOPE_NAMES,
  subject: string,
  limit: RateLimit | null,
): Promise<void> => {
  if (limit === null) return;
  const window = windowOf(limit, ctx.clock.now());
  // Kept a window past its end: TTL deletion is lazy, and an early delete would only reset a count.
  const expiresAtEpoch = Math.ceil((window.startMs + 2 * limit.windowSeconds * 1000) / 1000);
  const key = rateWindowKey(scope, subject, window.startMs);
  if (!(await ctx.store.countRequest(key, limit.limit, expiresAtEpoch))) {
    throw new RateLimited(window.retryAfterSeconds, { scope: SCOPE_NAMES[scope] ?? scope, ...limit });
  }
};

/** How long a viewer whose claim missed is counted up front in this container. */
const SUSPECT_MS = 60_000;
const MAX_WATCHED = 10_000;

/**
 * The claims-per-viewer limit counts the claims that reached the store's writes and did not win a new coupon:
 * the viewer's limit reached, replays, in-progress answers and failures. A granted claim is bounded by the
 * deal's per-viewer limit already, so it pays no window write; sold out and not live describe the deal, and
 * each container learns them once, so they are not counted either. A viewer who missed in this container is
 * counted before the work from then on (for a minute), so once the window is full, this container refuses
 * them without touching the deal; a container that has not seen them lets one attempt through first.
 */
export class ClaimWatch {
  private readonly viewers = new Map<string, { suspectUntil: number; limitedUntil: number }>();

  constructor(private readonly ctx: Context) {}

  private get limit(): RateLimit | null {
    return this.ctx.options.rateLimits.claimsPerViewer;
  }

  /** Before a claim's work: refused when known limited; counted first when the viewer missed lately. */
  async admit(viewerId: string): Promise<{ counted: boolean }> {
    const limit = this.limit;
    if (limit === null) return { counted: true };
    const now = this.ctx.clock.now();
    const seen = this.viewers.get(viewerId);
    if (seen && seen.limitedUntil > now) {
      const window = windowOf(limit, now);
      throw new RateLimited(window.retryAfterSeconds, { scope: SCOPE_NAMES['CLAIM#VIEWER'] ?? '', ...limit });
    }
    if (!seen || seen.suspectUntil <= now) return { counted: false };
    await this.count(viewerId);
    return { counted: true };
  }

  /** After a claim that won no new coupon; never changes that claim's answer. */
  async missed(viewerId: string, counted: boolean): Promise<void> {
    if (this.limit === null) return;
    this.watch(viewerId).suspectUntil = this.ctx.clock.now() + SUSPECT_MS;
    if (counted) return;
    await this.count(viewerId).catch(() => {});
  }

  private async count(viewerId: string): Promise<void> {
    try {
      await countAgainst(this.ctx, 'CLAIM#VIEWER', viewerId, this.limit);
    } catch (error) {
      if (error instanceof RateLimited) {
        this.watch(viewerId).limitedUntil = this.ctx.clock.now() + error.retryAfterSeconds * 1000;
      }
      throw error;
    }
  }

  private watch(viewerId: string): { suspectUntil: number; limitedUntil: number } {
    let seen = this.viewers.get(viewerId);
    if (!seen) {
      if (this.viewers.size >= MAX_WATCHED) this.viewers.clear();
      seen = { suspectUntil: 0, limitedUntil: 0 };
      this.viewers.set(viewerId, seen);
    }
    return seen;
  }
}

/** Checkout's limits: per viewer first (it also slows walking unknown codes), then per code. */
export const limitCheckout = async (
  ctx: Context,
  viewerId: string,
  code: string | undefined,
): Promise<void> => {
  await countAgainst(ctx, 'CHECKOUT#VIEWER', viewerId, ctx.options.rateLimits.checkoutPerViewer);
  if (code !== undefined)
    await countAgainst(ctx, 'CHECKOUT#CODE', code, ctx.options.rateLimits.checkoutPerCode);
};
