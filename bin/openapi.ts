/**
 * `npm run openapi`: writes docs/openapi.json and docs/events/*.json from the zod schemas and the wiring;
 * `-- --check` writes nothing and exits 1 when the committed files differ (CI runs it).
 */
import { fileURLToPath } from 'node:url';
import { defineCli, readCommandLine } from '../lib/cli.js';
import { staleContractFiles, writeContractFiles } from '../lib/contract-files.js';

const CLI = defineCli({
  script: 'openapi',
  summary:
    'Writes the contract files: docs/openapi.json (OpenAPI 3.1) and docs/events/*.json (one JSON Schema per event\n' +
    'detail-type), generated from the zod schemas and the wiring.',
  options: {
    check: {
      type: 'boolean',
      description: 'write nothing; exit 1 with one line when a committed file differs from the generated one',
    },
  },
});

const { check } = readCommandLine(CLI, ({ values }) => ({ check: values.check === true }));

const root = fileURLToPath(new URL('..', import.meta.url));
if (check) {
  const stale = staleContractFiles(root);
  if (stale.length > 0) {
    console.error(
      `openapi: not what the schemas generate: ${stale.join(', ')}; run npm run openapi and commit`,
    );
    process.exit(1);
  }
  console.info('openapi: the contract files are up to date');
} else {
  const written = writeContractFiles(root);
  console.info(written.length > 0 ? `openapi: wrote ${written.join(', ')}` : 'openapi: nothing to change');
}
