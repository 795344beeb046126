import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { LivedropTable } from './constructs/livedrop-table.js';

export interface LivedropStackProps extends StackProps {
  deletionProtection?: boolean;
}

/** The deployable engine. Stateful resources first; functions, API, rules and schedules build on them. */
export class LivedropStack extends Stack {
  constructor(scope: Construct, id: string, props: LivedropStackProps = {}) {
    super(scope, id, props);
    const data = new LivedropTable(this, 'Data', {
      ...(props.deletionProtection === undefined ? {} : { deletionProtection: props.deletionProtection }),
    });
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
  }
}
