import { randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64url, errors, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpTrigger, httpRoutes, type Role, scopeOf } from '../../functions/shared/contract/wiring.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../lib/local/issuer.js';
import {
  Api,
  type Coupon,
  type Deal,
  type ErrorBody,
  type GatewayBody,
  killAll,
  type Reply,
  type RuntimeProcess,
  startRuntimeProcess,
} from './support.js';

/**
 * Issue 7, the authorization matrix: every HTTP route of the wiring, called through `npm start`'s gateway with
 * no token, with each kind of invalid token, and with a valid token of each role. Invalid tokens are refused
 * with 401 everywhere; a role is refused with 403 exactly where the wiring does not admit it. Tokens are
 * forged with the runtime's own key (read from the data directory), so each invalid one differs from a valid
 * one in the single property under test. Then the rules no scope can express: whose coupon, whose deal.
 */

const HOST = 'host-1';
const GALA = 'gala-auth';
const STREAM = 'stream-auth';
const KEY_ID = 'livedrop-local-1';
const ALGORITHM = 'RS256';
const ROLES: readonly Role[] = ['viewer', 'host', 'checkout', 'admin'];
/** Requests in flight at once for the invalid-token cases. */
const BATCH = 16;

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

interface Claims {
  sub?: string;
  role?: Role;
  iss?: string;
  aud?: string;
  /** Seconds since the epoch. */
  exp?: number;
  nbf?: number;
  iat?: number;
}

let dataDir: string;
let runtime: RuntimeProcess;
let api: Api;
let runtimeKey: SigningKey;
let runtimePublicKey: SigningKey;
let otherKey: SigningKey;

/** The ids the path parameters are filled with. */
const ids = { dealId: '', streamId: STREAM, galaId: GALA, dropId: '', code: '' };
/** How many requests the tests checked for an authorization outcome, for the closing summary. */
let checked = 0;
let admittedSucceeded = 0;
let admittedTotal = 0;

const now = () => Math.floor(Date.now() / 1000);

const forge = (claims: Claims, key: SigningKey = runtimeKey): Promise<string> => {
  const issuedAt = claims.iat ?? now();
  const payload: Record<string, unknown> = { token_use: 'access' };
  if (claims.role !== undefined) payload.scope = scopeOf(claims.role);
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: ALGORITHM, kid: KEY_ID, typ: 'JWT' })
    .setIssuer(claims.iss ?? LOCAL_ISSUER)
    .setAudience(claims.aud ?? LOCAL_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(claims.exp ?? issuedAt + 3_600);
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
  return jwt.sign(key);
};

const encodeJson = (value: unknown) => base64url.encode(JSON.stringify(value));

/** An unsecured JWT: header {alg:'none'}, valid claims, empty signature. */
const unsigned = (claims: Record<string, unknown>) => `${encodeJson({ alg: 'none' })}.${encodeJson(claims)}.`;

