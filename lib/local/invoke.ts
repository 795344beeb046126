/**
 * `npm run invoke`'s work: one function of the wiring run once on an event, in this process, against the
 * local store opened directly (LIVEDROP_DATA's `store` directory, or a throw-away one for `memory`).
 */
import { join } from 'node:path';
import type { FunctionDeclaration } from '../../functions/shared/contract/wiring.js';
import { lambdaContext } from './api-event.js';
import { type EmbeddedStore, startEmbeddedStore } from './embedded-store.js';

/** The store in `<data>/store`, as `npm start` keeps it; `memory`: an empty one that keeps nothing. */
export const openLocalStore = (data: string): Promise<EmbeddedStore> =>
  startEmbeddedStore(data === 'memory' ? {} : { path: join(data, 'store') });

/** Points the function at `store` (it reads its configuration at import), imports it and calls it once. */
export const invokeOnce = async (
  declaration: FunctionDeclaration,
  event: unknown,
  store: EmbeddedStore,
): Promise<unknown> => {
  process.env.TABLE_NAME = store.tableName;
  process.env.DYNAMODB_ENDPOINT = store.endpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  const { handler } = (await import(
    new URL(`../../functions/${declaration.name}/handler.ts`, import.meta.url).href
  )) as {
    handler: (event: unknown, context: unknown) => Promise<unknown>;
  };
  return handler(
    event,
    lambdaContext(declaration.name, declaration.timeoutSeconds * 1000, declaration.memoryMb),
  );
};
