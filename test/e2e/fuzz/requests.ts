/**
 * The parts of a fuzzed request around its body: query strings the listings refuse, Idempotency-Keys, headers
 * and queries that change nothing, Host and Origin headers (who may reach the runtime) and authorizations.
 */
import fc from 'fast-check';
import type { Role } from '../../../functions/shared/contract/wiring.js';
import { cut } from './client.js';
import { type Fixture, FUZZ_PRINCIPAL, PRINCIPALS, type Principal } from './fixture.js';
import { char, compact, encodeComponent, maybe, printable, withBadChar } from './values.js';

// ------------------------------------------------------------------------------------------------ queries

const base64url = (value: string) => Buffer.from(value).toString('base64url');

/** GET /deals/{dealId}/audit query strings the route refuses: limit outside 1..200, forged cursors, bad couponIds. */
export const badAuditQuery = (): fc.Arbitrary<{ query: string; what: string }> => {
  const limit = fc.oneof(
    fc.constantFrom('0', '201', '999', '-1', '1.5', 'abc', '', '+5', ' 5', '1e2', '0x10', '٣'),
    fc.integer({ min: 201, max: 999 }).map(String),
    fc.integer({ min: 1_000, max: 2 ** 40 }).map(String),
    withBadChar,
  );
  // A cursor is the base64url of a record's sort key (an instant, then an id); anything else is forged.
  const cursor = fc.oneof(
    fc.constant(''),
    printable(2_049, 2_200),
    printable(1, 60),
    printable(1, 60).map(base64url),
    fc.constantFrom('2026-11-26T20:00:00.000Z', '2026-11-26T20:00:00Z#', 'x#CLAIM#1').map(base64url),
    withBadChar,
  );
  const couponId = fc.oneof(
    fc.constant(''),
    printable(1, 40).filter((id) => !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)),
    fc.constant('01j0000000000000000000000a'),
  );
  const encode = (name: string, value: string) => `${encodeComponent(name)}=${encodeComponent(value)}`;
  return fc.oneof(
    limit.map((v) => ({ query: encode('limit', v), what: `limit ${JSON.stringify(v)}` })),
    cursor.map((v) => ({ query: encode('cursor', v), what: `cursor ${JSON.stringify(cut(v, 60))}` })),
    couponId.map((v) => ({ query: encode('couponId', v), what: `couponId ${JSON.stringify(cut(v, 60))}` })),
    fc
      .tuple(
        fc
          .string({ minLength: 1, maxLength: 10 })
          .filter((n) => !['limit', 'cursor', 'couponId'].includes(n)),
        fc.string(),
      )
      .map(([name, value]) => ({
        query: `${encode(name, value)}&limit=5`,
        what: `unknown parameter ${JSON.stringify(name)}`,
      })),
  );
};

