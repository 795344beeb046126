/**
 * Support for the fuzz test (test/e2e/fuzz.test.ts): the runtime in-process with real resources to aim at, a raw
 * HTTP client (node:http, so paths, headers and bodies go out byte for byte, unlike fetch), store snapshots,
 * the judge of every answer, and the fast-check building blocks of invalid requests.
 *
 * Every generated request is invalid in at least one way (a bad token, path, query, header or body, or a
 * well-formed request the engine refuses by its rules), so none of them may change the store.
 */
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Logger } from '@aws-lambda-powertools/logger';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { generateKeyPair, SignJWT } from 'jose';
import { TABLE } from '../../functions/shared/contract/table-definition.js';
import { type Role, scopeOf } from '../../functions/shared/contract/wiring.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../lib/local/issuer.js';
import { type Runtime, startRuntime } from '../../lib/local/runtime.js';

// ------------------------------------------------------------------------------------------ documented errors

/**
 * docs/api.md "Errors", read from the docs so the oracle is the documentation: every code an error may
 * carry, with its status.
 */
const documentedCodes = (): Readonly<Record<string, number>> => {
  const readme = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Errors'),
    readme.indexOf('\n## ', readme.indexOf('## Errors')),
  );
  const codes: Record<string, number> = {};
  for (const [, status, code] of section.matchAll(/^\|\s*(\d{3})\s*\|\s*`([A-Z_]+)`\s*\|/gm)) {
    codes[code as string] = Number(status);
  }
  if (codes.VALIDATION_FAILED !== 400 || Object.keys(codes).length < 10) {
    throw new Error(`the README's error table did not parse: ${JSON.stringify(codes)}`);
  }
  return codes;
};
export const DOCUMENTED_CODES = documentedCodes();

/**
 * Statuses the gateway itself may answer on any route: bad percent-encoding, tokens, scopes, a host name that
 * is not a loopback one, > 1 MiB, request line and headers over API Gateway's 10 KiB.
 */
const GATEWAY_STATUSES = [400, 401, 403, 413, 431];

// ---------------------------------------------------------------------------------------------- HTTP client

export interface FuzzRequest {
  method: string;
  /** The request-target exactly as sent (path and query): bytes 0x21-0xFF, already percent-encoded. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Sent chunked (no content-length). */
  chunked?: boolean;
  /** What makes it invalid, for the report. */
  breaks: string[];
  /** Which token the authorization header carries, for the report (tokens are long and opaque). */
  authLabel: string;
}

export interface FuzzReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** No answer at all: a transport error or a timeout. */
  failure?: string;
  ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 2 });

/** One request over node:http; never rejects (no answer is a reply with `failure`). */
export const send = (port: number, request: FuzzRequest, timeoutMs: number): Promise<FuzzReply> => {
  const started = performance.now();
  const attempt = (retry: boolean): Promise<FuzzReply> =>
    new Promise((resolve) => {
      const headers: Record<string, string> = { ...request.headers };
      // Framed explicitly: Node sends a GET or DELETE body written without either header unframed.
      if (request.body !== undefined) {
        if (request.chunked) headers['transfer-encoding'] = 'chunked';
        else headers['content-length'] = String(request.body.length);
      }
      let settled = false;
      const done = (reply: Omit<FuzzReply, 'ms'>) => {
        if (settled) return;
        settled = true;
        resolve({ ...reply, ms: Math.round(performance.now() - started) });
      };
      let req: ReturnType<typeof httpRequest>;
      try {
        req = httpRequest(
          { host: '127.0.0.1', port, method: request.method, path: request.target, headers, agent },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              done({
                status: res.statusCode ?? 0,
                headers: res.headers,
                text: Buffer.concat(chunks).toString(),
              }),
            );
            res.on('error', (error) =>
              done({ status: 0, headers: {}, text: '', failure: `response: ${String(error)}` }),
            );
          },
        );
      } catch (error) {
        // The generator produced something node:http refuses to send: a bug of this test, not of livedrop.
        throw new Error(`unsendable request ${describeRequest(request)}: ${String(error)}`);
      }
      req.setTimeout(timeoutMs, () => {
        req.destroy(new Error(`no answer within ${timeoutMs} ms`));
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return;
        // A kept-alive socket the server closed meanwhile: try once on a fresh one, as Node's docs advise.
        if (retry && req.reusedSocket && error.code === 'ECONNRESET') {
          settled = true;
          resolve(attempt(false));
          return;
        }
        done({ status: 0, headers: {}, text: '', failure: String(error) });
      });
      if (request.body !== undefined && request.body.length > 0) req.write(request.body);
      req.end();
    });
  return attempt(true);
};

