/**
 * The ONE definition of livedrop's DynamoDB table: key schema and global secondary indexes. The CDK stack,
 * the embedded store (dynalite) and the data layer all read this module, so they cannot drift apart.
 * Pure data on purpose: no AWS SDK or CDK import, so a Lambda bundle can include it for the index names.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
}

export interface TableDefinition {
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly IndexDefinition[];
  /** Epoch seconds; only garbage-collects long-finished records, never drives expiry logic. */
  readonly timeToLiveAttribute: string;
}

export const INDEX = {
  /** Viewer's coupons newest first; a stream's deals; one coupon's audit records. */
  byOwner: 'GSI1',
  /** Coupons of one deal shard by lifecycle phase and time (figures, sweep); the deals still to sweep. */
  byPhase: 'GSI2',
  /** Deals of a gala. */
  byGala: 'GSI3',
} as const;

export const TABLE: TableDefinition = {
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: INDEX.byOwner,
      partitionKey: { name: 'GSI1PK', type: 'S' },
      sortKey: { name: 'GSI1SK', type: 'S' },
    },
    {
      indexName: INDEX.byPhase,
      partitionKey: { name: 'GSI2PK', type: 'S' },
      sortKey: { name: 'GSI2SK', type: 'S' },
    },
    {
      indexName: INDEX.byGala,
      partitionKey: { name: 'GSI3PK', type: 'S' },
      sortKey: { name: 'GSI3SK', type: 'S' },
    },
  ],
  timeToLiveAttribute: 'expiresAtEpoch',
};
