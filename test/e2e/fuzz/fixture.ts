/**
 * The fuzz tests' fixture: the runtime in this process (its own in-memory store) with real resources to aim
 * at (deals in every state, coupons held, redeemed and lapsed, gala price drops), valid tokens of every role
 * and tokens the authorizer must refuse. Each fuzz test file starts its own.
 */

import { generateKeyPair, SignJWT } from 'jose';
import { type Role, scopeOf } from '../../../functions/shared/contract/wiring.js';
import { Logger } from '../../../functions/shared/logger.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../../lib/local/issuer.js';
import { type Runtime, startRuntime } from '../../../lib/local/runtime.js';
import { send } from './client.js';

/** Principals whose tokens the fuzzer uses; viewer-2 and viewer-3 only own setup coupons (a claim by them could succeed). */
export const PRINCIPALS = {
  'host-1': 'host',
  'host-2': 'host',
  'viewer-1': 'viewer',
  'viewer-2': 'viewer',
  'viewer-3': 'viewer',
  'checkout-1': 'checkout',
  'admin-1': 'admin',
} as const satisfies Record<string, Role>;
export type Principal = keyof typeof PRINCIPALS;

/** The one principal per role the fuzzer signs in as (host-2 is added where a foreign host is refused). */
export const FUZZ_PRINCIPAL: Readonly<Record<Role, Principal>> = {
  viewer: 'viewer-1',
  host: 'host-1',
  checkout: 'checkout-1',
  admin: 'admin-1',
};

export interface RealDeal {
  dealId: string;
  streamId: string;
}

export interface Fixture {
  runtime: Runtime;
  port: number;
  tableName: string;
  endpoint: string;
  /** Valid tokens by principal. */
  tokens: Record<Principal, string>;
  /** Tokens the authorizer must refuse, by what is wrong with them. */
  badTokens: Record<string, string>;
  deals: {
    /** LIVE; viewer-1 holds its one coupon (perViewerLimit 1). */
    live: RealDeal;
    /** SCHEDULED, never started. */
    scheduled: RealDeal;
    ended: RealDeal;
    /** LIVE, stock 1, claimed by viewer-2 and redeemed. */
    soldOut: RealDeal;
    /** LIVE; viewer-3's coupon lapsed (claimTtlSeconds 1) with no sweep since. */
    lapsed: RealDeal;
  };
  coupons: {
    held: { code: string; viewerId: string };
    redeemed: { code: string; viewerId: string; orderId: string };
    lapsed: { code: string; viewerId: string };
  };
  galaId: string;
  drops: { scheduled: string; cancelled: string };
  /** The Idempotency-Key of viewer-1's setup claim (a replay would answer 200). */
  setupIdempotencyKey: string;
  /** Error statuses the OpenAPI description lists per route key (`POST /deals`). */
  documentedStatuses: Map<string, Set<number>>;
}

interface SetupReply {
  status: number;
  body: Record<string, unknown>;
}

