/**
 * `npm run invoke -- <function> <event.json>`: runs one function of the wiring on a sample event against the
 * local store (LIVEDROP_DATA, default .livedrop/data; `memory` for a throw-away one) and prints its result.
 * The store is opened directly, so stop `npm start` on the same data directory first. `--help` lists the functions.
 */
import { readFileSync } from 'node:fs';
import { FUNCTIONS } from '../functions/shared/contract/wiring.js';
import { defineCli, readCommandLine, UsageError } from '../lib/cli.js';

const names = FUNCTIONS.map((fn) => fn.name);
const CLI = defineCli({
  script: 'invoke',
  summary: 'Runs one function of the wiring on a sample event against the local store and prints its result.',
  positionals: [
    { name: 'function', description: 'the function, by its name in the wiring (below)' },
    { name: 'event.json', description: 'the event, e.g. one of events/*.json' },
  ],
  options: {},
  environment: [
    {
      name: 'LIVEDROP_DATA',
      description:
        "the store's data directory; memory for a throw-away one.\nStop `npm start` on the same directory first",
      default: '.livedrop/data',
    },
  ],
  notes: [`functions:\n  ${names.join('\n  ')}`],
});

const { declaration, event } = readCommandLine(CLI, ({ positionals: [name, file = ''] }) => {
  const declaration = FUNCTIONS.find((fn) => fn.name === name);
  if (!declaration) throw new UsageError(`no function named '${name}'`);
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  return { declaration, event };
});

// Imported once the command line is read, so --help and its mistakes answer at once.
const { invokeOnce, openLocalStore } = await import('../lib/local/invoke.js');

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
