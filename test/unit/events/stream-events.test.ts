import type { Context, EventBridgeEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DealNotLive, InvalidTransition } from '../../../functions/shared/domain/errors.js';
import { SCOPES } from '../../../functions/shared/domain/roles.js';
import { createStreamCueHandler } from '../../../functions/stream-cue/app.js';
import { createStreamEndHandler } from '../../../functions/stream-end/app.js';
import { type FakeEngine, fakeEngine, loadEvent, silentLogger } from '../http/support.js';

type Event = EventBridgeEvent<string, Record<string, unknown>>;
const context = { awsRequestId: 'req-1', functionName: 'fn' } as Context;

describe('the stream cue handler', () => {
  let engine: FakeEngine;
  beforeEach(() => {
    engine = fakeEngine();
  });

  it('runs the cue as the host the event names, for a deal of the stream it names', async () => {
    engine.cue.mockResolvedValue({ dealId: 'd' } as never);
    const handler = createStreamCueHandler({ engine, logger: silentLogger() });

    const result = await handler(loadEvent<Event>('stream-cue.valid'), context);

    expect(result).toEqual({ outcome: 'applied', result: { dealId: 'd' } });
    expect(engine.cue).toHaveBeenCalledExactlyOnceWith(
      '01JH0000000000000000000000',
      { action: 'start', cueId: 'cue-0001', at: '2026-11-26T20:00:00.000Z' },
      { sub: 'host-1', scopes: new Set([SCOPES.host]) },
      { streamId: 'gala-stream-1' },
    );
  });

  it('passes the quantity of a restock cue', async () => {
    engine.cue.mockResolvedValue({} as never);
    const event = loadEvent<Event>('stream-cue.valid');
    event.detail = { ...event.detail, action: 'restock', quantity: 25 };

    await createStreamCueHandler({ engine, logger: silentLogger() })(event, context);

    expect(engine.cue.mock.calls[0]?.[1]).toEqual({
      action: 'restock',
      quantity: 25,
      cueId: 'cue-0001',
      at: '2026-11-26T20:00:00.000Z',
    });
  });

  it('drops an invalid cue without calling the engine, naming each bad field', async () => {
    const logger = silentLogger();
    const warn = vi.spyOn(logger, 'warn');

    const result = await createStreamCueHandler({ engine, logger })(
      loadEvent<Event>('stream-cue.invalid'),
      context,
    );

    expect(result).toMatchObject({ outcome: 'rejected', code: 'VALIDATION_FAILED' });
    expect(result.outcome === 'rejected' && result.message).toMatch(/dealId.*at|at.*dealId/s);
    expect(result.outcome === 'rejected' && result.message).toContain('quantity');
    expect(engine.cue).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledOnce();
  });

  it('drops a cue the deal refuses instead of retrying it', async () => {
    engine.cue.mockRejectedValue(new InvalidTransition('Cannot start a deal that is ENDED.'));

    const result = await createStreamCueHandler({ engine, logger: silentLogger() })(
      loadEvent<Event>('stream-cue.valid'),
      context,
    );

    expect(result).toEqual({
      outcome: 'rejected',
      code: 'INVALID_TRANSITION',
      message: 'Cannot start a deal that is ENDED.',
    });
  });

  it('throws our own failures so Lambda retries them and the dead-letter queue catches the rest', async () => {
    engine.cue.mockRejectedValue(new Error('store unreachable'));

    await expect(
      createStreamCueHandler({ engine, logger: silentLogger() })(
        loadEvent<Event>('stream-cue.valid'),
        context,
      ),
    ).rejects.toThrow('store unreachable');
  });
});

describe('the IVS stream end handler', () => {
  let engine: FakeEngine;
  beforeEach(() => {
    engine = fakeEngine();
  });

  it('ends the deals of the channel whose stream ended, by its name and by its ARN, as of the event’s time', async () => {
    engine.endStream.mockResolvedValue({ ended: ['d1'] });

    const result = await createStreamEndHandler({ engine, logger: silentLogger() })(
      loadEvent<Event>('ivs-stream-end'),
      context,
    );

    expect(result).toEqual({ outcome: 'applied', result: { ended: ['d1'] } });
    expect(engine.endStream).toHaveBeenCalledExactlyOnceWith(
      'gala-stream-1',
      'arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEfGhIjKl',
      '2026-11-26T21:30:00Z',
    );
  });

  it('ends the deals by the channel’s name only when the event names no channel ARN', async () => {
    engine.endStream.mockResolvedValue({ ended: [] });
    const event = loadEvent<Event>('ivs-stream-end');
    event.resources = ['arn:aws:ivs:eu-central-1:123456789012:stream-key/AbCdEfGhIjKl'];

    await createStreamEndHandler({ engine, logger: silentLogger() })(event, context);

    expect(engine.endStream).toHaveBeenCalledExactlyOnceWith(
      'gala-stream-1',
      undefined,
      '2026-11-26T21:30:00Z',
    );
  });

  it('ignores other stream state changes', async () => {
    const event = loadEvent<Event>('ivs-stream-end');
    event.detail = { ...event.detail, event_name: 'Stream Start' };

    const result = await createStreamEndHandler({ engine, logger: silentLogger() })(event, context);

    expect(result).toEqual({ outcome: 'applied', result: { ended: [] } });
    expect(engine.endStream).not.toHaveBeenCalled();
  });

  it('drops a refused end like any other domain refusal', async () => {
    engine.endStream.mockRejectedValue(new DealNotLive('d', 'ENDED'));

    const result = await createStreamEndHandler({ engine, logger: silentLogger() })(
      loadEvent<Event>('ivs-stream-end'),
      context,
    );

    expect(result).toMatchObject({ outcome: 'rejected', code: 'DEAL_NOT_LIVE' });
  });
});
