import type { OneTimeSchedule, SchedulerPort } from '../../functions/shared/domain/ports.js';

/** Keeps the schedules the engine creates; the test fires them by hand (the fake clock's scheduler). */
export class RecordingScheduler implements SchedulerPort {
  readonly created: OneTimeSchedule[] = [];
  readonly cancelled: string[] = [];
  failNext = false;
  failNextCancel = false;

  async scheduleOnce(schedule: OneTimeSchedule): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('scheduler unavailable');
    }
    // Idempotent by name, as the EventBridge Scheduler adapter is.
    if (this.created.some((created) => created.name === schedule.name)) return;
    this.created.push(schedule);
  }

  async cancel(_group: string, name: string): Promise<boolean> {
    if (this.failNextCancel) {
      this.failNextCancel = false;
      throw new Error('scheduler unavailable');
    }
    this.cancelled.push(name);
    return true;
  }
}
