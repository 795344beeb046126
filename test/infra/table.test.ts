import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/shared/contract/table-definition.js';
import { LivedropStack } from '../../lib/cdk/livedrop-stack.js';
import { TEMPLATE_ONLY } from './support.js';

const synth = (props: { deletionProtection?: boolean } = {}) => {
  const app = new App(TEMPLATE_ONLY);
  return Template.fromStack(
    new LivedropStack(app, 'Test', { issuer: 'https://issuer.example.com/', audience: 'livedrop', ...props }),
  );
};

describe('the table in the stack', () => {
  let template: Template;
  beforeAll(() => {
    template = synth();
  });

  it('has exactly the keys and indexes of the table definition the embedded store uses', () => {
    const [table] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as {
      Properties: Record<string, unknown>;
    }[];
    const props = table?.Properties as {
      KeySchema: { AttributeName: string; KeyType: string }[];
      GlobalSecondaryIndexes: {
        IndexName: string;
        KeySchema: { AttributeName: string; KeyType: string }[];
      }[];
    };

    expect(props.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey.name, KeyType: 'RANGE' },
    ]);
    expect(
      props.GlobalSecondaryIndexes.map((index) => ({ name: index.IndexName, keys: index.KeySchema })),
    ).toEqual(
      TABLE.globalSecondaryIndexes.map((index) => ({
        name: index.indexName,
        keys: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
      })),
    );
  });

  it('is on-demand, recoverable to a point in time, protected from deletion, with a GC-only TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
      Replicas: [
        {
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        },
      ],
    });
  });

  it('survives the stack being deleted or the table being replaced', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('can drop deletion protection for throw-away stacks, and then goes with the stack', () => {
    synth({ deletionProtection: false }).hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: { Replicas: [{ DeletionProtectionEnabled: false }] },
    });
  });
});
