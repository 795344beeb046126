/**
 * The local EventBridge Scheduler: one-time schedules survive a restart through schedules.json and fire
 * once, late ones at start; recurring jobs (the sweep) never run twice at once; stop lets runs finish.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OneTimeSchedule } from '../../../functions/shared/domain/ports.js';
import { type Invoke, LocalScheduler } from '../../../lib/local/scheduler.js';

const START = new Date('2025-11-28T20:00:00.000Z');
const HOUR = 3_600_000;

const priceDrop = (at: Date, name = 'drop-1'): OneTimeSchedule => ({
  group: 'livedrop-gala-drops',
  name,
  at: at.toISOString(),
  timeZone: 'Europe/Berlin',
  target: 'price-drop',
  input: { dealId: 'd-1', price: 4_900 },
});

/** A promise the test settles itself. */
const deferred = <T = unknown>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const onDisk = (dir: string): OneTimeSchedule[] =>
  JSON.parse(readFileSync(join(dir, 'schedules.json'), 'utf8')) as OneTimeSchedule[];

let dir: string;
let schedulers: LocalScheduler[];
const log = vi.fn();

const scheduler = (invoke: Invoke) => {
  const created = new LocalScheduler(invoke, log, dir);
  schedulers.push(created);
  return created;
};

beforeEach(() => {
  vi.useFakeTimers({ now: START });
  dir = mkdtempSync(join(tmpdir(), 'livedrop-scheduler-'));
  schedulers = [];
  log.mockReset();
});

