/**
 * The real engine under the model, and the only module of lib/simulate that loads engine or store code: the
 * store adapter and the Engine class, loaded by entry path as lib/bench/engine.ts does (lib/ does not
 * import functions/ code), so the simulation runs the very code Lambda runs.
 *
 * Two document clients share one embedded store: the modelled one every container uses (the partition model
 * is on it, and its retry backoff is stretched to simulated time) and a side one with no model, for item
 * sizes and for the final checks.
 */
import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { createStore as createStoreFn } from '../../functions/shared/data/store.js';
import type { DomainError as DomainErrorClass } from '../../functions/shared/domain/errors.js';
import type { EventPublisher } from '../../functions/shared/domain/ports.js';
import type { Engine as EngineClass } from '../../functions/shared/use-cases/engine.js';
import type { PartitionModelSettings } from './partition-capacity.js';
import { PartitionModel } from './partition-model.js';
import type { DilatedTime } from './sim-time.js';

export type Engine = EngineClass;

const loadEngine = async () => {
  const at = (path: string) => new URL(`../../functions/${path}`, import.meta.url).href;
  const [{ createStore }, { Engine }, { DomainError }] = await Promise.all([
    import(at('shared/data/store.ts')) as Promise<{ createStore: typeof createStoreFn }>,
    import(at('shared/use-cases/engine.ts')) as Promise<{ Engine: typeof EngineClass }>,
    import(at('shared/domain/errors.ts')) as Promise<{ DomainError: typeof DomainErrorClass }>,
  ]);
  return { createStore, Engine, DomainError };
};

/**
 * The embedded store checks that a request carries a signature, never what it signs. Signing every request
 * (SigV4: hashes and HMACs) cost a few percent of the simulator's CPU for nothing it measures, so the
 * simulation's clients send a fixed, well-formed Authorization header instead.
 */
const UNSIGNED = {
  sign: async <R extends { headers: Record<string, string> }>(request: R): Promise<R> => {
    request.headers.authorization =
      'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0';
    request.headers['x-amz-date'] = '20260101T000000Z';
    return request;
  },
};

const rawClient = (endpoint: string, maxAttempts?: number) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    signer: UNSIGNED as never,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 512 }) },
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });

const documentClient = (client: DynamoDBClient) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

/**
 * The SDK sleeps its retry backoff on the wall clock; in simulated time that backoff would shrink by the
 * dilation and retries would hammer a throttled partition far sooner than they do on AWS. Set it to 0 and
 * let the partition model wait it in simulated time instead (`install` with `backoffInSimulatedTime`).
 * Reaches into the SDK's standard strategy (its backoff object is a public field); false if it is not there.
 */
const removeWallBackoff = async (client: DynamoDBClient): Promise<boolean> => {
  const strategy = (await client.config.retryStrategy()) as {
    retryBackoffStrategy?: { computeNextBackoffDelay?: (attempt: number) => number };
  };
  const backoff = strategy.retryBackoffStrategy;
  if (!backoff?.computeNextBackoffDelay) return false;
  backoff.computeNextBackoffDelay = () => 0;
  return true;
};

export interface SimulatedEngines {
  model: PartitionModel;
  /** A new container on the modelled client: its own caches. */
  container(): Engine;
  /** An engine on the side client: reads for the final checks, never modelled. */
  inspector: Engine;
  sideDocument: DynamoDBDocumentClient;
  /** A refusal the API answers 4xx; anything else is answered 500 (the HTTP layer's rule). */
  isDomainError(error: unknown): error is { code: string; statusCode: number };
  /** Whether the SDK's retry backoff runs in simulated time. */
  backoffStretched: boolean;
  close(): void;
}

export const openEngines = async (options: {
  endpoint: string;
  tableName: string;
  time: DilatedTime;
  settings: PartitionModelSettings;
  events: EventPublisher;
  random?: () => number;
}): Promise<SimulatedEngines> => {
  const { createStore, Engine, DomainError } = await loadEngine();
  const { time } = options;
  const side = rawClient(options.endpoint);
  const modelled = rawClient(options.endpoint);
  // A copy: the run may change its own settings (the settling sweeps), never the parameters it reports.
  const model = new PartitionModel({ ...options.settings }, time, side, options.random);
  const backoffStretched = await removeWallBackoff(modelled);
  model.install(modelled, { backoffInSimulatedTime: backoffStretched });
  const store = createStore(documentClient(modelled), options.tableName);
  const sideDocument = documentClient(side);
  // The engine's waits (an earlier same-key attempt, a lost take's settle) go through its clock: simulated time.
  const clock = { now: () => Math.floor(time.now()), sleep: (ms: number) => time.sleep(ms) };
  const engineOptions = { replayWaitMs: 1_500, replayPollMs: 25 };
  const logger = { error: () => {} };
  return {
    model,
    container: () => new Engine({ store, clock, events: options.events, logger, options: engineOptions }),
    inspector: new Engine({ store: createStore(sideDocument, options.tableName), clock, logger }),
    sideDocument,
    isDomainError: (error): error is DomainErrorClass => error instanceof DomainError,
    backoffStretched,
    close: () => {
      modelled.destroy();
      side.destroy();
    },
  };
};

/** Whether a throttle after the SDK's retries caused this error (itself or anywhere down its causes). */
export const causedByThrottle = (error: unknown): boolean => {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 8; cause = cause.cause, depth++)
    if (cause.name === 'ProvisionedThroughputExceededException') return true;
  return false;
};
