/**
 * The OpenAPI description (GET /openapi.json locally, docs/openapi.json committed) is generated from the wiring
 * and the handlers' zod schemas; it must describe every route the runtime and the stack serve, with the scopes
 * API Gateway enforces, the bodies handlers accept, and every answer a client can get, API Gateway's own included.
 */
import { describe, expect, it } from 'vitest';
import { httpRoutes, scopeOf } from '../../../functions/shared/contract/wiring.js';
import { buildOpenApi, routeKeyOf } from '../../../functions/shared/http/openapi.js';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: unknown;
  enum?: unknown[];
  default?: unknown;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  $ref?: string;
}

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: JsonSchema;
}

interface Response {
  description: string;
  headers?: Record<string, unknown>;
  content: Record<string, { schema: JsonSchema }>;
}

interface Operation {
  operationId: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, Response | { $ref: string }>;
}

interface Document {
  openapi: string;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
  paths: Record<string, Record<string, Operation>>;
}

const raw = buildOpenApi();
const document = raw as unknown as Document;

/** What a local `$ref` (`#/components/...`) points at. */
const at = (pointer: string): unknown =>
  pointer
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], raw);

const deref = <T>(value: T | { $ref: string }): T =>
  value !== null && typeof value === 'object' && '$ref' in value ? (at(value.$ref) as T) : (value as T);

const operation = (method: string, path: string): Operation => {
  const found = document.paths[path]?.[method.toLowerCase()];
  if (!found) throw new Error(`no ${method} ${path} in the document`);
  return found;
};

const parameters = (method: string, path: string): Parameter[] =>
  (operation(method, path).parameters ?? []).map((p) => deref<Parameter>(p));

const response = (method: string, path: string, status: number): Response => {
  const found = operation(method, path).responses[status];
  if (!found) throw new Error(`no ${status} answer on ${method} ${path}`);
  return deref<Response>(found);
};

const bodySchema = (method: string, path: string): JsonSchema => {
  const schema = operation(method, path).requestBody?.content['application/json']?.schema;
  if (!schema) throw new Error(`no JSON request body for ${method} ${path}`);
  return deref(schema as JsonSchema | { $ref: string });
};

const ROUTES = httpRoutes().map(({ fn, trigger }) => ({ fn, trigger, key: routeKeyOf(trigger) }));
const BY_KEY = ROUTES.map((route) => [route.key, route] as const);
/** The routes behind the JWT authorizer (all but the public live state of a stream). */
const AUTH_BY_KEY = BY_KEY.filter(([, route]) => !route.trigger.public);
const IDEMPOTENT_POSTS = [
  ['POST', '/deals'],
  ['POST', '/galas/{galaId}/price-drops'],
  ['POST', '/deals/{dealId}/cues'],
  ['POST', '/deals/{dealId}/claims'],
] as const;

