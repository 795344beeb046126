/**
 * The local EventBridge: PutEvents validation entry by entry, routing by bus and pattern, and delivery either
 * in the background (as EventBridge does) or awaited with each outcome reported.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BusEvent, LocalBus, type LocalRule } from '../../../lib/local/bus.js';

const NOW = new Date('2025-11-28T20:00:00.123Z');

const cueEntry = (extra: Record<string, unknown> = {}) => ({
  Source: 'livestream.studio',
  DetailType: 'Deal Cue',
  Detail: JSON.stringify({ dealId: 'd-1', action: 'start' }),
  EventBusName: 'livedrop',
  ...extra,
});

const ivsEntry = (extra: Record<string, unknown> = {}) => ({
  Source: 'aws.ivs',
  DetailType: 'IVS Stream State Change',
  Detail: JSON.stringify({ event_name: 'Stream End', channel_name: 'gala-stream-1' }),
  ...extra,
});

interface Harness {
  bus: LocalBus;
  cue: ReturnType<typeof vi.fn<(event: BusEvent) => Promise<unknown>>>;
  ivs: ReturnType<typeof vi.fn<(event: BusEvent) => Promise<unknown>>>;
  log: ReturnType<typeof vi.fn>;
}

const harness = (
  deliver: { cue?: (event: BusEvent) => Promise<unknown>; ivs?: (event: BusEvent) => Promise<unknown> } = {},
  retryDelaysMs: readonly number[] = [],
): Harness => {
  const cue = vi.fn<(event: BusEvent) => Promise<unknown>>(deliver.cue ?? (async () => 'cue applied'));
  const ivs = vi.fn<(event: BusEvent) => Promise<unknown>>(deliver.ivs ?? (async () => 'stream ended'));
  const rules: LocalRule[] = [
    {
      id: 'DealCueRule',
      bus: 'livedrop',
      pattern: { source: ['livestream.studio'], 'detail-type': ['Deal Cue'] },
      target: 'stream-cue',
      deliver: cue,
    },
    {
      id: 'IvsStreamEndRule',
      bus: 'default',
      pattern: {
        source: ['aws.ivs'],
        'detail-type': ['IVS Stream State Change'],
        detail: { event_name: ['Stream End'] },
      },
      target: 'stream-end',
      deliver: ivs,
    },
  ];
  const log = vi.fn();
  return { bus: new LocalBus(rules, log, () => NOW, retryDelaysMs), cue, ivs, log };
};

/** A promise the test settles itself. */
const deferred = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('PutEvents validation', () => {
  it.each([
    ['no Entries', {}],
    ['an empty list', { Entries: [] }],
    ['Entries that is not a list', { Entries: cueEntry() }],
    ['more than 10 entries', { Entries: Array.from({ length: 11 }, () => cueEntry()) }],
  ])('refuses the whole request for %s', async (_, body) => {
    const { bus, cue } = harness();

    await expect(bus.putEvents(body)).rejects.toThrow(RangeError);
    expect(cue).not.toHaveBeenCalled();
  });

  it('accepts exactly 10 entries', async () => {
    const { bus } = harness();

    const result = await bus.putEvents({ Entries: Array.from({ length: 10 }, () => cueEntry()) });

    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries).toHaveLength(10);
  });

  it('fails each bad entry on its own, in order, and still delivers the good ones', async () => {
    const { bus, cue } = harness();

    const result = await bus.putEvents(
      {
        Entries: [
          cueEntry(),
          cueEntry({ Source: '' }),
          cueEntry({ DetailType: undefined }),
          cueEntry({ Detail: { dealId: 'd-1' } }),
          cueEntry({ Detail: '{not json' }),
          cueEntry({ Detail: '[1,2]' }),
          cueEntry({ EventBusName: 'nope' }),
          null,
        ],
      },
      { wait: true },
    );

    expect(result.FailedEntryCount).toBe(7);
    expect(result.Entries).toHaveLength(8);
    expect(result.Entries[0]).toEqual({ EventId: expect.any(String) });
    expect(result.Entries.slice(1)).toEqual([
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source is required.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'DetailType is required.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Detail must be a JSON object encoded as a string.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Detail is not valid JSON.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Detail must be a JSON object.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Event bus nope does not exist.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'An entry must be an object.' },
    ]);
    expect(cue).toHaveBeenCalledOnce();
    expect(result.Unmatched).toEqual([]);
  });

  it('hands targets the EventBridge envelope with the detail parsed', async () => {
    const { bus, cue } = harness();

    const result = await bus.putEvents({ Entries: [cueEntry({ Resources: ['arn:x'] })] }, { wait: true });

    expect(cue).toHaveBeenCalledExactlyOnceWith({
      version: '0',
      id: (result.Entries[0] as { EventId: string }).EventId,
      'detail-type': 'Deal Cue',
      source: 'livestream.studio',
      account: '000000000000',
      time: '2025-11-28T20:00:00Z',
      region: 'local',
      resources: ['arn:x'],
      detail: { dealId: 'd-1', action: 'start' },
    });
  });

  it('keeps the Time an entry gives and gives each event its own id', async () => {
    const { bus, cue } = harness();

    await bus.putEvents(
      { Entries: [cueEntry({ Time: '2025-01-01T00:00:00Z' }), cueEntry()] },
      { wait: true },
    );

    const [first, second] = cue.mock.calls.map(([event]) => event);
    expect(first?.time).toBe('2025-01-01T00:00:00Z');
    expect(first?.id).not.toBe(second?.id);
  });

  it('reads a Time in epoch seconds, as the AWS SDK writes a Date, and gives it in UTC like any other', async () => {
    const { bus, cue } = harness();

    await bus.putEvents(
      { Entries: [cueEntry({ Time: 1_735_689_600 }), cueEntry({ Time: '2025-01-01T02:00:00.5+02:00' })] },
      { wait: true },
    );

    expect(cue.mock.calls.map(([event]) => event.time)).toEqual([
      '2025-01-01T00:00:00Z',
      '2025-01-01T00:00:00Z',
    ]);
  });

  it.each([
    ['a day that does not exist', '2027-02-30T10:00:00Z'],
    ['no offset', '2027-01-01T00:00:00'],
    ['a date only', '2027-01-01'],
    ['a word', 'now'],
    ['a number as text', '1'],
    ['negative epoch seconds', -1],
    ['a list', ['2027-01-01T00:00:00Z']],
  ])('refuses an entry whose Time is %s, and delivers nothing', async (_, time) => {
    const { bus, cue } = harness();

    const result = await bus.putEvents({ Entries: [cueEntry({ Time: time })] }, { wait: true });

    expect(result.Entries).toEqual([
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Time must be an ISO 8601 instant with its offset, or epoch seconds.',
      },
    ]);
    expect(cue).not.toHaveBeenCalled();
  });
});