/** A validly shaped coupon code (Crockford base32, 4-4-4-4) that was never issued. */
const unknownCode = () => {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const chars = Array.from({ length: 16 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
};

interface InvalidToken {
  kind: string;
  /** `undefined`: no Authorization header at all. */
  token: string | undefined;
  /**
   * Why a verifier holding the runtime's public key refuses it (the jose error code, or the claim it names),
   * checked locally first so that each token is wrong in exactly the property its kind names.
   */
  reason?: string;
}

/** Every kind of token the gateway must refuse with 401; all but the first few claim the admin role. */
const invalidTokens = async (): Promise<InvalidToken[]> => {
  const valid = await forge({ sub: 'viewer-forger', role: 'viewer' });
  const [header, , signature] = valid.split('.');
  const claims = {
    sub: 'admin-1',
    scope: scopeOf('admin'),
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    iat: now(),
    exp: now() + 3_600,
  };
  const admin = { sub: 'admin-1', role: 'admin' } as const;
  return [
    { kind: 'no token', token: undefined },
    { kind: 'garbled token', token: 'garbled.not-a-jwt.at-all', reason: 'ERR_JWS_INVALID' },
    {
      kind: 'tampered payload (viewer edited to admin, signature kept)',
      token: `${header}.${encodeJson({ ...claims, sub: 'viewer-forger' })}.${signature}`,
      reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    },
    {
      kind: 'expired token',
      token: await forge({ ...admin, iat: now() - 7_200, exp: now() - 60 }),
      reason: 'ERR_JWT_EXPIRED',
    },
    {
      kind: 'not-yet-valid token (nbf in the future)',
      token: await forge({ ...admin, nbf: now() + 3_600 }),
      reason: 'nbf',
    },
    {
      kind: 'wrong issuer',
      token: await forge({ ...admin, iss: 'https://attacker.example/issuer' }),
      reason: 'iss',
    },
    { kind: 'wrong audience', token: await forge({ ...admin, aud: 'some-other-api' }), reason: 'aud' },
    {
      kind: 'signed by another RS256 key',
      token: await forge(admin, otherKey),
      reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    },
    { kind: 'alg none (unsigned)', token: unsigned(claims), reason: 'ERR_JOSE_ALG_NOT_ALLOWED' },
    // A valid signature and claims, but no subject: the authorizer's own rule.
    { kind: 'no sub', token: await forge({ role: 'admin' }), reason: 'valid without sub' },
  ];
};

/** What a verifier with the runtime's public key says of a token: its error's code or claim, or 'valid'. */
const verdict = async (token: string): Promise<string> => {
  try {
    const { payload } = await jwtVerify(token, runtimePublicKey, {
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      algorithms: [ALGORITHM],
    });
    return payload.sub === undefined ? 'valid without sub' : 'valid';
  } catch (error) {
    if (error instanceof errors.JWTClaimValidationFailed) return error.claim;
    return (error as { code?: string }).code ?? String(error);
  }
};

const SUBJECT: Record<Role, string> = {
  viewer: 'viewer-matrix',
  host: HOST,
  checkout: 'checkout-1',
  admin: 'admin-1',
};

/** The route's path with every parameter filled; a parameter this file does not know fails loudly. */
const pathOf = (trigger: HttpTrigger): string =>
  trigger.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = (ids as Record<string, string>)[name];
    if (!value) throw new Error(`no id for path parameter {${name}} of ${trigger.method} ${trigger.path}`);
    return encodeURIComponent(value);
  });

/** A valid request body for each route, so an admitted call mostly succeeds. */
const requestOf = (trigger: HttpTrigger): { body?: unknown } => {
  const key = `${trigger.method} ${trigger.path}`;
  switch (key) {
    case 'POST /deals':
      return {
        body: {
          title: 'Authorization matrix deal',
          sku: 'AUTH-1',
          streamId: 'stream-auth-created',
          currency: 'EUR',
          listPrice: 5_000,
          dealPrice: 2_500,
          stock: 3,
        },
      };
    case 'POST /deals/{dealId}/cues':
      // Keeps the deal LIVE whoever sends it.
      return { body: { action: 'restock', quantity: 1 } };
    case 'POST /coupons/{code}/redemptions':
    case 'POST /coupons/{code}/releases':
      return { body: { viewerId: 'viewer-1', orderId: 'order-auth-1' } };
    case 'POST /galas/{galaId}/price-drops':
      return { body: { at: inOneDay(), timeZone: 'UTC', percentOff: 10 } };
    default:
      return {};
  }
};

const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();

const send = <T = ErrorBody>(trigger: HttpTrigger, token: string | undefined): Promise<Reply<T>> =>
  api.call<T>(trigger.method, pathOf(trigger), {
    ...requestOf(trigger),
    ...(token === undefined ? {} : { token }),
  });

