/**
 * The correctness figures, checked against the store at the end (through the side client, so the checks
 * cost nothing in the model), compared with what the viewers and the host were answered (the ledger).
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SimulatedEngines } from './engines.js';
import type { Ledger } from './ledger.js';

export interface StoredCoupon {
  code: string;
  dealId: string;
  viewerId: string;
  status: string;
  issuedAt: string;
  shard: number;
}

export interface DealCheck {
  dealId: string;
  stock: number;
  available: number;
  held: number;
  redeemed: number;
  /** stock = available + held + redeemed. */
  balanced: boolean;
  /** ISSUED + REDEEMED coupons found in the store. */
  liveCoupons: number;
  perViewerLimit: number;
}

export interface Checks {
  deals: DealCheck[];
  oversell: number;
  perViewerBreaches: number;
  grantedThen5xx: number;
  grantedAfterEnd: number;
  /** Coupons in the store whose code no claim answer ever carried (with or without a 5xx before). */
  couponsNeverAnswered: number;
  /** Coupons issued per deal shard (`<dealId>#<shard>`), any status. */
  couponsPerShard: Map<string, number>;
}

const scanCoupons = async (engines: SimulatedEngines, tableName: string): Promise<StoredCoupon[]> => {
  const coupons: StoredCoupon[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await engines.sideDocument.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: '#type = :coupon',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':coupon': 'COUPON' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) coupons.push(item as StoredCoupon);
    start = out.LastEvaluatedKey;
  } while (start);
  return coupons.filter((coupon) => coupon.status !== 'VOID');
};

const isLive = (coupon: StoredCoupon) => coupon.status === 'ISSUED' || coupon.status === 'REDEEMED';

export const checkStore = async (
  engines: SimulatedEngines,
  tableName: string,
  ledger: Ledger,
  limits: Map<string, number>,
): Promise<Checks> => {
  const coupons = await scanCoupons(engines, tableName);
  const deals: DealCheck[] = [];
  let oversell = 0;
  for (const [dealId, perViewerLimit] of limits) {
    const view = await engines.inspector.getDeal(dealId);
    const liveCoupons = coupons.filter((coupon) => coupon.dealId === dealId && isLive(coupon)).length;
    const accounted = view.available + view.held + view.redeemed;
    oversell += Math.max(0, liveCoupons - view.stock) + Math.max(0, accounted - view.stock);
    deals.push({
      dealId,
      stock: view.stock,
      available: view.available,
      held: view.held,
      redeemed: view.redeemed,
      balanced: accounted === view.stock,
      liveCoupons,
      perViewerLimit,
    });
  }

  const holdings = new Map<string, number>();
  for (const coupon of coupons.filter(isLive)) {
    const key = `${coupon.dealId}\u0000${coupon.viewerId}`;
    holdings.set(key, (holdings.get(key) ?? 0) + 1);
  }
  let perViewerBreaches = 0;
  for (const [key, count] of holdings) {
    const dealId = key.split('\u0000')[0] ?? '';
    if (count > (limits.get(dealId) ?? 1)) perViewerBreaches++;
  }

  // A coupon the viewer never heard of: its claim was answered 5xx and no retry with its key returned it.
  // Answers carry the code grouped for reading (7KQ2-M9XH-...); the store keeps it normalised.
  const plain = (code: string) => code.replace(/[-\s]/g, '').toUpperCase();
  const answered = new Set(ledger.grants.map((grant) => plain(grant.code)));
  const failedViewers = new Set(ledger.serverErrors.map((error) => `${error.dealId}\u0000${error.viewerId}`));
  const unanswered = coupons.filter((coupon) => !answered.has(plain(coupon.code)));
  const grantedThen5xx = unanswered.filter((coupon) =>
    failedViewers.has(`${coupon.dealId}\u0000${coupon.viewerId}`),
  ).length;

  // Closed windows per deal: from a pause's answer to the next resume's sending, and from an end's answer on.
  const closed = new Map<string, [number, number][]>();
  for (const cue of [...ledger.cues].sort((a, b) => a.sentAt - b.sentAt)) {
    const windows = closed.get(cue.dealId) ?? [];
    if (cue.action === 'pause' || cue.action === 'end')
      windows.push([cue.answeredAt, Number.POSITIVE_INFINITY]);
    if (cue.action === 'resume') {
      const open = windows.at(-1);
      if (open && open[1] === Number.POSITIVE_INFINITY) open[1] = cue.sentAt;
    }
    closed.set(cue.dealId, windows);
  }
  const grantedAfterEnd = coupons.filter((coupon) => {
    const at = Date.parse(coupon.issuedAt);
    return (closed.get(coupon.dealId) ?? []).some(([from, until]) => at > from && at < until);
  }).length;

  return {
    deals,
    oversell,
    perViewerBreaches,
    grantedThen5xx,
    grantedAfterEnd,
    couponsNeverAnswered: unanswered.length,
    couponsPerShard: coupons.reduce(
      (counts, coupon) =>
        counts.set(
          `${coupon.dealId}#${coupon.shard}`,
          (counts.get(`${coupon.dealId}#${coupon.shard}`) ?? 0) + 1,
        ),
      new Map<string, number>(),
    ),
  };
};
