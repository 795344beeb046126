/**
 * How the fuzz tests build requests to an HTTP route: a plan per route gives requests the engine refuses as
 * they are, or valid-shaped ones, and breakers that make them invalid (auth, a path segment, the body, a
 * header or the query); noise that changes nothing is added, and the result written out byte for byte.
 */
import fc from 'fast-check';
import type { HttpMethod, Role } from '../../../functions/shared/contract/wiring.js';
import { type Body, type BodySchema, bodyBreak, bodyBytes, JSON_TYPES } from './bodies.js';
import type { FuzzRequest } from './client.js';
import type { Fixture, Principal, RealDeal } from './fixture.js';
import type { Case } from './harness.js';
import { type AuthChoice, badAuth, goodAuth, noiseHeaders, noiseQuery } from './requests.js';
import { badIdentifierSegment, encodeSegment, printable } from './values.js';

/** A request being put together: parts are replaced by breakers, then written out by `build`. */
export interface Shape {
  method: string;
  template: string;
  /** Path parameters as sent (already percent-encoded). */
  params: Record<string, string>;
  query: string;
  auth: AuthChoice;
  headers: Record<string, string>;
  /** The valid body before any break, for body breakers. */
  valid?: Record<string, unknown>;
  body?: Body;
  contentType?: string;
  breaks: string[];
}

export interface Base {
  shape: Omit<Shape, 'method' | 'template' | 'breaks' | 'query' | 'headers'> & {
    query?: string;
    headers?: Record<string, string>;
  };
  /** Why the engine refuses this request as it is; undefined when only a break makes it invalid. */
  refused?: string;
}

export interface Breaker {
  name: string;
  apply: (shape: Shape) => fc.Arbitrary<Shape>;
}

export const breakWith = (shape: Shape, what: string, change: Partial<Shape>): Shape => ({
  ...shape,
  ...change,
  breaks: [...shape.breaks, what],
});

export const authBreaker = (fixture: Fixture, roles: readonly Role[]): Breaker => ({
  name: 'auth',
  apply: (shape) => badAuth(fixture, roles).map((auth) => breakWith(shape, `auth ${auth.label}`, { auth })),
});

export const pathBreaker = (param: string, segment: fc.Arbitrary<string>): Breaker => ({
  name: `path.${param}`,
  apply: (shape) =>
    segment.map((wire) =>
      breakWith(shape, `path.${param} ${JSON.stringify(wire.slice(0, 60))}`, {
        params: { ...shape.params, [param]: wire },
      }),
    ),
});

export const bodyBreaker = (schema: (valid: Record<string, unknown>) => BodySchema): Breaker => ({
  name: 'body',
  apply: (shape) => {
    const valid = shape.valid ?? {};
    return bodyBreak(schema(valid), valid).map((broken) => {
      const { contentType: _, ...rest } = shape;
      const contentType = broken.media ? broken.media.contentType : (shape.contentType ?? 'application/json');
      return breakWith(rest, broken.what, {
        body: broken.body,
        ...(contentType === undefined ? {} : { contentType }),
      });
    });
  },
});

/** A schema whose valid bodies are this one (body breakers only need its invalid parts). */
export const fixedSchema =
  (schema: BodySchema) =>
  (valid: Record<string, unknown>): BodySchema => ({ ...schema, valid: fc.constant(valid) });

export const jsonBody = (valid: Record<string, unknown>) =>
  JSON_TYPES.map((contentType) => ({ valid, body: { json: valid } as Body, contentType }));

/** Writes a shape out as the bytes that go on the wire. */
const build = (shape: Shape, noise: Noise): FuzzRequest => {
  let path = shape.template;
  for (const [name, wire] of Object.entries(shape.params)) path = path.replace(`{${name}}`, wire);
  const query = shape.query !== '' ? shape.query : noise.query;
  const headers: Record<string, string> = { ...noise.headers, ...shape.headers };
  if (shape.auth.header !== undefined) headers.authorization = shape.auth.header;
  let body = shape.body;
  let contentType = shape.contentType;
  if (body === undefined && noise.ignoredBody !== undefined) {
    body = noise.ignoredBody.body;
    contentType = noise.ignoredBody.contentType;
  }
  if (contentType !== undefined) headers['content-type'] = contentType;
  return {
    method: shape.method,
    target: query === '' ? path : `${path}?${query}`,
    headers,
    ...(body === undefined ? {} : { body: bodyBytes(body) }),
    ...(noise.chunked && body !== undefined ? { chunked: true } : {}),
    breaks: shape.breaks,
    authLabel: shape.auth.label,
  };
};

