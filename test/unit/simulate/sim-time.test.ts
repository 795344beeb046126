import { describe, expect, it } from 'vitest';
import { ContainerPool } from '../../../lib/simulate/containers.js';
import { DilatedTime } from '../../../lib/simulate/sim-time.js';

describe('simulated time', () => {
  it('jumps to the next pending sleep and wakes the sleepers in the order of their instants', async () => {
    // prepare: a clock so slow that no sleep would ever end on its own during the test
    const time = new DilatedTime(1_000_000);
    const woken: string[] = [];
    const start = time.now();
    const sleepers = [
      time.sleep(60_000).then(() => woken.push('late')),
      time.sleep(5_000).then(() => woken.push('early')),
    ];
    // act
    time.fastForward();
    await sleepers[1];
    time.fastForward();
    await Promise.all(sleepers);
    // assert
    expect(woken).toEqual(['early', 'late']);
    expect(time.now() - start).toBeGreaterThanOrEqual(60_000);
  });

  it('skips ahead without losing a pending sleep’s instant', async () => {
    const time = new DilatedTime(1_000_000);
    const start = time.now();
    let done = false;
    const sleeping = time.sleep(10_000).then(() => {
      done = true;
    });
    time.skip(4_000);
    expect(time.now() - start).toBeGreaterThanOrEqual(4_000);
    expect(done).toBe(false);
    time.fastForward();
    await sleeping;
    expect(done).toBe(true);
  });

  it('at dilation 0 stands still while work goes on, and moves only to the next pending sleep', async () => {
    // prepare
    const time = new DilatedTime(0);
    const start = time.now();
    let woken = false;
    const sleeping = time.sleep(30_000).then(() => {
      woken = true;
    });
    // act: wall time passes, and a dilation change is ignored
    await new Promise((resolve) => setTimeout(resolve, 20));
    time.setDilation(50);
    const stillAt = time.now();
    time.fastForward();
    await sleeping;
    // assert
    expect(stillAt).toBe(start);
    expect(woken).toBe(true);
    expect(time.now() - start).toBe(30_000);
    expect(time.dilation).toBe(0);
  });

  it('at dilation 0 ends waits on whole simulated milliseconds, so one jump wakes every wait due in it', async () => {
    // prepare
    const time = new DilatedTime(0);
    const start = time.now();
    const woken: number[] = [];
    const sleepers = [0.2, 0.7, 1, 1.4].map((ms) =>
      time.sleep(ms).then(() => woken.push(time.now() - start)),
    );
    // act
    time.fastForward();
    await Promise.all(sleepers.slice(0, 3));
    time.fastForward();
    await Promise.all(sleepers);
    // assert: never earlier than asked, at most a millisecond later
    expect(woken).toEqual([1, 1, 1, 2]);
  });

  it('keeps the simulated instant when the dilation changes', () => {
    const time = new DilatedTime(10);
    const before = time.now();
    time.setDilation(100);
    expect(time.now()).toBeGreaterThanOrEqual(before);
    expect(time.dilation).toBe(100);
    expect(time.peakDilation).toBe(100);
  });
});

describe('the container pool', () => {
  it('lets the clock jump while requests are under way if every store call they wait for waits in simulated time', async () => {
    // prepare: a clock so slow that the request's sleep would never end on its own during the test
    const time = new DilatedTime(1_000_000);
    const pool = new ContainerPool(1, () => 1);
    const store = { allParked: true, onParked: undefined as (() => void) | undefined };
    const stop = pool.skipIdle(time, store);
    const start = time.now();
    // act
    await pool.serve(() => time.sleep(60_000));
    stop();
    // assert
    expect(time.now() - start).toBeGreaterThanOrEqual(60_000);
    expect(store.onParked).toBeUndefined();
  });

  it('serves one request per container, creates no more than its limit, and queues the rest', async () => {
    // prepare
    let created = 0;
    const pool = new ContainerPool(2, () => ++created);
    const release: (() => void)[] = [];
    const held = (container: number) =>
      new Promise<number>((resolve) => release.push(() => resolve(container)));
    // act
    const answers = [pool.serve(held), pool.serve(held), pool.serve(held)];
    await new Promise((resolve) => setTimeout(resolve, 10));
    // assert
    expect(created).toBe(2);
    expect(pool.busy).toBe(2);
    expect(pool.queued).toBe(1);
    release.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
    for (const resume of release.splice(0)) resume();
    const containers = await Promise.all(answers);
    expect(new Set(containers).size).toBe(2);
    expect(pool.quiet).toBe(true);
  });
});
