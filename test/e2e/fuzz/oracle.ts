/**
 * The oracle of the fuzz tests: the documented error codes with their statuses (read from the
 * documentation itself, by `documentedCodes` alone), and the judge of every answer to an invalid request.
 */

import { readFileSync } from 'node:fs';
import { GATEWAY_MESSAGES } from '../../../lib/local/gateway.js';
import { cut, type FuzzReply, type FuzzRequest } from './client.js';

/**
 * docs/api.md "Errors", read from the docs so the oracle is the documentation: every code an error may
 * carry, with its status.
 */
const documentedCodes = (): Readonly<Record<string, number>> => {
  const readme = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Errors'),
    readme.indexOf('\n## ', readme.indexOf('## Errors')),
  );
  const codes: Record<string, number> = {};
  for (const [, status, code] of section.matchAll(/^\|\s*(\d{3})\s*\|\s*`([A-Z_]+)`\s*\|/gm)) {
    codes[code as string] = Number(status);
  }
  if (codes.VALIDATION_FAILED !== 400 || Object.keys(codes).length < 10) {
    throw new Error(`the error table of docs/api.md did not parse: ${JSON.stringify(codes)}`);
  }
  return codes;
};
export const DOCUMENTED_CODES = documentedCodes();

/**
 * Statuses the gateway itself may answer on any route: bad percent-encoding, tokens, scopes, a host name that
 * is not a loopback one, > 10 MiB, request line and headers over API Gateway's 10 KiB.
 */
const GATEWAY_STATUSES = [400, 401, 403, 413, 431];

// ------------------------------------------------------------------------------------------------ the judge

export interface Problem {
  /** Groups problems of one kind: `5xx`, `undocumented code`, `store changed`, ... */
  kind: string;
  detail: string;
}

const STACK_TRACE = /\n\s+at |\.[cm]?[jt]s:\d+|node_modules|\/work\//;

/** The problems with a 4xx error body: `{ error: { code, message, details? } }`, a documented code and its status. */
export const judgeErrorBody = (reply: FuzzReply, allowed?: ReadonlySet<number>): Problem[] => {
  const problems: Problem[] = [];
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    return [
      {
        kind: `${reply.status} without a JSON error body`,
        detail: `body ${JSON.stringify(cut(reply.text, 200))}`,
      },
    ];
  }
  const keysOf = (value: unknown) => (value !== null && typeof value === 'object' ? Object.keys(value) : []);
  // API Gateway's own answers (authorizer, throttling, unknown routes) carry its body, as deployed.
  const gatewayMessage = GATEWAY_MESSAGES[reply.status as keyof typeof GATEWAY_MESSAGES];
  if (
    gatewayMessage !== undefined &&
    keysOf(body).length === 1 &&
    (body as { message?: unknown }).message !== undefined
  ) {
    return (body as { message: unknown }).message === gatewayMessage
      ? []
      : [{ kind: `${reply.status} with a gateway body not API Gateway's`, detail: cut(reply.text, 300) }];
  }
  const error = (body as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  if (
    error === undefined ||
    error === null ||
    typeof error !== 'object' ||
    keysOf(body).length !== 1 ||
    typeof error.code !== 'string' ||
    typeof error.message !== 'string' ||
    error.message === '' ||
    keysOf(error).some((key) => !['code', 'message', 'details'].includes(key))
  ) {
    return [{ kind: `${reply.status} with a malformed error body`, detail: cut(reply.text, 300) }];
  }
  const code = error.code;
  const documented = DOCUMENTED_CODES[code];
  if (documented === undefined) {
    problems.push({ kind: `undocumented code ${code}`, detail: cut(reply.text, 300) });
  } else if (documented !== reply.status) {
    problems.push({ kind: `${code} answered with ${reply.status}`, detail: cut(reply.text, 300) });
  } else if (
    allowed &&
    code !== 'NOT_FOUND' &&
    !allowed.has(reply.status) &&
    !GATEWAY_STATUSES.includes(reply.status)
  ) {
    problems.push({
      kind: `${reply.status} ${code} not in this route's OpenAPI responses`,
      detail: cut(reply.text, 300),
    });
  }
  if (STACK_TRACE.test(reply.text))
    problems.push({ kind: 'internals in an error body', detail: cut(reply.text, 300) });
  const contentType = String(reply.headers['content-type'] ?? '');
  if (!contentType.startsWith('application/json')) {
    problems.push({
      kind: `error body served as ${JSON.stringify(contentType)}`,
      detail: cut(reply.text, 100),
    });
  }
  return problems;
};

/** An HTTP route's answer to an invalid request: a documented 4xx, nothing else. */
export const judgeRouteReply = (
  request: FuzzRequest,
  reply: FuzzReply,
  allowed?: ReadonlySet<number>,
): Problem[] => {
  if (reply.failure) return [{ kind: 'no answer', detail: reply.failure }];
  if (reply.status >= 500) return [{ kind: `${reply.status}`, detail: cut(reply.text, 300) }];
  if (reply.status < 400) {
    return [{ kind: `invalid request accepted (${reply.status})`, detail: cut(reply.text, 300) }];
  }
  if (request.method === 'HEAD') return [];
  return judgeErrorBody(reply, allowed);
};
