/**
 * `npm run invoke -- <function> <event.json>`: runs one function of the wiring on a sample event against the
 * local store (LIVEDROP_DATA, default .livedrop/data; `memory` for a throw-away one) and prints its result.
 * The store is opened directly, so stop `npm start` on the same data directory first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS } from '../functions/shared/contract/wiring.js';
import { lambdaContext } from '../lib/local/api-event.js';
import { startEmbeddedStore } from '../lib/local/embedded-store.js';

const [name, file] = process.argv.slice(2);
const declaration = FUNCTIONS.find((fn) => fn.name === name);
if (!declaration || !file) {
  console.error(
    `usage: npm run invoke -- <function> <event.json>\nfunctions: ${FUNCTIONS.map((fn) => fn.name).join(', ')}`,
  );
  process.exit(2);
}
let event: unknown;
try {
  event = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`cannot read ${file} as JSON: ${(error as Error).message}`);
  process.exit(2);
}

const data = process.env.LIVEDROP_DATA || '.livedrop/data';
let store: Awaited<ReturnType<typeof startEmbeddedStore>>;
try {
  store = await startEmbeddedStore(data === 'memory' ? {} : { path: join(data, 'store') });
} catch (error) {
  console.error(
    `cannot open the local store in ${data} (${(error as Error).message}); is \`npm start\` running on it? Stop it, or use LIVEDROP_DATA=memory.`,
  );
  process.exit(1);
}
process.env.TABLE_NAME = store.tableName;
process.env.DYNAMODB_ENDPOINT = store.endpoint;
process.env.AWS_REGION ??= 'us-east-1';

let exitCode = 0;
try {
  const { handler } = (await import(
    new URL(`../functions/${declaration.name}/handler.ts`, import.meta.url).href
  )) as {
    handler: (event: unknown, context: unknown) => Promise<unknown>;
  };
  const result = await handler(
    event,
    lambdaContext(declaration.name, declaration.timeoutSeconds * 1000, declaration.memoryMb),
  );
  console.log(JSON.stringify(result, null, 2));
} catch (error) {
  console.error(`${declaration.name} failed:`, error);
  exitCode = 1;
} finally {
  await store.close();
}
process.exit(exitCode);
