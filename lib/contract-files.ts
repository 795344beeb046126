/**
 * The contract files committed under docs/: the OpenAPI description and one JSON Schema per event detail-type,
 * each generated from the zod schemas and the wiring. `npm run openapi` writes them and `--check` (CI) and a unit
 * test compare them, so a change to a schema or a route that leaves them behind fails before review. They are
 * JSON.stringify's output byte for byte, so biome.json leaves them out of formatting (it would fold the arrays).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EVENT_TYPES, eventJsonSchema, schemaFileOf } from '../functions/shared/contract/event-schemas.js';
import { buildOpenApi } from '../functions/shared/http/openapi.js';

export const OPENAPI_FILE = 'docs/openapi.json';
export const EVENTS_DIR = 'docs/events';

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Each generated file's path (relative to the repository root) and exact content. */
export const contractFiles = (): Map<string, string> =>
  new Map([
    [OPENAPI_FILE, json(buildOpenApi())],
    ...EVENT_TYPES.map((type): [string, string] => [
      `${EVENTS_DIR}/${schemaFileOf(type)}`,
      json(eventJsonSchema(type)),
    ]),
  ]);

/**
 * The committed files that differ from the generated ones: changed, missing, or a JSON file in docs/events that
 * no detail-type generates any more (a renamed or removed event).
 */
export const staleContractFiles = (root: string, files = contractFiles()): string[] => {
  const stale = [...files].flatMap(([path, content]) => {
    const file = join(root, path);
    return existsSync(file) && readFileSync(file, 'utf8') === content ? [] : [path];
  });
  const eventsDir = join(root, EVENTS_DIR);
  const leftOver = existsSync(eventsDir)
    ? readdirSync(eventsDir)
        .filter((name) => name.endsWith('.json'))
        .map((name) => `${EVENTS_DIR}/${name}`)
        .filter((path) => !files.has(path))
    : [];
  return [...stale, ...leftOver].sort();
};

/** Writes every generated file and removes event schemas no detail-type generates; returns the paths written. */
export const writeContractFiles = (root: string, files = contractFiles()): string[] => {
  const stale = staleContractFiles(root, files);
  for (const path of stale) {
    const content = files.get(path);
    const file = join(root, path);
    if (content === undefined) {
      rmSync(file);
      continue;
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return stale;
};
