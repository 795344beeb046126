/**
 * The live-metadata path in the local runtime, as `npm start` runs it: a claim's events go from the local bus
 * into the local queue, the function runs on the batch a second later, and its IVS client puts the stream's
 * state into the local IVS stand-in, a second apart per channel at least; an offline channel is skipped, not
 * retried or dead-lettered.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveMetadata } from '../../functions/shared/domain/stream-live.js';
import { Logger } from '../../functions/shared/logger.js';
import { type Runtime, startRuntime } from '../../lib/local/runtime.js';
import { Api, type Deal, eventually } from '../e2e/support.js';

const CHANNEL = 'arn:aws:ivs:us-east-1:123456789012:channel/LocalRun1';
const OFFLINE = 'arn:aws:ivs:us-east-1:123456789012:channel/LocalOff1';

let runtime: Runtime;
let api: Api;
let host: string;

beforeAll(async () => {
  runtime = await startRuntime({
    port: 0,
    data: 'memory',
    sweepSeconds: 3_600,
    logger: new Logger({ serviceName: 'livedrop-test', logLevel: 'SILENT' }),
  });
  api = new Api(runtime.url);
  host = await api.token('host-meta', 'host');
}, 60_000);

afterAll(async () => {
  await runtime?.close();
});

const liveDealOn = async (streamId: string, ivsChannelArn: string): Promise<Deal> => {
  const created = await api.call<Deal>('POST', '/deals', {
    token: host,
    body: {
      title: 'Scarf',
      sku: 'SCF-1',
      streamId,
      ivsChannelArn,
      currency: 'EUR',
      listPrice: 4_000,
      dealPrice: 2_500,
      stock: 5,
    },
  });
  expect(created.status).toBe(201);
  const started = await api.call('POST', `/deals/${created.body.dealId}/cues`, {
    token: host,
    body: { action: 'start' },
  });
  expect(started.status).toBe(200);
  return created.body;
};

const payloads = (channelArn: string) =>
  runtime.ivs.puts(channelArn).map((put) => ({ at: put.at, ...(JSON.parse(put.metadata) as LiveMetadata) }));

describe('timed metadata in the local runtime', () => {
  it('puts the stream’s new available count into its channel after a claim, a second apart per channel', async () => {
    const deal = await liveDealOn('local-meta', CHANNEL);
    const viewer = await api.token('viewer-meta', 'viewer');

    const claimed = await api.call('POST', `/deals/${deal.dealId}/claims`, { token: viewer, body: {} });
    expect(claimed.status).toBe(201);

    const last = await eventually(
      async () => {
        const put = payloads(CHANNEL).at(-1);
        if (put?.d[0]?.a !== 4) throw new Error(`last put: ${JSON.stringify(put)}`);
        return put;
      },
      { timeoutMs: 10_000, what: 'a put with available 4' },
    );
    expect(last).toMatchObject({ s: 'local-meta', d: [{ i: deal.dealId, s: 'L', a: 4, k: 5 }] });
    const times = payloads(CHANNEL).map((put) => put.at);
    for (let i = 1; i < times.length; i++) {
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1_000);
    }
  });

  it('skips a channel that is not broadcasting, without redelivery or dead letters', async () => {
    runtime.ivs.setBroadcasting(OFFLINE, false);
    const deal = await liveDealOn('local-offline', OFFLINE);
    const viewer = await api.token('viewer-offline', 'viewer');
    await api.call('POST', `/deals/${deal.dealId}/claims`, { token: viewer, body: {} });

    await eventually(
      async () => {
        if (!runtime.ivs.refusedOffline.get(OFFLINE)) throw new Error('no put tried yet');
      },
      { timeoutMs: 10_000, what: 'a put into the offline channel' },
    );
    const tried = runtime.ivs.refusedOffline.get(OFFLINE);
    // Past the visibility delay (2 s locally): a failure would have come back by now.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    expect(runtime.ivs.refusedOffline.get(OFFLINE)).toBe(tried);
    expect(runtime.ivs.puts(OFFLINE)).toStrictEqual([]);
    expect(runtime.queues.get('LiveStateChanges')?.deadLetters).toStrictEqual([]);
  });
});
