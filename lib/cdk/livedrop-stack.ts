import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Livedrop, type LivedropProps } from './livedrop.js';

export interface LivedropStackProps extends StackProps, LivedropProps {}

/** livedrop deployed on its own: the engine construct and the outputs operators and scripts read. */
export class LivedropStack extends Stack {
  readonly engine: Livedrop;

  constructor(scope: Construct, id: string, props: LivedropStackProps) {
    super(scope, id, props);
    const engine = new Livedrop(this, 'Engine', props);
    this.engine = engine;

    if (engine.consoleSite) new CfnOutput(this, 'ConsoleUrl', { value: engine.consoleSite.origin });
    new CfnOutput(this, 'ApiUrl', { value: engine.apiUrl });
    if (engine.liveCdn) {
      new CfnOutput(this, 'LiveUrl', {
        value: engine.liveCdn.liveUrl,
        description:
          'A stream’s public live state through CloudFront: put the stream id in place of {streamId}',
      });
    }
    new CfnOutput(this, 'BusName', { value: engine.bus.eventBusName });
    new CfnOutput(this, 'TableName', { value: engine.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: engine.alarmTopic.topicArn });
    new CfnOutput(this, 'GalaDropScheduleGroup', { value: engine.galaDropScheduleGroup.scheduleGroupName });
    new CfnOutput(this, 'EventSchemaRegistry', { value: engine.schemaRegistry.registry.attrRegistryName });
  }
}
