/**
 * Requests to the gateway of the local runtime for the fuzz tests (gateway.test.ts): unknown routes, known
 * paths with a method they lack, invalid local token requests, host names a page could rebind to 127.0.0.1
 * and scheme-relative targets.
 */
import fc from 'fast-check';
import { httpRoutes } from '../../../functions/shared/contract/wiring.js';
import { bodyBreak, bodyBytes } from './bodies.js';
import type { Fixture } from './fixture.js';
import type { Case } from './harness.js';
import { badAuth, goodAuth, reach } from './requests.js';
import { wireOf } from './routes.js';
import { tokenRequestSchema } from './schemas.js';
import { oddSegment, printable } from './values.js';

const PUBLIC = new Set([
  '/health',
  '/openapi.json',
  '/.well-known/jwks.json',
  '/local/token',
  '/local/events',
  '/',
]);

/** Unknown routes, known paths with a method they do not have, and invalid token requests. */
export const gatewayArbitrary = (fixture: Fixture): fc.Arbitrary<Case> => {
  const methods = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'] as const;
  const words = fc.constantFrom(
    'deals',
    'coupons',
    'galas',
    'me',
    'streams',
    'price-drops',
    'live',
    'cues',
    'claims',
    'local',
    'events',
    'token',
    'x',
    'schedules2',
  );
  const segment = fc.oneof(
    { weight: 4, arbitrary: words },
    { weight: 2, arbitrary: fc.ulid() },
    { weight: 2, arbitrary: oddSegment },
    { weight: 1, arbitrary: wireOf(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 })) },
  );
  const normalized = (target: string): string | undefined => {
    try {
      return new URL(target, 'http://localhost').pathname;
    } catch {
      return undefined;
    }
  };
  const unknownRoute = fc
    .tuple(
      fc.constantFrom(...methods),
      fc.array(segment, { minLength: 1, maxLength: 5 }),
      badAuth(fixture, ['viewer', 'host', 'checkout', 'admin']),
    )
    .map(([method, segments, auth]) => ({ method, target: `/${segments.join('/')}`, auth }))
    .filter(({ target }) => {
      const path = normalized(target);
      return path === undefined || (!PUBLIC.has(path) && !path.startsWith('/schedules/'));
    })
    .map(({ method, target, auth }) => ({
      request: {
        method,
        target,
        headers: (auth.header === undefined ? {} : { authorization: auth.header }) as Record<string, string>,
        breaks: ['no such route'],
        authLabel: auth.label,
      },
    }));
  const templates = new Map<string, Set<string>>();
  for (const { trigger } of httpRoutes()) {
    templates.set(trigger.path, (templates.get(trigger.path) ?? new Set()).add(trigger.method));
  }
  const ids: Record<string, string> = {
    dealId: fixture.deals.live.dealId,
    streamId: fixture.deals.live.streamId,
    code: fixture.coupons.held.code,
    galaId: fixture.galaId,
    dropId: fixture.drops.scheduled,
  };
  const wrongMethod = fc
    .constantFrom(...templates.keys())
    .chain((template) =>
      fc.record({
        template: fc.constant(template),
        method: fc.constantFrom(...methods.filter((m) => !templates.get(template)?.has(m))),
        auth: goodAuth(fixture, ['viewer-1', 'host-1', 'checkout-1', 'admin-1']),
      }),
    )
    .map(({ template, method, auth }) => ({
      request: {
        method,
        target: template.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? name),
        headers: { authorization: auth.header ?? '' },
        breaks: [`no ${method} route`],
        authLabel: auth.label,
      },
    }));
  const token = fc
    .tuple(
      tokenRequestSchema.valid.chain((valid) =>
        bodyBreak(tokenRequestSchema, valid)
          // The token endpoint reads bodies up to the gateway's 10 MiB, not the functions' 16 KiB.
          .filter((b) => !b.what.includes('-byte body')),
      ),
      reach({ origins: true }),
    )
    .map(([b, who]) => {
      const contentType = b.media ? b.media.contentType : 'application/json';
      // Who asks is checked first, then the media type, then the body.
      const expectStatus = who.refused !== undefined ? 403 : b.media ? 415 : undefined;
      return {
        ...(expectStatus === undefined ? {} : { expectStatus }),
        request: {
          method: 'POST',
          target: '/local/token',
          headers: {
            ...(contentType === undefined ? {} : { 'content-type': contentType }),
            ...who.headers,
          },
          body: bodyBytes(b.body),
          breaks: [b.what, ...(who.refused ? [who.refused] : [])],
          authLabel: '(none)',
        },
      };
    });
  // Any path, even a valid request of a valid token, addressed to a name a page could rebind to 127.0.0.1.
  const rebound = fc
    .tuple(
      fc.oneof(
        fc
          .constantFrom(...templates.keys())
          .map((t) => t.replace(/\{(\w+)\}/g, (_, n: string) => ids[n] ?? n)),
        fc.constantFrom(...PUBLIC),
      ),
      goodAuth(fixture, ['viewer-1', 'host-1', 'checkout-1', 'admin-1']),
      reach({ origins: false }).filter((who) => who.refused !== undefined),
      fc.constantFrom('GET', 'POST', 'DELETE'),
    )
    .map(([target, auth, who, method]) => ({
      expectStatus: 403,
      request: {
        method,
        target,
        headers: { authorization: auth.header ?? '', ...who.headers },
        breaks: [who.refused ?? ''],
        authLabel: auth.label,
      },
    }));
  // A target starting with `//` reads as scheme-relative `//host/path`: some hosts are not valid URL hosts.
  const schemeRelative = fc
    .tuple(
      fc.oneof(
        printable(1, 24).filter((s) => !s.includes('/')),
        fc.constantFrom('x:y', 'a:b@c', '[', '[::1', 'h:99999', '%zz', 'deals:1', '@', ':'),
      ),
      fc.constantFrom('', '/deals', '/me/coupons'),
      badAuth(fixture, ['viewer', 'host', 'checkout', 'admin']),
    )
    .map(([authority, path, auth]) => ({
      request: {
        method: 'GET',
        target: `//${authority}${path}`,
        headers: (auth.header === undefined ? {} : { authorization: auth.header }) as Record<string, string>,
        breaks: ['scheme-relative target'],
        authLabel: auth.label,
      },
    }));
  return fc.oneof(
    { weight: 20, arbitrary: unknownRoute },
    { weight: 10, arbitrary: wrongMethod },
    { weight: 15, arbitrary: token },
    { weight: 4, arbitrary: rebound },
    { weight: 1, arbitrary: schemeRelative },
  );
};