/** One line a human can replay: method, target, headers (token by label), body (long ones cut). */
export const describeRequest = (request: FuzzRequest): string => {
  const headers = Object.entries(request.headers).map(([name, value]) =>
    name === 'authorization'
      ? `${name}: ${request.authLabel}`
      : `${name}: ${JSON.stringify(cut(value, 120))}`,
  );
  const body =
    request.body === undefined
      ? ''
      : ` body(${request.body.length} bytes${request.chunked ? ', chunked' : ''}): ${JSON.stringify(
          cut(request.body.toString('latin1'), 400),
        )}`;
  return `${request.method} ${cut(request.target, 300)} [${headers.join('; ')}]${body}`;
};

const cut = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;

// ----------------------------------------------------------------------------------------------- the store

/** The whole table, item by item in a canonical JSON form, keyed by `PK | SK`. */
export type Snapshot = Map<string, string>;

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    // String and number sets have no order.
    return Object.fromEntries(
      entries.map(([k, v]) => [
        k,
        (k === 'SS' || k === 'NS') && Array.isArray(v) ? [...v].sort() : canonical(v),
      ]),
    );
  }
  return value;
};

const RATE_PREFIX = 'RATE#';
/** Every rate-limit window seen in a snapshot, so the summary can report that counting happened. */
export const rateWindows = new Set<string>();

export const snapshotStore = async (client: DynamoDBClient, tableName: string): Promise<Snapshot> => {
  const items: Snapshot = new Map();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) {
      const pk = item[TABLE.partitionKey.name]?.S ?? '?';
      const sk = item[TABLE.sortKey.name]?.S ?? '?';
      // Rate-limit windows count refused requests on purpose (an unknown code still counts against the
      // viewer, or walking codes would cost nothing); they are counters that expire, not deal state.
      if (pk.startsWith(RATE_PREFIX)) {
        rateWindows.add(`${pk} | ${sk}`);
        continue;
      }
      items.set(`${pk} | ${sk}`, JSON.stringify(canonical(item)));
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
};

/** What changed between two snapshots, one line per item: `+` added, `-` removed, `~` changed. */
export const diffSnapshots = (before: Snapshot, after: Snapshot): string[] => {
  const lines: string[] = [];
  for (const [key, value] of after) {
    const old = before.get(key);
    if (old === undefined) lines.push(`+ ${key}: ${cut(value, 300)}`);
    else if (old !== value) lines.push(`~ ${key}: ${cut(old, 300)} -> ${cut(value, 300)}`);
  }
  for (const key of before.keys()) if (!after.has(key)) lines.push(`- ${key}`);
  return lines;
};

// -------------------------------------------------------------------------------------------------- logs

/**
 * The functions log through Powertools straight to process.stdout and process.stderr (errors), one JSON record
 * per line. During the fuzz run those lines are taken off both streams (thousands of them would drown the
 * test output); ERROR records are kept, so a 5xx can be reported with the error behind it.
 */
export class LogTap {
  readonly errors: string[] = [];
  private readonly originals = new Map<NodeJS.WriteStream, typeof process.stdout.write>();