describe('routes', () => {
  it('is an OpenAPI 3.1 document', () => {
    expect(document.openapi).toBe('3.1.0');
  });

  it.each(BY_KEY)('describes %s under the function’s name, with a tag', (_, { fn, trigger }) => {
    expect(operation(trigger.method, trigger.path).operationId).toBe(fn.name);
    expect(operation(trigger.method, trigger.path).tags).toHaveLength(1);
  });

  it('describes no operation the wiring does not serve', () => {
    const described = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );

    expect(described.sort()).toEqual(ROUTES.map((route) => route.key).sort());
  });

  it('asks no token of the public live state of a stream', () => {
    expect(operation('GET', '/streams/{streamId}/live').security).toEqual([]);
    expect(Object.keys(operation('GET', '/streams/{streamId}/live').responses)).toEqual(
      expect.arrayContaining(['200', '304']),
    );
    expect(operation('GET', '/streams/{streamId}/live').responses).not.toHaveProperty('401');
  });

  it.each(AUTH_BY_KEY)('admits on %s a token with any one scope of its roles', (_, { trigger }) => {
    expect(operation(trigger.method, trigger.path).security).toEqual(
      trigger.roles.flatMap((role) => [{ oauth2: [scopeOf(role)] }, { bearer: [scopeOf(role)] }]),
    );
  });

  it('admits host or admin tokens to create a deal, and only checkout tokens to redeem', () => {
    expect(operation('POST', '/deals').security).toEqual([
      { oauth2: ['livedrop/host'] },
      { bearer: ['livedrop/host'] },
      { oauth2: ['livedrop/admin'] },
      { bearer: ['livedrop/admin'] },
    ]);
    expect(operation('POST', '/coupons/{code}/redemptions').security).toEqual([
      { oauth2: ['livedrop/checkout'] },
      { bearer: ['livedrop/checkout'] },
    ]);
  });

  it('declares the schemes the requirements name: OAuth 2 flows defining every scope, and a plain bearer JWT', () => {
    const { oauth2, bearer } = document.components.securitySchemes;
    const flows = oauth2?.flows as Record<string, { scopes: Record<string, string> }>;

    expect(oauth2?.type).toBe('oauth2');
    expect(Object.keys(flows.authorizationCode?.scopes ?? {}).sort()).toEqual([
      'livedrop/admin',
      'livedrop/host',
      'livedrop/viewer',
    ]);
    expect(Object.keys(flows.clientCredentials?.scopes ?? {})).toEqual(['livedrop/checkout']);
    expect(bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it.each(BY_KEY)('declares every path parameter of %s as required', (_, { trigger }) => {
    const names = [...trigger.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
    const declared = parameters(trigger.method, trigger.path)
      .filter((parameter) => parameter.in === 'path')
      .map((parameter) => ({ name: parameter.name, required: parameter.required }));

    expect(declared).toEqual(names.map((name) => ({ name, required: true })));
  });

  it.each(IDEMPOTENT_POSTS)('takes the optional Idempotency-Key header (1..128) on %s %s', (method, path) => {
    const header = parameters(method, path).find((parameter) => parameter.in === 'header');

    expect(header).toMatchObject({
      name: 'Idempotency-Key',
      required: false,
      schema: { type: 'string', minLength: 1, maxLength: 128 },
    });
  });

  it('takes the Idempotency-Key header nowhere else', () => {
    const routes = ROUTES.filter(({ trigger }) =>
      parameters(trigger.method, trigger.path).some((parameter) => parameter.name === 'Idempotency-Key'),
    ).map(({ trigger }) => [trigger.method, trigger.path]);

    expect(routes.sort()).toEqual(IDEMPOTENT_POSTS.map((route) => [...route]).sort());
  });

  it('declares the list’s paging query', () => {
    expect(
      parameters('GET', '/me/coupons')
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) => parameter.name),
    ).toEqual(['limit', 'cursor']);
  });
});

describe('request bodies', () => {
  it.each([
    ['POST', '/deals', 'CreateDeal'],
    ['POST', '/deals/{dealId}/cues', 'Cue'],
    ['POST', '/coupons/{code}/redemptions', 'Checkout'],
    ['POST', '/coupons/{code}/releases', 'Checkout'],
    ['POST', '/galas/{galaId}/price-drops', 'CreatePriceDrop'],
  ])('requires on %s %s a JSON body, the named schema %s', (method, path, name) => {
    expect(operation(method, path).requestBody?.required).toBe(true);
    expect(operation(method, path).requestBody?.content['application/json']?.schema).toEqual({
      $ref: `#/components/schemas/${name}`,
    });
    expect(bodySchema(method, path).type).toBe('object');
  });

  it.each([
    ['POST', '/deals/{dealId}/claims'],
    ['GET', '/deals/{dealId}'],
    ['GET', '/me/coupons'],
  ])('has no request body on %s %s', (method, path) => {
    expect(operation(method, path)).not.toHaveProperty('requestBody');
  });

  it('requires the fields of a deal and leaves those with defaults or that are optional out', () => {
    const schema = bodySchema('POST', '/deals');

    expect(schema.required?.sort()).toEqual(
      ['title', 'sku', 'streamId', 'currency', 'listPrice', 'dealPrice', 'stock'].sort(),
    );
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining(['galaId', 'perViewerLimit', 'claimTtlSeconds', 'durationSeconds', 'shards']),
    );
    expect(schema.properties?.perViewerLimit).toMatchObject({ type: 'integer', default: 1 });
    expect(schema.properties?.stock).toMatchObject({ type: 'integer', minimum: 1 });
  });

  it.each([
    ['POST', '/deals'],
    ['POST', '/deals/{dealId}/cues'],
    ['POST', '/coupons/{code}/redemptions'],
    ['POST', '/coupons/{code}/releases'],
  ])('rejects unknown fields on %s %s, as the handler does', (method, path) => {
    expect(bodySchema(method, path).additionalProperties).toBe(false);
  });

  it('lists the cue actions and requires the action', () => {
    const schema = bodySchema('POST', '/deals/{dealId}/cues');

    expect(schema.required).toEqual(['action']);
    expect(schema.properties?.action?.enum).toEqual(['start', 'pause', 'resume', 'end', 'restock', 'extend']);
  });

  it('requires the viewer and the order for checkout', () => {
    expect(bodySchema('POST', '/coupons/{code}/redemptions').required?.sort()).toEqual([
      'orderId',
      'viewerId',
    ]);
  });
});

