/**
 * The embedded store in a worker thread of its own. dynalite and LevelDB take about a third of the CPU when the
 * simulation or the benchmark drives the store hard; in the caller's thread they queue behind the engines and
 * the SDK, in their own thread they use the machine's second core. Same store, same HTTP, same table.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type EmbeddedStore, type EmbeddedStoreOptions, startEmbeddedStore } from './embedded-store.js';

type Ready = Pick<EmbeddedStore, 'endpoint' | 'port' | 'tableName'>;

/** Marks the store's own thread, so importing this module in any other worker (a test pool's) starts nothing. */
interface StoreThreadData {
  livedropStoreThread: true;
  options: EmbeddedStoreOptions;
}

export const startEmbeddedStoreThread = async (
  options: EmbeddedStoreOptions = {},
): Promise<EmbeddedStore> => {
  const url = import.meta.url;
  const data: StoreThreadData = { livedropStoreThread: true, options };
  // Run from TypeScript sources (tsx), the thread must register the same loader before it can read this file.
  const worker = url.endsWith('.ts')
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
          `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); })`,
        { eval: true, workerData: data },
      )
    : new Worker(new URL(url), { workerData: data });
  const ready = await new Promise<Ready>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the store thread exited with ${code} before it served`)));
  });
  return {
    ...ready,
    close: async () => {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('close');
      await exited;
    },
  };
};

const thread = workerData as Partial<StoreThreadData> | null;
if (!isMainThread && parentPort !== null && thread?.livedropStoreThread === true) {
  const port = parentPort;
  const store = await startEmbeddedStore(thread.options ?? {});
  port.once('message', async () => {
    await store.close();
    port.close();
  });
  port.postMessage({
    endpoint: store.endpoint,
    port: store.port,
    tableName: store.tableName,
  } satisfies Ready);
}
