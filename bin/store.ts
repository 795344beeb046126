/**
 * Runs the embedded DynamoDB-compatible store on its own, with livedrop's table created:
 *   npm run store                       # data in .livedrop/data, port 8000
 *   LIVEDROP_DATA=memory PORT=0 npm run store
 * Point the engine (or any DynamoDB client) at the printed endpoint with DYNAMODB_ENDPOINT.
 */
import { mkdirSync } from 'node:fs';
import { startEmbeddedStore } from '../lib/local/embedded-store.js';

const data = process.env.LIVEDROP_DATA ?? '.livedrop/data';
const port = Number(process.env.PORT ?? 8000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, got ${process.env.PORT}`);
  process.exit(2);
}
if (data !== 'memory') mkdirSync(data, { recursive: true });

const store = await startEmbeddedStore({ ...(data === 'memory' ? {} : { path: data }), port });
console.info(
  `livedrop store ready: DYNAMODB_ENDPOINT=${store.endpoint} TABLE_NAME=${store.tableName} (data: ${data})`,
);

const stop = async () => {
  await store.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
