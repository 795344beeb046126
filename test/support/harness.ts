import { createDocumentClient } from '../../functions/shared/data/client.js';
import { Store } from '../../functions/shared/data/store.js';
import type { Seam } from '../../functions/shared/domain/ports.js';
import { Engine, type EngineOptions } from '../../functions/shared/engine/engine.js';
import { type EmbeddedStore, startEmbeddedStore } from '../../lib/local/embedded-store.js';
import { TestClock } from './clock.js';

/** A real embedded store over HTTP plus engines built on it, the way Lambda containers would be. */
export interface Harness {
  embedded: EmbeddedStore;
  store: Store;
  clock: TestClock;
  /** A new engine = a new container: its own caches, the same store and clock. */
  engine(options?: { seam?: Seam; options?: Partial<EngineOptions> }): Engine;
  close(): Promise<void>;
}

export const startHarness = async (): Promise<Harness> => {
  const embedded = await startEmbeddedStore();
  const client = createDocumentClient({ endpoint: embedded.endpoint, maxSockets: 256 });
  const store = new Store(client, embedded.tableName);
  const clock = new TestClock();
  return {
    embedded,
    store,
    clock,
    engine: (extra = {}) =>
      new Engine({
        store,
        clock,
        logger: { error: () => {} },
        ...(extra.seam === undefined ? {} : { seam: extra.seam }),
        ...(extra.options === undefined ? {} : { options: extra.options }),
      }),
    close: async () => {
      client.destroy();
      await embedded.close();
    },
  };
};
