import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtml } from './report.js';
import type { BenchResult } from './result.js';

/**
 * Writes one result under `outDir` as JSON and as the HTML report, each twice: stamped with the run's start
 * (bench-<startedAt>.json/.html) and as latest.json/latest.html. Returns the paths of the latest two.
 */
export const writeResultFiles = (outDir: string, result: BenchResult): { json: string; html: string } => {
  mkdirSync(outDir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const json = JSON.stringify(result, null, 2);
  writeFileSync(join(outDir, `bench-${stamp}.json`), json);
  writeFileSync(join(outDir, 'latest.json'), json);
  const html = renderHtml(result);
  writeFileSync(join(outDir, `bench-${stamp}.html`), html);
  writeFileSync(join(outDir, 'latest.html'), html);
  return { json: join(outDir, 'latest.json'), html: join(outDir, 'latest.html') };
};