const setupCall = async (
  port: number,
  method: string,
  path: string,
  token: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<SetupReply> => {
  const reply = await send(
    port,
    {
      method,
      target: path,
      headers: {
        ...headers,
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
      breaks: [],
      authLabel: 'setup',
    },
    30_000,
  );
  if (reply.failure) throw new Error(`setup ${method} ${path}: ${reply.failure}`);
  return {
    status: reply.status,
    body: reply.text ? (JSON.parse(reply.text) as Record<string, unknown>) : {},
  };
};

const expectStatus = (reply: SetupReply, status: number, what: string): Record<string, unknown> => {
  if (reply.status !== status) {
    throw new Error(
      `setup: ${what} answered ${reply.status} ${JSON.stringify(reply.body)}, expected ${status}`,
    );
  }
  return reply.body;
};

const randomKey = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;

/**
 * Starts the runtime in this process (its own embedded in-memory store, sweep once an hour so nothing moves
 * on its own) and creates what the fuzzer aims at: deals in every state, coupons held, redeemed and lapsed,
 * a scheduled and a cancelled gala price drop.
 */
export const startFixture = async (): Promise<Fixture> => {
  const runtime = await startRuntime({
    port: 0,
    data: 'memory',
    sweepSeconds: 3600,
    logger: new Logger({ serviceName: 'livedrop-fuzz', logLevel: 'ERROR' }),
  });
  const port = runtime.port;
  const tableName = process.env.TABLE_NAME;
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!tableName || !endpoint) throw new Error('the runtime did not publish TABLE_NAME / DYNAMODB_ENDPOINT');

  const mint = async (sub: string, role: Role, ttlSeconds?: number) =>
    expectStatus(
      await setupCall(port, 'POST', '/local/token', undefined, {
        sub,
        role,
        ...(ttlSeconds ? { ttlSeconds } : {}),
      }),
      200,
      `token for ${sub}`,
    ).token as string;
  const tokens = {} as Record<Principal, string>;
  for (const [sub, role] of Object.entries(PRINCIPALS)) tokens[sub as Principal] = await mint(sub, role);
  const shortLived = await mint('viewer-1', 'viewer', 1);
  const expiredAt = Date.now() + 2_100;

  const call = (
    method: string,
    path: string,
    who: Principal,
    body?: unknown,
    headers?: Record<string, string>,
  ) => setupCall(port, method, path, tokens[who], body, headers);
  const deal = async (streamId: string, extra: Record<string, unknown> = {}): Promise<RealDeal> => {
    const body = expectStatus(
      await call('POST', '/deals', 'host-1', {
        title: 'Fuzz jacket',
        sku: 'FUZZ-1',
        streamId,
        currency: 'EUR',
        listPrice: 10_000,
        dealPrice: 6_000,
        stock: 50,
        claimTtlSeconds: 86_400,
        ...extra,
      }),
      201,
      'create deal',
    );
    return { dealId: body.dealId as string, streamId };
  };
  const cue = async (dealId: string, action: string) =>
    expectStatus(await call('POST', `/deals/${dealId}/cues`, 'host-1', { action }), 200, `cue ${action}`);
  const claim = async (dealId: string, who: Principal, key?: string) =>
    expectStatus(
      await call('POST', `/deals/${dealId}/claims`, who, undefined, key ? { 'idempotency-key': key } : {}),
      201,
      `claim by ${who}`,
    );

  const galaId = 'fuzz-gala';
  const live = await deal('fuzz-stream-live', { galaId });
  await cue(live.dealId, 'start');
  const scheduled = await deal('fuzz-stream-scheduled', { galaId });
  const ended = await deal('fuzz-stream-ended');
  await cue(ended.dealId, 'start');
  await cue(ended.dealId, 'end');
  const soldOut = await deal('fuzz-stream-sold', { stock: 1 });
  await cue(soldOut.dealId, 'start');
  const lapsed = await deal('fuzz-stream-lapsed', { claimTtlSeconds: 1 });
  await cue(lapsed.dealId, 'start');

  const setupIdempotencyKey = randomKey('fuzz-setup');
  const held = await claim(live.dealId, 'viewer-1', setupIdempotencyKey);
  const sold = await claim(soldOut.dealId, 'viewer-2');
  const orderId = randomKey('fuzz-order');
  expectStatus(
    await call('POST', `/coupons/${sold.code as string}/redemptions`, 'checkout-1', {
      viewerId: 'viewer-2',
      orderId,
    }),
    200,
    'redeem',
  );
  const lapsing = await claim(lapsed.dealId, 'viewer-3');

  const inTenDays = new Date(Date.now() + 10 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const drop = async () =>
    expectStatus(
      await call('POST', `/galas/${galaId}/price-drops`, 'admin-1', {
        at: inTenDays,
        timeZone: 'Europe/Berlin',
        dealPrice: 5_000,
      }),
      201,
      'price drop',
    ).dropId as string;
  const scheduledDrop = await drop();
  const cancelledDrop = await drop();
  expectStatus(
    await call('DELETE', `/galas/${galaId}/price-drops/${cancelledDrop}`, 'admin-1'),
    200,
    'cancel drop',
  );

  // Tokens the authorizer must refuse.
  // Signed like the local issuer's tokens (RS256, its kid, its issuer and audience), by another key.
  const foreign = async (alg: 'RS256' | 'ES256') =>
    new SignJWT({ scope: scopeOf('admin'), token_use: 'access' })
      .setProtectedHeader({ alg, kid: 'livedrop-local-1', typ: 'JWT' })
      .setSubject('admin-1')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign((await generateKeyPair(alg)).privateKey);
  const [header = '', payload = '', signature = ''] = tokens['viewer-1'].split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const badTokens: Record<string, string> = {
    foreignKey: await foreign('RS256'),
    foreignKeyEs256: await foreign('ES256'),
    tamperedScope: `${header}.${b64({ ...claims, scope: scopeOf('admin') })}.${signature}`,
    algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, scope: scopeOf('admin') })}.`,
    wrongAudience: `${header}.${b64({ ...claims, aud: 'someone-else' })}.${signature}`,
    noSubject: `${header}.${b64({ ...claims, sub: undefined })}.${signature}`,
    truncated: tokens['admin-1'].slice(0, -7),
    expired: shortLived,
  };

  // The lapsed coupon's expiresAt and the short-lived token's exp must both be behind us.
  const wait = Math.max(expiredAt, Date.parse(lapsing.expiresAt as string) + 100) - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

  const openApi = JSON.parse(
    (
      await send(
        port,
        { method: 'GET', target: '/openapi.json', headers: {}, breaks: [], authLabel: '' },
        30_000,
      )
    ).text,
  ) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  const documentedStatuses = new Map<string, Set<number>>();
  for (const [path, operations] of Object.entries(openApi.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      documentedStatuses.set(
        `${method.toUpperCase()} ${path}`,
        new Set(Object.keys(operation.responses).map(Number)),
      );
    }
  }

  return {
    runtime,
    port,
    tableName,
    endpoint,
    tokens,
    badTokens,
    deals: { live, scheduled, ended, soldOut, lapsed },
    coupons: {
      held: { code: held.code as string, viewerId: 'viewer-1' },
      redeemed: { code: sold.code as string, viewerId: 'viewer-2', orderId },
      lapsed: { code: lapsing.code as string, viewerId: 'viewer-3' },
    },
    galaId,
    drops: { scheduled: scheduledDrop, cancelled: cancelledDrop },
    setupIdempotencyKey,
    documentedStatuses,
  };
};
