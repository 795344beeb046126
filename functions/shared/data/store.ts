import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StorePort } from '../domain/store-port.js';
import { auditStore } from './audit.js';
import { COUPON_CONDITIONS, couponStore } from './coupon.js';
import { DEAL_CONDITIONS, dealStore } from './deal.js';
import { EXISTS, IS_NEW } from './key.js';
import { priceDropStore } from './price-drop.js';
import { REQUEST_CONDITIONS, requestRecordStore } from './request-record.js';
import { SHARD_CONDITIONS, shardStore } from './shard.js';
import { Table } from './table.js';
import { TALLY_CONDITIONS, tallyStore } from './tally.js';
import { ticketStore } from './ticket.js';
import { VIEWER_CONDITIONS, viewerStore } from './viewer.js';

/** The store port on DynamoDB (or any compatible endpoint): each entity module serves its own items. */
export type DynamoStore = StorePort & { readonly tableName: string };

export const createStore = (client: DynamoDBDocumentClient, tableName: string): DynamoStore => {
  const table = new Table(client, tableName);
  return {
    tableName,
    ...dealStore(table),
    ...shardStore(table),
    ...tallyStore(table),
    ...ticketStore(table),
    ...couponStore(table),
    ...viewerStore(table),
    ...auditStore(table),
    ...priceDropStore(table),
    ...requestRecordStore(table),
  };
};

/** The named condition pieces of every entity, for the docs and the command-shape tests. */
export const CONDITIONS = {
  isNew: IS_NEW,
  exists: EXISTS,
  ...DEAL_CONDITIONS,
  ...SHARD_CONDITIONS,
  ...TALLY_CONDITIONS,
  ...COUPON_CONDITIONS,
  ...VIEWER_CONDITIONS,
  ...REQUEST_CONDITIONS,
} as const;
