import { INDEX } from '../contract/table-definition.js';
import type { DropOutcome, PriceDropView } from '../domain/schemas.js';
import type { PriceDropStore } from '../domain/store-port.js';
import { EXISTS, type Key } from './key.js';
import type { Table } from './table.js';

/** A gala price drop: SCHEDULED until it fires (APPLIED) or is cancelled; results per deal. */
export interface PriceDropItem {
  PK: string;
  SK: string;
  type: 'PRICE_DROP';
  dropId: string;
  galaId: string;
  status: PriceDropView['status'];
  /** ISO 8601 UTC instant it fires at. */
  at: string;
  timeZone: string;
  dealIds?: string[];
  dealPrice?: number;
  percentOff?: number;
  stock?: number;
  createdAt: string;
  createdBy: string;
  firedAt?: string;
  appliedAt?: string;
  cancelledAt?: string;
  results: Record<string, DropOutcome>;
  GSI2PK?: string;
  GSI2SK?: string;
}

/** A gala's price drops live in the gala's partition: listing them is one Query. */
export const galaPartition = (galaId: string): string => `GALA#${galaId}`;
export const DROP_PREFIX = 'DROP#';
export const priceDropKey = (galaId: string, dropId: string): Key => ({
  PK: galaPartition(galaId),
  SK: `${DROP_PREFIX}${dropId}`,
});

/** GSI2: the SCHEDULED drops by instant (sparse), so the sweep fires any whose schedule was lost. */
export const SCHEDULED_DROPS_PARTITION = 'DROPS';

export type NewPriceDrop = Omit<
  PriceDropItem,
  'PK' | 'SK' | 'type' | 'status' | 'results' | 'GSI2PK' | 'GSI2SK'
>;

export const newPriceDropItem = (drop: NewPriceDrop): PriceDropItem => ({
  ...priceDropKey(drop.galaId, drop.dropId),
  type: 'PRICE_DROP',
  ...drop,
  status: 'SCHEDULED',
  results: {},
  GSI2PK: SCHEDULED_DROPS_PARTITION,
  GSI2SK: `${drop.at}#${drop.dropId}#${drop.galaId}`,
});

const SCHEDULED = '#status = :scheduled';

export const priceDropStore = (table: Table): PriceDropStore => ({
  putPriceDrop: (item) => table.putIfNew(item),

  getPriceDrop: (galaId, dropId) => table.get<PriceDropItem>(priceDropKey(galaId, dropId)),

  // Newest first: dropIds are ULIDs.
  listPriceDrops: async (galaId) => {
    const items = await table.queryAll<PriceDropItem>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :drop)',
      ExpressionAttributeValues: { ':pk': galaPartition(galaId), ':drop': DROP_PREFIX },
      ConsistentRead: true,
    });
    return items.reverse();
  },

  // Out of SCHEDULED (cancelled or applied), and so off the sweep's overdue list.
  closePriceDrop: (galaId, dropId, to, nowIso) =>
    table.updateIf<PriceDropItem>({
      Key: priceDropKey(galaId, dropId),
      UpdateExpression: `SET #status = :to, ${to === 'CANCELLED' ? 'cancelledAt' : 'appliedAt'} = :now REMOVE GSI2PK, GSI2SK`,
      ConditionExpression: SCHEDULED,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':to': to, ':now': nowIso, ':scheduled': 'SCHEDULED' },
      ReturnValues: 'ALL_NEW',
    }),

  // When a SCHEDULED drop first fired; undefined when it is no longer SCHEDULED.
  markPriceDropFired: (galaId, dropId, nowIso) =>
    table.updateIf<PriceDropItem>({
      Key: priceDropKey(galaId, dropId),
      UpdateExpression: 'SET firedAt = if_not_exists(firedAt, :now)',
      ConditionExpression: SCHEDULED,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':now': nowIso, ':scheduled': 'SCHEDULED' },
      ReturnValues: 'ALL_NEW',
    }),

  recordPriceDropResult: (galaId, dropId, dealId, result) =>
    table.update({
      Key: priceDropKey(galaId, dropId),
      UpdateExpression: 'SET #results.#deal = :result',
      ConditionExpression: EXISTS,
      ExpressionAttributeNames: { '#results': 'results', '#deal': dealId },
      ExpressionAttributeValues: { ':result': result },
    }),

  listDuePriceDrops: (untilIso) =>
    table.queryAll<{ galaId: string; dropId: string }>({
      IndexName: INDEX.byPhase,
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :until',
      ExpressionAttributeValues: { ':pk': SCHEDULED_DROPS_PARTITION, ':until': `${untilIso}#~` },
      ProjectionExpression: 'galaId, dropId',
    }),
});
