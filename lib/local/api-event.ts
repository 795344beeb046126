import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type { HttpTrigger } from '../../functions/shared/contract/wiring.js';
import type { VerifiedClaims } from './issuer.js';

/** A wiring route as a matcher: `/deals/{dealId}/claims` -> /^\/deals\/([^/]+)\/claims$/ with its names. */
export interface CompiledRoute {
  routeKey: string;
  trigger: HttpTrigger;
  target: string;
  match(path: string): Record<string, string> | undefined;
}

export const compileRoute = (target: string, trigger: HttpTrigger): CompiledRoute => {
  const names: string[] = [];
  const source = trigger.path
    .split('/')
    .map((part) => {
      const name = /^\{(.+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/]+)';
    })
    .join('/');
  const pattern = new RegExp(`^${source}$`);
  return {
    routeKey: `${trigger.method} ${trigger.path}`,
    trigger,
    target,
    match: (path) => {
      const found = pattern.exec(path);
      if (!found) return undefined;
      const parameters: Record<string, string> = {};
      names.forEach((name, i) => {
        parameters[name] = decodeURIComponent(found[i + 1] ?? '');
      });
      return parameters;
    },
  };
};

export interface IncomingRequest {
  method: string;
  path: string;
  rawQueryString: string;
  headers: Record<string, string>;
  body: Buffer;
  sourceIp: string;
}

/**
 * The API Gateway HTTP API payload v2 event the deployed function would receive for this request, with the
 * JWT authorizer's output where AWS puts it: claims as strings, the token's scopes as a list. A public route
 * (no authorizer, `claims` undefined) gets no `authorizer` at all, as in AWS.
 */
export const toApiGatewayEvent = (
  route: CompiledRoute,
  pathParameters: Record<string, string>,
  request: IncomingRequest,
  claims: VerifiedClaims | undefined,
): APIGatewayProxyEventV2WithJWTAuthorizer => {
  const now = Date.now();
  const query = new URLSearchParams(request.rawQueryString);
  // fromEntries defines own properties, so even a parameter named __proto__ arrives, as in API Gateway.
  const queryStringParameters: Record<string, string> = Object.fromEntries(
    [...new Set(query.keys())].map((name) => [name, query.getAll(name).join(',')]),
  );
  const stringClaims: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims ?? {})) {
    stringClaims[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const text = request.body.toString('utf8');
  const binary = request.body.length > 0 && !Buffer.from(text, 'utf8').equals(request.body);
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: request.path,
    rawQueryString: request.rawQueryString,
    headers: request.headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      ...(claims === undefined
        ? {}
        : {
            authorizer: {
              principalId: '',
              integrationLatency: 0,
              jwt: {
                claims: stringClaims,
                scopes: typeof claims.scope === 'string' ? claims.scope.split(' ') : [],
              },
            },
          }),
      domainName: request.headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      // A public route's event has no authorizer, which this type (the JWT routes') does not foresee.
    } as APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'],
    ...(request.body.length > 0
      ? { body: binary ? request.body.toString('base64') : text, isBase64Encoded: binary }
      : { isBase64Encoded: false }),
  };
};

/** The Lambda context a function gets, with its configured timeout. */
export const lambdaContext = (functionName: string, timeoutMs: number, memoryMb: number): Context => {
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