describe('buses', () => {
  it('puts an entry without EventBusName on the default bus, where the IVS rule listens', async () => {
    const { bus, ivs } = harness();

    const result = await bus.putEvents({ Entries: [ivsEntry()] }, { wait: true });

    expect(ivs).toHaveBeenCalledOnce();
    expect(result.Deliveries).toEqual([
      { entry: 0, rule: 'IvsStreamEndRule', target: 'stream-end', ok: true, result: 'stream ended' },
    ]);
  });

  it.each([
    ['its name', 'default'],
    ['its ARN', 'arn:aws:events:us-east-1:123456789012:event-bus/default'],
  ])('routes to the default bus by %s', async (_, name) => {
    const { bus, ivs } = harness();

    await bus.putEvents({ Entries: [ivsEntry({ EventBusName: name })] }, { wait: true });

    expect(ivs).toHaveBeenCalledOnce();
  });

  it.each([
    ['its name', 'livedrop'],
    ['its ARN', 'arn:aws:events:eu-central-1:123456789012:event-bus/livedrop'],
  ])('routes to the livedrop bus by %s', async (_, name) => {
    const { bus, cue } = harness();

    await bus.putEvents({ Entries: [cueEntry({ EventBusName: name })] }, { wait: true });

    expect(cue).toHaveBeenCalledOnce();
  });

  it('does not deliver a cue sent to the default bus: the cue rule is on the livedrop bus', async () => {
    const { bus, cue } = harness();

    const result = await bus.putEvents({ Entries: [cueEntry({ EventBusName: undefined })] }, { wait: true });

    expect(result.FailedEntryCount).toBe(0);
    expect(result.Unmatched).toEqual([0]);
    expect(result.Deliveries).toEqual([]);
    expect(cue).not.toHaveBeenCalled();
  });

  it('does not deliver an IVS event sent to the livedrop bus', async () => {
    const { bus, ivs } = harness();

    const result = await bus.putEvents({ Entries: [ivsEntry({ EventBusName: 'livedrop' })] }, { wait: true });

    expect(result.Unmatched).toEqual([0]);
    expect(ivs).not.toHaveBeenCalled();
  });

  it.each([
    ['an unknown name', 'other-bus'],
    ['an ARN of an unknown bus', 'arn:aws:events:us-east-1:123456789012:event-bus/other-bus'],
    ['a non-string', 42],
  ])('fails an entry addressed to %s', async (_, name) => {
    const { bus } = harness();

    const result = await bus.putEvents({ Entries: [cueEntry({ EventBusName: name })] });

    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries[0]).toMatchObject({ ErrorCode: 'InvalidArgument' });
  });
});

describe('Unmatched', () => {
  it('lists the index of each valid entry no rule matched, and not the failed ones', async () => {
    const { bus } = harness();

    const result = await bus.putEvents({
      Entries: [
        ivsEntry({ Detail: JSON.stringify({ event_name: 'Stream Start' }) }),
        cueEntry(),
        cueEntry({ Source: '' }),
        cueEntry({ DetailType: 'Something Else' }),
      ],
    });

    expect(result.Unmatched).toEqual([0, 3]);
    expect(result.FailedEntryCount).toBe(1);
  });
});

