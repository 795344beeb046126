/**
 * fast-check building blocks of invalid values: numbers, identifiers, ULIDs, instants and path segments that
 * no field or parameter accepts, and the helpers that put them into objects.
 */
import fc from 'fast-check';

/** A JSON literal written as is (numbers JSON.stringify cannot produce, such as 1e400). */
export class RawJson {
  constructor(readonly text: string) {}
  toJSON(): string {
    return `\u0000raw:${this.text}\u0000`;
  }
}

/** JSON text of a value that may hold RawJson literals. */
export const jsonText = (value: unknown): string =>
  (JSON.stringify(value) ?? 'null').replace(/"\\u0000raw:(.*?)\\u0000"/g, (_, text: string) => text);

export const char = (min: number, max: number) =>
  fc.integer({ min, max }).map((code) => String.fromCharCode(code));

/** Printable ASCII without space: what identifiers allow. */
export const printable = (minLength: number, maxLength: number) =>
  fc.string({ unit: char(0x21, 0x7e), minLength, maxLength });

/** Characters no identifier allows: spaces, controls, non-ASCII, a lone surrogate. */
const badChar = fc.oneof(
  fc.constantFrom(
    ' ',
    '\t',
    '\n',
    '\r',
    '\u0000',
    '\u001f',
    '\u007f',
    '\u00a0',
    '\u00e9',
    '€',
    '\u200b',
    '\u202e',
    '\ufeff',
    '😀',
    '\ud800',
    'İ',
    '中',
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }).filter((s) => /[^\x21-\x7e]/.test(s)),
);

/** A string that is not printable ASCII: some printable text around at least one bad character. */
export const withBadChar = fc
  .tuple(printable(0, 12), badChar, printable(0, 12))
  .map(([before, bad, after]) => `${before}${bad}${after}`);

/** Any JSON value but a string (and JSON literals of numbers JavaScript cannot hold). */
export const notString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constantFrom(new RawJson('1e400'), new RawJson('-0')),
);

