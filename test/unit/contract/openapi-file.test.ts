/**
 * The committed contract files (docs/openapi.json, docs/events/*.json) are exactly what `npm run openapi`
 * generates, so `npm test` catches a schema or route changed without them; and they say what clients and
 * consumers rely on: OpenAPI 3.1 with servers, license and scopes, named schemas, the idempotency contract,
 * Retry-After, and one event schema per detail-type, each listed in docs/events/README.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, schemaFileOf } from '../../../functions/shared/contract/event-schemas.js';
import {
  contractFiles,
  EVENTS_DIR,
  OPENAPI_FILE,
  staleContractFiles,
  writeContractFiles,
} from '../../../lib/contract-files.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

type Json = Record<string, unknown>;
const committed = JSON.parse(read(OPENAPI_FILE)) as {
  openapi: string;
  info: { license?: Json };
  servers: { url: string; variables?: Json }[];
  paths: Record<string, Record<string, { parameters?: Json[]; responses: Record<string, Json> }>>;
  components: {
    schemas: Record<string, Json>;
    securitySchemes: Record<string, Json>;
    parameters: Record<string, Json>;
    responses: Record<string, Json>;
  };
};

/** A response, through its `$ref` to #/components/responses when it has one. */
const answer = (path: string, method: string, status: number): Json => {
  const found = committed.paths[path]?.[method]?.responses[status] ?? {};
  const ref = found.$ref as string | undefined;
  return ref ? (committed.components.responses[ref.split('/').pop() as string] ?? {}) : found;
};

describe('the committed contract files', () => {
  it('are exactly what npm run openapi generates', () => {
    expect(staleContractFiles(ROOT)).toEqual([]);
  });

  it('are the OpenAPI description and one event schema per detail-type', () => {
    expect([...contractFiles().keys()].sort()).toEqual(
      [OPENAPI_FILE, ...EVENT_TYPES.map((type) => `${EVENTS_DIR}/${schemaFileOf(type)}`)].sort(),
    );
  });
});

describe('writing and checking the contract files', () => {
  const withTree = (test: (root: string) => void) => {
    const root = mkdtempSync(join(tmpdir(), 'livedrop-contract-'));
    try {
      test(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };

  it('finds every file stale in an empty tree, and none once written', () => {
    withTree((root) => {
      expect(staleContractFiles(root)).toEqual([...contractFiles().keys()].sort());

      writeContractFiles(root);

      expect(staleContractFiles(root)).toEqual([]);
    });
  });

  it('finds a changed file and an event schema no detail-type generates, and rewriting fixes both', () => {
    withTree((root) => {
      writeContractFiles(root);
      writeFileSync(join(root, OPENAPI_FILE), '{}\n');
      writeFileSync(join(root, EVENTS_DIR, 'deal-renamed.json'), '{}\n');

      expect(staleContractFiles(root)).toEqual([`${EVENTS_DIR}/deal-renamed.json`, OPENAPI_FILE]);
      expect(writeContractFiles(root)).toEqual([`${EVENTS_DIR}/deal-renamed.json`, OPENAPI_FILE]);
      expect(staleContractFiles(root)).toEqual([]);
    });
  });
});

describe('docs/openapi.json', () => {
  it('is OpenAPI 3.1 under the Apache-2.0 license', () => {
    expect(committed.openapi).toBe('3.1.0');
    expect(committed.info.license).toEqual({ name: 'Apache-2.0', identifier: 'Apache-2.0' });
  });

  it('names the deployed API with its variables and the local runtime on npm start’s port', () => {
    expect(committed.servers).toEqual([
      expect.objectContaining({
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        variables: { apiId: expect.any(Object), region: expect.any(Object) },
      }),
      expect.objectContaining({ url: 'http://localhost:3000' }),
    ]);
  });

  it('declares an OAuth 2 scheme with all four scopes and a bearer JWT scheme', () => {
    const { oauth2, bearer } = committed.components.securitySchemes;
    const flows = (oauth2?.flows ?? {}) as Record<string, { scopes: Json }>;
    const scopes = Object.values(flows).flatMap((flow) => Object.keys(flow.scopes));

    expect(Object.keys(flows).sort()).toEqual(['authorizationCode', 'clientCredentials']);
    expect(scopes.sort()).toEqual([
      'livedrop/admin',
      'livedrop/checkout',
      'livedrop/host',
      'livedrop/viewer',
    ]);
    expect(bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('has at least five named schemas, Error and GatewayError among them', () => {
    expect(Object.keys(committed.components.schemas).length).toBeGreaterThanOrEqual(5);
    expect(Object.keys(committed.components.schemas)).toEqual(
      expect.arrayContaining(['Deal', 'Coupon', 'Error', 'GatewayError']),
    );
  });

  it.each([
    ['/deals', 'post'],
    ['/galas/{galaId}/price-drops', 'post'],
    ['/deals/{dealId}/cues', 'post'],
    ['/deals/{dealId}/claims', 'post'],
  ])('takes the Idempotency-Key header on %s (%s)', (path, method) => {
    expect(committed.paths[path]?.[method]?.parameters).toContainEqual({
      $ref: '#/components/parameters/IdempotencyKey',
    });
    expect(committed.components.parameters.IdempotencyKey).toMatchObject({
      name: 'Idempotency-Key',
      in: 'header',
      schema: { type: 'string', minLength: 1, maxLength: 128 },
    });
  });

  it('documents Retry-After on 429, 503 and 409 REQUEST_IN_PROGRESS', () => {
    for (const status of [429, 503, 409]) {
      expect(answer('/deals/{dealId}/claims', 'post', status).headers, String(status)).toHaveProperty(
        'Retry-After',
      );
    }
  });
});

describe('docs/events', () => {
  it('has a schema per detail-type livedrop publishes', () => {
    expect(EVENT_TYPES.length).toBeGreaterThanOrEqual(8);
    for (const type of EVENT_TYPES) {
      const schema = JSON.parse(read(`${EVENTS_DIR}/${schemaFileOf(type)}`)) as {
        properties: { 'detail-type': Json };
      };
      expect(schema.properties['detail-type'].enum).toEqual([type]);
    }
  });

  it('lists every detail-type with a link to its schema in README.md', () => {
    const readme = read(`${EVENTS_DIR}/README.md`);

    for (const type of EVENT_TYPES) expect(readme).toContain(`[${type}](${schemaFileOf(type)})`);
  });
});
