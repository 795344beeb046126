import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as z from 'zod/mini';
import {
  FUNCTIONS,
  type FunctionDeclaration,
  GALA_DROP_TARGET,
  httpRoutes,
  scopeOf,
  type Throttle,
} from '../../functions/shared/contract/wiring.js';
import { Logger } from '../../functions/shared/logger.js';
import { compileRoute, type IncomingRequest, lambdaContext, toApiGatewayEvent } from './api-event.js';
import { LocalBus } from './bus.js';
import { createConsoleHandler } from './console.js';
import { type EmbeddedStore, startEmbeddedStore } from './embedded-store.js';
import type { EventPattern } from './event-pattern.js';
import { authorizerRefusal, GatewayCors, GatewayRefusal, GatewayThrottle, gatewayBody } from './gateway.js';
import { AuthorizationFailure, LocalIssuer, ROLES } from './issuer.js';
import { isIvsApiRequest, LocalIvs } from './ivs.js';
import { LIVE_EVENTS_PATH, LiveEvents, type StreamLiveReader } from './live-events.js';
import { createOverlayHandler } from './overlay.js';
import { LocalQueue } from './queue.js';
import { LocalScheduler } from './scheduler.js';
import { answerSchedulerApi, isSchedulerApiRequest } from './scheduler-api.js';

export interface RuntimeOptions {
  /** 0 picks a free port. Default 3000. The runtime listens on 127.0.0.1 only (see LOOPBACK). */
  port?: number;
  /** Directory for the store, the issuer key and pending schedules; 'memory' keeps nothing. */
  data?: string;
  /** Period of the recurring schedules (the sweep) locally. Default 5 s. */
  sweepSeconds?: number;
  /** Origins whose pages may call the API (CORS), as the deployment's `allowedOrigins`. Default none. */
  allowedOrigins?: readonly string[];
  /** The stage's and the account's throttling (default: what the stack deploys and AWS's account quota). */
  throttle?: { stage?: Throttle; account?: Throttle };
  logger?: Logger;
}

export interface Runtime {
  url: string;
  port: number;
  scheduler: LocalScheduler;
  /** The IVS stand-in: the timed metadata put into each channel. */
  ivs: LocalIvs;
  /** The queues of the wiring's queue triggers, by trigger id. */
  queues: ReadonlyMap<string, LocalQueue>;
  /** The embedded store, for tools that read back what the engine wrote (the fan-out bench: tickets). */
  store: { endpoint: string; tableName: string };
  /** Stops taking requests, lets those in flight finish, stops schedules and closes the store. */
  close(): Promise<void>;
}

type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

/** What the gateway answers; `routed` when a function produced it (and logged it). */
interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
  routed?: boolean;
  /** A stream that takes the response over (Server-Sent Events) instead of a body. */
  stream?: (res: ServerResponse, headers: Record<string, string>) => void;
}

/** How long a message a queue-triggered function failed stays hidden locally (SQS: the visibility timeout). */
const LOCAL_VISIBILITY_MS = 2_000;

/** API Gateway's HTTP API payload quota: bigger bodies are refused by the gateway, smaller ones reach the function. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** API Gateway's HTTP API quota for the request line and headers together (Node's own default is 16 KiB). */
const MAX_HEADER_BYTES = 10_240;

/**
 * The runtime's stand-ins (token issuer, event bus, AWS APIs) answer anyone who reaches them, so it listens
 * on the loopback interface only, and answers only requests addressed to a loopback name: a web page cannot
 * reach it through a DNS name it rebinds to 127.0.0.1.
 */
const LOOPBACK = '127.0.0.1';
const LOOPBACK_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i;
const LOOPBACK_ORIGIN = /^https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i;

const tokenRequestSchema = z.strictObject({
  sub: z.string().check(z.minLength(1), z.maxLength(256), z.regex(/^[\x21-\x7E]+$/)),
  role: z.enum(ROLES as ['viewer', 'host', 'checkout', 'admin']),
  ttlSeconds: z.optional(z.int().check(z.gte(1), z.lte(7 * 86_400))),
});

class RequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * Runs the whole engine on one machine: the embedded store, every function of the wiring (the very handler
 * modules the stack deploys, each loaded once like a warm Lambda container), an HTTP gateway with a local
 * JWT issuer, the local event bus and the local scheduler.
 */
