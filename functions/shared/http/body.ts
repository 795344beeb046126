import { PayloadTooLarge, UnsupportedMediaType, ValidationFailed } from '../domain/errors.js';
import type { HttpEvent } from './types.js';

/** Largest accepted request body, in bytes after base64 decoding. Our biggest body (a deal) is well under 1 KiB. */
export const MAX_BODY_BYTES = 16 * 1024;

/** application/json, optionally with charset=utf-8 (any case, optionally quoted); nothing else. */
const JSON_MEDIA_TYPE = /^\s*application\/json\s*(?:;\s*charset\s*=\s*(?:utf-8|"utf-8")\s*)?$/i;

export const isJsonContentType = (value: string | undefined): boolean =>
  value !== undefined && JSON_MEDIA_TYPE.test(value);

const tooLarge = (): PayloadTooLarge => new PayloadTooLarge(MAX_BODY_BYTES);

/** The body as text, refusing it before decoding or parsing when it is over the limit. */
const bodyText = (raw: string, isBase64Encoded: boolean): string => {
  if (isBase64Encoded) {
    const bytes = Buffer.from(raw, 'base64');
    if (bytes.length > MAX_BODY_BYTES) throw tooLarge();
    return bytes.toString('utf8');
  }
  // A UTF-16 code unit is at least one UTF-8 byte, so a long string is too large without counting.
  if (raw.length > MAX_BODY_BYTES || Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw tooLarge();
  return raw;
};

/**
 * The JSON value of a request body. Checks run cheapest first: presence, media type, size, then the parse.
 * `contentType` is the request's content-type header value.
 */
export const readJsonBody = (event: HttpEvent, contentType: string | undefined): unknown => {
  const raw = event.body;
  if (raw === undefined || raw === null || raw === '') {
    throw new ValidationFailed([{ field: 'body', message: 'A JSON body is required.' }]);
  }
  if (!isJsonContentType(contentType)) throw new UnsupportedMediaType();
  const text = bodyText(raw, event.isBase64Encoded === true);
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message quotes the input; a fixed message is enough for the caller.
    throw new ValidationFailed([{ field: 'body', message: 'Must be valid JSON.' }]);
  }
};
