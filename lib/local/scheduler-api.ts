import type { OneTimeSchedule } from '../../functions/shared/domain/ports.js';
import { instantOf } from '../../functions/shared/domain/time-zone.js';
import type { LocalScheduler } from './scheduler.js';

/**
 * The slice of the EventBridge Scheduler API the engine's scheduler adapter uses (CreateSchedule and
 * DeleteSchedule, REST-JSON), answered by the local runtime so the same adapter code runs locally.
 */
export interface SchedulerApiAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

const error = (status: number, type: string, message: string): SchedulerApiAnswer => ({
  status,
  headers: { 'x-amzn-errortype': type },
  body: JSON.stringify({ Message: message }),
});

const SCHEDULE_PATH = /^\/schedules\/([^/]+)$/;

/** Whether a request is one of the Scheduler API calls answered here. */
export const isSchedulerApiRequest = (request: { method: string; path: string }): boolean =>
  (request.method === 'POST' || request.method === 'DELETE') && SCHEDULE_PATH.test(request.path);

/**
 * Answers a Scheduler API request, or undefined when the request is not one. `targets` are the functions a
 * schedule may invoke: in AWS the schedules' execution role may invoke only those, so locally a schedule
 * for any other function is refused when it is created rather than failing when it fires.
 */
export const answerSchedulerApi = async (
  scheduler: LocalScheduler,
  request: { method: string; path: string; rawQueryString: string; body: Buffer },
  targets: readonly string[],
): Promise<SchedulerApiAnswer | undefined> => {
  const name = SCHEDULE_PATH.exec(request.path)?.[1];
  if (name === undefined) return undefined;
  const scheduleName = decodeURIComponent(name);
  if (request.method === 'DELETE') {
    const group = new URLSearchParams(request.rawQueryString).get('groupName') ?? 'default';
    return (await scheduler.cancel(group, scheduleName))
      ? { status: 200, body: '{}' }
      : error(404, 'ResourceNotFoundException', `Schedule ${scheduleName} does not exist.`);
  }
  if (request.method !== 'POST') return undefined;
  const input = JSON.parse(request.body.toString('utf8')) as {
    GroupName?: string;
    ScheduleExpression?: string;
    ScheduleExpressionTimezone?: string;
    Target?: { Arn?: string; Input?: string };
  };
  const wall = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(input.ScheduleExpression ?? '')?.[1];
  const target = /:function:([^:]+)$/.exec(input.Target?.Arn ?? '')?.[1];
  if (!wall || !target) {
    return error(
      400,
      'ValidationException',
      'Only one-time at() schedules that invoke a function are supported locally.',
    );
  }
  if (!targets.includes(target)) {
    return error(400, 'ValidationException', `The schedules' role may not invoke ${target}.`);
  }
  const timeZone = input.ScheduleExpressionTimezone ?? 'UTC';
  const schedule: OneTimeSchedule = {
    group: input.GroupName ?? 'default',
    name: scheduleName,
    at: instantOf(wall, timeZone),
    timeZone,
    target,
    input: JSON.parse(input.Target?.Input ?? '{}') as Record<string, unknown>,
  };
  try {
    await scheduler.scheduleOnce(schedule);
  } catch {
    return error(409, 'ConflictException', `Schedule ${scheduleName} already exists.`);
  }
  return {
    status: 200,
    body: JSON.stringify({
      ScheduleArn: `arn:aws:scheduler:local:000000000000:schedule/${schedule.group}/${scheduleName}`,
    }),
  };
};