  start(): void {
    for (const stream of [process.stdout, process.stderr]) {
      if (this.originals.has(stream)) continue;
      const original = stream.write;
      this.originals.set(stream, original);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        const text =
          typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString() : undefined;
        if (text?.startsWith('{"level":')) {
          for (const line of text.split('\n'))
            if (line.startsWith('{"level":"ERROR"')) this.errors.push(line);
          const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
          callback?.();
          return true;
        }
        return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
      }) as typeof process.stdout.write;
    }
  }

  stop(): void {
    for (const [stream, original] of this.originals) stream.write = original;
    this.originals.clear();
  }

  /** The ERROR records since `mark` (an earlier `errors.length`), shortened to name, message and place. */
  since(mark: number): string[] {
    return this.errors.slice(mark).map((line) => {
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        const error = record.error as Record<string, unknown> | undefined;
        return [record.message, error?.name, error?.message, error?.location]
          .filter((part) => typeof part === 'string')
          .join(' | ');
      } catch {
        return cut(line, 300);
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------- the fixture

/** Principals whose tokens the fuzzer uses; viewer-2 and viewer-3 only own setup coupons (a claim by them could succeed). */
export const PRINCIPALS = {
  'host-1': 'host',
  'host-2': 'host',
  'viewer-1': 'viewer',
  'viewer-2': 'viewer',
  'viewer-3': 'viewer',
  'checkout-1': 'checkout',
  'admin-1': 'admin',
} as const satisfies Record<string, Role>;
export type Principal = keyof typeof PRINCIPALS;

/** The one principal per role the fuzzer signs in as (host-2 is added where a foreign host is refused). */
export const FUZZ_PRINCIPAL: Readonly<Record<Role, Principal>> = {
  viewer: 'viewer-1',
  host: 'host-1',
  checkout: 'checkout-1',
  admin: 'admin-1',
};

export interface RealDeal {
  dealId: string;
  streamId: string;
}

export interface Fixture {
  runtime: Runtime;
  port: number;
  tableName: string;
  endpoint: string;
  /** Valid tokens by principal. */
  tokens: Record<Principal, string>;
  /** Tokens the authorizer must refuse, by what is wrong with them. */
  badTokens: Record<string, string>;
  deals: {
    /** LIVE; viewer-1 holds its one coupon (perViewerLimit 1). */
    live: RealDeal;
    /** SCHEDULED, never started. */
    scheduled: RealDeal;
    ended: RealDeal;
    /** LIVE, stock 1, claimed by viewer-2 and redeemed. */
    soldOut: RealDeal;
    /** LIVE; viewer-3's coupon lapsed (claimTtlSeconds 1) with no sweep since. */
    lapsed: RealDeal;
  };
  coupons: {
    held: { code: string; viewerId: string };
    redeemed: { code: string; viewerId: string; orderId: string };
    lapsed: { code: string; viewerId: string };
  };
  galaId: string;
  drops: { scheduled: string; cancelled: string };
  /** The Idempotency-Key of viewer-1's setup claim (a replay would answer 200). */
  setupIdempotencyKey: string;
  /** Error statuses the OpenAPI description lists per route key (`POST /deals`). */
  documentedStatuses: Map<string, Set<number>>;
}

interface SetupReply {
  status: number;
  body: Record<string, unknown>;
}

const setupCall = async (
  port: number,
  method: string,
  path: string,
  token: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<SetupReply> => {
  const reply = await send(
    port,
    {
      method,
      target: path,
      headers: {
        ...headers,
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
      breaks: [],
      authLabel: 'setup',
    },
    30_000,
  );
  if (reply.failure) throw new Error(`setup ${method} ${path}: ${reply.failure}`);
  return {
    status: reply.status,
    body: reply.text ? (JSON.parse(reply.text) as Record<string, unknown>) : {},
  };
};

const expectStatus = (reply: SetupReply, status: number, what: string): Record<string, unknown> => {
  if (reply.status !== status) {
    throw new Error(
      `setup: ${what} answered ${reply.status} ${JSON.stringify(reply.body)}, expected ${status}`,
    );
  }
  return reply.body;
};

const randomKey = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;

/**
 * Starts the runtime in this process (its own embedded in-memory store, sweep once an hour so nothing moves
 * on its own) and creates what the fuzzer aims at: deals in every state, coupons held, redeemed and lapsed,
 * a scheduled and a cancelled gala price drop.
 */
export const startFixture = async (): Promise<Fixture> => {
  const runtime = await startRuntime({
    port: 0,
    data: 'memory',
    sweepSeconds: 3600,
    logger: new Logger({ serviceName: 'livedrop-fuzz', logLevel: 'ERROR' }),
  });
  const port = runtime.port;
  const tableName = process.env.TABLE_NAME;
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!tableName || !endpoint) throw new Error('the runtime did not publish TABLE_NAME / DYNAMODB_ENDPOINT');

  const mint = async (sub: string, role: Role, ttlSeconds?: number) =>
    expectStatus(
      await setupCall(port, 'POST', '/local/token', undefined, {
        sub,
        role,
        ...(ttlSeconds ? { ttlSeconds } : {}),
      }),
      200,
      `token for ${sub}`,
    ).token as string;
  const tokens = {} as Record<Principal, string>;
  for (const [sub, role] of Object.entries(PRINCIPALS)) tokens[sub as Principal] = await mint(sub, role);
  const shortLived = await mint('viewer-1', 'viewer', 1);
  const expiredAt = Date.now() + 2_100;

  const call = (
    method: string,
    path: string,
    who: Principal,
    body?: unknown,
    headers?: Record<string, string>,
  ) => setupCall(port, method, path, tokens[who], body, headers);
  const deal = async (streamId: string, extra: Record<string, unknown> = {}): Promise<RealDeal> => {
    const body = expectStatus(
      await call('POST', '/deals', 'host-1', {
        title: 'Fuzz jacket',
        sku: 'FUZZ-1',
        streamId,
        currency: 'EUR',
        listPrice: 10_000,
        dealPrice: 6_000,
        stock: 50,
        claimTtlSeconds: 86_400,
        ...extra,
      }),
      201,
      'create deal',
    );
    return { dealId: body.dealId as string, streamId };
  };
  const cue = async (dealId: string, action: string) =>
    expectStatus(await call('POST', `/deals/${dealId}/cues`, 'host-1', { action }), 200, `cue ${action}`);
  const claim = async (dealId: string, who: Principal, key?: string) =>
    expectStatus(
      await call('POST', `/deals/${dealId}/claims`, who, undefined, key ? { 'idempotency-key': key } : {}),
      201,
      `claim by ${who}`,
    );

  const galaId = 'fuzz-gala';
  const live = await deal('fuzz-stream-live', { galaId });
  await cue(live.dealId, 'start');
  const scheduled = await deal('fuzz-stream-scheduled', { galaId });
  const ended = await deal('fuzz-stream-ended');
  await cue(ended.dealId, 'start');
  await cue(ended.dealId, 'end');
  const soldOut = await deal('fuzz-stream-sold', { stock: 1 });
  await cue(soldOut.dealId, 'start');
  const lapsed = await deal('fuzz-stream-lapsed', { claimTtlSeconds: 1 });
  await cue(lapsed.dealId, 'start');

  const setupIdempotencyKey = randomKey('fuzz-setup');
  const held = await claim(live.dealId, 'viewer-1', setupIdempotencyKey);
  const sold = await claim(soldOut.dealId, 'viewer-2');
  const orderId = randomKey('fuzz-order');
  expectStatus(
    await call('POST', `/coupons/${sold.code as string}/redemptions`, 'checkout-1', {
      viewerId: 'viewer-2',
      orderId,
    }),
    200,
    'redeem',
  );
  const lapsing = await claim(lapsed.dealId, 'viewer-3');

  const inTenDays = new Date(Date.now() + 10 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const drop = async () =>
    expectStatus(
      await call('POST', `/galas/${galaId}/price-drops`, 'admin-1', {
        at: inTenDays,
        timeZone: 'Europe/Berlin',
        dealPrice: 5_000,
      }),
      201,
      'price drop',
    ).dropId as string;
  const scheduledDrop = await drop();
  const cancelledDrop = await drop();
  expectStatus(
    await call('DELETE', `/galas/${galaId}/price-drops/${cancelledDrop}`, 'admin-1'),
    200,
    'cancel drop',
  );

  // Tokens the authorizer must refuse.
  // Signed like the local issuer's tokens (RS256, its kid, its issuer and audience), by another key.
  const foreign = async (alg: 'RS256' | 'ES256') =>
    new SignJWT({ scope: scopeOf('admin'), token_use: 'access' })
      .setProtectedHeader({ alg, kid: 'livedrop-local-1', typ: 'JWT' })
      .setSubject('admin-1')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign((await generateKeyPair(alg)).privateKey);
  const [header = '', payload = '', signature = ''] = tokens['viewer-1'].split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const badTokens: Record<string, string> = {
    foreignKey: await foreign('RS256'),
    foreignKeyEs256: await foreign('ES256'),
    tamperedScope: `${header}.${b64({ ...claims, scope: scopeOf('admin') })}.${signature}`,
    algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, scope: scopeOf('admin') })}.`,
    wrongAudience: `${header}.${b64({ ...claims, aud: 'someone-else' })}.${signature}`,
    noSubject: `${header}.${b64({ ...claims, sub: undefined })}.${signature}`,
    truncated: tokens['admin-1'].slice(0, -7),
    expired: shortLived,
  };

  // The lapsed coupon's expiresAt and the short-lived token's exp must both be behind us.
  const wait = Math.max(expiredAt, Date.parse(lapsing.expiresAt as string) + 100) - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

  const openApi = JSON.parse(
    (
      await send(
        port,
        { method: 'GET', target: '/openapi.json', headers: {}, breaks: [], authLabel: '' },
        30_000,
      )
    ).text,
  ) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  const documentedStatuses = new Map<string, Set<number>>();
  for (const [path, operations] of Object.entries(openApi.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      documentedStatuses.set(
        `${method.toUpperCase()} ${path}`,
        new Set(Object.keys(operation.responses).map(Number)),
      );
    }
  }

  return {
    runtime,
    port,
    tableName,
    endpoint,
    tokens,
    badTokens,
    deals: { live, scheduled, ended, soldOut, lapsed },
    coupons: {
      held: { code: held.code as string, viewerId: 'viewer-1' },
      redeemed: { code: sold.code as string, viewerId: 'viewer-2', orderId },
      lapsed: { code: lapsing.code as string, viewerId: 'viewer-3' },
    },
    galaId,
    drops: { scheduled: scheduledDrop, cancelled: cancelledDrop },
    setupIdempotencyKey,
    documentedStatuses,
  };
};

export const storeClient = (fixture: Fixture) =>
  new DynamoDBClient({
    endpoint: fixture.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

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
  const error = (body as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  const keysOf = (value: unknown) => (value !== null && typeof value === 'object' ? Object.keys(value) : []);
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

/** Counts of what was sent and answered, and every problem once per kind with its shortest request. */
export class Tally {
  requests = 0;
  fiveHundreds = 0;
  /** Checks of the store that found it changed. */
  storeChanges = 0;
  readonly codes = new Map<string, number>();
  readonly problems = new Map<string, { count: number; request: string; detail: string; logs: string[] }>();

  count(code: string): void {
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
  }

  /** Counts the reply's status and error code (or `<status>` when it has none). */
  countReply(reply: FuzzReply): void {
    this.requests++;
    if (reply.status >= 500) this.fiveHundreds++;
    if (reply.failure) {
      this.count('no answer');
      return;
    }
    let code: string | undefined;
    try {
      const parsed = JSON.parse(reply.text) as { error?: { code?: unknown } };
      if (typeof parsed?.error?.code === 'string') code = parsed.error.code;
    } catch {
      // counted by status
    }
    this.count(code ? `${reply.status} ${code}` : `${reply.status}`);
  }

  add(family: string, problems: readonly Problem[], request: FuzzRequest, logs: string[]): void {
    for (const problem of problems) {
      const key = `${family}: ${problem.kind}`;
      const text = describeRequest(request);
      const seen = this.problems.get(key);
      if (!seen) this.problems.set(key, { count: 1, request: text, detail: problem.detail, logs });
      else {
        seen.count++;
        if (text.length < seen.request.length)
          Object.assign(seen, { request: text, detail: problem.detail, logs });
      }
    }
  }

  /** Problems whose key starts with `family`, as readable lines. */
  report(family?: string): string[] {
    return [...this.problems]
      .filter(([key]) => family === undefined || key.startsWith(`${family}: `))
      .map(
        ([key, p]) =>
          `${key} (x${p.count})\n    request: ${p.request}\n    answer:  ${p.detail}` +
          (p.logs.length > 0 ? `\n    logged:  ${p.logs.slice(0, 3).join('\n             ')}` : ''),
      );
  }
}

// ------------------------------------------------------------------------------------- arbitraries: values

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

const char = (min: number, max: number) => fc.integer({ min, max }).map((code) => String.fromCharCode(code));

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
const withBadChar = fc
  .tuple(printable(0, 12), badChar, printable(0, 12))
  .map(([before, bad, after]) => `${before}${bad}${after}`);

/** Any JSON value but a string (and JSON literals of numbers JavaScript cannot hold). */
const notString = fc.oneof(
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
const badUlidValue = (reals: readonly string[]) =>
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

const TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const badCurrency = fc.oneof(
  notString,
  fc.constantFrom('eur', 'Eur', 'EURO', 'EU', '', '€', ' EUR', 'EUR ', 'E U R', 'ЕUR'),
  fc.string({ unit: char(0x41, 0x5a), minLength: 3, maxLength: 3 }).filter((c) => !CURRENCIES.has(c)),
);

const badTimeZone = fc.oneof(
  notString,
  fc
    .constantFrom(
      'Europe/Atlantis',
      'utc',
      'europe/berlin',
      'GMT+1',
      '+01:00',
      '',
      'CEST',
      'Europe/Berlin ',
      'Mars/Olympus',
    )
    .filter((zone) => !TIME_ZONES.has(zone)),
  withBadChar,
);

/** An ISO 8601 instant `ms` written at a UTC offset of `offsetMinutes` (as an organiser would write it). */
export const isoAt = (ms: number, offsetMinutes: number): string => {
  const wall = new Date(ms + offsetMinutes * 60_000).toISOString().replace(/\.\d{3}Z$/, '');
  if (offsetMinutes === 0) return `${wall}Z`;
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${wall}${offsetMinutes < 0 ? '-' : '+'}${hh}:${mm}`;
};

const offsets = fc.constantFrom(0, 60, 120, -300, 330, 840, -720, 345);
const futureInstant = fc
  .tuple(fc.integer({ min: 2 * 3_600_000, max: 300 * 86_400_000 }), offsets)
  .map(([ahead, offset]) => isoAt(Date.now() + ahead, offset));
const pastInstant = fc
  .tuple(
    fc.integer({ min: Date.parse('1971-01-01T00:00:00Z'), max: Date.parse('2025-01-01T00:00:00Z') }),
    offsets,
  )
  .map(([ms, offset]) => isoAt(ms, offset));

const badInstant = fc.oneof(
  notString,
  fc.constantFrom(
    '2027-02-30T10:00:00Z',
    '2027-04-31T00:00:00+02:00',
    '2027-12-31T24:00:00Z',
    '2027-01-01T00:00:60Z',
    '2027-01-01',
    '2027-01-01T00:00:00',
    '2027-01-01T00:00Z',
    '2027-01-01 00:00:00Z',
    '2027-01-01T00:00:00+2400',
    '2027-01-01T00:00:00+25:00',
    '+2027-01-01T00:00:00Z',
    '10000-01-01T00:00:00Z',
    'tomorrow',
    '1893456000',
    '',
  ),
  withBadChar,
);

/** A JSON value that is not an object: what no body schema accepts. */
const notObject = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)),
  fc.constantFrom(new RawJson('1e400'), new RawJson('[]'), new RawJson('""')),
);

