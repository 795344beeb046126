/**
 * `npm run invoke -- <function> <event.json>`: runs one function of the wiring on a sample event against the
 * local store (LIVEDROP_DATA, default .livedrop/data; `memory` for a throw-away one) and prints its result.
 * The store is opened directly, so stop `npm start` on the same data directory first.
 */
import { readFileSync } from 'node:fs';
import { FUNCTIONS } from '../functions/shared/contract/wiring.js';
import { invokeOnce, openLocalStore } from '../lib/local/invoke.js';

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
let store: Awaited<ReturnType<typeof openLocalStore>>;
try {
  store = await openLocalStore(data);
} catch (error) {
  console.error(
    `cannot open the local store in ${data} (${(error as Error).message}); is \`npm start\` running on it? Stop it, or use LIVEDROP_DATA=memory.`,
  );
  process.exit(1);
}
let exitCode = 0;
try {
  const result = await invokeOnce(declaration, event, store);
  console.log(JSON.stringify(result, null, 2));
} catch (error) {
  console.error(`${declaration.name} failed:`, error);
  exitCode = 1;
} finally {
  await store.close();
}
process.exit(exitCode);