export const startRuntime = async (options: RuntimeOptions = {}): Promise<Runtime> => {
  const logger = options.logger ?? new Logger({ serviceName: 'livedrop-local' });
  const dataDir = options.data === 'memory' ? undefined : (options.data ?? '.livedrop/data');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const store: EmbeddedStore = await startEmbeddedStore(dataDir ? { path: join(dataDir, 'store') } : {});

  // Listen first: the functions publish their events to this gateway's bus, so they need its address.
  // Requests wait until everything is loaded; /health therefore answers only once the engine is ready.
  let markReady: (handle: (request: IncomingRequest) => Promise<Answer>) => void = () => {};
  const ready = new Promise<(request: IncomingRequest) => Promise<Answer>>((resolve) => {
    markReady = resolve;
  });
  const inFlight = new Set<Promise<void>>();
  const cors = new GatewayCors(options.allowedOrigins ?? []);
  const throttle = new GatewayThrottle(options.throttle?.stage, options.throttle?.account);
  let stopping = false;
  const server: Server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    // Once stopping, answer what is in flight and close each connection, so keep-alive clients let go.
    const work = ready.then((handle) => serve(req, res, handle, logger, () => stopping, cors));
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });
  // Requests Node refuses before any handler sees them (bad bytes in the URL, headers too large) still get
  // a JSON error, as API Gateway answers them with its own.
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
    if (!socket.writable) return;
    // An answer to HEAD has no body: a client would read the body as the start of its next response.
    const head = error.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({
      error: tooLarge
        ? {
            code: 'HEADERS_TOO_LARGE',
            message: `The request line and headers are larger than ${MAX_HEADER_BYTES} bytes.`,
          }
        : { code: 'VALIDATION_FAILED', message: 'The request is not valid HTTP.' },
    });
    socket.end(
      `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${head ? '' : body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, LOOPBACK, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${LOOPBACK}:${port}`;

  // The handler modules read their configuration from the environment at import, as in Lambda.
  process.env.TABLE_NAME = store.tableName;
  process.env.DYNAMODB_ENDPOINT = store.endpoint;
  process.env.EVENT_BUS_NAME = 'livedrop';
  process.env.EVENTBRIDGE_ENDPOINT = url;
  process.env.SCHEDULER_ENDPOINT = url;
  process.env.IVS_ENDPOINT = url;
  process.env.PRICE_DROP_FUNCTION_ARN = `arn:aws:lambda:local:000000000000:function:${GALA_DROP_TARGET}`;
  process.env.SCHEDULER_ROLE_ARN = 'arn:aws:iam::000000000000:role/livedrop-local-scheduler';
  process.env.AWS_REGION ??= 'us-east-1';
  // The embedded store shares this process's two cores with every function: in a rush one answer can take
  // seconds. A 1.5 s timeout (right for DynamoDB) would lose answers of writes that landed, and the SDK's
  // retry of a shard take would take a second unit, stranding the first until the reconciler's grace. One
  // attempt that may wait up to 8 s fits inside the shortest function timeout (10 s).
  process.env.LIVEDROP_STORE_TIMEOUT_MS ??= '8000';
  process.env.LIVEDROP_STORE_ATTEMPTS ??= '1';
  const handlers = new Map<string, LambdaHandler>();
  for (const declaration of FUNCTIONS) {
    const module = (await import(
      new URL(`../../functions/${declaration.name}/handler.ts`, import.meta.url).href
    )) as {
      handler: LambdaHandler;
    };
    handlers.set(declaration.name, module.handler);
  }

  /** A Lambda invocation: the declared timeout is enforced, as the reconciler's grace periods rely on it. */
  const invoke = async (declaration: FunctionDeclaration, event: unknown): Promise<unknown> => {
    const handler = handlers.get(declaration.name) as LambdaHandler;
    const timeoutMs = declaration.timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        handler(event, lambdaContext(declaration.name, timeoutMs, declaration.memoryMb)),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${declaration.name} timed out after ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  const byName = new Map(FUNCTIONS.map((declaration) => [declaration.name, declaration]));
  const invokeByName = (name: string, event: unknown) => {
    const declaration = byName.get(name);
    if (!declaration) return Promise.reject(new Error(`no function ${name} in the wiring`));
    return invoke(declaration, event);
  };

  const log = (message: string, extra: Record<string, unknown>) => logger.info(message, extra);
  const issuer = await LocalIssuer.load(dataDir);
  const ivs = new LocalIvs();
  // Queue triggers: the bus fills a local queue that runs the function on batches, as SQS and Lambda do.
  const queues = new Map<string, LocalQueue>();
  const bus = new LocalBus(
    FUNCTIONS.flatMap((declaration) =>
      declaration.triggers.flatMap((trigger) => {
        if (trigger.kind !== 'event' && trigger.kind !== 'queue') return [];
        const pattern = {
          source: trigger.pattern.source,
          'detail-type': trigger.pattern.detailType,
          ...(trigger.kind === 'event' && trigger.pattern.detail ? { detail: trigger.pattern.detail } : {}),
        } as EventPattern;
        if (trigger.kind === 'event') {
          const deliver = (event: unknown) => invoke(declaration, event);
          return [{ id: trigger.id, bus: trigger.bus, pattern, target: declaration.name, deliver }];
        }
        const queue = new LocalQueue({
          id: trigger.id,
          batchWindowMs: trigger.batchWindowSeconds * 1000,
          batchSize: trigger.batchSize,
          maxConcurrency: trigger.maxConcurrency,
          maxReceiveCount: trigger.maxReceiveCount,
          visibilityMs: LOCAL_VISIBILITY_MS,
          deliver: (event) => invoke(declaration, event),
          log,
        });
        queues.set(trigger.id, queue);
        const deliver = async (event: unknown) => ({ messageId: queue.send(JSON.stringify(event)) });
        return [{ id: `${trigger.id}Rule`, bus: trigger.bus, pattern, target: trigger.id, deliver }];
      }),
    ),
    log,
  );
  // The live events read through the public live state's use case, as a container of their own.
  const { productionDeps } = (await import(
    new URL('../../functions/shared/runtime.ts', import.meta.url).href
  )) as {
    productionDeps: (useCases: { streamLive: unknown }) => { engine: { streamLive: StreamLiveReader } };
  };
  const { streamLive } = (await import(
    new URL('../../functions/shared/use-cases/stream-live.ts', import.meta.url).href
  )) as { streamLive: unknown };
  const liveReader = productionDeps({ streamLive }).engine;
  const liveEvents = new LiveEvents((streamId, notBefore) => liveReader.streamLive(streamId, notBefore), log);
  bus.subscribe((event) => liveEvents.onBusEvent(event));
  const scheduler = new LocalScheduler(invokeByName, log, dataDir);
  scheduler.start(
    FUNCTIONS.flatMap((declaration) =>
      declaration.triggers.flatMap((trigger) =>
        trigger.kind === 'schedule'
          ? [{ id: trigger.id, target: declaration.name, everyMs: (options.sweepSeconds ?? 5) * 1000 }]
          : [],
      ),
    ),
  );
  const routes = httpRoutes().map(({ fn, trigger }) => compileRoute(fn.name, trigger));
  // By entry path, like the handlers: lib does not import functions/ code.
  const { buildOpenApi } = (await import(
    new URL('../../functions/shared/http/openapi.ts', import.meta.url).href
  )) as { buildOpenApi: () => unknown };
  const openApi = buildOpenApi();
  const consolePage = createConsoleHandler();
  const overlayPage = createOverlayHandler(options.allowedOrigins ?? []);
  const { isJsonContentType } = (await import(
    new URL('../../functions/shared/http/body.ts', import.meta.url).href
  )) as { isJsonContentType: (value: string | undefined) => boolean };

  /**
   * The stand-ins need no token, so a browser page of another origin must not drive them: such a request
   * carries its Origin, and the JSON media types they require are not ones a page may send cross-origin
   * without a CORS preflight, which this gateway never grants.
   */
  const standIn = (request: IncomingRequest, mediaType?: (value: string | undefined) => boolean) => {
    const origin = request.headers.origin;
    if (origin !== undefined && !LOOPBACK_ORIGIN.test(origin)) {
      throw new RequestError(403, 'FORBIDDEN', 'The local stand-ins answer no page of another origin.');
    }
    if (mediaType && !mediaType(request.headers['content-type'])) {
      throw new RequestError(415, 'UNSUPPORTED_MEDIA_TYPE', 'The body must be JSON (content-type).');
    }
  };
  const isAmzJson = (value: string | undefined) =>
    value !== undefined && /^\s*application\/x-amz-json-1\.1\s*$/i.test(value);

  const handle = async (request: IncomingRequest): Promise<Answer> => {
    const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
    const { method, path } = request;
    const host = request.headers.host;
    if (host !== undefined && !LOOPBACK_HOST.test(host)) {
      throw new RequestError(403, 'FORBIDDEN', 'The local runtime answers only requests to localhost.');
    }
    if (method === 'GET' && path === '/health') return json(200, { status: 'ok' });
    if (method === 'GET' && path === '/.well-known/jwks.json') return json(200, issuer.jwks());
    if (method === 'GET' && path === '/openapi.json') return json(200, openApi);
    // Public and viewer-facing, like the live state it streams (lib/local/live-events.ts).
    const liveStream = method === 'GET' ? LIVE_EVENTS_PATH.exec(path) : null;
    if (liveStream) {
      let streamId: string;
      try {
        streamId = decodeURIComponent(liveStream[1] ?? '');
      } catch {
        throw new RequestError(400, 'VALIDATION_FAILED', 'The path is not valid percent-encoding.');
      }
      return {
        status: 200,
        body: '',
        stream: (res, headers) => liveEvents.attach(streamId, res, headers, request.headers['last-event-id']),
      };
    }
    // The host console (issue 8) at /console and the viewer overlay (issue 15) at /overlay: static files, before any route.
    const page = (await consolePage(request)) ?? (await overlayPage(request));
    if (page) return page;
    if (method === 'POST' && path === '/local/token') {
      standIn(request, isJsonContentType);
      const parsed = tokenRequestSchema.safeParse(parseJson(request.body));
      if (!parsed.success) {
        throw new RequestError(
          400,
          'VALIDATION_FAILED',
          'The token request is not valid.',
          parsed.error.issues.map((issue) => ({
            field: `body.${issue.path.join('.')}`,
            message: issue.message,
          })),
        );
      }
      return json(200, { token: await issuer.issue(parsed.data) });
    }
    if (method === 'POST' && path === '/' && request.headers['x-amz-target'] === 'AWSEvents.PutEvents') {
      standIn(request, isAmzJson);
      // The functions' own EventBridge client (same adapter as in AWS) publishing to this bus.
      let result: Awaited<ReturnType<typeof bus.putEvents>>;
      try {
        result = await bus.putEvents(
          JSON.parse(request.body.toString('utf8')) as { Entries?: unknown } | null,
        );
      } catch (error) {
        // As EventBridge answers a malformed request: 400 with its error type.
        return {
          status: 400,
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-errortype': 'ValidationException',
          },
          body: JSON.stringify({ __type: 'ValidationException', message: (error as Error).message }),
        };
      }
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ FailedEntryCount: result.FailedEntryCount, Entries: result.Entries }),
      };
    }
    if (isIvsApiRequest(request)) {
      standIn(request, isJsonContentType);
      // The live-metadata function's own IVS client (same adapter as in AWS) putting timed metadata.
      let body: unknown;
      try {
        body = JSON.parse(request.body.toString('utf8'));
      } catch {
        body = undefined;
      }
      return ivs.putMetadata(body);
    }
    if (isSchedulerApiRequest(request)) standIn(request, method === 'POST' ? isJsonContentType : undefined);
    const schedulerAnswer = await answerSchedulerApi(scheduler, request, [GALA_DROP_TARGET]).catch(
      (error: unknown) => ({
        status: 400,
        headers: { 'x-amzn-errortype': 'ValidationException' },
        body: JSON.stringify({ Message: (error as Error).message }),
      }),
    );
    if (schedulerAnswer) return schedulerAnswer;
    if (method === 'POST' && path === '/local/events') {
      standIn(request, isJsonContentType);
      const body = parseJson(request.body);
      if (body === null || typeof body !== 'object')
        throw new RequestError(400, 'VALIDATION_FAILED', 'Expected a PutEvents body.');
      const wait = new URLSearchParams(request.rawQueryString).get('wait') === 'true';
      try {
        return json(200, await bus.putEvents(body as { Entries?: unknown }, { wait }));
      } catch (error) {
        if (error instanceof RangeError) throw new RequestError(400, 'VALIDATION_FAILED', error.message);
        throw error;
      }
    }
    let pathKnown = false;
    for (const route of routes) {
      let parameters: Record<string, string> | undefined;
      try {
        parameters = route.match(path);
      } catch {
        throw new RequestError(400, 'VALIDATION_FAILED', 'The path is not valid percent-encoding.');
      }
      if (!parameters) continue;
      pathKnown = true;
      if (route.trigger.method !== method) continue;
      throttle.admit(route.routeKey, route.trigger.throttle);
      const scopes = route.trigger.roles.map(scopeOf);
      // A public route has no authorizer: any token, or none, reaches the function unchecked.
      const claims = route.trigger.public
        ? undefined
        : await issuer.authorize(request.headers.authorization, scopes).catch((error: unknown) => {
            if (error instanceof AuthorizationFailure) {
              throw authorizerRefusal(error.statusCode, scopes, error.description);
            }
            throw error;
          });
      let response: { statusCode: number; headers?: Record<string, string>; body?: string };
      try {
        response = (await invoke(
          byName.get(route.target) as FunctionDeclaration,
          toApiGatewayEvent(route, parameters, request, claims),
        )) as typeof response;
      } catch (error) {
        // A function that throws or runs out of time: API Gateway answers its own generic 500.
        logger.error('function failed', { function: route.target, error });
        throw new GatewayRefusal(500, {}, `${route.target} failed`);
      }
      return {
        status: response.statusCode,
        ...(response.headers ? { headers: response.headers } : {}),
        body: response.body ?? '',
        routed: true,
      };
    }
    const preflight = pathKnown ? cors.preflight(method, request.headers) : undefined;
    if (preflight) return { ...preflight, body: '' };
    throw new GatewayRefusal(404, {}, `no route for ${method} ${path}`);
  };

  markReady(handle);
  logger.info('livedrop is running', { url, data: dataDir ?? 'memory', functions: FUNCTIONS.length });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    scheduler,
    ivs,
    queues,
    store: { endpoint: store.endpoint, tableName: store.tableName },
    close: () => {
      closing ??= (async () => {
        stopping = true;
        liveEvents.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await Promise.allSettled([...inFlight]);
        await scheduler.stop();
        await bus.drain();
        await Promise.all([...queues.values()].map((queue) => queue.close()));
        await store.close();
        logger.info('livedrop stopped', { data: dataDir ?? 'memory' });
      })();
      return closing;
    },
  };
};

