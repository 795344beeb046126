import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSimulationFigures } from '../../../lib/bench/simulation-figures.js';

const dir = mkdtempSync(join(tmpdir(), 'livedrop-bench-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the simulation figures the bench shows', () => {
  it('reads the last simulation’s measured figures with its date, and names the checks that were not 0', () => {
    // prepare
    const path = join(dir, 'latest.json');
    writeFileSync(
      path,
      JSON.stringify({
        startedAt: '2026-12-04T20:00:00.000Z',
        wallSeconds: 500,
        viewersRepresented: 50_000,
        containers: 1_000,
        claimsPerSecondOneDeal: 2_400,
        throttlesStartAtClaimsPerSecond: 5_000,
        throttledCalls: 77,
        hotPartitionWcuPerClaim: 3.5,
        figuresReadsPerSecond: { atCoupons1k: 1_900, atCoupons10k: 7_000 },
        oversell: 0,
        perViewerBreaches: 0,
        grantedThen5xx: 2,
        grantedAfterEnd: 0,
      }),
    );
    // act
    const figures = readSimulationFigures(path);
    // assert
    expect(figures).toMatchObject({
      source: path,
      startedAt: '2026-12-04T20:00:00.000Z',
      claimsPerSecondOneDeal: 2_400,
      throttlesStartAtClaimsPerSecond: 5_000,
      figuresReadsPerSecond: { atCoupons1k: 1_900, atCoupons10k: 7_000 },
      failedChecks: ['grantedThen5xx'],
    });
  });

  it('is null when the simulation has not been run or its file is not a result', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{not json');
    expect(readSimulationFigures(join(dir, 'missing.json'))).toBeNull();
    expect(readSimulationFigures(broken)).toBeNull();
  });
});