/** GET /me/coupons query strings the route refuses (limit 1..100 as digits, a cursor of this listing). */
export const badCouponQuery = (viewerId: string) => {
  const partition = `VIEWER#${viewerId}`;
  const forged = fc.oneof(
    fc.jsonValue({ maxDepth: 1 }).filter((v) => v === null || typeof v !== 'object'),
    fc.constant({ GSI1PK: partition }),
    fc.constant({ GSI1PK: partition, GSI1SK: 'COUPON#01J0000000000000000000000' }),
    fc.constant({ PK: '', SK: '', GSI1PK: partition, GSI1SK: '' }),
    fc.constant({ PK: 'COUPON#X', SK: 'COUPON', GSI1PK: partition, GSI1SK: 7 }),
    fc.constant({ PK: 'COUPON#X', SK: 'COUPON', GSI1PK: 'VIEWER#someone-else', GSI1SK: 'COUPON#1' }),
    fc.constant({ PK: 'COUPON#X', SK: 'COUPON', GSI1PK: partition, GSI1SK: 'COUPON#1', extra: 'x' }),
    fc.record({ PK: fc.string({ maxLength: 8 }), GSI1PK: fc.constant(partition) }),
  );
  const cursor = fc.oneof(
    fc.constant(''),
    printable(2_049, 2_200),
    printable(1, 60),
    forged.map((value) => base64url(JSON.stringify(value))),
    withBadChar,
  );
  const limit = fc.oneof(
    fc.constantFrom(
      '0',
      '101',
      '999',
      '1000',
      '-1',
      '1.5',
      'abc',
      '',
      '+5',
      ' 5',
      '5 ',
      '1e2',
      '0x10',
      '٣',
      '００',
    ),
    fc.integer({ min: 101, max: 999 }).map(String),
    fc.integer({ min: 1_000, max: 2 ** 40 }).map(String),
    withBadChar,
  );
  const encode = (name: string, value: string) => `${encodeComponent(name)}=${encodeComponent(value)}`;
  return fc.oneof(
    limit.map((v) => ({ query: encode('limit', v), what: `limit ${JSON.stringify(v)}` })),
    cursor.map((v) => ({ query: encode('cursor', v), what: `cursor ${JSON.stringify(cut(v, 60))}` })),
    fc
      .tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }))
      .map(([a, b]) => ({ query: `limit=${a}&limit=${b}`, what: 'limit twice' })),
    fc
      .tuple(
        fc.string({ minLength: 1, maxLength: 10 }).filter((n) => n !== 'limit' && n !== 'cursor'),
        fc.string(),
      )
      .map(([name, value]) => ({
        query: `${encode(name, value)}&limit=5`,
        what: `unknown parameter ${JSON.stringify(name)}`,
      })),
    fc.constantFrom(
      { query: 'limit=%', what: 'limit %' },
      { query: 'limit=%zz', what: 'limit %zz' },
      { query: 'limit=%ff', what: 'limit %ff' },
      { query: 'cursor', what: 'cursor without =' },
      { query: 'limit=5&cursor=', what: 'empty cursor' },
      { query: 'LIMIT=5', what: 'LIMIT' },
    ),
  );
};

// ------------------------------------------------------------------------------------------------ headers

/** Idempotency-Key values the claim route refuses (after the parser trims surrounding spaces). */
export const badIdempotencyKey = fc.oneof(
  fc.constantFrom('', ' ', '\t', 'a b', 'a\tb', 'key with spaces'),
  printable(129, 400),
  // Bytes 0x80-0xFF travel as they are and arrive as Latin-1 characters: not printable ASCII.
  fc.tuple(printable(1, 10), char(0x80, 0xff), printable(0, 10)).map(([a, b, c]) => `${a}${b}${c}`),
  fc.tuple(printable(1, 10), printable(1, 10)).map(([a, b]) => `${a} ${b}`),
);

/** Headers that change nothing for any route: extra names, Accept, a user agent. */
export const noiseHeaders = fc
  .array(
    fc.tuple(
      fc.string({ unit: char(0x61, 0x7a), minLength: 1, maxLength: 10 }).map((name) => `x-fuzz-${name}`),
      fc.string({ unit: fc.oneof(char(0x20, 0x7e), char(0xa0, 0xff)), maxLength: 40 }),
    ),
    { maxLength: 3 },
  )
  .chain((pairs) =>
    fc
      .record({
        accept: maybe(fc.constantFrom('*/*', 'application/json', 'text/html', '')),
        'user-agent': maybe(fc.constantFrom('curl/8.5.0', 'fuzz', '')),
      })
      .map((known) => ({ ...compact(known), ...Object.fromEntries(pairs) }) as Record<string, string>),
  );

/** A query string that routes without a query schema ignore. */
export const noiseQuery = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 16 }))
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('%', 'a=%zz', '&&&', '=', 'x', 'limit=5000') },
);

// ----------------------------------------------------------------------------------- who may reach the runtime

/** Request headers that decide whether the runtime answers at all, and whether it must refuse (403). */
export interface Reach {
  headers: Record<string, string>;
  /** Why the gateway refuses the request with 403 before reading it; undefined when it may answer. */
  refused?: string;
}

/**
 * Host and Origin headers: loopback names (any case, any port) pass; a host name a page could rebind to
 * 127.0.0.1 is refused everywhere, and a page of another origin is refused by the unauthenticated stand-ins.
 */
