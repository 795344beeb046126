/**
 * The local queue and event source mapping: messages sent within the batch window go as one batch, a full
 * batch goes at once, no more than maxConcurrency batches run together, failed messages (as the function
 * names them, or all when it throws) come back after the visibility delay, and too many deliveries dead-letter.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalQueue, type LocalQueueOptions, type LocalSqsEvent } from '../../../lib/local/queue.js';

let batches: string[][];
let queue: LocalQueue;

const open = (options: Partial<LocalQueueOptions> = {}) => {
  queue = new LocalQueue({
    id: 'TestQueue',
    batchWindowMs: 1_000,
    batchSize: 10,
    maxConcurrency: 2,
    maxReceiveCount: 3,
    visibilityMs: 2_000,
    deliver: async (event: LocalSqsEvent) => {
      batches.push(event.Records.map((record) => record.body));
      return { batchItemFailures: [] };
    },
    log: () => {},
    ...options,
  });
  return queue;
};

beforeEach(() => {
  vi.useFakeTimers();
  batches = [];
});

afterEach(async () => {
  await queue.close();
  vi.useRealTimers();
});

describe('the local queue', () => {
  it('gathers the messages of one window into one batch', async () => {
    open();
    queue.send('a');
    await vi.advanceTimersByTimeAsync(400);
    queue.send('b');
    await vi.advanceTimersByTimeAsync(599);

    expect(batches).toStrictEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toStrictEqual([['a', 'b']]);
    queue.send('c');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(batches).toStrictEqual([['a', 'b'], ['c']]);
  });

  it('sends a full batch at once', async () => {
    open({ batchSize: 2 });
    queue.send('a');
    queue.send('b');
    await vi.advanceTimersByTimeAsync(0);

    expect(batches).toStrictEqual([['a', 'b']]);
  });

  it('runs at most maxConcurrency batches at once', async () => {
    let running = 0;
    let most = 0;
    open({
      batchSize: 1,
      deliver: async (event) => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 500));
        running--;
        batches.push(event.Records.map((record) => record.body));
        return {};
      },
    });
    for (const body of ['a', 'b', 'c', 'd', 'e']) queue.send(body);
    await vi.advanceTimersByTimeAsync(5_000);

    expect(batches.flat().sort()).toStrictEqual(['a', 'b', 'c', 'd', 'e']);
    expect(most).toBe(2);
  });

  it('delivers again only the messages the function names as failed, after the visibility delay', async () => {
    let first = true;
    open({
      deliver: async (event) => {
        batches.push(event.Records.map((record) => record.body));
        const failed = first ? event.Records.filter((record) => record.body === 'b') : [];
        first = false;
        return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
      },
    });
    queue.send('a');
    queue.send('b');
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(batches).toStrictEqual([['a', 'b']]);

    await vi.advanceTimersByTimeAsync(1_001);
    expect(batches).toStrictEqual([['a', 'b'], ['b']]);
  });

  it('dead-letters a message whose function keeps throwing, after maxReceiveCount deliveries', async () => {
    let deliveries = 0;
    open({
      deliver: async () => {
        deliveries++;
        throw new Error('down');
      },
    });
    queue.send('doomed');
    await vi.advanceTimersByTimeAsync(20_000);

    expect(deliveries).toBe(3);
    expect(queue.deadLetters.map((message) => message.body)).toStrictEqual(['doomed']);
  });
});
