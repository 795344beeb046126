/**
 * Request bodies of the fuzz tests: a body schema (valid bodies, required and known fields, invalid values
 * per field) and every way to break a valid body: a field, the shape, the JSON text, the bytes, the media
 * type or the size.
 */
import fc from 'fast-check';
import { jsonText, notObject, RawJson, unknownKey, withKey, without } from './values.js';

/** A request body: a JSON value still to be written, or bytes already made. */
export type Body = { json: unknown } | { raw: Buffer };

export const bodyBytes = (body: Body): Buffer =>
  'raw' in body ? body.raw : Buffer.from(jsonText(body.json));

export interface BodySchema {
  /** Valid bodies (before any break). */
  valid: fc.Arbitrary<Record<string, unknown>>;
  required: readonly string[];
  known: readonly string[];
  /** Per field, values it never accepts. */
  invalid: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  /** Breaks across fields (dealPrice >= listPrice, ...), applied to a valid body. */
  cross?: readonly ((body: Record<string, unknown>) => fc.Arbitrary<Record<string, unknown>>)[];
}

/** Ways to make JSON text unparsable, whatever it holds. */
const breakJsonText = (text: string) =>
  fc.oneof(
    fc.integer({ min: 1, max: Math.max(1, text.length - 1) }).map((at) => text.slice(0, at)),
    fc.constantFrom(
      `${text}}`,
      `${text},`,
      `${text}x`,
      `\ufeff${text}`,
      text.replace('"', "'"),
      text.replace(/}$/, ',}'),
      text.replace(/:/, ': NaN, "x":'),
      `/* c */${text}`,
      text.replace(/"([^"]*)"/, '"$1\u0001"'),
      `${text}\u0000`,
      '',
      ' ',
      '{',
      'undefined',
      `[${text}`,
    ),
  );

/** Invalid bytes outside any JSON string, so the decoded text cannot parse either. */
const binaryBody = (text: string) =>
  fc.oneof(
    fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .map((bytes) => Buffer.concat([Buffer.from([0xff]), bytes])),
    fc.constantFrom(
      Buffer.concat([Buffer.from([0xc3, 0x28]), Buffer.from(text)]),
      Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0xfe])]),
      Buffer.from(text, 'utf16le'),
    ),
  );

export const MAX_BODY_BYTES = 16 * 1024;

export interface BodyBreak {
  body: Body;
  /** Set when the break is the media type: the content-type to send instead (undefined: none). */
  media?: { contentType: string | undefined };
  what: string;
}

export const JSON_TYPES = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON',
  'application/json;charset="UTF-8"',
  'application/json ; charset=utf-8',
);

const BAD_MEDIA_TYPES = fc.constantFrom(
  undefined,
  '',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=iso-8859-1',
  'application/json; charset=utf-16',
  'application/jsonp',
  'application/vnd.api+json',
  'application/json, text/plain',
  'application/json; charset=utf-8; q=1',
  'application/*',
  '*/*',
);

/** One break of a body with this schema: a field, the shape, the text, the bytes, the media type or the size. */
export const bodyBreak = (schema: BodySchema, valid: Record<string, unknown>): fc.Arbitrary<BodyBreak> => {
  const text = jsonText(valid);
  const fields = Object.keys(schema.invalid);
  const present = schema.required.filter((key) => key in valid);
  const options: fc.WeightedArbitrary<BodyBreak>[] = [
    {
      weight: 6,
      arbitrary: fc.constantFrom(...fields).chain((field) =>
        (schema.invalid[field] as fc.Arbitrary<unknown>).map((value) => ({
          body: { json: withKey(valid, field, value) },
          what: `body.${field} invalid`,
        })),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(unknownKey(schema.known), fc.jsonValue({ maxDepth: 1 })).map(([key, value]) => ({
        body: { json: withKey(valid, key, value) },
        what: `unknown field ${JSON.stringify(key)}`,
      })),
    },
    {
      weight: 1,
      // Nested deeper than any parser should recurse for an unknown field (still under 16 KiB).
      arbitrary: fc.integer({ min: 500, max: 4_000 }).map((depth) => ({
        body: { json: withKey(valid, 'nested', new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`)) },
        what: `unknown field nested ${depth} deep`,
      })),
    },
    {
      weight: 2,
      // The field twice: JSON.parse keeps the last one, here the invalid one.
      arbitrary: fc
        .constantFrom(...fields)
        .chain((field) => (schema.invalid[field] as fc.Arbitrary<unknown>).map((value) => ({ field, value })))
        .map(({ field, value }) => ({
          body: { raw: Buffer.from(`${text.slice(0, -1)},${JSON.stringify(field)}:${jsonText(value)}}`) },
          what: `body.${field} twice, the last invalid`,
        })),
    },
    { weight: 1, arbitrary: notObject.map((json) => ({ body: { json }, what: 'body not an object' })) },
    {
      weight: 2,
      arbitrary: breakJsonText(text).map((broken) => ({
        body: { raw: Buffer.from(broken) },
        what: 'broken JSON',
      })),
    },
    { weight: 1, arbitrary: binaryBody(text).map((raw) => ({ body: { raw }, what: 'not UTF-8' })) },
    {
      weight: 2,
      arbitrary: BAD_MEDIA_TYPES.map((contentType) => ({
        body: { json: valid },
        media: { contentType },
        what: `content-type ${JSON.stringify(contentType)}`,
      })),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          { weight: 12, arbitrary: fc.integer({ min: MAX_BODY_BYTES + 1, max: 3 * MAX_BODY_BYTES }) },
          { weight: 1, arbitrary: fc.integer({ min: 1024 * 1024 + 1, max: 1024 * 1024 + 4096 }) },
        )
        .chain((size) =>
          fc.constantFrom(
            // Valid JSON padded with whitespace past the limit: only the size is wrong.
            {
              raw: Buffer.from(`${text}${' '.repeat(Math.max(0, size - Buffer.byteLength(text)))}`),
              how: 'padded',
            },
            // Fewer UTF-16 units than the limit, more UTF-8 bytes.
            {
              raw: Buffer.from(jsonText(withKey(valid, 'pad', '€'.repeat(Math.ceil(size / 3))))),
              how: 'multi-byte',
            },
          ),
        )
        .map(({ raw, how }) => ({ body: { raw }, what: `${raw.length}-byte body (${how})` })),
    },
    { weight: 1, arbitrary: fc.constant({ body: { raw: Buffer.alloc(0) }, what: 'empty body' }) },
  ];
  if (present.length > 0) {
    options.push({
      weight: 2,
      arbitrary: fc
        .constantFrom(...present)
        .map((field) => ({ body: { json: without(valid, field) }, what: `body.${field} missing` })),
    });
  }
  for (const cross of schema.cross ?? []) {
    options.push({
      weight: 1,
      arbitrary: cross(valid).map((json) => ({ body: { json }, what: 'fields contradict' })),
    });
  }
  return fc.oneof(...options);
};