/** Names no body schema knows (including ones that matter to JavaScript objects). */
const unknownKey = (known: readonly string[]) =>
  fc
    .oneof(
      fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ', 'x'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
      fc.constantFrom(...known).map((k) => k.toUpperCase()),
      fc.constantFrom(...known).map((k) => `${k} `),
    )
    .filter((key) => !known.includes(key));

/** Sets an own enumerable property even for `__proto__`. */
const withKey = (object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> => {
  const copy = { ...object };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
};

const without = (object: Record<string, unknown>, key: string): Record<string, unknown> => {
  const { [key]: _, ...rest } = object;
  return rest;
};

/** Drops the keys whose value is undefined (optional fields not chosen). */
const compact = (object: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 2 });

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

// ---------------------------------------------------------------------------------------------- bodies

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

// ------------------------------------------------------------------------------------------------ schemas

const titleValid = fc
  .oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), printable(1, 200))
  .filter((t) => t.trim().length > 0 && t.trim().length <= 200);

const ivsArn = fc
  .tuple(
    fc.constantFrom('us-east-1', 'eu-west-1'),
    fc.string({ unit: char(0x61, 0x7a), minLength: 4, maxLength: 12 }),
  )
  .map(([region, id]) => `arn:aws:ivs:${region}:123456789012:channel/${id}`);

