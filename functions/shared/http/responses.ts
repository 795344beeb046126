import { DomainError, RateLimited, RequestInProgress, TransientFault } from '../domain/errors.js';
import type { HttpResponse } from './types.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const INTERNAL_ERROR_CODE = 'INTERNAL';
const INTERNAL_ERROR_MESSAGE = 'Internal error.';

/** A JSON response; route headers may add to or override the defaults. */
export const jsonResponse = (
  statusCode: number,
  body: unknown,
  headers?: Readonly<Record<string, string>>,
): HttpResponse => {
  const response: HttpResponse = {
    statusCode,
    headers: { 'content-type': JSON_CONTENT_TYPE, 'cache-control': 'no-store', ...headers },
  };
  if (body !== undefined) response.body = JSON.stringify(body);
  return response;
};

/**
 * What an answer to a request sent with an Idempotency-Key adds: the key echoed, and on a replay of the first
 * answer `Idempotent-Replayed: true`.
 */
export const idempotencyHeaders = (
  idempotencyKey: string | undefined,
  replayed: boolean,
): Record<string, string> =>
  idempotencyKey === undefined
    ? {}
    : { 'idempotency-key': idempotencyKey, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) };

export const UNAVAILABLE_ERROR_CODE = 'SERVICE_UNAVAILABLE';
/** Seconds a client should wait before retrying when the store is unreachable, slow or throttling. */
export const RETRY_AFTER_SECONDS = 1;

const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/**
 * The store (or another AWS service) is unreachable, slow or throttling: the request changed nothing it
 * cannot repair (every step is a conditional write the sweep reconciles), so the client may retry, with the
 * same Idempotency-Key for a claim.
 */
export const isTransientFault = (error: unknown): boolean => {
  if (error instanceof TransientFault) return true;
  if (!(error instanceof Error)) return false;
  const fault = error as Error & {
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  return (
    TRANSIENT_NAMES.has(fault.name) ||
    (fault.code !== undefined && TRANSIENT_CODES.has(fault.code)) ||
    fault.$retryable !== undefined ||
    (fault.$metadata?.httpStatusCode ?? 0) >= 500
  );
};

/**
 * The one place errors become responses. Domain errors below 500 are shown as they are; anything else is
 * our fault and the caller learns nothing about it beyond the status (the middy `expose` rule).
 */
export const errorResponse = (error: unknown): HttpResponse => {
  if (!(error instanceof DomainError)) {
    if (isTransientFault(error)) {
      return jsonResponse(
        503,
        { error: { code: UNAVAILABLE_ERROR_CODE, message: 'The service is busy; retry shortly.' } },
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
    }
    return jsonResponse(500, { error: { code: INTERNAL_ERROR_CODE, message: INTERNAL_ERROR_MESSAGE } });
  }
  if (!error.expose) {
    return jsonResponse(error.statusCode, { error: { code: error.code, message: INTERNAL_ERROR_MESSAGE } });
  }
  const { code, message, details } = error;
  return jsonResponse(
    error.statusCode,
    details === undefined ? { error: { code, message } } : { error: { code, message, details } },
    error instanceof RateLimited || error instanceof RequestInProgress
      ? { 'retry-after': String(error.retryAfterSeconds) }
      : undefined,
  );
};

/** The error code a response was built from, for the request log line. */
export const errorCode = (error: unknown): string =>
  error instanceof DomainError
    ? error.code
    : isTransientFault(error)
      ? UNAVAILABLE_ERROR_CODE
      : INTERNAL_ERROR_CODE;
