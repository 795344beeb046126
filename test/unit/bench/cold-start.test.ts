import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleBare, bundleOptions, median, sampleImport } from '../../../lib/bench/cold-start.js';
import { BUNDLE_SETTINGS } from '../../../lib/cdk/constructs/livedrop-function.js';

describe('median', () => {
  it('takes the middle value of an odd count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([42])).toBe(42);
  });

  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('sorts numerically without changing its input', () => {
    const values = [100, 9, 20];
    expect(median(values)).toBe(20);
    expect(values).toEqual([100, 9, 20]);
  });

  it('refuses an empty list', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('bundling', () => {
  it('uses the stack settings', () => {
    expect(bundleOptions()).toMatchObject({
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: BUNDLE_SETTINGS.target,
      minify: true,
      sourcemap: true,
      mainFields: ['module', 'main'],
      banner: { js: BUNDLE_SETTINGS.banner },
      external: [],
    });
  });

  it('bundles the bare entry into a module a fresh node imports', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'livedrop-cold-'));
    try {
      const bundle = await bundleBare(outDir);
      expect(bundle.file).toBe(join(outDir, 'bare', 'index.mjs'));
      expect(bundle.bytes).toBeGreaterThan(100_000);
      const code = await readFile(bundle.file, 'utf8');
      expect(code.startsWith(BUNDLE_SETTINGS.banner)).toBe(true);
      expect(code).toContain('//# sourceMappingURL=index.mjs.map');
      // proves the bundle loads and exports a handler; the duration itself is not asserted
      const sample = await sampleImport(bundle.file);
      expect(Number.isFinite(sample.ms)).toBe(true);
      expect(sample.cpuMs).toBeGreaterThan(0);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
