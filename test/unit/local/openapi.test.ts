/**
 * GET /openapi.json is generated from the wiring and the handlers' zod schemas; it must describe every
 * route the runtime and the stack serve, with the scopes API Gateway enforces and the bodies handlers accept.
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
  $ref?: string;
}

interface Operation {
  operationId: string;
  security: Record<string, string[]>[];
  parameters: { name: string; in: string; required: boolean }[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string; content: Record<string, { schema: JsonSchema }> }>;
}

interface Document {
  openapi: string;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
  paths: Record<string, Record<string, Operation>>;
}

const document = buildOpenApi() as unknown as Document;

const operation = (method: string, path: string): Operation => {
  const found = document.paths[path]?.[method.toLowerCase()];
  if (!found) throw new Error(`no ${method} ${path} in the document`);
  return found;
};

const bodySchema = (method: string, path: string): JsonSchema => {
  const schema = operation(method, path).requestBody?.content['application/json']?.schema;
  if (!schema) throw new Error(`no JSON request body for ${method} ${path}`);
  return schema;
};

const ROUTES = httpRoutes().map(({ fn, trigger }) => ({ fn, trigger, key: routeKeyOf(trigger) }));

describe('routes', () => {
  it('is an OpenAPI 3.1 document', () => {
    expect(document.openapi).toBe('3.1.0');
  });

  it.each(ROUTES.map((route) => [route.key, route] as const))('describes %s', (_, { fn, trigger }) => {
    expect(operation(trigger.method, trigger.path).operationId).toBe(fn.name);
  });

  it('describes no operation the wiring does not serve', () => {
    const described = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );

    expect(described.sort()).toEqual(ROUTES.map((route) => route.key).sort());
  });

  it.each(ROUTES.map((route) => [route.key, route] as const))(
    'requires on %s a JWT with the scopes of its roles',
    (_, { trigger }) => {
      expect(operation(trigger.method, trigger.path).security).toEqual([{ jwt: trigger.roles.map(scopeOf) }]);
    },
  );

  it('admits host and admin tokens to create a deal, and only checkout tokens to redeem', () => {
    expect(operation('POST', '/deals').security).toEqual([{ jwt: ['livedrop/host', 'livedrop/admin'] }]);
    expect(operation('POST', '/coupons/{code}/redemptions').security).toEqual([
      { jwt: ['livedrop/checkout'] },
    ]);
  });

  it('declares the JWT bearer scheme the security requirements name', () => {
    expect(document.components.securitySchemes.jwt).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it.each(ROUTES.map((route) => [route.key, route] as const))(
    'declares every path parameter of %s as required',
    (_, { trigger }) => {
      const names = [...trigger.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      const declared = operation(trigger.method, trigger.path)
        .parameters.filter((parameter) => parameter.in === 'path')
        .map((parameter) => ({ name: parameter.name, required: parameter.required }));

      expect(declared).toEqual(names.map((name) => ({ name, required: true })));
    },
  );

  it('declares the claim’s optional Idempotency-Key header and the list’s paging query', () => {
    expect(operation('POST', '/deals/{dealId}/claims').parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    );
    expect(
      operation('GET', '/me/coupons')
        .parameters.filter((parameter) => parameter.in === 'query')
        .map((parameter) => parameter.name),
    ).toEqual(['limit', 'cursor']);
  });
});

describe('request bodies', () => {
  it.each([
    ['POST', '/deals'],
    ['POST', '/deals/{dealId}/cues'],
    ['POST', '/coupons/{code}/redemptions'],
    ['POST', '/coupons/{code}/releases'],
  ])('requires a JSON body on %s %s', (method, path) => {
    expect(operation(method, path).requestBody?.required).toBe(true);
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
    expect(bodySchema('POST', '/coupons/{code}/releases').required?.sort()).toEqual(['orderId', 'viewerId']);
  });
});

describe('responses', () => {
  it.each(ROUTES.map((route) => [route.key, route] as const))(
    'answers errors of %s with the shared Error schema, 401, 403 and 500 included',
    (_, { trigger }) => {
      const { responses } = operation(trigger.method, trigger.path);
      const errors = Object.entries(responses).filter(([status]) => Number(status) >= 400);

      expect(errors.map(([status]) => status)).toEqual(expect.arrayContaining(['401', '403', '500']));
      for (const [, response] of errors) {
        expect(response.content['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Error' });
      }
    },
  );

  it('defines the Error schema every error refers to: code and message required', () => {
    const schema = document.components.schemas.Error;

    expect(schema?.required).toEqual(['error']);
    expect(schema?.properties?.error?.required).toEqual(['code', 'message']);
  });

  it('answers a created deal with 201 and a claimed coupon with 201', () => {
    expect(Object.keys(operation('POST', '/deals').responses)).toContain('201');
    expect(Object.keys(operation('POST', '/deals/{dealId}/claims').responses)).toContain('201');
  });

  it('names the 409 and 410 codes of the coupon routes', () => {
    const redeem = operation('POST', '/coupons/{code}/redemptions').responses;

    expect(redeem['409']?.description).toContain('ALREADY_REDEEMED');
    expect(redeem['410']?.description).toBe('COUPON_EXPIRED');
  });

  it('refers only to schemas the document defines', () => {
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];

    for (const ref of new Set(refs)) {
      const name = /#\/components\/schemas\/([^"]+)/.exec(ref)?.[1];
      expect(name && document.components.schemas[name], ref).toBeTruthy();
    }
  });
});
