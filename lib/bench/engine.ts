/**
 * The engine the bench drives, and the only module of lib/bench that touches engine or store code: the
 * claim handler, the document client, the store and the engine, loaded by entry path like the local runtime
 * loads functions (lib/ does not import functions/ code): the very code Lambda runs.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { createClaimCouponHandler as ClaimHandlerFactory } from '../../functions/claim-coupon/app.js';
import type { createDocumentClient as DocumentClientFactory } from '../../functions/shared/data/client.js';
import type { createStore as createStoreFn } from '../../functions/shared/data/store.js';
import type { normalizeCode as normalizeCodeFn } from '../../functions/shared/domain/code.js';
import { Logger } from '../../functions/shared/logger.js';
import type { Engine as EngineClass } from '../../functions/shared/use-cases/engine.js';
import type { EmbeddedStore } from '../local/embedded-store.js';

const loadEngine = async () => {
  const at = (path: string) => new URL(`../../functions/${path}`, import.meta.url).href;
  const [
    { createClaimCouponHandler },
    { createDocumentClient },
    { createStore },
    { Engine },
    { normalizeCode },
  ] = await Promise.all([
    import(at('claim-coupon/app.ts')) as Promise<{ createClaimCouponHandler: typeof ClaimHandlerFactory }>,
    import(at('shared/data/client.ts')) as Promise<{ createDocumentClient: typeof DocumentClientFactory }>,
    import(at('shared/data/store.ts')) as Promise<{ createStore: typeof createStoreFn }>,
    import(at('shared/use-cases/engine.ts')) as Promise<{ Engine: typeof EngineClass }>,
    import(at('shared/domain/code.ts')) as Promise<{ normalizeCode: typeof normalizeCodeFn }>,
  ]);
  return { createClaimCouponHandler, createDocumentClient, createStore, Engine, normalizeCode };
};

const silentLogger = () => new Logger({ serviceName: 'livedrop-bench', logLevel: 'SILENT' });

export type ClaimHandler = ReturnType<typeof ClaimHandlerFactory>;

/**
 * One Lambda container: its own engine (and so its own caches) on its own document client, as a container
 * creates them once at init. It serves one request at a time, so what its client sends during a request is
 * that request's.
 */
export interface ClaimContainer {
  handler: ClaimHandler;
}

/** One live deal on the store, and a way to start the Lambda containers that serve its claims. */
export interface ClaimDeal {
  dealId: string;
  /** The deal's stock shards, as the store holds them. */
  shards: number;
  /** A new container; `instrument` sees its document client before anything is sent on it. */
  newContainer(instrument: (client: DynamoDBDocumentClient) => void): ClaimContainer;
  /** The deal's figures, read back through the engine that set the deal up (not a claim container). */
  figures(): Promise<{ stock: number; held: number; redeemed: number }>;
  /** Closes every document client. */
  close(): void;
}

/** Creates the deal (`stock` units, one per viewer) and starts it, on a client of its own. */
export const openClaimDeal = async (store: EmbeddedStore, options: { stock: number }): Promise<ClaimDeal> => {
  const { createClaimCouponHandler, createDocumentClient, createStore, Engine } = await loadEngine();
  const clients: DynamoDBDocumentClient[] = [];
  const newStore = (instrument?: (client: DynamoDBDocumentClient) => void) => {
    // One request at a time needs few sockets, as in Lambda.
    const client = createDocumentClient({ endpoint: store.endpoint, maxSockets: 4 });
    instrument?.(client);
    clients.push(client);
    return createStore(client, store.tableName);
  };
  const newEngine = (dataStore: ReturnType<typeof newStore>) =>
    new Engine({ store: dataStore, clock: { now: () => Date.now() }, logger: { error: () => {} } });
  const setupStore = newStore();
  const setup = newEngine(setupStore);
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
  const shards = (await setupStore.getDeal(deal.dealId))?.shardCount ?? 0;
  return {
    dealId: deal.dealId,
    shards,
    newContainer: (instrument) => ({
      handler: createClaimCouponHandler({ engine: newEngine(newStore(instrument)), logger: silentLogger() }),
    }),
    figures: () => setup.getDeal(deal.dealId),
    close: () => {
      for (const client of clients) client.destroy();
    },
  };
};

/**
 * Each coupon's ticket, its `seq` on its shard, keyed by the code as its claim answered it (grouped with dashes).
 * On a one-shard deal the tickets are 1, 2, 3, ... in the order the claims took their units, so the first state
 * whose issued count reached a coupon's ticket is the first that includes it.
 */
export const readTickets = async (
  store: { endpoint: string; tableName: string },
  codes: readonly string[],
): Promise<Map<string, number>> => {
  const { createDocumentClient, createStore, normalizeCode } = await loadEngine();
  const client = createDocumentClient({ endpoint: store.endpoint });
  try {
    const stored = (code: string) => normalizeCode(code) ?? code;
    const found = await createStore(client, store.tableName).getCoupons(codes.map(stored));
    const tickets = new Map<string, number>();
    for (const code of codes) {
      const coupon = found.get(stored(code));
      if (coupon && 'seq' in coupon) tickets.set(code, coupon.seq);
    }
    return tickets;
  } finally {
    client.destroy();
  }
};
