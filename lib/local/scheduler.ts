import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OneTimeSchedule, SchedulerPort } from '../../functions/shared/domain/ports.js';

export interface RecurringJob {
  id: string;
  target: string;
  everyMs: number;
}

export type Invoke = (target: string, event: Record<string, unknown>) => Promise<unknown>;

const TIMER_LIMIT_MS = 2 ** 31 - 1;
/** Retries of a failed one-time run, as a schedule's retry policy would make them. */
const RETRY_DELAYS_MS = [1_000, 2_000];

/**
 * The local EventBridge Scheduler: runs the wiring's recurring schedules (never two runs of one job at
 * once, as a slow sweep would otherwise pile up) and the one-time schedules the engine creates through its
 * scheduler port. Pending one-time schedules are kept in `<dir>/schedules.json`, so they survive a restart;
 * one whose time passed while the runtime was down fires at start.
 */
export class LocalScheduler implements SchedulerPort {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly pending = new Map<string, OneTimeSchedule>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly file: string | undefined;
  private stopped = false;

  constructor(
    private readonly invoke: Invoke,
    private readonly log: (message: string, extra: Record<string, unknown>) => void,
    dir?: string,
  ) {
    this.file = dir === undefined ? undefined : join(dir, 'schedules.json');
    if (this.file && existsSync(this.file)) {
      for (const schedule of JSON.parse(readFileSync(this.file, 'utf8')) as OneTimeSchedule[]) {
        this.pending.set(key(schedule.group, schedule.name), schedule);
      }
    }
  }

  start(jobs: readonly RecurringJob[]): void {
    for (const job of jobs) {
      let busy = false;
      const timer = setInterval(() => {
        if (busy || this.stopped) return;
        busy = true;
        void this.run(job.target, {
          id: job.id,
          'detail-type': 'Scheduled Event',
          source: 'aws.scheduler',
        }).finally(() => {
          busy = false;
        });
      }, job.everyMs);
      this.timers.set(`recurring:${job.id}`, timer);
    }
    for (const schedule of this.pending.values()) {
      if (!this.timers.has(key(schedule.group, schedule.name))) this.arm(schedule);
    }
  }

  async scheduleOnce(schedule: OneTimeSchedule): Promise<void> {
    const id = key(schedule.group, schedule.name);
    if (this.pending.has(id)) throw new Error(`schedule ${id} already exists`);
    this.pending.set(id, schedule);
    this.save();
    this.arm(schedule);
  }

  async cancel(group: string, name: string): Promise<boolean> {
    const id = key(group, name);
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
    const existed = this.pending.delete(id);
    if (existed) this.save();
    return existed;
  }

  list(): OneTimeSchedule[] {
    return [...this.pending.values()];
  }

  /** Stops every timer and waits for runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) {
      clearInterval(timer);
      clearTimeout(timer);
    }
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  private arm(schedule: OneTimeSchedule, attempt = 0): void {
    if (this.stopped) return;
    const id = key(schedule.group, schedule.name);
    const retryDelay = attempt === 0 ? 0 : (RETRY_DELAYS_MS[attempt - 1] ?? 0);
    const wait = Math.max(retryDelay, Date.parse(schedule.at) - Date.now());
    // setTimeout cannot wait longer than ~24.8 days; re-arm in steps.
    const timer = setTimeout(
      () => {
        if (wait > TIMER_LIMIT_MS) return this.arm(schedule, attempt);
        this.timers.delete(id);
        void this.run(schedule.target, schedule.input).then((ok) => {
          // Like EventBridge Scheduler: retried a few times, then dead-lettered (here: logged and dropped).
          if (!ok && attempt < RETRY_DELAYS_MS.length && this.pending.get(id) === schedule) {
            this.arm(schedule, attempt + 1);
            return;
          }
          if (!ok)
            this.log('schedule dead-lettered', {
              target: schedule.target,
              group: schedule.group,
              name: schedule.name,
            });
          // Removed only after its run, and only if it is still this schedule (not one re-created meanwhile).
          if (this.pending.get(id) === schedule) {
            this.pending.delete(id);
            this.save();
          }
        });
      },
      Math.min(wait, TIMER_LIMIT_MS),
    );
    this.timers.set(id, timer);
  }

  /** Resolves true when the target ran without throwing. */
  private run(target: string, event: Record<string, unknown>): Promise<boolean> {
    const started = Date.now();
    const run = this.invoke(target, event).then(
      () => {
        this.log('schedule ran', { target, durationMs: Date.now() - started });
        return true;
      },
      (error: unknown) => {
        this.log('schedule failed', { target, error: String(error) });
        return false;
      },
    );
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return run;
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(join(this.file, '..'), { recursive: true });
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify([...this.pending.values()], null, 2));
    renameSync(temporary, this.file);
  }
}

const key = (group: string, name: string) => `${group}/${name}`;
