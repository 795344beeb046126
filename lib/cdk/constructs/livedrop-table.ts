import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, type ITableV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type KeyAttribute, TABLE } from '../../../functions/shared/contract/table-definition.js';

export interface LivedropTableProps {
  /** Refuse `DeleteTable` (and keep the table when the stack goes). Default true. */
  deletionProtection?: boolean;
}

const attribute = (key: KeyAttribute) => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * livedrop's one table, built from the same table definition the embedded store uses: on-demand (a spike
 * needs no capacity planning), point-in-time recovery, deletion protection, and a TTL attribute that only
 * garbage-collects long-finished records.
 */
export class LivedropTable extends Construct {
  readonly table: ITableV2;

  constructor(scope: Construct, id: string, props: LivedropTableProps = {}) {
    super(scope, id);
    const protect = props.deletionProtection ?? true;
    this.table = new TableV2(this, 'Table', {
      partitionKey: attribute(TABLE.partitionKey),
      sortKey: attribute(TABLE.sortKey),
      globalSecondaryIndexes: TABLE.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
      })),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: protect,
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      removalPolicy: protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}
