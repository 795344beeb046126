/**
 * The engine the bench drives, and the only module of lib/bench that touches engine or store code: the
 * claim handler, the document client, the store and the engine, loaded by entry path like the local runtime
 * loads functions (lib/ does not import functions/ code): the very code Lambda runs.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { createClaimCouponHandler as ClaimHandlerFactory } from '../../functions/claim-coupon/app.js';
import type { createDocumentClient as DocumentClientFactory } from '../../functions/shared/data/client.js';
import type { createStore as createStoreFn } from '../../functions/shared/data/store.js';
import type { Engine as EngineClass } from '../../functions/shared/use-cases/engine.js';
import type { EmbeddedStore } from '../local/embedded-store.js';

const loadEngine = async () => {
  const at = (path: string) => new URL(`../../functions/${path}`, import.meta.url).href;
  const [{ createClaimCouponHandler }, { createDocumentClient }, { createStore }, { Engine }] =
    await Promise.all([
      import(at('claim-coupon/app.ts')) as Promise<{ createClaimCouponHandler: typeof ClaimHandlerFactory }>,
      import(at('shared/data/client.ts')) as Promise<{ createDocumentClient: typeof DocumentClientFactory }>,
      import(at('shared/data/store.ts')) as Promise<{ createStore: typeof createStoreFn }>,
      import(at('shared/use-cases/engine.ts')) as Promise<{ Engine: typeof EngineClass }>,
    ]);
  return { createClaimCouponHandler, createDocumentClient, createStore, Engine };
};

const silentLogger = () => new Logger({ serviceName: 'livedrop-bench', logLevel: 'SILENT' });

export type ClaimHandler = ReturnType<typeof ClaimHandlerFactory>;

/** One live deal on the store, and the claim handlers of `containers` Lambda containers. */
export interface ClaimDeal {
  dealId: string;
  /** The deal's stock shards, as the store holds them. */
  shards: number;
  /** One per container, each with its own engine (and so its own caches), all on one document client. */
  handlers: ClaimHandler[];
  /** The deal's figures, read back through the engine. */
  figures(): Promise<{ stock: number; held: number; redeemed: number }>;
  /** Closes the document client. */
  close(): void;
}

/**
 * Creates the deal (`stock` units, one per viewer) and starts it. `instrument` sees the document client
 * before anything is sent on it.
 */
export const openClaimDeal = async (
  store: EmbeddedStore,
  options: { containers: number; stock: number },
  instrument: (client: DynamoDBDocumentClient) => void,
): Promise<ClaimDeal> => {
  const { createClaimCouponHandler, createDocumentClient, createStore, Engine } = await loadEngine();
  const client = createDocumentClient({ endpoint: store.endpoint, maxSockets: 256 });
  instrument(client);
  const dataStore = createStore(client, store.tableName);
  const engines = Array.from(
    { length: options.containers },
    () => new Engine({ store: dataStore, clock: { now: () => Date.now() }, logger: { error: () => {} } }),
  );
  const setup = engines[0] as EngineClass;
  const deal = await setup.createDeal(
    {
      title: 'Bench jacket',
      sku: 'BENCH-1',
      streamId: 'bench-stream',
      currency: 'EUR',
      listPrice: 10_000,
      dealPrice: 5_000,
      stock: options.stock,
      perViewerLimit: 1,
      claimTtlSeconds: 3_600,
    },
    'bench-host',
  );
  await setup.cue(
    deal.dealId,
    { action: 'start' },
    { sub: 'bench-host', scopes: new Set(['livedrop/host']) },
  );
  const shards = (await dataStore.getDeal(deal.dealId))?.shardCount ?? 0;
  return {
    dealId: deal.dealId,
    shards,
    handlers: engines.map((engine) => createClaimCouponHandler({ engine, logger: silentLogger() })),
    figures: () => setup.getDeal(deal.dealId),
    close: () => client.destroy(),
  };
};