export const createDealSchema: BodySchema = {
  valid: fc
    .record({
      title: titleValid,
      sku: printable(1, 100),
      streamId: printable(1, 128),
      galaId: maybe(printable(1, 128)),
      ivsChannelArn: maybe(ivsArn),
      currency: fc.constantFrom('EUR', 'USD', 'JPY', 'GBP', 'CHF'),
      listPrice: fc.integer({ min: 2, max: 1e12 }),
      dealPriceShare: fc.double({ min: 0, max: 0.999, noNaN: true }),
      stock: fc.integer({ min: 1, max: 1_000 }),
      perViewerLimit: maybe(fc.integer({ min: 1, max: 10 })),
      claimTtlSeconds: maybe(fc.integer({ min: 1, max: 86_400 })),
      durationSeconds: maybe(fc.integer({ min: 1, max: 7 * 86_400 })),
      shards: maybe(fc.integer({ min: 1, max: 64 })),
    })
    .map(({ dealPriceShare, ...deal }) =>
      compact({
        ...deal,
        dealPrice: Math.max(1, Math.min(deal.listPrice - 1, Math.floor(deal.listPrice * dealPriceShare))),
        shards: deal.shards === undefined ? undefined : Math.min(deal.shards, deal.stock),
      }),
    ),
  required: ['title', 'sku', 'streamId', 'currency', 'listPrice', 'dealPrice', 'stock'],
  known: [
    'title',
    'sku',
    'streamId',
    'galaId',
    'ivsChannelArn',
    'currency',
    'listPrice',
    'dealPrice',
    'stock',
    'perViewerLimit',
    'claimTtlSeconds',
    'durationSeconds',
    'shards',
  ],
  invalid: {
    title: fc.oneof(
      notString,
      fc.constantFrom('', ' ', '\t\n', '\u00a0', '\ufeff', '\u2028'),
      fc.integer({ min: 201, max: 400 }).map((n) => 'a'.repeat(n)),
    ),
    sku: badIdentifier(100),
    streamId: badIdentifier(128),
    galaId: badIdentifier(128),
    ivsChannelArn: fc.oneof(
      notString,
      fc.constantFrom(
        'arn:aws:ivs:us-east-1:123456789012:channel/abc-def',
        'arn:aws:ivs:us-east-1:12345678901:channel/abc',
        'arn:aws:ivs:us-east-1:123456789012:channel/',
        'arn:aws:ivs:us-east-1:123456789012:channel/abc\n',
        'arn:aws:s3:::bucket',
        'arn:aws:ivs:US-EAST-1:123456789012:channel/abc',
      ),
      withBadChar,
    ),
    currency: badCurrency,
    listPrice: badInt(1, 1e12),
    dealPrice: badInt(1, 1e12),
    stock: badInt(1, 10_000_000),
    perViewerLimit: badInt(1, 10),
    claimTtlSeconds: badInt(1, 86_400),
    durationSeconds: badInt(1, 7 * 86_400),
    shards: badInt(1, 64),
  },
  cross: [
    (deal) => fc.constant({ ...deal, dealPrice: deal.listPrice }),
    (deal) =>
      fc.integer({ min: 1, max: 1e6 }).map((more) => ({ ...deal, dealPrice: Number(deal.listPrice) + more })),
    (deal) => fc.integer({ min: 1, max: 63 }).map((stock) => ({ ...deal, stock, shards: stock + 1 })),
  ],
};