/** Any JSON value but a number. */
const notNumber = fc.oneof(
  fc.constantFrom('1', '5', '1e3', '', ' 5', '0x10', 'NaN', 'Infinity'),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** Never an integer in min..max: below, above, fractional, huge, unsafe, Infinity, another type. */
export const badInt = (min: number, max: number) =>
  fc.oneof(
    fc.integer({ min: -(2 ** 53) + 1, max: min - 1 }),
    fc.integer({ min: max + 1, max: 2 ** 53 - 1 }),
    fc
      .double({ min: min - 1, max: max + 1, noNaN: true, noDefaultInfinity: true })
      .filter((n) => !Number.isInteger(n)),
    fc.constantFrom(
      1e21,
      -1e21,
      1e300,
      Number.MAX_SAFE_INTEGER + 2,
      -(2 ** 63),
      0.5,
      min - 0.000001,
      max + 0.5,
      new RawJson('1e400'),
      new RawJson('-1e400'),
      // Fractions a double still holds (1e12 + 1e-10 would read as 1e12).
      new RawJson(`${max}.5`),
      new RawJson(`${min}.000001`),
      new RawJson('123456789012345678901234567890'),
    ),
    notNumber,
  );

/** Never a valid identifier of at most `max` printable ASCII characters. */
export const badIdentifier = (max: number) =>
  fc.oneof(notString, fc.constant(''), withBadChar, printable(max + 1, max + 40));

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Never a ULID; `reals` adds misspellings of real ids (lower case, I/L/O/U, one character short or long). */
export const badUlidValue = (reals: readonly string[]) =>
  fc.oneof(
    printable(1, 40).filter((s) => !ULID.test(s)),
    withBadChar,
    fc.constant(''),
    ...(reals.length === 0
      ? []
      : [
          fc
            .constantFrom(...reals)
            .chain((id) =>
              fc.constantFrom(
                id.toLowerCase(),
                `${id.slice(0, 25)}I`,
                `${id.slice(0, 25)}U`,
                `L${id.slice(1)}`,
                id.slice(1),
                `${id}0`,
                ` ${id}`,
                `${id}\n`,
              ),
            ),
        ]),
  );

/** A valid ULID that names nothing. */
const unknownUlid = (reals: readonly string[]) => fc.ulid().filter((id) => !reals.includes(id));

/** An ISO 8601 instant `ms` written at a UTC offset of `offsetMinutes` (as an organiser would write it). */
export const isoAt = (ms: number, offsetMinutes: number): string => {
  const wall = new Date(ms + offsetMinutes * 60_000).toISOString().replace(/\.\d{3}Z$/, '');
  if (offsetMinutes === 0) return `${wall}Z`;
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${wall}${offsetMinutes < 0 ? '-' : '+'}${hh}:${mm}`;
};

/** A JSON value that is not an object: what no body schema accepts. */
export const notObject = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)),
  fc.constantFrom(new RawJson('1e400'), new RawJson('[]'), new RawJson('""')),
);

/** Names no body schema knows (including ones that matter to JavaScript objects). */
export const unknownKey = (known: readonly string[]) =>
  fc
    .oneof(
      fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ', 'x'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
      fc.constantFrom(...known).map((k) => k.toUpperCase()),
      fc.constantFrom(...known).map((k) => `${k} `),
    )
    .filter((key) => !known.includes(key));

/** Sets an own enumerable property even for `__proto__`. */
export const withKey = (
  object: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> => {
  const copy = { ...object };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
};

export const without = (object: Record<string, unknown>, key: string): Record<string, unknown> => {
  const { [key]: _, ...rest } = object;
  return rest;
};

/** Drops the keys whose value is undefined (optional fields not chosen). */
export const compact = (object: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));

export const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 2 });

// ---------------------------------------------------------------------------------------------- path segments

const hex = (bytes: Buffer, lower: boolean) =>
  [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).map((s) => (lower ? s : s.toUpperCase()));

/** encodeURIComponent, with a lone surrogate (which it refuses) encoded as its WTF-8 bytes: not UTF-8. */
export const encodeComponent = (value: string): string =>
  value
    .split(/([\ud800-\udfff])/)
    .map((part) => {
      if (part.length !== 1 || part < '\ud800' || part > '\udfff') return encodeURIComponent(part);
      const code = part.charCodeAt(0);
      return hex(
        Buffer.from([0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]),
        false,
      ).join('');
    })
    .join('');

/** A value as a path segment: encodeURIComponent, or every byte percent-encoded (upper or lower hex). */
export const encodeSegment = (value: string, mode: number): string => {
  if (mode === 1) return hex(Buffer.from(value, 'utf8'), false).join('');
  if (mode === 2) return hex(Buffer.from(value, 'utf8'), true).join('');
  return encodeComponent(value);
};
const encodeMode = fc.constantFrom(0, 0, 0, 1, 2);
const encoded = (values: fc.Arbitrary<string>) =>
  fc.tuple(values, encodeMode).map(([value, mode]) => encodeSegment(value, mode));

/**
 * Path segments that fail for any parameter: they re-route (dot segments), are not valid percent-encoding,
 * decode to something no parameter allows, or are longer than any parameter may be.
 */
export const oddSegment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('..', '.', '%2e%2e', '%2E%2E', '.%2e', '%2e', '') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '%',
      '%2',
      '%zz',
      '%E0%A4',
      '%C0%AF',
      '%ED%A0%80',
      '%FF',
      '%F4%90%80%80',
      'a%',
    ),
  },
  { weight: 4, arbitrary: encoded(withBadChar) },
  { weight: 1, arbitrary: fc.constantFrom('%00', '%20', '%0A', '%7F', '%C2%A0', 'a%20b') },
  { weight: 2, arbitrary: encoded(printable(257, 1_200)) },
  // Raw UTF-8 bytes, as curl sends a path it was given unencoded.
  {
    weight: 1,
    arbitrary: withBadChar
      .filter((s) => !/[\0-\x20\x7f]/.test(s))
      .map((s) => Buffer.from(s).toString('latin1')),
  },
  // A request line beyond the server's 16 KiB header limit.
  { weight: 1, arbitrary: fc.integer({ min: 17_000, max: 20_000 }).map((n) => 'A'.repeat(n)) },
);

/** Segments for a ULID parameter that never name an existing resource. */
export const badUlidSegment = (reals: readonly string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: oddSegment },
    { weight: 3, arbitrary: encoded(badUlidValue(reals)) },
    { weight: 2, arbitrary: unknownUlid(reals) },
  );

/** Segments for an identifier parameter (streamId, galaId) that it never accepts. */
export const badIdentifierSegment = (max: number) =>
  fc.oneof(
    { weight: 3, arbitrary: oddSegment },
    { weight: 3, arbitrary: encoded(withBadChar) },
    { weight: 1, arbitrary: encoded(printable(max + 1, max + 100)) },
  );

/** The spellings checkout may use for a code: case, dashes, O/I/L for 0/1/1. */
export const codeSpellings = (code: string) =>
  fc.constantFrom(
    code,
    code.toLowerCase(),
    code.replaceAll('-', ''),
    code.replaceAll('0', 'O').replaceAll('1', 'I'),
    code.replaceAll('1', 'l').toLowerCase(),
    `-${code}-`,
  );

/** Codes that name no coupon: misshapen, too long, not printable, or well-formed but unknown. */
export const badCodeSegment = (reals: readonly string[]) => {
  const crockford = char(0, 31).map((c) => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[c.charCodeAt(0)] ?? '0');
  const normalized = new Set(reals.map((code) => code.replaceAll('-', '').toUpperCase()));
  return fc.oneof(
    { weight: 3, arbitrary: oddSegment },
    { weight: 2, arbitrary: encoded(fc.oneof(withBadChar, printable(65, 200))) },
    {
      weight: 3,
      arbitrary: fc
        .string({ unit: crockford, minLength: 16, maxLength: 16 })
        .filter((code) => !normalized.has(code))
        .map((code) => code.match(/.{4}/g)?.join('-') ?? code),
    },
    { weight: 1, arbitrary: encoded(printable(1, 64).filter((code) => !normalized.has(code.toUpperCase()))) },
  );
};
