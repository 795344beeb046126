/**
 * Everything that invokes livedrop without a caller waiting: EventBridge rules (on our bus and on the default
 * bus, where IVS delivers), Scheduler schedules, and the one-time gala-drop schedules the engine creates at
 * run time. Each has exactly the wiring's pattern or rate, targets the declared function, retries, and ends in
 * a dead-letter queue; the sweep schedule's role may invoke the sweep only, the gala-drop role apply-price-drop
 * only.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  eventRules,
  FUNCTIONS,
  GALA_DROP_SCHEDULE_GROUP,
  GALA_DROP_TARGET,
  schedules,
} from '../../functions/shared/contract/wiring.js';
import {
  arnOf,
  asList,
  functionIds,
  type Json,
  logicalIdOf,
  pointsAt,
  ref,
  resource,
  resourcesOfType,
  roleStatements,
  type Synthesised,
  synthLivedrop,
} from './support.js';

let synthesised: Synthesised;
let busId: string;
let eventsDeadLetterQueueId: string;
let schedulesDeadLetterQueueId: string;

beforeAll(() => {
  synthesised = synthLivedrop();
  const { messaging } = synthesised.stack.engine;
  busId = logicalIdOf(synthesised.stack, messaging.bus);
  eventsDeadLetterQueueId = logicalIdOf(synthesised.stack, messaging.eventsDeadLetterQueue);
  schedulesDeadLetterQueueId = logicalIdOf(synthesised.stack, messaging.schedulesDeadLetterQueue);
});

/** The logical id of a construct the stack created directly under the id the wiring gives it. */
const childId = (id: string) => logicalIdOf(synthesised.stack, synthesised.stack.engine.node.findChild(id));

interface RuleTarget {
  Arn: unknown;
  Id: string;
  RetryPolicy?: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
  DeadLetterConfig?: { Arn: unknown };
}

const ruleProps = (id: string) => resource(synthesised.template, childId(id)).Properties;

const RULES = eventRules().map(({ fn, trigger }) => ({ id: trigger.id, name: fn.name, trigger }));
const SCHEDULES = schedules().map(({ fn, trigger }) => ({ id: trigger.id, name: fn.name, trigger }));
/** The targets of one-time schedules created at run time, with the group those live in. */
const ONE_TIME_TARGETS = FUNCTIONS.flatMap((fn) =>
  fn.triggers.flatMap((trigger) =>
    trigger.kind === 'oneTimeSchedules' ? [{ name: fn.name, group: trigger.group }] : [],
  ),
);

describe('the livedrop event bus', () => {
  it('exists under its name and is published as the BusName output', () => {
    expect(resource(synthesised.template, busId)).toMatchObject({
      Type: 'AWS::Events::EventBus',
      Properties: { Name: 'livedrop' },
    });
    synthesised.template.hasOutput('BusName', { Value: ref(busId) });
  });
});

describe.each(RULES)('the $id rule', ({ id, name, trigger }) => {
  it(`matches exactly the wiring’s pattern on the ${trigger.bus} bus`, () => {
    const props = ruleProps(id);

    expect(props.EventPattern).toStrictEqual({
      source: trigger.pattern.source,
      'detail-type': trigger.pattern.detailType,
      ...(trigger.pattern.detail ? { detail: trigger.pattern.detail } : {}),
    });
    expect(props.EventBusName).toStrictEqual(trigger.bus === 'livedrop' ? ref(busId) : 'default');
    expect(props.State).toBe('ENABLED');
  });

  it(`targets only the ${name} function, with retries and a dead-letter queue`, () => {
    const targets = ruleProps(id).Targets as RuleTarget[];

    expect(targets).toHaveLength(1);
    expect(targets[0]).toMatchObject({
      Arn: arnOf(functionIds(synthesised, name).function),
      RetryPolicy: {
        MaximumRetryAttempts: expect.any(Number),
        MaximumEventAgeInSeconds: expect.any(Number),
      },
      DeadLetterConfig: { Arn: arnOf(eventsDeadLetterQueueId) },
    });
  });

  it(`may invoke ${name}, and only as this rule`, () => {
    synthesised.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: arnOf(functionIds(synthesised, name).function),
      SourceArn: arnOf(childId(id)),
    });
  });

  it('may put the events it cannot deliver into the DLQ, scoped to this rule', () => {
    synthesised.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(eventsDeadLetterQueueId)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Resource: arnOf(eventsDeadLetterQueueId),
            Condition: { ArnEquals: { 'aws:SourceArn': arnOf(childId(id)) } },
          }),
        ]),
      },
    });
  });

  it(`makes ${name} keep failed asynchronous invocations in the events DLQ after Lambda’s retries`, () => {
    const functionId = functionIds(synthesised, name).function;

    expect(resource(synthesised.template, functionId).Properties.DeadLetterConfig).toStrictEqual({
      TargetArn: arnOf(eventsDeadLetterQueueId),
    });
    synthesised.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(functionId),
      MaximumRetryAttempts: Match.anyValue(),
    });
  });
});

