import { FUNCTIONS, type HttpTrigger, type Role, scopeOf } from '../contract/wiring.js';
import {
  COMPONENT_HEADERS,
  componentParameters,
  componentSchemas,
  type JsonObject,
  PATH_PARAMETERS,
  parameterRef,
  ref,
} from './openapi-components.js';
import { errorResponses, successResponses } from './openapi-errors.js';
import { OPERATIONS, TAGS } from './openapi-operations.js';

/**
 * The OpenAPI 3.1 description of livedrop's HTTP API, generated from the wiring (routes, roles) and the zod
 * schemas the handlers validate with, so it cannot drift from what the code accepts and answers. It also says
 * which answers API Gateway gives itself (its own `{ "message" }` body), since a client meets both.
 * `npm run openapi` writes it to docs/openapi.json; the local runtime serves it at /openapi.json.
 */

// ------------------------------------------------------------------------------------------------ security

const ROLE_SCOPES: Record<Role, string> = {
  viewer: 'A viewer: claims coupons and lists their own',
  host: 'A host: creates deals and cues their own',
  checkout: 'The shop’s checkout service: redeems and releases coupons',
  admin: 'An operator: acts on any deal and schedules gala price drops',
};
const scopes = (roles: readonly Role[]) =>
  Object.fromEntries(roles.map((role) => [scopeOf(role), ROLE_SCOPES[role]]));
const COGNITO = 'https://{cognitoDomain}.auth.{region}.amazoncognito.com/oauth2';

const SECURITY_SCHEMES = {
  oauth2: {
    type: 'oauth2',
    description:
      'Access tokens of the JWT issuer the stack is deployed with (`-c issuer=`), e.g. a Cognito user pool with a ' +
      'resource server `livedrop`. In the URLs, `{cognitoDomain}` is the user pool’s domain prefix and `{region}` ' +
      'its region. API Gateway’s JWT authorizer admits a token with any one of the route’s scopes.',
    flows: {
      authorizationCode: {
        authorizationUrl: `${COGNITO}/authorize`,
        tokenUrl: `${COGNITO}/token`,
        scopes: scopes(['viewer', 'host', 'admin']),
      },
      clientCredentials: { tokenUrl: `${COGNITO}/token`, scopes: scopes(['checkout']) },
    },
  },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'The same token pasted as it is: a JWT with `sub` and a space-separated `scope` claim holding ' +
      '`livedrop/viewer`, `livedrop/host`, `livedrop/checkout` or `livedrop/admin`. The local runtime issues them ' +
      'at `POST /local/token`.',
  },
} as const;

/** One requirement per role, since any one of the route's scopes is enough. */
const securityOf = (roles: readonly Role[]) =>
  roles.flatMap((role) => [{ oauth2: [scopeOf(role)] }, { bearer: [scopeOf(role)] }]);

// ------------------------------------------------------------------------------------------------ the document

export const routeKeyOf = (trigger: HttpTrigger) => `${trigger.method} ${trigger.path}`;

const DESCRIPTION = [
  'Coupons and flash deals for livestream shopping. Every route but the public live state of a stream takes a bearer',
  'JWT whose `sub` is the caller and whose `scope` holds a `livedrop/<role>` scope. Amounts are integers in minor units.',
  '',
  'A client meets two kinds of error body. livedrop answers `{ "error": { "code", "message", "details"? } }`',
  '(`Error`). API Gateway answers some requests itself, before or instead of livedrop, with `{ "message": "..." }`',
  '(`GatewayError`): 401 and 403 from the JWT authorizer (with `WWW-Authenticate`), 429 from throttling, 413 over',
  'its payload limit, 500 and 503 when the function fails or times out, and 404 `{"message":"Not Found"}` for a',
  'method and path that is no route (no operation below describes it; the local runtime answers 404 `NOT_FOUND` in',
  'the `Error` envelope). Where a status can carry either body, its schema is `oneOf` the two and its description',
  'says which comes from where.',
].join('\n');

export const buildOpenApi = () => {
  const paths: Record<string, Record<string, unknown>> = {};
  const responses: Record<string, JsonObject> = {};
  for (const fn of FUNCTIONS) {
    for (const trigger of fn.triggers) {
      if (trigger.kind !== 'http') continue;
      const routeKey = routeKeyOf(trigger);
      const operation = OPERATIONS[routeKey];
      if (!operation) throw new Error(`no OpenAPI description for ${routeKey}`);
      const parameters = [
        ...[...trigger.path.matchAll(/\{([^}]+)\}/g)].map((m) => {
          const parameter = PATH_PARAMETERS[m[1] as string];
          if (!parameter) throw new Error(`no OpenAPI description for the path parameter ${m[1]}`);
          return parameterRef(parameter.component);
        }),
        ...(operation.query ?? []),
        ...(operation.idempotent ? [parameterRef('IdempotencyKey')] : []),
        ...(operation.conditional ? [parameterRef('IfNoneMatch')] : []),
      ];
      paths[trigger.path] ??= {};
      (paths[trigger.path] as Record<string, unknown>)[trigger.method.toLowerCase()] = {
        operationId: fn.name,
        tags: [operation.tag],
        summary: operation.summary,
        description: fn.description,
        // An empty list overrides nothing here (there is no document-wide default) but says it outright: no token.
        security: trigger.public ? [] : securityOf(trigger.roles),
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(operation.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: ref(operation.body) } },
              },
            }
          : {}),
        responses: {
          ...successResponses(operation),
          ...errorResponses(operation, responses, trigger.public === true),
        },
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'livedrop',
      version: '0.1.0',
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'Deployed: the HTTP API’s default stage (`cdk deploy` prints it as the ApiUrl output)',
        variables: {
          apiId: { default: 'abcdef1234', description: 'The HTTP API’s id' },
          region: { default: 'eu-central-1', description: 'The AWS region it is deployed in' },
        },
      },
      { url: 'http://localhost:3000', description: 'Local: `npm start` (PORT, default 3000)' },
    ],
    tags: TAGS,
    paths,
    components: {
      securitySchemes: SECURITY_SCHEMES,
      schemas: componentSchemas(),
      parameters: componentParameters(),
      responses,
      headers: COMPONENT_HEADERS,
    },
  };
};