describe('responses', () => {
  const ERROR = { $ref: '#/components/schemas/Error' };
  const GATEWAY = { $ref: '#/components/schemas/GatewayError' };
  const EITHER = { oneOf: [ERROR, GATEWAY] };

  it.each(AUTH_BY_KEY)(
    'answers errors of %s with livedrop’s Error, API Gateway’s GatewayError, or oneOf the two',
    (_, { trigger }) => {
      const statuses = Object.keys(operation(trigger.method, trigger.path).responses).map(Number);
      const errors = statuses.filter((status) => status >= 400);

      expect(errors).toEqual(expect.arrayContaining([400, 401, 403, 413, 429, 500, 503]));
      for (const status of errors) {
        expect([ERROR, GATEWAY, EITHER]).toContainEqual(
          response(trigger.method, trigger.path, status).content['application/json']?.schema,
        );
      }
    },
  );

  it.each(AUTH_BY_KEY)(
    'says on %s that 401, 403, 500 and 503 come from livedrop or from API Gateway',
    (_, { trigger }) => {
      for (const status of [401, 403, 500, 503]) {
        const answer = response(trigger.method, trigger.path, status);
        expect(answer.content['application/json']?.schema).toEqual(EITHER);
        expect(answer.description).toMatch(/livedrop[\s\S]*API Gateway/);
      }
      expect(response(trigger.method, trigger.path, 401).headers).toHaveProperty('WWW-Authenticate');
    },
  );

  it('answers 429 from livedrop’s rate limits with Retry-After, else only API Gateway’s throttling', () => {
    const claim = response('POST', '/deals/{dealId}/claims', 429);
    const read = response('GET', '/deals/{dealId}', 429);

    expect(claim.content['application/json']?.schema).toEqual(EITHER);
    expect(claim.headers).toHaveProperty('Retry-After');
    expect(read.content['application/json']?.schema).toEqual(GATEWAY);
  });

  it('defines the Error schema every error refers to: code and message required', () => {
    const schema = document.components.schemas.Error;

    expect(schema?.required).toEqual(['error']);
    expect(schema?.properties?.error?.required).toEqual(['code', 'message']);
    expect(document.components.schemas.GatewayError?.required).toEqual(['message']);
  });

  it('answers a created deal and a price drop with 201 and Location, a claim with 201 and its replay with 200', () => {
    expect(response('POST', '/deals', 201).headers).toHaveProperty('Location');
    expect(response('POST', '/galas/{galaId}/price-drops', 201).headers).toHaveProperty('Location');
    expect(response('POST', '/deals/{dealId}/claims', 201).content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/Coupon',
    });
    expect(response('POST', '/deals/{dealId}/claims', 200).headers).toHaveProperty('Idempotent-Replayed');
  });

  it.each(IDEMPOTENT_POSTS)(
    'documents on %s %s the echoed key, the replay flag, 409 REQUEST_IN_PROGRESS and 422',
    (method, path) => {
      const success =
        Object.keys(operation(method, path).responses)
          .map(Number)
          .find((s) => s < 300) ?? 0;

      expect(Object.keys(response(method, path, success).headers ?? {})).toEqual(
        expect.arrayContaining(['Idempotency-Key', 'Idempotent-Replayed']),
      );
      expect(response(method, path, 409).description).toContain('REQUEST_IN_PROGRESS');
      expect(response(method, path, 409).headers).toHaveProperty('Retry-After');
      expect(response(method, path, 422).description).toContain('IDEMPOTENCY_KEY_REUSED');
    },
  );

  it('names the 409 and 410 codes of the coupon routes', () => {
    expect(response('POST', '/coupons/{code}/redemptions', 409).description).toContain('ALREADY_REDEEMED');
    expect(response('POST', '/coupons/{code}/redemptions', 410).description).toContain('COUPON_EXPIRED');
  });

  it('refers only to components the document defines', () => {
    const refs = JSON.stringify(raw).match(/"\$ref":"[^"]+"/g) ?? [];

    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      const pointer = /"\$ref":"([^"]+)"/.exec(ref)?.[1] ?? '';
      expect(at(pointer), ref).toBeTruthy();
    }
  });
});
