import type { Context, EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamCueHandler } from '../../functions/stream-cue/app.js';
import { createStreamEndHandler } from '../../functions/stream-end/app.js';
import { dealInput, HOST_ID, hostActor, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';
import { loadEvent, silentLogger } from '../unit/http/support.js';

type Event = EventBridgeEvent<string, Record<string, unknown>>;
const context = { awsRequestId: 'req-1', functionName: 'fn' } as Context;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const cueEvent = (detail: Record<string, unknown>) => {
  const event = loadEvent<Event>('stream-cue.valid');
  event.detail = { ...event.detail, ...detail };
  return event;
};

describe('stream cues on the bus', () => {
  it('starts a deal from the studio and then pauses it', async () => {
    const engine = h.engine();
    const deal = await engine.createDeal(dealInput({ streamId: 'studio-1' }), HOST_ID);
    const handler = createStreamCueHandler({ engine, logger: silentLogger() });

    const started = await handler(
      cueEvent({ dealId: deal.dealId, streamId: 'studio-1', hostId: HOST_ID }),
      context,
    );
    const paused = await handler(
      cueEvent({
        cueId: 'cue-2',
        dealId: deal.dealId,
        streamId: 'studio-1',
        hostId: HOST_ID,
        action: 'pause',
      }),
      context,
    );

    expect(started).toMatchObject({ outcome: 'applied', result: { status: 'LIVE' } });
    expect(paused).toMatchObject({ outcome: 'applied', result: { status: 'PAUSED' } });
  });

  it('refuses a cue for a deal of another stream or by another host, changing nothing', async () => {
    const engine = h.engine();
    const deal = await engine.createDeal(dealInput({ streamId: 'studio-2' }), HOST_ID);
    const handler = createStreamCueHandler({ engine, logger: silentLogger() });

    const wrongStream = await handler(
      cueEvent({ dealId: deal.dealId, streamId: 'other', hostId: HOST_ID }),
      context,
    );
    const wrongHost = await handler(
      cueEvent({ dealId: deal.dealId, streamId: 'studio-2', hostId: 'intruder' }),
      context,
    );

    expect(wrongStream).toMatchObject({ outcome: 'rejected', code: 'FORBIDDEN' });
    expect(wrongHost).toMatchObject({ outcome: 'rejected', code: 'FORBIDDEN' });
    expect((await engine.getDeal(deal.dealId)).status).toBe('SCHEDULED');
  });
});

describe('IVS stream end', () => {
  it('ends the live and paused deals of that stream and leaves every other deal alone', async () => {
    const engine = h.engine();
    const live = await liveDeal(engine, { streamId: 'ivs-channel-1' });
    const paused = await liveDeal(engine, { streamId: 'ivs-channel-1' });
    await engine.cue(paused.dealId, { action: 'pause' }, hostActor);
    const scheduled = await engine.createDeal(dealInput({ streamId: 'ivs-channel-1' }), HOST_ID);
    const elsewhere = await liveDeal(engine, { streamId: 'ivs-channel-2' });
    const byArn = await liveDeal(engine, {
      streamId: 'studio-name-differs',
      ivsChannelArn: 'arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEfGhIjKl',
    });
    const event = loadEvent<Event>('ivs-stream-end');
    event.detail = { ...event.detail, channel_name: 'ivs-channel-1' };

    const result = await createStreamEndHandler({ engine, logger: silentLogger() })(event, context);

    expect(result.outcome === 'applied' && [...result.result.ended].sort()).toEqual(
      [live.dealId, paused.dealId, byArn.dealId].sort(),
    );
    expect((await engine.getDeal(live.dealId)).status).toBe('ENDED');
    expect((await engine.getDeal(paused.dealId)).status).toBe('ENDED');
    expect((await engine.getDeal(scheduled.dealId)).status).toBe('SCHEDULED');
    expect((await engine.getDeal(elsewhere.dealId)).status).toBe('LIVE');
    await expect(engine.claim(live.dealId, 'late-viewer')).rejects.toMatchObject({ code: 'DEAL_NOT_LIVE' });
  });
});