const inBatches = async <T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>) => {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  }
  return results;
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'livedrop-authz-'));
  runtime = await startRuntimeProcess(dataDir);
  api = new Api(runtime.url);
  const jwk = JSON.parse(await readFile(join(dataDir, 'issuer-key.json'), 'utf8')) as JWK;
  runtimeKey = (await importJWK(jwk, ALGORITHM)) as SigningKey;
  const { d: _private, ...publicJwk } = jwk;
  runtimePublicKey = (await importJWK(publicJwk, ALGORITHM)) as SigningKey;
  otherKey = (await generateKeyPair(ALGORITHM)).privateKey;

  const host = await api.token(HOST, 'host');
  const admin = await api.token('admin-1', 'admin');
  const created = await api.call<Deal>('POST', '/deals', {
    token: host,
    body: {
      title: 'Gala scarf',
      sku: 'SCARF-1',
      streamId: STREAM,
      galaId: GALA,
      currency: 'EUR',
      listPrice: 4_000,
      dealPrice: 2_000,
      stock: 50,
      perViewerLimit: 5,
    },
  });
  expect(created.status).toBe(201);
  ids.dealId = created.body.dealId;
  const started = await api.call<Deal>('POST', `/deals/${ids.dealId}/cues`, {
    token: host,
    body: { action: 'start' },
  });
  expect([started.status, started.body.status]).toEqual([200, 'LIVE']);
  const claimed = await api.call<Coupon>('POST', `/deals/${ids.dealId}/claims`, {
    token: await api.token('viewer-1', 'viewer'),
  });
  expect(claimed.status).toBe(201);
  ids.code = claimed.body.code;
  const drop = await api.call<{ dropId: string; status: string }>('POST', `/galas/${GALA}/price-drops`, {
    token: admin,
    body: { at: inOneDay(), timeZone: 'UTC', dealPrice: 1_500 },
  });
  expect([drop.status, drop.body.status]).toEqual([201, 'SCHEDULED']);
  ids.dropId = drop.body.dropId;
});

afterAll(async () => {
  await killAll();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  console.info(
    `authorization: ${checked} cases checked over ${httpRoutes().length} HTTP routes ` +
      `(${admittedSucceeded}/${admittedTotal} admitted role calls answered 2xx)`,
  );
});

/** What an admitted request could change, to show that refused ones changed nothing. */
const observable = async () => {
  const admin = await forge({ sub: 'admin-1', role: 'admin' });
  const viewer1 = await forge({ sub: 'viewer-1', role: 'viewer' });
  const deal = await api.call<Deal & { dealPrice: number }>('GET', `/deals/${ids.dealId}`, { token: admin });
  const drops = await api.call<{ drops: { dropId: string; status: string }[] }>(
    'GET',
    `/galas/${GALA}/price-drops`,
    { token: admin },
  );
  const created = await api.call<{ deals: unknown[] }>('GET', '/streams/stream-auth-created/deals', {
    token: admin,
  });
  const coupons = await api.call<{ coupons: Coupon[] }>('GET', '/me/coupons', { token: viewer1 });
  const { status, stock, available, held, redeemed, dealPrice } = deal.body;
  return {
    deal: { status, stock, available, held, redeemed, dealPrice },
    drops: drops.body.drops.map((d) => [d.dropId, d.status]),
    createdDeals: created.body.deals.length,
    coupons: coupons.body.coupons.map((c) => [c.code, c.status, c.orderId]),
  };
};