describe('the rules AWS contracts depend on', () => {
  it('Deal Cue: studio cues arrive on the livedrop bus', () => {
    expect(ruleProps('DealCueRule')).toMatchObject({
      EventBusName: ref(busId),
      EventPattern: { source: ['livestream.studio'], 'detail-type': ['Deal Cue'] },
    });
  });

  it('IVS Stream End: only Stream End state changes, on the default bus where IVS publishes', () => {
    expect(ruleProps('IvsStreamEndRule')).toMatchObject({
      EventBusName: 'default',
      EventPattern: {
        source: ['aws.ivs'],
        'detail-type': ['IVS Stream State Change'],
        detail: { event_name: ['Stream End'] },
      },
    });
  });

  it('the template has no rule the wiring does not declare', () => {
    const queueRules = [...synthesised.stack.engine.triggerQueues.values()].map(({ rule }) =>
      logicalIdOf(synthesised.stack, rule),
    );
    const declared = [...RULES.map(({ id }) => childId(id)), ...queueRules].sort();

    expect(Object.keys(resourcesOfType(synthesised.template, 'AWS::Events::Rule')).sort()).toStrictEqual(
      declared,
    );
  });
});

describe.each(SCHEDULES)('the $id schedule', ({ id, name, trigger }) => {
  const props = () => resource(synthesised.template, childId(id)).Properties;
  const rate = trigger.everyMinutes === 1 ? 'rate(1 minute)' : `rate(${trigger.everyMinutes} minutes)`;

  it(`runs ${name} at ${rate}, with retries and a dead-letter queue`, () => {
    expect(props()).toMatchObject({
      ScheduleExpression: rate,
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: arnOf(functionIds(synthesised, name).function),
        RetryPolicy: {
          MaximumRetryAttempts: expect.any(Number),
          MaximumEventAgeInSeconds: expect.any(Number),
        },
        DeadLetterConfig: { Arn: arnOf(schedulesDeadLetterQueueId) },
      },
    });
  });

  it(`has an execution role that may invoke only ${name} (and its versions) and write to its DLQ`, () => {
    const roleId = pointsAt((props().Target as Json).RoleArn);
    const functionArn = arnOf(functionIds(synthesised, name).function);
    const statements = roleStatements(synthesised.template, roleId ?? '');

    expect(
      statements.map(({ Effect, Action, Resource }) => ({ Effect, Action: asList(Action), Resource })),
    ).toStrictEqual([
      {
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [functionArn, { 'Fn::Join': ['', [functionArn, ':*']] }],
      },
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: arnOf(schedulesDeadLetterQueueId) },
    ]);
  });

  it('has an execution role only Scheduler can assume, on behalf of this account’s schedules', () => {
    const roleId = pointsAt((props().Target as Json).RoleArn);

    expect(resource(synthesised.template, roleId ?? '').Properties).toMatchObject({
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
          },
        ],
      },
    });
  });
});

describe('schedules', () => {
  it('the sweep runs every minute', () => {
    expect(resource(synthesised.template, childId('SweepSchedule')).Properties.ScheduleExpression).toBe(
      'rate(1 minute)',
    );
  });

  it('gala price drops have their own schedule group for the one-time schedules created at run time', () => {
    synthesised.template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', {
      Name: 'livedrop-gala-drops',
    });
    synthesised.template.hasOutput('GalaDropScheduleGroup', { Value: 'livedrop-gala-drops' });
  });
});