const parseJson = (body: Buffer): unknown => {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new RequestError(400, 'VALIDATION_FAILED', 'The request body is not valid JSON.');
  }
};

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Past the limit the rest is read and dropped, so the client is still there to receive its 413.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_REQUEST_BYTES) {
        reject(new GatewayRefusal(413, {}, `body larger than ${MAX_REQUEST_BYTES} bytes`));
      } else {
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', reject);
  });

const serve = async (
  req: IncomingMessage,
  res: ServerResponse,
  handle: (request: IncomingRequest) => Promise<Answer>,
  logger: Logger,
  stopping: () => boolean,
  cors: GatewayCors,
): Promise<void> => {
  const started = performance.now();
  // The request target is taken as a path only: `//host/...` must not turn into another host's URL.
  const target = req.url ?? '/';
  const url = URL.canParse(`http://localhost${target.startsWith('/') ? target : `/${target}`}`)
    ? new URL(`http://localhost${target.startsWith('/') ? target : `/${target}`}`)
    : undefined;
  let status = 500;
  let headers: Record<string, string> = {};
  let body: string;
  let routed = false;
  let stream: Answer['stream'];
  try {
    if (!url) throw new RequestError(400, 'VALIDATION_FAILED', 'The request target is not a valid path.');
    const headerMap: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headerMap[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
    }
    const result = await handle({
      method: req.method ?? 'GET',
      path: url.pathname,
      rawQueryString: url.search.slice(1),
      headers: headerMap,
      body: await readBody(req),
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    });
    status = result.status;
    headers = result.headers ?? {};
    body = result.body;
    routed = result.routed === true;
    stream = result.stream;
  } catch (error) {
    if (error instanceof GatewayRefusal) {
      status = error.statusCode;
      headers = error.headers;
      body = gatewayBody(status);
    } else if (error instanceof RequestError) {
      status = error.statusCode;
      body = JSON.stringify({
        error: {
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
        },
      });
    } else {
      // The gateway's own failure or a function timeout: generic, as API Gateway would answer.
      logger.error('request failed', { path: url?.pathname ?? target, error });
      status = 500;
      body = JSON.stringify({ error: { code: 'INTERNAL', message: 'Internal error.' } });
    }
  }
  if (stream) {
    stream(res, cors.responseHeaders(req.headers as Record<string, string>));
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    ...headers,
    ...cors.responseHeaders(req.headers as Record<string, string>),
    ...(stopping() ? { connection: 'close' } : {}),
  });
  res.end(body);
  // Function routes log their own line (as in Lambda); the gateway logs what never reached a function.
  if (!routed) {
    logger.info('request', {
      method: req.method,
      path: url?.pathname ?? target,
      status,
      durationMs: Math.round(performance.now() - started),
    });
  }
};
