import { Forbidden, Unauthorized } from '../domain/errors.js';
import { principalIdSchema } from '../domain/identifiers.js';
import type { Scope } from '../domain/roles.js';
import type { Actor } from '../use-cases/types.js';
import type { HttpEvent } from './types.js';

const WHITESPACE = /\s+/;

/**
 * The `scope` claim is a space-separated string. HTTP APIs also render array-valued claims as the string
 * "[a b c]", and other issuers send a real array; all three mean the same.
 */
const scopesFromClaim = (claim: unknown): Set<string> => {
  const scopes = new Set<string>();
  if (Array.isArray(claim)) {
    for (const scope of claim) if (typeof scope === 'string' && scope !== '') scopes.add(scope);
    return scopes;
  }
  if (typeof claim !== 'string') return scopes;
  const text = claim.startsWith('[') && claim.endsWith(']') ? claim.slice(1, -1) : claim;
  for (const scope of text.split(WHITESPACE)) if (scope !== '') scopes.add(scope);
  return scopes;
};

/**
 * Identity as established by the API Gateway JWT authorizer. The signature was checked there; here we only
 * refuse events that carry no usable identity (a route deployed without the authorizer, a direct invoke).
 */
export const actorFromEvent = (event: HttpEvent): Actor => {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  // sub ends up in keys as hostId/viewerId, so it must be a valid principal id.
  if (typeof sub !== 'string' || !principalIdSchema.safeParse(sub).success) throw new Unauthorized();
  // API Gateway admits a route's scopes from `scope` or, as Okta and Entra ID name it, `scp`; so does the handler.
  return { sub, scopes: scopesFromClaim(claims?.scope ?? claims?.scp) };
};

/** Any one of the route's scopes is enough. */
export const requireAnyScope = (actor: Actor, scopes: readonly Scope[]): void => {
  for (const scope of scopes) if (actor.scopes.has(scope)) return;
  throw new Forbidden();
};