interface Noise {
  headers: Record<string, string>;
  query: string;
  chunked: boolean;
  ignoredBody?: { body: Body; contentType?: string };
}

/** What changes nothing: extra headers, a query where none is read, a body where none is read, chunking. */
const noise = (readsQuery: boolean, readsBody: boolean): fc.Arbitrary<Noise> =>
  fc.record({
    headers: noiseHeaders,
    query: readsQuery ? fc.constant('') : noiseQuery,
    chunked: fc.boolean().map((b) => b && Math.random() < 0.25),
    ignoredBody: readsBody
      ? fc.constant(undefined)
      : fc.option(
          fc.record({
            body: fc.oneof(
              fc.jsonValue({ maxDepth: 2 }).map((json) => ({ json }) as Body),
              fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ raw: Buffer.from(bytes) }) as Body),
            ),
            contentType: fc.constantFrom('application/json', 'text/plain', 'application/octet-stream'),
          }),
          { nil: undefined, freq: 3 },
        ),
  });

export interface RoutePlan {
  /** Engine-refused or valid-shaped requests to start from. */
  base: fc.Arbitrary<Base>;
  breakers: Breaker[];
  readsQuery?: boolean;
  readsBody?: boolean;
}

export const routeArbitrary = (method: HttpMethod, template: string, plan: RoutePlan): fc.Arbitrary<Case> =>
  plan.base
    .chain((base) =>
      fc.subarray(plan.breakers, { minLength: base.refused === undefined ? 1 : 0 }).chain((chosen) => {
        const start: Shape = {
          method,
          template,
          query: '',
          headers: {},
          ...base.shape,
          breaks: base.refused === undefined ? [] : [`refused: ${base.refused}`],
        };
        return chosen.reduce<fc.Arbitrary<Shape>>(
          (shape, breaker) => shape.chain((s) => breaker.apply(s)),
          fc.constant(start),
        );
      }),
    )
    .chain((shape) =>
      noise(plan.readsQuery === true, plan.readsBody === true).map((n) => ({ request: build(shape, n) })),
    );

export const wireOf = (values: fc.Arbitrary<string>) =>
  fc.tuple(values, fc.constantFrom(0, 0, 0, 1, 2)).map(([value, mode]) => encodeSegment(value, mode));

export const realDeals = (fixture: Fixture): RealDeal[] => Object.values(fixture.deals);
export const realIds = (fixture: Fixture): string[] => [
  ...realDeals(fixture).map((d) => d.dealId),
  ...Object.values(fixture.drops),
];
export const unknownId = (fixture: Fixture) => fc.ulid().filter((id) => !realIds(fixture).includes(id));
export const ALL: readonly Principal[] = ['viewer-1', 'host-1', 'checkout-1', 'admin-1'];

/** Ids only the principal of the base may hold (viewers, orders): never the real ones where they would work. */
export const otherThan = (...taken: string[]) => printable(1, 64).filter((id) => !taken.includes(id));

/** A read of one identifier parameter (streamId, galaId): the real one or any other, each read as it is. */
export const identifierReadPlan = (
  fixture: Fixture,
  param: string,
  real: string,
  roles: readonly Role[],
  who: readonly Principal[],
) => ({
  base: fc
    .record({ auth: goodAuth(fixture, who), id: wireOf(fc.oneof(fc.constant(real), printable(1, 128))) })
    .map(({ auth, id }) => ({ shape: { auth, params: { [param]: id } } })),
  breakers: [authBreaker(fixture, roles), pathBreaker(param, badIdentifierSegment(128))],
});
