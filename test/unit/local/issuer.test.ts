/**
 * The local JWT issuer stands in for the HTTP API's JWT authorizer: a route is reached only with a token it
 * signed, for its issuer and audience, unexpired, with a subject and one of the route's scopes.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scopeOf } from '../../../functions/shared/contract/wiring.js';
import {
  AuthorizationFailure,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  LocalIssuer,
  type VerifiedClaims,
} from '../../../lib/local/issuer.js';

const VIEWER_ROUTE = [scopeOf('viewer')];
const CHECKOUT_ROUTE = [scopeOf('checkout')];
const HOST_ROUTE = [scopeOf('host'), scopeOf('admin')];

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'livedrop-issuer-'));
});

afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

/** The failure `authorize` throws, or undefined when it lets the token through. */
const refusal = async (
  issuer: LocalIssuer,
  authorization: string | undefined,
  scopes: readonly string[],
): Promise<AuthorizationFailure | undefined> => {
  try {
    await issuer.authorize(authorization, scopes);
    return undefined;
  } catch (error) {
    if (error instanceof AuthorizationFailure) return error;
    throw error;
  }
};

/** A token signed with the issuer's own key (read from its directory), with claims the test chooses. */
const forge = async (
  claims: Record<string, unknown>,
  options: { issuer?: string; audience?: string; subject?: string } = {},
) => {
  const jwk = JSON.parse(readFileSync(join(dir, 'issuer-key.json'), 'utf8')) as JWK;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'livedrop-local-1' })
    .setIssuer(options.issuer ?? LOCAL_ISSUER)
    .setAudience(options.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('1h');
  if (options.subject !== undefined) jwt.setSubject(options.subject);
  return jwt.sign(await importJWK(jwk, 'RS256'));
};

describe('issue and authorize', () => {
  it('lets a viewer token through to a viewer route and returns its claims', async () => {
    const issuer = await LocalIssuer.load(dir);
    const token = await issuer.issue({ sub: 'viewer-1', role: 'viewer' });

    const claims: VerifiedClaims = await issuer.authorize(`Bearer ${token}`, VIEWER_ROUTE);

    expect(claims).toMatchObject({
      sub: 'viewer-1',
      scope: 'livedrop/viewer',
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      token_use: 'access',
    });
  });

  it('signs RS256 with the key id the JWKS publishes, valid for an hour unless asked otherwise', async () => {
    const issuer = await LocalIssuer.load(dir);

    const token = await issuer.issue({ sub: 'host-1', role: 'host' });
    const short = await issuer.issue({ sub: 'host-1', role: 'host', ttlSeconds: 60 });

    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: issuer.jwks().keys[0]?.kid });
    const { iat, exp } = decodeJwt(token);
    expect((exp ?? 0) - (iat ?? 0)).toBe(3_600);
    const shortClaims = decodeJwt(short);
    expect((shortClaims.exp ?? 0) - (shortClaims.iat ?? 0)).toBe(60);
  });

  it('admits a token carrying any one of the route’s scopes', async () => {
    const issuer = await LocalIssuer.load(dir);
    const admin = await issuer.issue({ sub: 'admin-1', role: 'admin' });

    await expect(issuer.authorize(`Bearer ${admin}`, HOST_ROUTE)).resolves.toMatchObject({ sub: 'admin-1' });
  });

  it('accepts the scheme in any case', async () => {
    const issuer = await LocalIssuer.load(dir);
    const token = await issuer.issue({ sub: 'viewer-1', role: 'viewer' });

    await expect(issuer.authorize(`bearer ${token}`, VIEWER_ROUTE)).resolves.toMatchObject({
      sub: 'viewer-1',
    });
  });
});