export const CUE_ACTIONS = ['start', 'pause', 'resume', 'end', 'restock', 'extend'] as const;
export type CueAction = (typeof CUE_ACTIONS)[number];

/** A valid cue body for `action` (restock carries a quantity, extend a duration). */
export const cueBody = (action: CueAction) =>
  fc
    .record({
      quantity: fc.integer({ min: 1, max: 10_000_000 }),
      durationSeconds: fc.integer({ min: 1, max: 7 * 86_400 }),
      cueId: maybe(printable(1, 128)),
    })
    .map(({ quantity, durationSeconds, cueId }) =>
      compact({
        action,
        ...(action === 'restock' ? { quantity } : {}),
        ...(action === 'extend' ? { durationSeconds } : {}),
        cueId,
      }),
    );

export const cueSchema = (valid: fc.Arbitrary<Record<string, unknown>>): BodySchema => ({
  valid,
  required: ['action'],
  known: ['action', 'quantity', 'durationSeconds', 'cueId'],
  invalid: {
    action: fc.oneof(
      notString,
      fc.constantFrom('START', 'Start', ' start', 'start ', 'stop', '', 'ѕtart', 'restock\u0000', 'end\n'),
      withBadChar,
    ),
    quantity: badInt(1, 10_000_000),
    durationSeconds: badInt(1, 7 * 86_400),
    cueId: badIdentifier(128),
  },
  cross: [
    // quantity only with restock, durationSeconds only with extend, and each required there.
    (cue) =>
      fc
        .integer({ min: 1, max: 100 })
        .map((quantity) => (cue.action === 'restock' ? without(cue, 'quantity') : { ...cue, quantity })),
    (cue) =>
      fc
        .integer({ min: 1, max: 100 })
        .map((durationSeconds) =>
          cue.action === 'extend' ? without(cue, 'durationSeconds') : { ...cue, durationSeconds },
        ),
  ],
});

