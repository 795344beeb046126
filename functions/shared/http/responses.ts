import { DomainError } from '../domain/errors.js';
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
 * The one place errors become responses. Domain errors below 500 are shown as they are; anything else is
 * our fault and the caller learns nothing about it beyond the status (the middy `expose` rule).
 */
export const errorResponse = (error: unknown): HttpResponse => {
  if (!(error instanceof DomainError)) {
    return jsonResponse(500, { error: { code: INTERNAL_ERROR_CODE, message: INTERNAL_ERROR_MESSAGE } });
  }
  if (!error.expose) {
    return jsonResponse(error.statusCode, { error: { code: error.code, message: INTERNAL_ERROR_MESSAGE } });
  }
  const { code, message, details } = error;
  return jsonResponse(
    error.statusCode,
    details === undefined ? { error: { code, message } } : { error: { code, message, details } },
  );
};

/** The error code a response was built from, for the request log line. */
export const errorCode = (error: unknown): string =>
  error instanceof DomainError ? error.code : INTERNAL_ERROR_CODE;
