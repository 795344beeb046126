import { createDocumentClient } from '../../functions/shared/data/client.js';
import { createStore, type DynamoStore } from '../../functions/shared/data/store.js';
import type {
  EventPublisher,
  MetadataPublisher,
  SchedulerPort,
  Seam,
} from '../../functions/shared/domain/ports.js';
import { Engine, type EngineDeps } from '../../functions/shared/use-cases/engine.js';
import { type EmbeddedStore, startEmbeddedStore } from '../../lib/local/embedded-store.js';
import { TestClock } from './clock.js';
import { Mortal } from './crash.js';

/** A real embedded store over HTTP plus engines built on it, the way Lambda containers would be. */
export interface Harness {
  embedded: EmbeddedStore;
  store: DynamoStore;
  clock: TestClock;
  /** Names of the DynamoDB commands sent so far (e.g. 'PutItemCommand'), for tests that count store writes. */
  sent: string[];
  /** The same commands with the index a Query used, for tests that compare usage with IAM grants. */
  calls: SentCall[];
  /**
   * A new engine = a new container: its own caches, the same store and clock. With a `seam`, the container
   * dies when the seam throws (see Mortal): nothing it does afterwards reaches the store, bus or scheduler.
   */
  engine(options?: {
    seam?: Seam;
    options?: EngineDeps['options'];
    events?: EventPublisher;
    scheduler?: SchedulerPort;
    metadata?: MetadataPublisher;
  }): Engine;
  /** n containers; `at(i)` spreads request i over them round-robin. */
  containers(n: number, extra?: Parameters<Harness['engine']>[0]): Containers;
  close(): Promise<void>;
}

export interface SentCall {
  command: string;
  index?: string;
}

export interface Containers {
  main: Engine;
  at(i: number): Engine;
}

export const startHarness = async (): Promise<Harness> => {
  const embedded = await startEmbeddedStore();
  const client = createDocumentClient({ endpoint: embedded.endpoint, maxSockets: 256 });
  const store = createStore(client, embedded.tableName);
  const sent: string[] = [];
  const calls: SentCall[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      const command = context.commandName ?? 'unknown';
      const index = (args.input as { IndexName?: string }).IndexName;
      sent.push(command);
      calls.push(index === undefined ? { command } : { command, index });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  const clock = new TestClock();
  const engine: Harness['engine'] = (extra = {}) => {
    const deps: EngineDeps = {
      store,
      clock,
      logger: { error: () => {} },
      ...(extra.events === undefined ? {} : { events: extra.events }),
      ...(extra.scheduler === undefined ? {} : { scheduler: extra.scheduler }),
      ...(extra.metadata === undefined ? {} : { metadata: extra.metadata }),
      ...(extra.options === undefined ? {} : { options: extra.options }),
    };
    if (extra.seam === undefined) return new Engine(deps);
    const mortal = new Mortal(extra.seam);
    return mortal.engine(
      new Engine({
        ...deps,
        store: mortal.wrap(store),
        seam: mortal.seam,
        ...(deps.events === undefined ? {} : { events: mortal.wrap(deps.events) }),
        ...(deps.scheduler === undefined ? {} : { scheduler: mortal.wrap(deps.scheduler) }),
      }),
    );
  };
  return {
    embedded,
    store,
    clock,
    sent,
    calls,
    engine,
    containers: (n, extra) => {
      const main = engine(extra);
      const all = [main, ...Array.from({ length: n - 1 }, () => engine(extra))];
      return { main, at: (i) => all[i % n] ?? main };
    },
    close: async () => {
      client.destroy();
      await embedded.close();
    },
  };
};
