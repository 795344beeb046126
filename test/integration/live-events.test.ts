import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../lib/local/runtime.js';
import { localToken } from '../support/local-token.js';

/** Locally, GET /streams/{streamId}/live/events: the live state as Server-Sent Events, public. */

let runtime: Runtime;
beforeAll(async () => {
  runtime = await startRuntime({ port: 0, data: 'memory', sweepSeconds: 3_600 });
}, 60_000);
afterAll(async () => {
  await runtime?.close();
});

const token = (sub: string, role: string) => localToken(runtime.url, sub, role);

const send = (path: string, auth: string, body?: unknown) =>
  fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

interface Frame {
  id: number;
  data: { v: number; d: { i: string; a: number }[] };
  at: number;
}

/** Opens the stream and collects its events until `stop`. */
const listen = async (streamId: string, lastEventId?: string) => {
  const controller = new AbortController();
  const answer = await fetch(`${runtime.url}/streams/${streamId}/live/events`, {
    signal: controller.signal,
    headers: lastEventId === undefined ? {} : { 'last-event-id': lastEventId },
  });
  const frames: Frame[] = [];
  const reader = (answer.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id !== undefined && data !== undefined) {
            frames.push({ id: Number(id), data: JSON.parse(data) as Frame['data'], at: Date.now() });
          }
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    answer,
    frames,
    stop: async () => {
      controller.abort();
      await pump;
    },
  };
};

const until = async (check: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return check();
};

/** Creates a deal of `stock` units on the stream and starts it. */
const startDeal = async (streamId: string, extra: { stock: number; durationSeconds?: number }) => {
  const host = await token(`${streamId}-host`, 'host');
  const created = await send('/deals', host, {
    title: `Deal of ${streamId}`,
    sku: `SKU-${streamId}`,
    streamId,
    currency: 'EUR',
    listPrice: 4_000,
    dealPrice: 2_000,
    ...extra,
  });
  const { dealId } = (await created.json()) as { dealId: string };
  await send(`/deals/${dealId}/cues`, host, { action: 'start' });
  return dealId;
};

describe('GET /streams/{streamId}/live/events', () => {
  it('sends the state on connect, a claim within 2 s, and on reconnect only what is newer', async () => {
    const dealId = await startDeal('sse-stream', { stock: 5 });

    const first = await listen('sse-stream');
    const connected = await until(() => first.frames.length >= 1, 3_000);
    const claimedAt = Date.now();
    await send(`/deals/${dealId}/claims`, await token('sse-viewer', 'viewer'));
    const seen = await until(() => first.frames.some((frame) => frame.data.d[0]?.a === 4), 2_000);
    await first.stop();
    const last = first.frames[first.frames.length - 1] as Frame;
    const same = await listen('sse-stream', String(last.id));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await same.stop();
    const older = await listen('sse-stream', String(last.id - 1));
    const caughtUp = await until(() => older.frames.length >= 1, 2_000);
    await older.stop();

    expect(first.answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(connected).toBe(true);
    expect(first.frames[0]?.data.d).toEqual([expect.objectContaining({ i: dealId, a: 5 })]);
    expect(seen).toBe(true);
    const claimFrame = first.frames.find((frame) => frame.data.d[0]?.a === 4) as Frame;
    expect(claimFrame.at - claimedAt).toBeLessThan(2_000);
    expect(claimFrame.id).toBe(claimFrame.data.v);
    expect(claimFrame.id).toBeGreaterThan(first.frames[0]?.id ?? Number.POSITIVE_INFINITY);
    expect(same.frames).toEqual([]);
    expect(caughtUp).toBe(true);
    expect(older.frames[0]?.id).toBe(last.id);
  });

  it('coalesces a burst of claims into fewer events than claims, ending on the last state', async () => {
    const dealId = await startDeal('sse-burst', { stock: 50 });
    const stream = await listen('sse-burst');
    await until(() => stream.frames.length >= 1, 3_000);

    await Promise.all(
      Array.from({ length: 20 }, async (_, i) =>
        send(`/deals/${dealId}/claims`, await token(`burst-viewer-${i}`, 'viewer')),
      ),
    );
    await until(() => stream.frames.some((frame) => frame.data.d[0]?.a === 30), 3_000);
    await stream.stop();

    // One read serves a whole gap's changes: 20 claims at once cannot each get an event of their own.
    expect(stream.frames[stream.frames.length - 1]?.data.d[0]?.a).toBe(30);
    expect(stream.frames.length).toBeLessThan(20);
    expect(stream.frames.map((frame) => frame.id)).toEqual(
      [...stream.frames.map((frame) => frame.id)].sort((a, b) => a - b),
    );
  });

  it('sends the state without a deal once its end passes, with no event and no sweep to say so', async () => {
    const dealId = await startDeal('sse-ends', { stock: 5, durationSeconds: 2 });
    const stream = await listen('sse-ends');
    await until(() => stream.frames.length >= 1, 3_000);

    // The sweep runs hourly here and nothing is claimed: only the end itself can bring the next event.
    const gone = await until(() => stream.frames.some((frame) => frame.data.d.length === 0), 6_000);
    await stream.stop();

    expect(stream.frames[0]?.data.d).toEqual([expect.objectContaining({ i: dealId })]);
    expect(gone).toBe(true);
    const last = stream.frames[stream.frames.length - 1] as Frame;
    expect(last.data.d).toEqual([]);
    expect(last.id).toBeGreaterThan(stream.frames[0]?.id ?? Number.POSITIVE_INFINITY);
  });
});