describe('wait=true', () => {
  it('reports each delivery with the target’s result or error', async () => {
    const { bus } = harness({
      cue: async () => ({ outcome: 'applied' }),
      ivs: async () => Promise.reject(new Error('store down')),
    });

    const result = await bus.putEvents({ Entries: [cueEntry(), ivsEntry()] }, { wait: true });

    expect(result.Deliveries).toEqual([
      { entry: 0, rule: 'DealCueRule', target: 'stream-cue', ok: true, result: { outcome: 'applied' } },
      { entry: 1, rule: 'IvsStreamEndRule', target: 'stream-end', ok: false, error: 'Error: store down' },
    ]);
  });

  it('logs a failed delivery', async () => {
    const { bus, log } = harness({ cue: async () => Promise.reject(new Error('boom')) });

    await bus.putEvents({ Entries: [cueEntry()] }, { wait: true });

    expect(log).toHaveBeenCalledWith(
      'event delivery failed',
      expect.objectContaining({ rule: 'DealCueRule', error: 'Error: boom' }),
    );
  });

  it('answers only after every delivery finished', async () => {
    const gate = deferred<string>();
    const { bus } = harness({ cue: () => gate.promise });
    let answered = false;

    const answer = bus.putEvents({ Entries: [cueEntry()] }, { wait: true }).then((result) => {
      answered = true;
      return result;
    });
    await new Promise((resolve) => setImmediate(resolve));
    const before = answered;
    gate.resolve('late');
    const result = await answer;

    expect(before).toBe(false);
    expect(result.Deliveries?.[0]).toMatchObject({ ok: true, result: 'late' });
  });
});

describe('retries', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('tries a failing delivery again after each delay, then reports the last error', async () => {
    vi.useFakeTimers();
    let attempts = 0;
    const { bus, log } = harness(
      {
        cue: async () => {
          attempts++;
          throw new Error(`attempt ${attempts} failed`);
        },
      },
      [1_000, 2_000],
    );

    const answer = bus.putEvents({ Entries: [cueEntry()] }, { wait: true });
    await vi.advanceTimersByTimeAsync(999);
    const attemptsBeforeFirstDelay = attempts;
    await vi.advanceTimersByTimeAsync(1 + 2_000);
    const result = await answer;

    expect(attemptsBeforeFirstDelay).toBe(1);
    expect(attempts).toBe(3);
    expect(result.Deliveries).toEqual([
      { entry: 0, rule: 'DealCueRule', target: 'stream-cue', ok: false, error: 'Error: attempt 3 failed' },
    ]);
    expect(log.mock.calls.filter(([message]) => message === 'event delivery retried')).toHaveLength(2);
  });

  it('reports a delivery that succeeds on a retry as ok', async () => {
    vi.useFakeTimers();
    const cue = vi
      .fn<(event: BusEvent) => Promise<unknown>>()
      .mockRejectedValueOnce(new Error('cold start'))
      .mockResolvedValue('applied');
    const { bus } = harness({ cue }, [10]);

    const answer = bus.putEvents({ Entries: [cueEntry()] }, { wait: true });
    await vi.advanceTimersByTimeAsync(10);
    const result = await answer;

    expect(result.Deliveries?.[0]).toMatchObject({ ok: true, result: 'applied' });
    expect(cue).toHaveBeenCalledTimes(2);
    expect(cue.mock.calls[0]?.[0].id).toBe(cue.mock.calls[1]?.[0].id);
  });
});

describe('asynchronous delivery', () => {
  it('answers before delivering, without Deliveries, and drain waits for the delivery', async () => {
    const gate = deferred<string>();
    let delivered = false;
    const { bus, cue } = harness({
      cue: async () => {
        await gate.promise;
        delivered = true;
        return 'done';
      },
    });

    const result = await bus.putEvents({ Entries: [cueEntry()] });
    const deliveredWhenAnswered = delivered;
    let drained = false;
    const drain = bus.drain().then(() => {
      drained = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    const drainedBeforeDelivery = drained;
    gate.resolve('go');
    await drain;

    expect(result.Deliveries).toBeUndefined();
    expect(result.Entries).toEqual([{ EventId: expect.any(String) }]);
    expect(cue).toHaveBeenCalledOnce();
    expect(deliveredWhenAnswered).toBe(false);
    expect(drainedBeforeDelivery).toBe(false);
    expect(delivered).toBe(true);
  });

  it('drain also waits for a delivery that fails', async () => {
    const gate = deferred<void>();
    let failed = false;
    const { bus } = harness({
      cue: async () => {
        await gate.promise;
        failed = true;
        throw new Error('late failure');
      },
    });

    await bus.putEvents({ Entries: [cueEntry()] });
    const drain = bus.drain();
    setImmediate(() => gate.resolve());
    await drain;

    expect(failed).toBe(true);
  });

  it('drain resolves at once when nothing is in flight', async () => {
    const { bus } = harness();

    await expect(bus.drain()).resolves.toBeUndefined();
  });
});