export const reach = (opts: { origins: boolean }): fc.Arbitrary<Reach> => {
  const port = fc.option(
    fc.integer({ min: 1, max: 65_535 }).map((n) => `:${n}`),
    { nil: '' },
  );
  const loopback = fc.constantFrom('localhost', '127.0.0.1', '[::1]', 'LOCALHOST', 'LocalHost');
  const options: fc.WeightedArbitrary<Reach>[] = [
    { weight: 10, arbitrary: fc.constant({ headers: {} }) },
    {
      weight: 1,
      arbitrary: fc.tuple(loopback, port).map(([name, p]) => ({ headers: { host: `${name}${p}` } })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'evil.example',
            'localhost.evil.example',
            '127.0.0.1.nip.io',
            'localtest.me',
            '0.0.0.0',
            '127.0.0.2',
            '[::ffff:127.0.0.1]',
            '2130706433',
            'localhost.',
            'xn--localhost',
          ),
          port,
        )
        .map(([name, p]) => ({ headers: { host: `${name}${p}` }, refused: `host ${name}${p}` })),
    },
  ];
  if (opts.origins) {
    options.push(
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom('http://', 'https://'), loopback, port)
          .map(([scheme, name, p]) => ({ headers: { origin: `${scheme}${name}${p}` } })),
      },
      {
        weight: 2,
        arbitrary: fc
          .constantFrom(
            'https://evil.example',
            'null',
            'http://localhost.evil.example',
            'http://127.0.0.1.nip.io:3000',
            'http://localhost:3000/',
            'file://',
            'chrome-extension://abcdef',
            '',
          )
          .map((origin) => ({ headers: { origin }, refused: `origin ${JSON.stringify(origin)}` })),
      },
    );
  }
  return fc.oneof(...options);
};

// ------------------------------------------------------------------------------------------------ tokens

export interface AuthChoice {
  header?: string;
  label: string;
}

/** A valid token of `who`, with the scheme spelled any way the authorizer accepts (API Gateway: optional). */
export const goodAuth = (fixture: Fixture, who: readonly Principal[]): fc.Arbitrary<AuthChoice> =>
  fc
    .tuple(
      fc.constantFrom(...who),
      fc.constantFrom('Bearer ', 'bearer ', 'BEARER ', 'Bearer  ', 'Bearer\t', ''),
    )
    .map(([principal, scheme]) => ({
      header: `${scheme}${fixture.tokens[principal]}`,
      label: `${JSON.stringify(scheme)} <${principal} (${PRINCIPALS[principal]})>`,
    }));

/** An authorization the gateway refuses for a route admitting `roles`: wrong role, bad token, none. */
export const badAuth = (fixture: Fixture, roles: readonly Role[]): fc.Arbitrary<AuthChoice> => {
  const others = (Object.keys(FUZZ_PRINCIPAL) as Role[]).filter((role) => !roles.includes(role));
  const options: fc.Arbitrary<AuthChoice>[] = [
    fc.constantFrom(...Object.keys(fixture.badTokens)).map((what) => ({
      header: `Bearer ${fixture.badTokens[what]}`,
      label: `Bearer <${what} token>`,
    })),
    fc.constantFrom<AuthChoice>(
      { label: '(none)' },
      { header: '', label: '(empty)' },
      { header: 'Bearer', label: 'Bearer' },
      { header: 'Bearer ', label: 'Bearer ' },
      { header: `Basic ${fixture.tokens['admin-1']}`, label: 'Basic <admin-1 token>' },
      { header: `Bearer ${fixture.tokens['admin-1']} x`, label: 'Bearer <admin-1 token> x' },
      { header: `Bearer ${fixture.tokens['admin-1']}.x`, label: 'Bearer <admin-1 token>.x' },
      { header: `Bearer ${fixture.tokens['admin-1']}, Bearer x`, label: 'Bearer <admin-1 token>, Bearer x' },
    ),
    fc
      .string({ unit: fc.oneof(char(0x21, 0x7e), char(0xa0, 0xff)), minLength: 1, maxLength: 300 })
      .map((junk) => ({ header: `Bearer ${junk}`, label: `Bearer ${JSON.stringify(junk)}` })),
  ];
  if (others.length > 0) {
    options.push(
      fc.constantFrom(...others).map((role) => ({
        header: `Bearer ${fixture.tokens[FUZZ_PRINCIPAL[role]]}`,
        label: `Bearer <${FUZZ_PRINCIPAL[role]} (${role}, not admitted)>`,
      })),
    );
  }
  return fc.oneof(...options);
};
