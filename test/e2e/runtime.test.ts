import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes } from '../../functions/shared/contract/wiring.js';
import {
  Api,
  type Coupon,
  type Deal,
  type ErrorBody,
  eventually,
  type GatewayBody,
  killAll,
  parseRecord,
  type RuntimeProcess,
  startRuntimeProcess,
} from './support.js';

/**
 * `npm start` end to end: the runtime runs as a child process on a free port with its data in a temporary
 * directory and the sweep every second, and is driven over HTTP only. The tests run in order on one data
 * directory; halfway through, the runtime is stopped and started again on it.
 */

const HOST = 'host-1';
const EXPIRY_WAIT_MS = 20_000;

let dataDir: string;
let runtime: RuntimeProcess;
let api: Api;

/** What the tests created, so the restart test can check that all of it is still there. */
const dealIds: string[] = [];
const viewerTokens = new Map<string, string>();
let hostToken: string;
let checkoutToken: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'livedrop-e2e-'));
  runtime = await startRuntimeProcess(dataDir);
  api = new Api(runtime.url);
  hostToken = await api.token(HOST, 'host');
  checkoutToken = await api.token('checkout-1', 'checkout');
});

afterAll(async () => {
  await killAll();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const viewer = async (sub: string): Promise<string> => {
  const known = viewerTokens.get(sub);
  if (known) return known;
  const token = await api.token(sub, 'viewer');
  viewerTokens.set(sub, token);
  return token;
};

const createDeal = async (overrides: Record<string, unknown> = {}): Promise<Deal> => {
  const reply = await api.call<Deal>('POST', '/deals', {
    token: hostToken,
    body: {
      title: 'Denim jacket, live only',
      sku: 'JKT-DENIM-M',
      streamId: 'stream-main',
      currency: 'EUR',
      listPrice: 12_900,
      dealPrice: 6_450,
      stock: 5,
      ...overrides,
    },
  });
  expect(reply.status).toBe(201);
  dealIds.push(reply.body.dealId);
  return reply.body;
};

const cue = (dealId: string, action: string) =>
  api.call<Deal>('POST', `/deals/${dealId}/cues`, { token: hostToken, body: { action } });

const startedDeal = async (overrides: Record<string, unknown> = {}): Promise<Deal> => {
  const deal = await createDeal(overrides);
  const started = await cue(deal.dealId, 'start');
  expect(started.status).toBe(200);
  expect(started.body.status).toBe('LIVE');
  return started.body;
};

const claim = async (dealId: string, sub: string, idempotencyKey?: string) =>
  api.call<Coupon & ErrorBody>('POST', `/deals/${dealId}/claims`, {
    token: await viewer(sub),
    ...(idempotencyKey === undefined ? {} : { headers: { 'idempotency-key': idempotencyKey } }),
  });

const checkout = (code: string, action: 'redemptions' | 'releases', body: Record<string, string>) =>
  api.call<Coupon & ErrorBody>('POST', `/coupons/${code}/${action}`, { token: checkoutToken, body });

const getDeal = async (dealId: string): Promise<Deal> => {
  const reply = await api.call<Deal>('GET', `/deals/${dealId}`, { token: hostToken });
  expect(reply.status).toBe(200);
  return reply.body;
};

/**
 * GET /deals/{id} once the deal is quiet, checking that no unit is lost or made up:
 * stock = available + held + redeemed. (Mid-operation, e.g. while the sweep returns a unit, it may not hold.)
 */
const figures = async (dealId: string): Promise<Deal> => {
  const deal = await getDeal(dealId);
  expect(deal.available + deal.held + deal.redeemed).toBe(deal.stock);
  return deal;
};

const myCoupons = async (sub: string): Promise<Coupon[]> => {
  const reply = await api.call<{ coupons: Coupon[] }>('GET', '/me/coupons', { token: await viewer(sub) });
  expect(reply.status).toBe(200);
  return reply.body.coupons;
};

describe('the local runtime started as a child process', () => {
  it('refuses a missing or invalid token with 401, a token of the wrong role with 403 and an unknown route with 404', async () => {
    const deal = await createDeal({ streamId: 'stream-auth' });

    const anonymous = await api.call<GatewayBody>('GET', `/deals/${deal.dealId}`);
    const forged = await api.call<GatewayBody>('GET', `/deals/${deal.dealId}`, { token: 'not-a-jwt' });
    const viewerCreating = await api.call<GatewayBody>('POST', '/deals', {
      token: await viewer('viewer-auth'),
      body: { title: 'x' },
    });
    const hostClaiming = await api.call<GatewayBody>('POST', `/deals/${deal.dealId}/claims`, {
      token: hostToken,
    });
    const checkoutListing = await api.call<GatewayBody>('GET', '/me/coupons', { token: checkoutToken });
    const unknown = await api.call<GatewayBody>('GET', '/no-such-route', { token: hostToken });
    const wrongMethod = await api.call<GatewayBody>('DELETE', `/deals/${deal.dealId}`, { token: hostToken });

    // API Gateway answers these itself, with its own body, before any function runs.
    expect([anonymous.status, anonymous.body]).toEqual([401, { message: 'Unauthorized' }]);
    expect([forged.status, forged.body]).toEqual([401, { message: 'Unauthorized' }]);
    for (const refused of [viewerCreating, hostClaiming, checkoutListing]) {
      expect([refused.status, refused.body]).toEqual([403, { message: 'Forbidden' }]);
    }
    expect([unknown.status, unknown.body]).toEqual([404, { message: 'Not Found' }]);
    expect([wrongMethod.status, wrongMethod.body]).toEqual([404, { message: 'Not Found' }]);
  });

  it('describes every HTTP route of the wiring, and no other, in GET /openapi.json', async () => {
    const reply = await api.call<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/openapi.json',
    );

    expect(reply.status).toBe(200);
    expect(reply.body.openapi).toMatch(/^3\./);
    const described = Object.entries(reply.body.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const wired = httpRoutes().map(({ trigger }) => `${trigger.method} ${trigger.path}`);
    expect(described.sort()).toEqual(wired.sort());
  });

  it('runs a deal from creation through claims, a redemption and a release with exact stock', async () => {
    const deal = await createDeal({ streamId: 'stream-lifecycle', stock: 5, perViewerLimit: 1 });
    expect(deal).toMatchObject({ status: 'SCHEDULED', hostId: HOST, stock: 5, available: 5, held: 0 });
    const started = await cue(deal.dealId, 'start');
    expect([started.status, started.body.status]).toEqual([200, 'LIVE']);

    const first = await Promise.all([
      claim(deal.dealId, 'viewer-1', 'attempt-viewer-1'),
      claim(deal.dealId, 'viewer-2'),
      claim(deal.dealId, 'viewer-3'),
      claim(deal.dealId, 'viewer-4'),
    ]);
    expect(first.map((reply) => reply.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(first.map((reply) => reply.body.code)).size).toBe(4);
    first.forEach((reply, i) => {
      expect(reply.body).toMatchObject({
        dealId: deal.dealId,
        viewerId: `viewer-${i + 1}`,
        status: 'ISSUED',
      });
    });
    const [viewer1, viewer2] = first.map((reply) => reply.body);

    const replay = await claim(deal.dealId, 'viewer-1', 'attempt-viewer-1');
    expect(replay.status).toBe(200);
    expect(replay.body.code).toBe(viewer1?.code);
    const overLimit = await claim(deal.dealId, 'viewer-1');
    expect([overLimit.status, overLimit.body.error.code]).toEqual([409, 'LIMIT_REACHED']);

    const last = await Promise.all([claim(deal.dealId, 'viewer-5'), claim(deal.dealId, 'viewer-6')]);
    expect(last.map((reply) => reply.status).sort()).toEqual([201, 409]);
    expect(last.find((reply) => reply.status === 409)?.body.error.code).toBe('SOLD_OUT');
    expect(await figures(deal.dealId)).toMatchObject({ stock: 5, available: 0, held: 5, redeemed: 0 });

    const code = viewer2?.code as string;
    const redeemed = await checkout(code, 'redemptions', { viewerId: 'viewer-2', orderId: 'order-2' });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body).toMatchObject({ code, status: 'REDEEMED', orderId: 'order-2' });
    const again = await checkout(code, 'redemptions', { viewerId: 'viewer-2', orderId: 'order-2' });
    expect([again.status, again.body.status]).toEqual([200, 'REDEEMED']);
    const otherOrder = await checkout(code, 'redemptions', { viewerId: 'viewer-2', orderId: 'order-9' });
    expect([otherOrder.status, otherOrder.body.error.code]).toEqual([409, 'ALREADY_REDEEMED']);
    const otherViewer = await checkout(code, 'redemptions', { viewerId: 'viewer-3', orderId: 'order-3' });
    expect([otherViewer.status, otherViewer.body.error.code]).toEqual([404, 'COUPON_NOT_FOUND']);
    expect(await figures(deal.dealId)).toMatchObject({ available: 0, held: 4, redeemed: 1 });

    const released = await checkout(code, 'releases', { viewerId: 'viewer-2', orderId: 'order-2' });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ code, status: 'ISSUED' });
    expect(await figures(deal.dealId)).toMatchObject({ available: 0, held: 5, redeemed: 0 });
    expect((await myCoupons('viewer-2')).map((c) => [c.code, c.status])).toEqual([[code, 'ISSUED']]);
  });

  it('grants the claims sent right after the start cue was answered, and none sent after the end cue was', async () => {
    const deal = await createDeal({ streamId: 'stream-cues', stock: 40, perViewerLimit: 1 });
    const early = await claim(deal.dealId, 'cue-viewer-early');
    expect([early.status, early.body.error.code]).toEqual([409, 'DEAL_NOT_LIVE']);

    expect((await cue(deal.dealId, 'start')).status).toBe(200);
    const afterStart = await Promise.all(
      Array.from({ length: 10 }, (_, i) => claim(deal.dealId, `cue-viewer-${i}`)),
    );
    expect((await cue(deal.dealId, 'end')).status).toBe(200);
    const afterEnd = await Promise.all(
      Array.from({ length: 10 }, (_, i) => claim(deal.dealId, `cue-viewer-late-${i}`)),
    );

    expect(afterStart.map((reply) => reply.status)).toEqual(Array(10).fill(201));
    expect(afterEnd.map((reply) => [reply.status, reply.body.error?.code])).toEqual(
      Array(10).fill([409, 'DEAL_NOT_LIVE']),
    );
  });

  it('expires an unredeemed coupon through the scheduled sweep and puts its unit back on sale', async () => {
    const deal = await startedDeal({ streamId: 'stream-expiry', stock: 2, claimTtlSeconds: 2 });
    const claimed = await claim(deal.dealId, 'viewer-expiry');
    expect(claimed.status).toBe(201);
    expect(await figures(deal.dealId)).toMatchObject({ available: 1, held: 1 });

    await eventually(
      async () => {
        const current = await getDeal(deal.dealId);
        if (current.available !== 2) throw new Error(`available is still ${current.available}`);
      },
      { timeoutMs: EXPIRY_WAIT_MS, intervalMs: 250, what: 'the sweep returning the expired unit' },
    );

    expect(await figures(deal.dealId)).toMatchObject({ stock: 2, available: 2, held: 0, redeemed: 0 });
    const [coupon] = await myCoupons('viewer-expiry');
    expect([coupon?.code, coupon?.status]).toEqual([claimed.body.code, 'EXPIRED']);
    const late = await checkout(claimed.body.code, 'redemptions', {
      viewerId: 'viewer-expiry',
      orderId: 'o-1',
    });
    expect([late.status, late.body.error.code]).toEqual([410, 'COUPON_EXPIRED']);
  });

  it('keeps every deal, coupon and issued token when stopped with SIGTERM and started again on the same data', async () => {
    const deal = await startedDeal({ streamId: 'stream-restart', stock: 3 });
    const held = await claim(deal.dealId, 'viewer-restart', 'attempt-restart');
    expect(held.status).toBe(201);
    const dealsBefore = await Promise.all(dealIds.map(figures));
    const couponsBefore = new Map<string, Coupon[]>();
    for (const sub of viewerTokens.keys()) couponsBefore.set(sub, await myCoupons(sub));

    const first = runtime;
    const exit = await first.stop();
    // Started before asserting on the stop, so a failure here does not take the later tests down with it.
    runtime = await startRuntimeProcess(dataDir);
    // Only the url changes (PORT=0); the tokens are the ones issued by the first process.
    api = new Api(runtime.url);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(first.output().some((line) => parseRecord(line)?.message === 'livedrop stopped')).toBe(true);

    expect(await Promise.all(dealIds.map(figures))).toEqual(dealsBefore);
    for (const [sub, coupons] of couponsBefore) expect(await myCoupons(sub)).toEqual(coupons);
    const replay = await claim(deal.dealId, 'viewer-restart', 'attempt-restart');
    expect([replay.status, replay.body.code]).toEqual([200, held.body.code]);
    const again = await claim(deal.dealId, 'viewer-restart');
    expect([again.status, again.body.error.code]).toEqual([409, 'LIMIT_REACHED']);
    const redeemed = await checkout(held.body.code, 'redemptions', {
      viewerId: 'viewer-restart',
      orderId: 'o-r',
    });
    expect([redeemed.status, redeemed.body.status]).toEqual([200, 'REDEEMED']);
    expect(await figures(deal.dealId)).toMatchObject({ stock: 3, available: 2, held: 0, redeemed: 1 });
  });

  it('answers the claims in flight when it receives SIGTERM, so every granted claim is a held coupon afterwards', async () => {
    const deal = await startedDeal({ streamId: 'stream-shutdown', stock: 50 });
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.token(`viewer-shutdown-${i}`, 'viewer')),
    );
    const claims = tokens.map((token) =>
      api.call('POST', `/deals/${deal.dealId}/claims`, { token }).then(
        (reply) => reply.status,
        // A request the server had not yet read when it stopped listening: refused, never half-done.
        () => 'not received',
      ),
    );

    await Promise.race(claims);
    const first = runtime;
    const exit = await first.stop();
    const outcomes = await Promise.all(claims);
    runtime = await startRuntimeProcess(dataDir);
    api = new Api(runtime.url);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(outcomes.filter((outcome) => outcome !== 201 && outcome !== 'not received')).toEqual([]);
    const granted = outcomes.filter((outcome) => outcome === 201).length;
    expect(granted).toBeGreaterThan(0);
    expect(await figures(deal.dealId)).toMatchObject({ stock: 50, held: granted, available: 50 - granted });
  });

  it('pauses a deal on a Deal Cue from its host on the livedrop bus and refuses one from another host', async () => {
    const deal = await startedDeal({ streamId: 'stream-cue' });
    const dealCue = (hostId: string, cueId: string) => ({
      Source: 'livestream.studio',
      DetailType: 'Deal Cue',
      EventBusName: 'livedrop',
      Detail: JSON.stringify({
        cueId,
        dealId: deal.dealId,
        streamId: 'stream-cue',
        hostId,
        action: 'pause',
        at: new Date().toISOString(),
      }),
    });

    const foreign = await api.putEvents([dealCue('host-2', 'cue-foreign')]);
    expect(foreign.status).toBe(200);
    expect(foreign.body.Deliveries).toEqual([
      expect.objectContaining({
        rule: 'DealCueRule',
        target: 'stream-cue',
        ok: true,
        result: expect.objectContaining({ outcome: 'rejected', code: 'FORBIDDEN' }),
      }),
    ]);
    expect((await figures(deal.dealId)).status).toBe('LIVE');

    const own = await api.putEvents([dealCue(HOST, 'cue-pause')]);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ FailedEntryCount: 0, Unmatched: [] });
    expect(own.body.Deliveries).toEqual([
      expect.objectContaining({
        entry: 0,
        rule: 'DealCueRule',
        target: 'stream-cue',
        ok: true,
        result: expect.objectContaining({ outcome: 'applied' }),
      }),
    ]);
    expect((await figures(deal.dealId)).status).toBe('PAUSED');
    const refused = await claim(deal.dealId, 'viewer-cue');
    expect([refused.status, refused.body.error.code]).toEqual([409, 'DEAL_NOT_LIVE']);
  });

  it('ends the live and paused deals of a stream on an IVS Stream End and leaves other deals alone', async () => {
    const live = await startedDeal({ streamId: 'stream-ivs' });
    const paused = await startedDeal({ streamId: 'stream-ivs' });
    expect((await cue(paused.dealId, 'pause')).status).toBe(200);
    const scheduled = await createDeal({ streamId: 'stream-ivs' });
    const elsewhere = await startedDeal({ streamId: 'stream-other' });

    const reply = await api.putEvents([
      {
        Source: 'aws.ivs',
        DetailType: 'IVS Stream State Change',
        Detail: JSON.stringify({ event_name: 'Stream End', channel_name: 'stream-ivs', stream_id: 'st-1' }),
      },
    ]);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ FailedEntryCount: 0, Unmatched: [] });
    const [delivery] = reply.body.Deliveries ?? [];
    expect(delivery).toMatchObject({ rule: 'IvsStreamEndRule', target: 'stream-end', ok: true });
    const applied = delivery?.result as { outcome: string; result?: { ended: string[] } } | undefined;
    expect(applied?.outcome).toBe('applied');
    expect([...(applied?.result?.ended ?? [])].sort()).toEqual([live.dealId, paused.dealId].sort());
    expect((await figures(live.dealId)).status).toBe('ENDED');
    expect((await figures(paused.dealId)).status).toBe('ENDED');
    expect((await figures(scheduled.dealId)).status).toBe('SCHEDULED');
    expect((await figures(elsewhere.dealId)).status).toBe('LIVE');
  });

  it('reports entries that match no rule in Unmatched and invalid entries as failed', async () => {
    const deal = await createDeal({ streamId: 'stream-unmatched' });
    const cueDetail = JSON.stringify({
      cueId: 'cue-unmatched',
      dealId: deal.dealId,
      streamId: 'stream-unmatched',
      hostId: HOST,
      action: 'start',
      at: new Date().toISOString(),
    });

    const reply = await api.putEvents([
      {
        Source: 'aws.ivs',
        DetailType: 'IVS Stream State Change',
        Detail: JSON.stringify({ event_name: 'Stream End', channel_name: 'stream-nobody' }),
      },
      // No EventBusName: the default bus, where no rule listens for Deal Cues.
      { Source: 'livestream.studio', DetailType: 'Deal Cue', Detail: cueDetail },
      {
        Source: 'aws.ivs',
        DetailType: 'IVS Stream State Change',
        Detail: JSON.stringify({ event_name: 'Stream Start', channel_name: 'stream-unmatched' }),
      },
      { DetailType: 'Deal Cue', Detail: cueDetail },
    ]);

    expect(reply.status).toBe(200);
    expect(reply.body.Unmatched).toEqual([1, 2]);
    expect(reply.body.FailedEntryCount).toBe(1);
    expect(reply.body.Entries[3]).toMatchObject({ ErrorCode: 'InvalidArgument' });
    expect(reply.body.Deliveries?.map((d) => [d.entry, d.target, d.ok])).toEqual([[0, 'stream-end', true]]);
    expect((await figures(deal.dealId)).status).toBe('SCHEDULED');
  });
});