export const checkoutSchema = (valid: fc.Arbitrary<Record<string, unknown>>): BodySchema => ({
  valid,
  required: ['viewerId', 'orderId'],
  known: ['viewerId', 'orderId'],
  invalid: { viewerId: badIdentifier(256), orderId: badIdentifier(128) },
});

export const priceDropSchema = (dealIds: readonly string[]): BodySchema => ({
  valid: fc
    .record({
      at: futureInstant,
      timeZone: fc.constantFrom(
        'Europe/Berlin',
        'UTC',
        'America/New_York',
        'Asia/Kolkata',
        'Pacific/Kiritimati',
      ),
      dealIds: maybe(
        fc.uniqueArray(fc.oneof(fc.constantFrom(...dealIds), fc.ulid()), { minLength: 1, maxLength: 5 }),
      ),
      price: fc.oneof(
        fc.integer({ min: 1, max: 1e12 }).map((dealPrice) => ({ dealPrice })),
        fc.integer({ min: 1, max: 99 }).map((percentOff) => ({ percentOff })),
      ),
      stock: maybe(fc.integer({ min: 1, max: 10_000_000 })),
    })
    .map(({ price, ...drop }) => compact({ ...drop, ...price })),
  required: ['at', 'timeZone'],
  known: ['at', 'timeZone', 'dealIds', 'dealPrice', 'percentOff', 'stock'],
  invalid: {
    at: fc.oneof(badInstant, pastInstant),
    timeZone: badTimeZone,
    dealIds: fc.oneof(
      fc.constant([]),
      notObject.filter((v) => !Array.isArray(v)),
      fc.array(fc.ulid(), { minLength: 101, maxLength: 110 }),
      fc
        .tuple(fc.array(fc.ulid(), { maxLength: 3 }), badUlidValue(dealIds))
        .map(([ids, bad]) => [...ids, bad]),
      fc.array(notString, { minLength: 1, maxLength: 3 }),
    ),
    dealPrice: badInt(1, 1e12),
    percentOff: badInt(1, 99),
    stock: badInt(1, 10_000_000),
  },
  cross: [
    (drop) =>
      fc
        .integer({ min: 1, max: 99 })
        .map((percentOff) => ({ ...drop, percentOff, dealPrice: percentOff * 10 })),
    (drop) => fc.constant(without(without(drop, 'dealPrice'), 'percentOff')),
  ],
});

export const tokenRequestSchema: BodySchema = {
  valid: fc
    .record({
      sub: printable(1, 256),
      role: fc.constantFrom('viewer', 'host', 'checkout', 'admin'),
      ttlSeconds: maybe(fc.integer({ min: 1, max: 7 * 86_400 })),
    })
    .map(compact),
  required: ['sub', 'role'],
  known: ['sub', 'role', 'ttlSeconds'],
  invalid: {
    sub: badIdentifier(256),
    role: fc.oneof(notString, fc.constantFrom('Admin', 'root', '', 'viewer ', 'livedrop/admin')),
    ttlSeconds: badInt(1, 7 * 86_400),
  },
};

// ------------------------------------------------------------------------------------------------ queries

const base64url = (value: string) => Buffer.from(value).toString('base64url');

/** GET /me/coupons query strings the route refuses (limit 1..100 as digits, a cursor of this listing). */
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