describe('401: the token is not one the authorizer trusts', () => {
  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic dmlld2VyOnNlY3JldA=='],
    ['the scheme without a token', 'Bearer '],
    ['a garbled token', 'Bearer not.a.jwt'],
    ['random text', 'Bearer abc'],
  ])('refuses %s', async (_, authorization) => {
    const issuer = await LocalIssuer.load(dir);

    const failure = await refusal(issuer, authorization, VIEWER_ROUTE);

    expect(failure?.statusCode).toBe(401);
  });

  it('refuses a token whose signature was tampered with', async () => {
    const issuer = await LocalIssuer.load(dir);
    const [header, payload, signature] = (await issuer.issue({ sub: 'viewer-1', role: 'viewer' })).split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...decodeJwt(`${header}.${payload}.${signature}`), sub: 'someone-else' }),
    ).toString('base64url');

    const failure = await refusal(issuer, `Bearer ${header}.${forgedPayload}.${signature}`, VIEWER_ROUTE);

    expect(failure?.statusCode).toBe(401);
  });

  it('refuses an expired token', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2025-11-28T20:00:00Z') });
    const issuer = await LocalIssuer.load(dir);
    const token = await issuer.issue({ sub: 'viewer-1', role: 'viewer', ttlSeconds: 60 });
    const fresh = await refusal(issuer, `Bearer ${token}`, VIEWER_ROUTE);

    vi.setSystemTime(new Date('2025-11-28T20:01:01Z'));
    const failure = await refusal(issuer, `Bearer ${token}`, VIEWER_ROUTE);

    expect(fresh).toBeUndefined();
    expect(failure?.statusCode).toBe(401);
  });

  it('refuses a token from another issuer, even signed with this key', async () => {
    const issuer = await LocalIssuer.load(dir);
    const token = await forge(
      { scope: 'livedrop/viewer' },
      { subject: 'v', issuer: 'https://evil.example/' },
    );

    const failure = await refusal(issuer, `Bearer ${token}`, VIEWER_ROUTE);

    expect(failure?.statusCode).toBe(401);
  });

  it('refuses a token for another audience, even signed with this key', async () => {
    const issuer = await LocalIssuer.load(dir);
    const token = await forge({ scope: 'livedrop/viewer' }, { subject: 'v', audience: 'another-api' });

    const failure = await refusal(issuer, `Bearer ${token}`, VIEWER_ROUTE);

    expect(failure?.statusCode).toBe(401);
  });

  it('refuses a token without a subject', async () => {
    const issuer = await LocalIssuer.load(dir);
    const token = await forge({ scope: 'livedrop/viewer' });

    const failure = await refusal(issuer, `Bearer ${token}`, VIEWER_ROUTE);

    expect(failure).toMatchObject({ statusCode: 401, message: 'The bearer token has no subject.' });
  });

  it('accepts a token signed with its key when issuer, audience and subject are right (the control)', async () => {
    const issuer = await LocalIssuer.load(dir);
    const token = await forge({ scope: 'livedrop/viewer' }, { subject: 'viewer-1' });

    await expect(issuer.authorize(`Bearer ${token}`, VIEWER_ROUTE)).resolves.toMatchObject({
      sub: 'viewer-1',
    });
  });

  it('refuses a token signed with a foreign key, however right its claims', async () => {
    const issuer = await LocalIssuer.load(dir);
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ scope: 'livedrop/viewer' })
      .setProtectedHeader({ alg: 'RS256', kid: 'livedrop-local-1' })
      .setSubject('viewer-1')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime('1h')
      .sign(privateKey);

    const failure = await refusal(issuer, `Bearer ${token}`, VIEWER_ROUTE);

    expect(failure?.statusCode).toBe(401);
  });

  it('refuses a token of another local issuer (a throw-away key)', async () => {
    const issuer = await LocalIssuer.load(dir);
    const other = await LocalIssuer.load();
    const token = await other.issue({ sub: 'viewer-1', role: 'viewer' });

    const failure = await refusal(issuer, `Bearer ${token}`, VIEWER_ROUTE);

    expect(failure?.statusCode).toBe(401);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const issuer = await LocalIssuer.load(dir);
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${part({ alg: 'none', typ: 'JWT' })}.${part({
      sub: 'viewer-1',
      scope: 'livedrop/viewer',
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      exp: now + 3_600,
    })}.`;

    const failure = await refusal(issuer, `Bearer ${token}`, VIEWER_ROUTE);

    expect(failure?.statusCode).toBe(401);
  });
});

describe('403: a valid token without the route’s scope', () => {
  it('refuses a viewer token on a checkout route', async () => {
    const issuer = await LocalIssuer.load(dir);
    const token = await issuer.issue({ sub: 'viewer-1', role: 'viewer' });

    const failure = await refusal(issuer, `Bearer ${token}`, CHECKOUT_ROUTE);

    expect(failure).toMatchObject({ statusCode: 403, name: 'AuthorizationFailure' });
  });

  it('refuses a host token on a viewer route', async () => {
    const issuer = await LocalIssuer.load(dir);
    const token = await issuer.issue({ sub: 'host-1', role: 'host' });

    const failure = await refusal(issuer, `Bearer ${token}`, VIEWER_ROUTE);

    expect(failure?.statusCode).toBe(403);
  });

  it('refuses a token with no scope claim at all', async () => {
    const issuer = await LocalIssuer.load(dir);
    const token = await forge({}, { subject: 'viewer-1' });

    const failure = await refusal(issuer, `Bearer ${token}`, VIEWER_ROUTE);

    expect(failure?.statusCode).toBe(403);
  });

  it('does not take a scope that merely starts like the route’s', async () => {
    const issuer = await LocalIssuer.load(dir);
    const token = await forge({ scope: 'livedrop/viewers livedrop/viewer-extra' }, { subject: 'viewer-1' });

    const failure = await refusal(issuer, `Bearer ${token}`, VIEWER_ROUTE);

    expect(failure?.statusCode).toBe(403);
  });
});

describe('the signing key', () => {
  it('persists in the directory, so a reloaded issuer verifies tokens of the first', async () => {
    const first = await LocalIssuer.load(dir);
    const token = await first.issue({ sub: 'viewer-1', role: 'viewer' });

    const second = await LocalIssuer.load(dir);

    await expect(second.authorize(`Bearer ${token}`, VIEWER_ROUTE)).resolves.toMatchObject({
      sub: 'viewer-1',
    });
    expect(second.jwks()).toEqual(first.jwks());
  });

  it('is kept readable by its owner only', async () => {
    await LocalIssuer.load(dir);

    expect(statSync(join(dir, 'issuer-key.json')).mode & 0o777).toBe(0o600);
  });

  it('publishes the public key only: the JWKS has no private part', async () => {
    const fresh = await LocalIssuer.load(dir);
    const reloaded = await LocalIssuer.load(dir);

    for (const issuer of [fresh, reloaded]) {
      const { keys } = issuer.jwks();
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({
        kty: 'RSA',
        e: 'AQAB',
        alg: 'RS256',
        use: 'sig',
        kid: 'livedrop-local-1',
      });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys[0]).not.toHaveProperty(secret);
    }
  });

  it('without a directory, each issuer has its own key', async () => {
    const one = await LocalIssuer.load();
    const two = await LocalIssuer.load();

    expect(one.jwks().keys[0]?.n).toBeDefined();
    expect(one.jwks().keys[0]?.n).not.toBe(two.jwks().keys[0]?.n);
  });
});

describe('what API Gateway’s JWT authorizer also requires', () => {
  const signed = async (
    claims: Record<string, unknown>,
    header: Record<string, unknown> = { alg: 'RS256', kid: 'livedrop-local-1' },
    expires = true,
  ) => {
    const jwk = JSON.parse(readFileSync(join(dir, 'issuer-key.json'), 'utf8')) as JWK;
    const jwt = new SignJWT({ sub: 'host-1', scope: 'livedrop/host', ...claims })
      .setProtectedHeader(header as { alg: string })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE);
    if (expires) jwt.setExpirationTime('1h');
    return jwt.sign(await importJWK(jwk, 'RS256'));
  };
  const HOST_ROUTE = [scopeOf('host')];

  it.each([
    ['no kid', () => signed({}, { alg: 'RS256' })],
    ['an unknown kid', () => signed({}, { alg: 'RS256', kid: 'someone-else' })],
    ['an iat an hour ahead', () => signed({ iat: Math.floor(Date.now() / 1000) + 3_600 })],
    ['no exp at all', () => signed({}, undefined, false)],
  ])('refuses a token with %s with 401', async (_what, make) => {
    const issuer = await LocalIssuer.load(dir);

    const failure = await refusal(issuer, `Bearer ${await make()}`, HOST_ROUTE);

    expect(failure?.statusCode).toBe(401);
  });

  it.each([
    ['scp as a string', { scope: undefined, scp: 'livedrop/host' }],
    ['scp as a list', { scope: undefined, scp: ['livedrop/host'] }],
    ['scope as a list', { scope: ['livedrop/viewer', 'livedrop/host'] }],
    ['scopes split by a tab', { scope: 'livedrop/viewer\tlivedrop/host' }],
  ])('reads the scopes from %s', async (_what, claims) => {
    const issuer = await LocalIssuer.load(dir);

    const failure = await refusal(issuer, `Bearer ${await signed(claims)}`, HOST_ROUTE);

    expect(failure).toBeUndefined();
  });

  it('accepts the token without the Bearer prefix, as API Gateway does', async () => {
    const issuer = await LocalIssuer.load(dir);

    expect(await refusal(issuer, await signed({}), HOST_ROUTE)).toBeUndefined();
  });
});
