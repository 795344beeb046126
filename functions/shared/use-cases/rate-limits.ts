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
