/**
 * Every PK/SK/GSI shape livedrop writes lives here and nowhere else (the README's key table mirrors it).
 * dealId and couponId are ULIDs and codes are Crockford base32, so none of them contains '#'; viewer ids
 * and idempotency keys are caller-chosen and therefore only ever the LAST component of a key.
 */
export interface Key {
  PK: string;
  SK: string;
}

const SEQ_WIDTH = 10;

export const keys = {
  deal: (dealId: string): Key => ({ PK: `DEAL#${dealId}`, SK: 'DEAL' }),
  /** One of the K stock shards; the only items many claims touch. */
  shard: (dealId: string, shard: number): Key => ({ PK: `DEAL#${dealId}#SHARD#${shard}`, SK: 'SHARD' }),
  /** Arbiter of one unit taken from a shard: whoever writes it first (claimer or reconciler) owns it. */
  ticket: (dealId: string, shard: number, seq: number): Key => ({
    PK: `DEAL#${dealId}#SHARD#${shard}#TICKET#${String(seq).padStart(SEQ_WIDTH, '0')}`,
    SK: 'TICKET',
  }),
  /** A viewer's holding slot n (1..perViewerLimit): the key space itself enforces the limit. */
  slot: (dealId: string, viewerId: string, n: number): Key => ({
    PK: viewerPartition(dealId, viewerId),
    SK: `SLOT#${n}`,
  }),
  idempotency: (dealId: string, viewerId: string, idempotencyKey: string): Key => ({
    PK: viewerPartition(dealId, viewerId),
    SK: `IDEM#${idempotencyKey}`,
  }),
  /** Coupons are keyed by their normalised code so checkout reaches them with one strongly consistent read. */
  coupon: (code: string): Key => ({ PK: `COUPON#${code}`, SK: 'COUPON' }),
  /** Points an IVS channel at a deal that named it, so a Stream End finds the deal with a consistent Query. */
  channelDeal: (channelArn: string, dealId: string): Key => ({
    PK: channelPartition(channelArn),
    SK: `DEAL#${dealId}`,
  }),
  /** A gala's price drops live in the gala's partition: listing them is one Query. */
  priceDrop: (galaId: string, dropId: string): Key => ({ PK: galaPartition(galaId), SK: `DROP#${dropId}` }),
  /**
   * One fixed window of a rate limit. The subject (a viewer id or a code) is per caller, so no window item
   * is shared by many callers; `scope` names the limit (CLAIM#VIEWER, CHECKOUT#VIEWER, CHECKOUT#CODE).
   */
  rateWindow: (scope: string, subject: string, windowStartMs: number): Key => ({
    PK: `RATE#${scope}#${subject}`,
    SK: `WINDOW#${windowStartMs}`,
  }),
  /**
   * One audit record. Coupon records go to the partition of the coupon's stock shard (spread like the
   * claims themselves); deal records (create, cue, price drop, end) to the deal's own audit partition.
   * The sort key starts with the instant, so each partition reads in time order.
   */
  audit: (dealId: string, bucket: AuditBucket, at: string, recordId: string): Key => ({
    PK: auditPartition(dealId, bucket),
    SK: `${at}#${recordId}`,
  }),
};

/** A coupon's stock shard, or 'deal' for records about the deal itself. */
export type AuditBucket = number | 'deal';

export const auditPartition = (dealId: string, bucket: AuditBucket): string =>
  `AUDIT#${dealId}#${bucket === 'deal' ? 'DEAL' : `SHARD#${bucket}`}`;

export const SLOT_PREFIX = 'SLOT#';
export const DROP_PREFIX = 'DROP#';

export const channelPartition = (channelArn: string): string => `IVS#${channelArn}`;
export const galaPartition = (galaId: string): string => `GALA#${galaId}`;

export const viewerPartition = (dealId: string, viewerId: string): string =>
  `DEAL#${dealId}#VIEWER#${viewerId}`;

export const gsi = {
  /** GSI1 on coupons: a viewer's coupons, newest first (couponId is a ULID). */
  viewerCoupons: (viewerId: string, couponId: string) => ({
    GSI1PK: `VIEWER#${viewerId}`,
    GSI1SK: `COUPON#${couponId}`,
  }),
  viewerCouponsPartition: (viewerId: string) => `VIEWER#${viewerId}`,
  /** GSI1 on deals: the deals of a stream. */
  streamDeals: (streamId: string, dealId: string) => ({
    GSI1PK: `STREAM#${streamId}`,
    GSI1SK: `DEAL#${dealId}`,
  }),
  streamDealsPartition: (streamId: string) => `STREAM#${streamId}`,
  /** GSI2 on coupons: per deal shard, by phase then time, so figures count and the sweep ranges cheaply. */
  couponPhasePartition: (dealId: string, shard: number) => `DEAL#${dealId}#SHARD#${shard}`,
  couponPhase: (phase: CouponPhase, at: string, code: string) => `${phase}#${at}#${code}`,
  couponPhasePrefix: (phase: CouponPhase) => `${phase}#`,
  /** GSI2 on deals: present while the sweep still has work on the deal (sparse). */
  sweepPartition: 'SWEEP',
  sweepDeal: (dealId: string) => ({ GSI2PK: 'SWEEP', GSI2SK: `DEAL#${dealId}` }),
  /** GSI2 on price drops: the SCHEDULED ones by instant, so the sweep fires any whose schedule was lost. */
  scheduledDropsPartition: 'DROPS',
  scheduledDrop: (at: string, galaId: string, dropId: string) => ({
    GSI2PK: 'DROPS',
    GSI2SK: `${at}#${dropId}#${galaId}`,
  }),
  galaDealsPartition: (galaId: string) => `GALA#${galaId}`,
  /** GSI1 on coupon audit records: one coupon's history, in time order. */
  couponAudit: (couponId: string, at: string, recordId: string) => ({
    GSI1PK: `AUDIT#COUPON#${couponId}`,
    GSI1SK: `${at}#${recordId}`,
  }),
  couponAuditPartition: (couponId: string) => `AUDIT#COUPON#${couponId}`,
  /** GSI3 on deals: the deals of a gala (sparse). */
  galaDeals: (galaId: string, dealId: string) => ({ GSI3PK: `GALA#${galaId}`, GSI3SK: `DEAL#${dealId}` }),
};

/**
 * Lifecycle phases of a coupon in GSI2. ISSUED sorts by expiresAt (the sweep ranges up to now), RETURNING
 * marks an expiry whose unit is not back in stock yet, EXPIRED is final.
 */
export type CouponPhase = 'ISSUED' | 'REDEEMED' | 'RETURNING' | 'EXPIRED';