describe('authorization matrix (issue 7)', () => {
  it('refuses every invalid token on every route with 401 Unauthorized, and changes nothing', async () => {
    const before = await observable();
    const tokens = await invalidTokens();
    // Each forged token is wrong in its one property only: a control with the same key verifies.
    expect(await verdict(await forge({ sub: 'admin-1', role: 'admin' }))).toBe('valid');
    for (const { kind, token, reason } of tokens) {
      if (token !== undefined) expect([kind, await verdict(token)]).toEqual([kind, reason]);
    }
    // A public route (the live state of a stream) has no authorizer: any token, or none, is let through.
    const guarded = httpRoutes().filter(({ trigger }) => !trigger.public);
    const cases = guarded.flatMap(({ trigger }) =>
      tokens.map(({ kind, token }) => ({ trigger, kind, token })),
    );

    const outcomes = await inBatches(cases, BATCH, async ({ trigger, kind, token }) => {
      const reply = await send(trigger, token);
      return {
        route: `${trigger.method} ${trigger.path}`,
        kind,
        status: reply.status,
        message: (reply.body as { message?: string } | null)?.message,
      };
    });
    checked += outcomes.length;

    // The authorizer refuses these, so the body is API Gateway's own.
    const wrong = outcomes.filter((o) => o.status !== 401 || o.message !== 'Unauthorized');
    expect(wrong).toEqual([]);
    expect(outcomes).toHaveLength(guarded.length * tokens.length);
    expect(await observable()).toEqual(before);
  });

  it('refuses each role with 403 Forbidden exactly on the routes the wiring does not admit it to', async () => {
    const tokens = await Promise.all(ROLES.map((role) => forge({ sub: SUBJECT[role], role })));
    // One role's requests in wiring order (a redemption before its release), the roles side by side.
    const outcomes = (
      await Promise.all(
        ROLES.map(async (role, i) => {
          const rows = [];
          for (const { trigger } of httpRoutes()) {
            const reply = await send(trigger, tokens[i]);
            rows.push({
              route: `${trigger.method} ${trigger.path}`,
              role,
              admitted: trigger.roles.includes(role),
              status: reply.status,
              message: (reply.body as { message?: string } | null)?.message,
            });
          }
          return rows;
        }),
      )
    ).flat();
    checked += outcomes.length;

    const wronglyAdmitted = outcomes.filter(
      (o) => !o.admitted && (o.status !== 403 || o.message !== 'Forbidden'),
    );
    const wronglyRefused = outcomes.filter((o) => o.admitted && (o.status === 401 || o.status === 403));
    expect(wronglyAdmitted).toEqual([]);
    expect(wronglyRefused).toEqual([]);
    // The matrix is not vacuous: each route admits someone, and each role is refused somewhere.
    for (const { trigger } of httpRoutes()) expect(trigger.roles.length).toBeGreaterThan(0);
    for (const role of ROLES) expect(outcomes.some((o) => o.role === role && !o.admitted)).toBe(true);
    const admitted = outcomes.filter((o) => o.admitted);
    admittedSucceeded += admitted.filter((o) => o.status < 300).length;
    admittedTotal += admitted.length;
  });

  it('shows a viewer only their own coupons, and checkout cannot spend one for another viewer', async () => {
    const viewer1 = await api.token('viewer-1', 'viewer');
    const viewer2 = await api.token('viewer-2', 'viewer');
    const checkout = await api.token('checkout-1', 'checkout');
    const mine = await api.call<Coupon>('POST', `/deals/${ids.dealId}/claims`, { token: viewer1 });
    const theirs = await api.call<Coupon>('POST', `/deals/${ids.dealId}/claims`, { token: viewer2 });
    expect([mine.status, theirs.status]).toEqual([201, 201]);

    const listed2 = await api.call<{ coupons: Coupon[] }>('GET', '/me/coupons', { token: viewer2 });
    const listed1 = await api.call<{ coupons: Coupon[] }>('GET', '/me/coupons', { token: viewer1 });
    checked += 2;
    expect(listed2.status).toBe(200);
    expect(listed2.body.coupons.map((c) => [c.code, c.viewerId])).toEqual([[theirs.body.code, 'viewer-2']]);
    expect(listed1.status).toBe(200);
    expect(listed1.body.coupons.every((c) => c.viewerId === 'viewer-1')).toBe(true);
    expect(listed1.body.coupons.map((c) => c.code)).toEqual(expect.arrayContaining([mine.body.code]));
    expect(listed1.body.coupons.map((c) => c.code)).not.toContain(theirs.body.code);

    const asViewer2 = { viewerId: 'viewer-2', orderId: 'order-stolen' };
    const [redeemOther, releaseOther, redeemUnknown, releaseUnknown] = await Promise.all([
      api.call<ErrorBody>('POST', `/coupons/${mine.body.code}/redemptions`, {
        token: checkout,
        body: asViewer2,
      }),
      api.call<ErrorBody>('POST', `/coupons/${mine.body.code}/releases`, {
        token: checkout,
        body: asViewer2,
      }),
      api.call<ErrorBody>('POST', `/coupons/${unknownCode()}/redemptions`, {
        token: checkout,
        body: asViewer2,
      }),
      api.call<ErrorBody>('POST', `/coupons/${unknownCode()}/releases`, { token: checkout, body: asViewer2 }),
    ]);
    checked += 4;
    expect([redeemOther.status, redeemOther.body.error.code]).toEqual([404, 'COUPON_NOT_FOUND']);
    expect(redeemOther.body).toEqual(redeemUnknown.body);
    expect([releaseOther.status, releaseOther.body.error.code]).toEqual([404, 'COUPON_NOT_FOUND']);
    expect(releaseOther.body).toEqual(releaseUnknown.body);
    expect([redeemUnknown.status, releaseUnknown.status]).toEqual([404, 404]);

    const after = await api.call<{ coupons: Coupon[] }>('GET', '/me/coupons', { token: viewer1 });
    expect(after.body.coupons.find((c) => c.code === mine.body.code)).toMatchObject({ status: 'ISSUED' });
    expect(after.body.coupons.find((c) => c.code === mine.body.code)?.orderId).toBeUndefined();
  });

  it('refuses a host cueing or reading the audit trail of another host’s deal, and checkout creating a deal, with 403', async () => {
    const host2 = await api.token('host-2', 'host');
    const checkout = await api.token('checkout-1', 'checkout');
    const host1 = await api.token(HOST, 'host');

    const foreignCue = await api.call<ErrorBody>('POST', `/deals/${ids.dealId}/cues`, {
      token: host2,
      body: { action: 'pause' },
    });
    const foreignEnd = await api.call<ErrorBody>('POST', `/deals/${ids.dealId}/cues`, {
      token: host2,
      body: { action: 'end' },
    });
    const checkoutCreating = await api.call<GatewayBody>('POST', '/deals', {
      token: checkout,
      body: {
        title: 'Not allowed',
        sku: 'NOPE-1',
        streamId: 'stream-checkout-forbidden',
        currency: 'EUR',
        listPrice: 1_000,
        dealPrice: 500,
        stock: 1,
      },
    });
    const foreignAudit = await api.call<ErrorBody>('GET', `/deals/${ids.dealId}/audit`, { token: host2 });
    const ownAudit = await api.call<{ records: { action: string }[] }>('GET', `/deals/${ids.dealId}/audit`, {
      token: host1,
    });
    checked += 5;

    expect([foreignAudit.status, foreignAudit.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(ownAudit.status).toBe(200);
    expect(ownAudit.body.records.map((r) => r.action)).toEqual(
      expect.arrayContaining(['deal.created', 'deal.cued']),
    );
    expect([foreignCue.status, foreignCue.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect([foreignEnd.status, foreignEnd.body.error.code]).toEqual([403, 'FORBIDDEN']);
    // The scope check is the authorizer's (API Gateway's body); the others are the functions' own refusals.
    expect([checkoutCreating.status, checkoutCreating.body]).toEqual([403, { message: 'Forbidden' }]);
    const deal = await api.call<Deal>('GET', `/deals/${ids.dealId}`, { token: host1 });
    expect(deal.body.status).toBe('LIVE');
    const none = await api.call<{ deals: unknown[] }>('GET', '/streams/stream-checkout-forbidden/deals', {
      token: host1,
    });
    expect([none.status, none.body.deals]).toEqual([200, []]);
  });
});