describe('gala price drops', () => {
  const dropRoleId = () => logicalIdOf(synthesised.stack, synthesised.stack.engine.galaDropSchedulerRole);

  it('the wiring names apply-price-drop the one target of the gala-drop group', () => {
    expect(ONE_TIME_TARGETS).toStrictEqual([{ name: GALA_DROP_TARGET, group: GALA_DROP_SCHEDULE_GROUP }]);
    expect(GALA_DROP_TARGET).toBe('apply-price-drop');
  });

  it('the GalaDropSchedulerRole is assumable only by Scheduler, on behalf of the gala-drop group’s schedules', () => {
    const role = resource(synthesised.template, dropRoleId());
    const groupId = logicalIdOf(synthesised.stack, synthesised.stack.engine.galaDropScheduleGroup);

    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.AssumeRolePolicyDocument).toStrictEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': ref('AWS::AccountId'),
              'aws:SourceArn': { 'Fn::GetAtt': [groupId, 'Arn'] },
            },
          },
        },
      ],
    });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
  });

  it('the GalaDropSchedulerRole may invoke only apply-price-drop and write only to the schedules DLQ', () => {
    const statements = roleStatements(synthesised.template, dropRoleId());

    expect(
      statements.map(({ Effect, Action, Resource, Condition }) => ({
        Effect,
        Action: asList(Action),
        Resource: asList(Resource),
        Condition,
      })),
    ).toStrictEqual([
      {
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [arnOf(functionIds(synthesised, GALA_DROP_TARGET).function)],
        Condition: undefined,
      },
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: [arnOf(schedulesDeadLetterQueueId)],
        Condition: undefined,
      },
    ]);
  });

  it('the GalaDropSchedulerRole is not the sweep schedule’s role', () => {
    const sweepRoles = Object.values(resourcesOfType(synthesised.template, 'AWS::Scheduler::Schedule')).map(
      (schedule) => pointsAt((schedule.Properties.Target as Json).RoleArn),
    );

    expect(sweepRoles.length).toBeGreaterThan(0);
    expect(sweepRoles).not.toContain(dropRoleId());
  });

  it('apply-price-drop keeps failed runs in the schedules DLQ after Lambda’s retries', () => {
    const functionId = functionIds(synthesised, GALA_DROP_TARGET).function;

    expect(resource(synthesised.template, functionId).Properties.DeadLetterConfig).toStrictEqual({
      TargetArn: arnOf(schedulesDeadLetterQueueId),
    });
    synthesised.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(functionId),
      MaximumRetryAttempts: Match.anyValue(),
    });
  });

  it('apply-price-drop has no resource policy: only the role Scheduler runs as may invoke it', () => {
    const functionArn = arnOf(functionIds(synthesised, GALA_DROP_TARGET).function);
    const permissions = Object.values(
      resourcesOfType(synthesised.template, 'AWS::Lambda::Permission'),
    ).filter(
      (permission) => JSON.stringify(permission.Properties.FunctionName) === JSON.stringify(functionArn),
    );

    expect(permissions).toStrictEqual([]);
  });

  it('no schedule of the gala-drop group is in the template: the engine creates them at run time', () => {
    const groups = Object.values(resourcesOfType(synthesised.template, 'AWS::Scheduler::Schedule')).map(
      (schedule) => schedule.Properties.GroupName,
    );

    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      expect(typeof group).toBe('string');
      expect(group).not.toBe(GALA_DROP_SCHEDULE_GROUP);
    }
  });
});

describe('every asynchronous path ends in a dead-letter queue', () => {
  it('every rule target has a retry policy and a DLQ', () => {
    const targets = Object.values(resourcesOfType(synthesised.template, 'AWS::Events::Rule')).flatMap(
      (rule) => rule.Properties.Targets as RuleTarget[],
    );

    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      expect(target.RetryPolicy).toBeDefined();
      expect(pointsAt(target.DeadLetterConfig?.Arn)).toBe(eventsDeadLetterQueueId);
    }
  });

  it('every schedule target has a retry policy and a DLQ', () => {
    const targets = Object.values(resourcesOfType(synthesised.template, 'AWS::Scheduler::Schedule')).map(
      (schedule) => schedule.Properties.Target as RuleTarget,
    );

    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      expect(target.RetryPolicy).toBeDefined();
      expect(pointsAt(target.DeadLetterConfig?.Arn)).toBe(schedulesDeadLetterQueueId);
    }
  });

  /**
   * EventBridge and Scheduler both invoke Lambda asynchronously, so their DLQs only catch events they could
   * not *deliver*; a run that throws is retried by Lambda and then dropped unless the function itself has a
   * DLQ.
   */
  it('every function invoked asynchronously (rule, schedule or one-time schedule) keeps failed runs in a DLQ', () => {
    const asyncNames = [...RULES, ...SCHEDULES, ...ONE_TIME_TARGETS].map(({ name }) => name);

    expect(asyncNames).toContain(GALA_DROP_TARGET);

    for (const name of asyncNames) {
      const props = resource(synthesised.template, functionIds(synthesised, name).function).Properties;
      expect(props.DeadLetterConfig, `${name} has no DLQ for failed asynchronous invocations`).toBeDefined();
    }
  });
});
