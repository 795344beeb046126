/**
 * Ports the engine is given rather than creates, so Lambda, the local runtime, tests and the benchmark run
 * the same code with different adapters. The store endpoint is a port too: see data/client.ts.
 */
import type { LivedropEvent } from './events.js';

/**
 * Where livedrop's own events go (EventBridge in AWS, the local bus locally). The engine awaits `publish`
 * but its adapters never throw: a publishing failure is logged and counted, never fails the request.
 */
export interface EventPublisher {
  publish(events: readonly LivedropEvent[]): Promise<void>;
}

export const discardEvents: EventPublisher = { publish: async () => {} };

/**
 * Where a stream's live state goes as timed metadata: its Amazon IVS channel in AWS (PutMetadata), the local
 * runtime's stand-in locally. `offline`: the channel is not broadcasting, so there is nobody to see it, which is
 * no failure. A throttled put throws MetadataThrottled; anything else throws as it is.
 */
export interface MetadataPublisher {
  putMetadata(channelArn: string, metadata: string): Promise<'put' | 'offline'>;
}

/**
 * A test seam: called after each write of each operation with the step's name. Production passes none; the
 * crash-injection tests pass one that throws at a chosen step and then check that reconcile repairs it.
 */
export type Seam = (step: string) => void;

/** A one-time schedule: at `at` (an instant), invoke `target` (a function of the wiring) with `input`. */
export interface OneTimeSchedule {
  group: string;
  name: string;
  /** ISO 8601 instant. */
  at: string;
  /** IANA time zone the schedule was expressed in (EventBridge Scheduler's ScheduleExpressionTimezone). */
  timeZone: string;
  target: string;
  input: Record<string, unknown>;
}

/** Where one-time schedules are kept: EventBridge Scheduler in AWS, the local scheduler locally. */
export interface SchedulerPort {
  /** Idempotent by name: a schedule of that name in the group exists already, so nothing is created. */
  scheduleOnce(schedule: OneTimeSchedule): Promise<void>;
  /** false when no such schedule is pending. */
  cancel(group: string, name: string): Promise<boolean>;
}
