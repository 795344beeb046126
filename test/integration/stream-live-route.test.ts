import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../lib/local/runtime.js';
import { localToken } from '../support/local-token.js';

/** GET /streams/{streamId}/live through the local gateway: public, cacheable, conditional. */

let runtime: Runtime;
beforeAll(async () => {
  runtime = await startRuntime({ port: 0, data: 'memory', sweepSeconds: 3_600 });
}, 60_000);
afterAll(async () => {
  await runtime?.close();
});

const token = (sub: string, role: string) => localToken(runtime.url, sub, role);

const send = async (method: string, path: string, auth: string, body?: unknown) =>
  fetch(`${runtime.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GET /streams/{streamId}/live', () => {
  it('answers without a token, cacheable, with an ETag, and 304 to it; a claim raises the version', async () => {
    const host = await token('route-host', 'host');
    const created = await send('POST', '/deals', host, {
      title: 'Scarf',
      sku: 'SCF-1',
      streamId: 'route-stream',
      currency: 'EUR',
      listPrice: 4_000,
      dealPrice: 2_000,
      stock: 3,
    });
    const { dealId } = (await created.json()) as { dealId: string };
    await send('POST', `/deals/${dealId}/cues`, host, { action: 'start' });
    await sleep(1_100);

    const first = await fetch(`${runtime.url}/streams/route-stream/live`);
    const state = (await first.json()) as { version: number; deals: { dealId: string; available: number }[] };
    const etag = first.headers.get('etag') ?? '';
    const notModified = await fetch(`${runtime.url}/streams/route-stream/live`, {
      headers: { 'if-none-match': etag },
    });
    await send('POST', `/deals/${dealId}/claims`, await token('route-viewer', 'viewer'));
    await sleep(1_100);
    const after = await fetch(`${runtime.url}/streams/route-stream/live`, {
      headers: { 'if-none-match': etag },
    });
    const later = (await after.json()) as { version: number; deals: { available: number }[] };

    expect(first.status).toBe(200);
    const maxAge = Number(/max-age=(\d+)/.exec(first.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(1);
    expect(maxAge).toBeLessThanOrEqual(2);
    expect(first.headers.get('cache-control')).toMatch(/public/);
    expect(first.headers.get('cache-control')).toMatch(/stale-while-revalidate=\d+/);
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(state.deals).toEqual([expect.objectContaining({ dealId, available: 3, status: 'LIVE' })]);
    expect(JSON.stringify(state)).not.toContain('route-host');
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(later.version).toBeGreaterThan(state.version);
    expect(later.deals[0]?.available).toBe(2);
  });
});
