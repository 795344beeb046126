/**
 * The EventBridge Scheduler adapter against a mocked client: the one-time schedule it creates is asserted
 * field by field (the wall-clock `at()` next to its zone is what makes a drop fire at the right instant), and
 * so is the delete, including the answer for a schedule that is already gone.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ThrottlingException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EventBridgeSchedulerPort,
  type ScheduleTargets,
  wallTime,
} from '../../../functions/shared/data/scheduler.js';
import type { OneTimeSchedule } from '../../../functions/shared/domain/ports.js';

const FUNCTION_ARN = 'arn:aws:lambda:eu-central-1:123456789012:function:livedrop-ApplyPriceDrop-1A2B3C';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/livedrop-GalaDropSchedulerRole-4D5E6F';
const DLQ_ARN = 'arn:aws:sqs:eu-central-1:123456789012:livedrop-SchedulesDeadLetterQueue-7G8H9I';
const DROP_ID = '01KB6Y2Q8M3N4P5R6S7T8V9W0X';

const TARGETS: ScheduleTargets = {
  functions: { 'apply-price-drop': FUNCTION_ARN },
  roleArn: ROLE_ARN,
  deadLetterQueueArn: DLQ_ARN,
};

const scheduler = mockClient(SchedulerClient);
const client = new SchedulerClient({ region: 'eu-central-1' });

beforeEach(() => {
  scheduler.reset();
});

afterAll(() => {
  scheduler.restore();
});

const schedule = (overrides: Partial<OneTimeSchedule> = {}): OneTimeSchedule => ({
  group: 'livedrop-gala-drops',
  name: `drop-${DROP_ID}`,
  at: '2026-11-26T19:00:00.000Z',
  timeZone: 'Europe/Berlin',
  target: 'apply-price-drop',
  input: { galaId: 'gala-2026', dropId: DROP_ID },
  ...overrides,
});

/** The input of the single command the port sent; fails when it sent none, several, or another kind. */
const onlySent = (command: abstract new (...args: never[]) => unknown): unknown => {
  const calls = scheduler.calls();
  expect(calls).toHaveLength(1);
  const sent = calls[0]?.args[0];
  expect(sent).toBeInstanceOf(command);
  return (sent as { input: unknown }).input;
};

describe('wallTime', () => {
  it.each([
    ['winter time in Berlin is UTC+1', '2026-11-26T19:00:00Z', 'Europe/Berlin', '2026-11-26T20:00:00'],
    ['summer time in Berlin is UTC+2', '2026-07-01T19:00:00Z', 'Europe/Berlin', '2026-07-01T21:00:00'],
    ['UTC is the instant itself', '2026-11-26T19:00:00.000Z', 'UTC', '2026-11-26T19:00:00'],
    ['an instant given with an offset', '2026-11-26T20:00:00+01:00', 'UTC', '2026-11-26T19:00:00'],
    [
      'a zone behind UTC can be on the day before',
      '2026-11-27T03:30:00Z',
      'America/New_York',
      '2026-11-26T22:30:00',
    ],
    ['a half-hour zone', '2026-11-26T19:00:00Z', 'Asia/Kolkata', '2026-11-27T00:30:00'],
    ['midnight is 00, never 24', '2026-11-26T23:00:00Z', 'Europe/Berlin', '2026-11-27T00:00:00'],
    ['seconds are kept', '2026-11-26T19:00:42Z', 'Europe/Berlin', '2026-11-26T20:00:42'],
  ])('%s', (_name, instant, timeZone, expected) => {
    expect(wallTime(instant, timeZone)).toBe(expected);
  });

  it('follows the DST change in spring: the hour before and the hour after it', () => {
    // Berlin springs forward at 2026-03-29T01:00:00Z, from 02:00 CET straight to 03:00 CEST.
    expect(wallTime('2026-03-29T00:59:59Z', 'Europe/Berlin')).toBe('2026-03-29T01:59:59');
    expect(wallTime('2026-03-29T01:00:00Z', 'Europe/Berlin')).toBe('2026-03-29T03:00:00');
    expect(wallTime('2026-03-29T02:00:00Z', 'Europe/Berlin')).toBe('2026-03-29T04:00:00');
  });

  it('follows the DST change in autumn', () => {
    // Berlin falls back at 2026-10-25T01:00:00Z, from 03:00 CEST to 02:00 CET.
    expect(wallTime('2026-10-24T19:00:00Z', 'Europe/Berlin')).toBe('2026-10-24T21:00:00');
    expect(wallTime('2026-10-25T19:00:00Z', 'Europe/Berlin')).toBe('2026-10-25T20:00:00');
    expect(wallTime('2026-10-25T00:59:59Z', 'Europe/Berlin')).toBe('2026-10-25T02:59:59');
  });

  it('follows the DST change of a zone in the other hemisphere, on its own date', () => {
    // Sydney moves from AEDT (UTC+11) to AEST (UTC+10) at 2026-04-04T16:00:00Z.
    expect(wallTime('2026-04-04T08:00:00Z', 'Australia/Sydney')).toBe('2026-04-04T19:00:00');
    expect(wallTime('2026-04-05T08:00:00Z', 'Australia/Sydney')).toBe('2026-04-05T18:00:00');
  });
});