afterEach(async () => {
  for (const created of schedulers) {
    const stopping = created.stop();
    await vi.runOnlyPendingTimersAsync();
    await stopping;
  }
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('one-time schedules', () => {
  it('keeps a pending schedule in schedules.json, and a new scheduler on the same dir has it', async () => {
    const first = scheduler(vi.fn<Invoke>());
    first.start([]);
    const schedule = priceDrop(new Date(START.getTime() + HOUR));

    await first.scheduleOnce(schedule);
    const second = scheduler(vi.fn<Invoke>());

    expect(onDisk(dir)).toEqual([schedule]);
    expect(second.list()).toEqual([schedule]);
  });

  it('fires at its time and not before, with its target and input', async () => {
    const invoke = vi.fn<Invoke>().mockResolvedValue('ok');
    const local = scheduler(invoke);
    local.start([]);
    await local.scheduleOnce(priceDrop(new Date(START.getTime() + HOUR)));

    await vi.advanceTimersByTimeAsync(HOUR - 1);
    const callsBefore = invoke.mock.calls.length;
    await vi.advanceTimersByTimeAsync(1);

    expect(callsBefore).toBe(0);
    expect(invoke).toHaveBeenCalledExactlyOnceWith('price-drop', { dealId: 'd-1', price: 4_900 });
  });

  it('fires at start a schedule whose time passed while the runtime was down', async () => {
    const before = scheduler(vi.fn<Invoke>());
    before.start([]);
    await before.scheduleOnce(priceDrop(new Date(START.getTime() + HOUR)));
    await before.stop();
    vi.setSystemTime(START.getTime() + 2 * HOUR);
    const invoke = vi.fn<Invoke>().mockResolvedValue('ok');
    const after = scheduler(invoke);

    after.start([]);
    await vi.advanceTimersByTimeAsync(0);

    expect(invoke).toHaveBeenCalledExactlyOnceWith('price-drop', { dealId: 'd-1', price: 4_900 });
    expect(after.list()).toEqual([]);
    expect(onDisk(dir)).toEqual([]);
  });

  it('refuses a second schedule with the same group and name', async () => {
    const local = scheduler(vi.fn<Invoke>());
    local.start([]);
    await local.scheduleOnce(priceDrop(new Date(START.getTime() + HOUR)));

    await expect(local.scheduleOnce(priceDrop(new Date(START.getTime() + 2 * HOUR)))).rejects.toThrow(
      /already exists/,
    );
    expect(local.list()).toHaveLength(1);
  });

  it('cancel removes it from memory and disk, and it never fires', async () => {
    const invoke = vi.fn<Invoke>().mockResolvedValue('ok');
    const local = scheduler(invoke);
    local.start([]);
    await local.scheduleOnce(priceDrop(new Date(START.getTime() + HOUR)));
    await local.scheduleOnce(priceDrop(new Date(START.getTime() + HOUR), 'drop-2'));

    const cancelled = await local.cancel('livedrop-gala-drops', 'drop-1');
    await vi.advanceTimersByTimeAsync(2 * HOUR);

    expect(cancelled).toBe(true);
    expect(invoke).toHaveBeenCalledOnce();
    expect(onDisk(dir)).toEqual([]);
    expect(scheduler(vi.fn<Invoke>()).list()).toEqual([]);
  });

  it('cancel answers false for a schedule that does not exist', async () => {
    const local = scheduler(vi.fn<Invoke>());
    local.start([]);

    await expect(local.cancel('livedrop-gala-drops', 'never-made')).resolves.toBe(false);
  });

  it('removes a fired schedule only once its run finished, so a crash mid-run fires it again', async () => {
    const run = deferred();
    const invoke = vi.fn<Invoke>(() => run.promise);
    const local = scheduler(invoke);
    local.start([]);
    const schedule = priceDrop(new Date(START.getTime() + HOUR));
    await local.scheduleOnce(schedule);

    await vi.advanceTimersByTimeAsync(HOUR);
    const duringRun = { memory: local.list(), disk: onDisk(dir), called: invoke.mock.calls.length };
    const restartedDuringRun = new LocalScheduler(vi.fn<Invoke>(), log, dir).list();
    run.resolve('done');
    await vi.advanceTimersByTimeAsync(0);

    expect(duringRun).toEqual({ memory: [schedule], disk: [schedule], called: 1 });
    expect(restartedDuringRun).toEqual([schedule]);
    expect(local.list()).toEqual([]);
    expect(onDisk(dir)).toEqual([]);
  });

  it('logs a run that fails', async () => {
    const local = scheduler(vi.fn<Invoke>().mockRejectedValue(new Error('target down')));
    local.start([]);
    await local.scheduleOnce(priceDrop(new Date(START.getTime() + HOUR)));

    await vi.advanceTimersByTimeAsync(HOUR);

    expect(log).toHaveBeenCalledWith('schedule failed', {
      target: 'price-drop',
      error: 'Error: target down',
    });
  });

  it('waits beyond the longest setTimeout (about 24.8 days) without firing early', async () => {
    const invoke = vi.fn<Invoke>().mockResolvedValue('ok');
    const local = scheduler(invoke);
    local.start([]);
    const at = START.getTime() + 30 * 24 * HOUR;
    await local.scheduleOnce(priceDrop(new Date(at)));

    await vi.advanceTimersByTimeAsync(at - START.getTime() - 1);
    const callsBefore = invoke.mock.calls.length;
    await vi.advanceTimersByTimeAsync(1);

    expect(callsBefore).toBe(0);
    expect(invoke).toHaveBeenCalledOnce();
  });
});

describe('recurring jobs', () => {
  const SWEEP = { id: 'SweepSchedule', target: 'sweep', everyMs: 10 };

  it('runs a job every period with a scheduler event', async () => {
    const invoke = vi.fn<Invoke>().mockResolvedValue('ok');
    const local = scheduler(invoke);

    local.start([SWEEP]);
    await vi.advanceTimersByTimeAsync(30);

    expect(invoke).toHaveBeenCalledTimes(3);
    expect(invoke).toHaveBeenCalledWith('sweep', {
      id: 'SweepSchedule',
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
    });
  });

  it('never starts a run of a job while its previous run is still going', async () => {
    const runs: ReturnType<typeof deferred>[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const invoke = vi.fn<Invoke>(() => {
      const run = deferred();
      runs.push(run);
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      return run.promise.finally(() => {
        running--;
      });
    });
    const local = scheduler(invoke);
    local.start([SWEEP]);

    await vi.advanceTimersByTimeAsync(100);
    const callsWhileFirstRuns = invoke.mock.calls.length;
    runs[0]?.resolve('slow sweep done');
    await vi.advanceTimersByTimeAsync(10);
    for (const run of runs) run.resolve('done');

    expect(callsWhileFirstRuns).toBe(1);
    expect(invoke).toHaveBeenCalledTimes(2);
    expect(mostAtOnce).toBe(1);
  });

  it('keeps running a job after a run failed', async () => {
    const invoke = vi.fn<Invoke>().mockRejectedValueOnce(new Error('sweep failed')).mockResolvedValue('ok');
    const local = scheduler(invoke);

    local.start([SWEEP]);
    await vi.advanceTimersByTimeAsync(20);

    expect(invoke).toHaveBeenCalledTimes(2);
    expect(log).toHaveBeenCalledWith('schedule failed', { target: 'sweep', error: 'Error: sweep failed' });
  });
});

describe('stop', () => {
  it('waits for the runs in progress, then starts no more', async () => {
    const run = deferred();
    const invoke = vi.fn<Invoke>(() => run.promise);
    const local = scheduler(invoke);
    local.start([{ id: 'SweepSchedule', target: 'sweep', everyMs: 10 }]);
    await vi.advanceTimersByTimeAsync(10);
    let stopped = false;

    const stopping = local.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(50);
    const stoppedDuringRun = stopped;
    run.resolve('done');
    await stopping;
    await vi.advanceTimersByTimeAsync(100);

    expect(stoppedDuringRun).toBe(false);
    expect(stopped).toBe(true);
    expect(invoke).toHaveBeenCalledOnce();
  });

  it('keeps pending one-time schedules on disk for the next start', async () => {
    const invoke = vi.fn<Invoke>();
    const local = scheduler(invoke);
    local.start([]);
    const schedule = priceDrop(new Date(START.getTime() + HOUR));
    await local.scheduleOnce(schedule);

    await local.stop();
    await vi.advanceTimersByTimeAsync(2 * HOUR);

    expect(invoke).not.toHaveBeenCalled();
    expect(onDisk(dir)).toEqual([schedule]);
  });
});

describe('one-time schedules, edge cases', () => {
  it('fires a schedule created before start exactly once', async () => {
    const invoke = vi.fn<Invoke>().mockResolvedValue(undefined);
    const local = scheduler(invoke);
    await local.scheduleOnce(priceDrop(new Date(START.getTime() + 50)));

    local.start([]);
    await vi.advanceTimersByTimeAsync(1_000);

    expect(invoke).toHaveBeenCalledTimes(1);
  });

  it('retries a failing run twice, then drops it as dead-lettered', async () => {
    const invoke = vi.fn<Invoke>().mockRejectedValue(new Error('target down'));
    const local = scheduler(invoke);
    local.start([]);
    await local.scheduleOnce(priceDrop(new Date(START.getTime() + 10)));

    await vi.advanceTimersByTimeAsync(10_000);

    expect(invoke).toHaveBeenCalledTimes(3);
    expect(local.list()).toEqual([]);
    expect(log).toHaveBeenCalledWith('schedule dead-lettered', expect.objectContaining({ name: 'drop-1' }));
  });

  it('never fires a schedule armed after stop', async () => {
    const invoke = vi.fn<Invoke>().mockResolvedValue(undefined);
    const local = scheduler(invoke);
    local.start([]);
    await local.stop();

    await local.scheduleOnce(priceDrop(new Date(START.getTime() + 10)));
    await vi.advanceTimersByTimeAsync(1_000);

    expect(invoke).not.toHaveBeenCalled();
  });
});
