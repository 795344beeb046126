import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { type Role, scopeOf } from '../../functions/shared/contract/wiring.js';

/**
 * The local stand-in for the JWT issuer API Gateway trusts in AWS: it signs tokens for any sub and role
 * (local only, never deployed) and verifies them the way the HTTP API's JWT authorizer does: signature,
 * issuer, audience, expiry, then the route's scopes. Its key is kept in the data directory, so tokens
 * survive a restart.
 */
export const LOCAL_ISSUER = 'https://livedrop.local/issuer';
export const LOCAL_AUDIENCE = 'livedrop-local';
// API Gateway's HTTP API JWT authorizer supports RSA keys only, so the local issuer signs the same way.
const ALGORITHM = 'RS256';
const KEY_ID = 'livedrop-local-1';
const MAX_TTL_SECONDS = 7 * 86_400;

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export const ROLES: readonly Role[] = ['viewer', 'host', 'checkout', 'admin'];

export type VerifiedClaims = JWTPayload & { sub: string; scope?: string };

/** The authorizer's refusal; `description` is what API Gateway puts in its challenge (none: no token at all). */
export class AuthorizationFailure extends Error {
  constructor(
    readonly statusCode: 401 | 403,
    message: string,
    readonly description?: string,
  ) {
    super(message);
    this.name = 'AuthorizationFailure';
  }
}

/** API Gateway's `error_description` for a token jose refused. */
const describeRefusal = (error: unknown): string => {
  const { code, claim } = (error ?? {}) as { code?: string; claim?: string };
  if (code === 'ERR_JWT_EXPIRED') return 'the token has expired';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'aud')
    return 'the token does not have a valid audience';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'iss')
    return 'the token does not have a valid issuer';
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'signing key or signature is not valid';
  return 'the token is not valid';
};

/** An RSA JWK without its private members. */
const publicPart = (jwk: JWK): JWK => {
  const {
    d: _d,
    p: _p,
    q: _q,
    dp: _dp,
    dq: _dq,
    qi: _qi,
    oth: _oth,
    ...rest
  } = jwk as JWK & { oth?: unknown };
  return rest;
};

/** `scope` or `scp`, as a space-separated string or a list, as API Gateway reads them. */
const scopeList = (value: unknown): string[] => {
  if (typeof value === 'string') return value.split(/\s+/).filter((scope) => scope.length > 0);
  if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string');
  return [];
};

export class LocalIssuer {
  private constructor(
    private readonly privateKey: SigningKey,
    private readonly publicKey: SigningKey,
    private readonly publicJwk: JWK,
  ) {}

  /** Loads the signing key from `dir` (creating it on first use), or makes a throw-away one without a dir. */
  static async load(dir?: string): Promise<LocalIssuer> {
    const file = dir === undefined ? undefined : join(dir, 'issuer-key.json');
    const stored = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as JWK) : undefined;
    // A key from before the switch to RSA is replaced (tokens it signed stop working, as after a rotation).
    if (stored?.kty === 'RSA') {
      const jwk = stored;
      const publicJwk = publicPart(jwk);
      return new LocalIssuer(
        (await importJWK(jwk, ALGORITHM)) as SigningKey,
        (await importJWK(publicJwk, ALGORITHM)) as SigningKey,
        { ...publicJwk, kid: KEY_ID, alg: ALGORITHM, use: 'sig' },
      );
    }
    const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    if (file && dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, JSON.stringify(await exportJWK(privateKey)), { mode: 0o600 });
    }
    return new LocalIssuer(privateKey, publicKey, { ...publicJwk, kid: KEY_ID, alg: ALGORITHM, use: 'sig' });
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async issue(request: { sub: string; role: Role; ttlSeconds?: number }): Promise<string> {
    const ttl = Math.min(request.ttlSeconds ?? 3_600, MAX_TTL_SECONDS);
    return new SignJWT({ scope: scopeOf(request.role), token_use: 'access' })
      .setProtectedHeader({ alg: ALGORITHM, kid: KEY_ID, typ: 'JWT' })
      .setSubject(request.sub)
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .sign(this.privateKey);
  }

  /**
   * The authorizer's checks for one route: a bearer token signed by this issuer, for this audience, not
   * expired, with a `sub`, carrying at least one of the route's scopes. 401 for a bad token, 403 for scopes.
   */
  async authorize(authorization: string | undefined, scopes: readonly string[]): Promise<VerifiedClaims> {
    // Like API Gateway: the token with or without the Bearer prefix.
    const token = /^(?:Bearer\s+)?(\S+)$/i.exec((authorization ?? '').trim())?.[1];
    if (!token) throw new AuthorizationFailure(401, 'A bearer token is required.');
    let payload: JWTPayload;
    try {
      const verified = await jwtVerify(token, this.publicKey, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: [ALGORITHM],
        requiredClaims: ['exp'],
      });
      // API Gateway also requires a kid that names a published key and an iat that is not in the future.
      if (verified.protectedHeader.kid !== KEY_ID) throw new Error('unknown kid');
      if (typeof verified.payload.iat === 'number' && verified.payload.iat > Date.now() / 1000 + 60) {
        throw new Error('issued in the future');
      }
      payload = verified.payload;
    } catch (error) {
      throw new AuthorizationFailure(401, 'The bearer token is not valid.', describeRefusal(error));
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
      throw new AuthorizationFailure(401, 'The bearer token has no subject.', 'the token has no subject');
    }
    const granted = new Set([...scopeList(payload.scope), ...scopeList(payload.scp)]);
    if (!scopes.some((scope) => granted.has(scope))) {
      throw new AuthorizationFailure(
        403,
        'The token lacks the scope this route requires.',
        `expected scopes: [${scopes.join(' ')}]`,
      );
    }
    return payload as VerifiedClaims;
  }
}