describe('EventBridgeSchedulerPort.scheduleOnce', () => {
  it('creates a one-time schedule at the wall time in the drop’s zone, deleted once it ran', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x/y' });

    await new EventBridgeSchedulerPort(client, TARGETS).scheduleOnce(schedule());

    expect(onlySent(CreateScheduleCommand)).toStrictEqual({
      Name: `drop-${DROP_ID}`,
      GroupName: 'livedrop-gala-drops',
      ScheduleExpression: 'at(2026-11-26T20:00:00)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: FUNCTION_ARN,
        RoleArn: ROLE_ARN,
        Input: JSON.stringify({ galaId: 'gala-2026', dropId: DROP_ID }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3_600 },
        DeadLetterConfig: { Arn: DLQ_ARN },
      },
    });
  });

  it('writes the wall time on the summer side of a DST change with the same zone', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});

    await new EventBridgeSchedulerPort(client, TARGETS).scheduleOnce(
      schedule({ at: '2026-03-29T01:30:00.000Z' }),
    );

    expect(onlySent(CreateScheduleCommand)).toMatchObject({
      ScheduleExpression: 'at(2026-03-29T03:30:00)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
  });

  it('sends the input as the JSON the target function parses', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});

    await new EventBridgeSchedulerPort(client, TARGETS).scheduleOnce(schedule());

    const input = onlySent(CreateScheduleCommand) as { Target: { Input: string } };
    expect(JSON.parse(input.Target.Input)).toStrictEqual({ galaId: 'gala-2026', dropId: DROP_ID });
  });

  it('sets no dead-letter queue when none is configured', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    const { deadLetterQueueArn: _, ...withoutQueue } = TARGETS;

    await new EventBridgeSchedulerPort(client, withoutQueue).scheduleOnce(schedule());

    const input = onlySent(CreateScheduleCommand) as { Target: Record<string, unknown> };
    expect(input.Target).not.toHaveProperty('DeadLetterConfig');
    expect(input.Target).toMatchObject({ Arn: FUNCTION_ARN, RoleArn: ROLE_ARN });
  });

  it('throws for a target the port has no ARN for, and sends nothing', async () => {
    await expect(
      new EventBridgeSchedulerPort(client, TARGETS).scheduleOnce(schedule({ target: 'sweep' })),
    ).rejects.toThrow('no schedule target sweep is configured');

    expect(scheduler.calls()).toHaveLength(0);
  });

  it.each([
    ['a conflict', new ConflictException({ Message: 'exists', message: 'exists', $metadata: {} })],
    ['a conflict from another SDK copy', Object.assign(new Error('exists'), { name: 'ConflictException' })],
  ])('treats %s as the schedule created before (names derive from the drop)', async (_name, error) => {
    scheduler.on(CreateScheduleCommand).rejects(error);

    await expect(
      new EventBridgeSchedulerPort(client, TARGETS).scheduleOnce(schedule()),
    ).resolves.toBeUndefined();
  });

  it.each([
    ['throttling', new ThrottlingException({ Message: 'slow down', message: 'slow down', $metadata: {} })],
    ['a generic error', new Error('socket hang up')],
  ])('lets %s propagate unchanged', async (_name, error) => {
    scheduler.on(CreateScheduleCommand).rejects(error);

    await expect(new EventBridgeSchedulerPort(client, TARGETS).scheduleOnce(schedule())).rejects.toBe(error);
  });
});

describe('EventBridgeSchedulerPort.cancel', () => {
  it('deletes the named schedule in its group and answers true', async () => {
    scheduler.on(DeleteScheduleCommand).resolves({});

    const cancelled = await new EventBridgeSchedulerPort(client, TARGETS).cancel(
      'livedrop-gala-drops',
      `drop-${DROP_ID}`,
    );

    expect(cancelled).toBe(true);
    expect(onlySent(DeleteScheduleCommand)).toStrictEqual({
      Name: `drop-${DROP_ID}`,
      GroupName: 'livedrop-gala-drops',
    });
  });

  it('answers false for a schedule that no longer exists (it ran, or was deleted)', async () => {
    scheduler.on(DeleteScheduleCommand).rejects(
      new ResourceNotFoundException({
        Message: 'Schedule not found',
        message: 'Schedule not found',
        $metadata: {},
      }),
    );

    await expect(
      new EventBridgeSchedulerPort(client, TARGETS).cancel('livedrop-gala-drops', `drop-${DROP_ID}`),
    ).resolves.toBe(false);
  });

  it('answers false for a ResourceNotFoundException from another SDK copy, recognised by its name', async () => {
    const foreign = Object.assign(new Error('Schedule not found'), { name: 'ResourceNotFoundException' });
    scheduler.on(DeleteScheduleCommand).rejects(foreign);

    await expect(
      new EventBridgeSchedulerPort(client, TARGETS).cancel('livedrop-gala-drops', `drop-${DROP_ID}`),
    ).resolves.toBe(false);
  });

  it.each([
    ['throttling', new ThrottlingException({ Message: 'slow down', message: 'slow down', $metadata: {} })],
    ['a generic error', new Error('connect ECONNREFUSED')],
  ])('lets %s propagate unchanged', async (_name, error) => {
    scheduler.on(DeleteScheduleCommand).rejects(error);

    await expect(
      new EventBridgeSchedulerPort(client, TARGETS).cancel('livedrop-gala-drops', `drop-${DROP_ID}`),
    ).rejects.toBe(error);
  });
});
