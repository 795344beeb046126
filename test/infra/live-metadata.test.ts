/**
 * The live-metadata path as deployed: a rule on the livedrop bus fills an encrypted, SSL-only SQS queue with a
 * dead-letter queue; the function drains it in batches gathered for a second, at most two at once, answering
 * failed messages (ReportBatchItemFailures); and its role may put timed metadata into IVS channels only, never
 * `*`: the named channels when `ivsChannelArns` is given, else the account's and region's `channel/*`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type QueueTrigger } from '../../functions/shared/contract/wiring.js';
import {
  ACCOUNT_IVS_CHANNELS,
  arnOf,
  asList,
  functionIds,
  logicalIdOf,
  pointsAt,
  resource,
  resourcesOfType,
  roleStatements,
  type Synthesised,
  synthLivedrop,
} from './support.js';

const declaration = FUNCTIONS.find((fn) => fn.name === 'live-metadata');
const trigger = declaration?.triggers.find((t): t is QueueTrigger => t.kind === 'queue');

let synthesised: Synthesised;
let queueId: string;
let deadLetterQueueId: string;
let ruleId: string;

beforeAll(() => {
  synthesised = synthLivedrop();
  const queues = synthesised.stack.engine.triggerQueues.get(trigger?.id ?? '');
  if (queues === undefined) throw new Error('the stack has no queue for the live-metadata trigger');
  queueId = logicalIdOf(synthesised.stack, queues.queue);
  deadLetterQueueId = logicalIdOf(synthesised.stack, queues.deadLetterQueue);
  ruleId = logicalIdOf(synthesised.stack, queues.rule);
});

const ivsStatements = (s: Synthesised) =>
  roleStatements(s.template, functionIds(s, 'live-metadata').role).filter((statement) =>
    asList(statement.Action).some((action) => action.startsWith('ivs:')),
  );

describe('the live-metadata function', () => {
  it('is declared with a queue trigger gathering a second, two invocations at most', () => {
    expect(declaration?.putsMetadata).toBe(true);
    expect(trigger).toMatchObject({ bus: 'livedrop', batchWindowSeconds: 1, maxConcurrency: 2 });
  });

  it('drains its queue in batches gathered for one second, at most two at once, reporting failed messages', () => {
    const mappings = Object.values(resourcesOfType(synthesised.template, 'AWS::Lambda::EventSourceMapping'));

    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toMatchObject({
      EventSourceArn: arnOf(queueId),
      FunctionName: { Ref: functionIds(synthesised, 'live-metadata').function },
      BatchSize: trigger?.batchSize,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('reads an encrypted queue that hides a batch for six times the function’s timeout and ends in its own DLQ', () => {
    const queue = resource(synthesised.template, queueId).Properties;

    expect(queue).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * (declaration?.timeoutSeconds ?? 0),
      RedrivePolicy: {
        deadLetterTargetArn: arnOf(deadLetterQueueId),
        maxReceiveCount: trigger?.maxReceiveCount,
      },
    });
    expect(resource(synthesised.template, deadLetterQueueId).Properties).toMatchObject({
      SqsManagedSseEnabled: true,
    });
  });

  it('refuses any access to either queue without TLS', () => {
    for (const id of [queueId, deadLetterQueueId]) {
      const policies = Object.values(resourcesOfType(synthesised.template, 'AWS::SQS::QueuePolicy')).filter(
        (policy) => asList(policy.Properties.Queues).some((queue) => pointsAt(queue) === id),
      );
      const statements = policies.flatMap(
        (policy) =>
          (policy.Properties.PolicyDocument as { Statement: { Effect: string; Condition?: unknown }[] })
            .Statement,
      );

      expect(statements, id).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('is filled by a rule on the livedrop bus matching every event livedrop publishes, with retries and a DLQ', () => {
    const rule = resource(synthesised.template, ruleId).Properties;
    const busId = logicalIdOf(synthesised.stack, synthesised.stack.engine.bus);

    expect(rule.EventBusName).toStrictEqual({ Ref: busId });
    expect(rule.EventPattern).toStrictEqual({
      source: [...(trigger?.pattern.source ?? [])],
      'detail-type': [...(trigger?.pattern.detailType ?? [])],
    });
    expect(rule.Targets).toStrictEqual([
      expect.objectContaining({
        Arn: arnOf(queueId),
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7_200 },
        DeadLetterConfig: {
          Arn: arnOf(
            logicalIdOf(synthesised.stack, synthesised.stack.engine.messaging.eventsDeadLetterQueue),
          ),
        },
      }),
    ]);
  });

  it('may put timed metadata into the account’s IVS channels only by default: no other action, never "*"', () => {
    expect(ivsStatements(synthesised)).toStrictEqual([
      {
        Effect: 'Allow',
        Action: 'ivs:PutMetadata',
        Resource: ACCOUNT_IVS_CHANNELS,
      },
    ]);
  });

  it('may put into exactly the channels named by ivsChannelArns', () => {
    const channels = [
      'arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456',
      'arn:aws:ivs:eu-central-1:123456789012:channel/GhIjKl789012',
    ];

    const named = synthLivedrop({ ivsChannelArns: channels });

    expect(ivsStatements(named)).toStrictEqual([
      { Effect: 'Allow', Action: 'ivs:PutMetadata', Resource: channels },
    ]);
  });

  it('refuses an ivsChannelArns entry that is not one channel’s ARN', () => {
    for (const arn of [
      '*',
      'arn:aws:ivs:eu-central-1:123456789012:channel/*',
      'arn:aws:ivs:eu-central-1:123456789012:stream-key/x',
    ]) {
      expect(() => synthLivedrop({ ivsChannelArns: [arn] }), arn).toThrow(/ivsChannelArns/);
    }
    expect(() => synthLivedrop({ ivsChannelArns: [] })).toThrow(/ivsChannelArns/);
  });

  it('no other function may touch IVS', () => {
    for (const { name } of FUNCTIONS.filter((fn) => !fn.putsMetadata)) {
      const actions = roleStatements(synthesised.template, functionIds(synthesised, name).role).flatMap(
        (statement) => asList(statement.Action),
      );
      expect(
        actions.filter((action) => action.startsWith('ivs:')),
        name,
      ).toStrictEqual([]);
    }
  });
});
