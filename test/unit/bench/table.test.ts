import { describe, expect, it } from 'vitest';
import {
  benchSections,
  formatBytes,
  formatMs,
  formatRate,
  formatRatio,
  formatShare,
  renderTable,
} from '../../../lib/bench/table.js';
import { benchFixture } from './fixture.js';

/** The lines of one titled section of the terminal table, up to the blank line after it. */
const sectionLines = (table: string, title: string): string[] => {
  const lines = table.split('\n');
  const start = lines.indexOf(title);
  expect(start, `section ${title}`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('', start);
  return lines.slice(start + 2, end === -1 ? undefined : end);
};

describe('renderTable', () => {
  const result = benchFixture();
  const table = renderTable(result);

  it('renders every section', () => {
    for (const title of [
      'Baseline: the store alone',
      'Claim path: the engine on the store',
      'Latency (ms)',
      'Naive designs vs livedrop (same stock and load)',
      'HTTP: claims through the local API',
      'Capacity on DynamoDB (gala simulation)',
      'Cold import (fresh node process, bundled as deployed)',
      'Checks',
      'Targets',
    ]) {
      expect(table.split('\n')).toContain(title);
    }
    expect(table).toContain('livedrop bench, started 2026-11-26T10:00:00.000Z');
    expect(table).toContain('2 CPUs (Test CPU <fast> & cheap), 7.8 GiB, Node v20.20.2, linux');
    expect(table).toContain('concurrency 64, stock 1,000, viewers 5,000');
  });

  it('shows every figure, formatted', () => {
    const baseline = sectionLines(table, 'Baseline: the store alone').join('\n');
    expect(baseline).toMatch(/operations\s+12,345/);
    expect(baseline).toMatch(/throughput\s+1,235 ops\/s/);
    expect(baseline).toMatch(/duration\s+10\.0 s/);

    const claims = sectionLines(table, 'Claim path: the engine on the store').join('\n');
    expect(claims).toMatch(/granted vs stock\s+1,000 of 1,000/);
    expect(claims).toMatch(/refused: sold out\s+4,500/);
    expect(claims).toMatch(/refused: per-viewer limit\s+400/);
    expect(claims).toMatch(/granted claims\/s \(while stock lasted\)\s+617/);
    expect(claims).toMatch(/attempts\/s \(granted or refused\)\s+727/);
    expect(claims).toMatch(/oversell \(units beyond stock\)\s+0/);
    expect(claims).toMatch(/per-viewer limit breaches\s+0/);
    expect(claims).toMatch(/store calls per granted claim\s+3\.50/);
    expect(claims).toMatch(/after sell-out: attempts reaching the store\s+1\.3 %/);
    expect(claims).toMatch(/after sell-out: attempts writing to the store\s+0\.0 %/);
    expect(claims).toMatch(/claims\/s vs baseline ops\/s\s+0\.50×/);
    expect(claims).toMatch(/attempts\/s vs baseline ops\/s\s+0\.59×/);

    const latency = sectionLines(table, 'Latency (ms)');
    expect(latency.find((line) => line.includes('baseline'))).toMatch(/4\.32\s+12\.5\s+25\.3\s+1,500$/);
    expect(latency.find((line) => line.includes('every attempt'))).toMatch(/9\.87\s+40\.1\s+88\.8\s+210$/);
    expect(latency.find((line) => line.includes('granted only'))).toMatch(/14\.2\s+55\.5\s+120\s+300$/);
    expect(latency.find((line) => line.includes('HTTP'))).toMatch(/150\s+420\s+980\s+2,345$/);

    const naive = sectionLines(table, 'Naive designs vs livedrop (same stock and load)').join('\n');
    expect(naive).toMatch(/read-then-write\s+6,000\s+1,432\s+432\s+7\.0 s\s+205/);
    expect(naive).toMatch(/single-counter\s+6,000\s+1,000\s+0\s+9\.1 s\s+110/);
    expect(naive).toMatch(/livedrop\s+6,000\s+1,000\s+0\s+8\.3 s\s+617/);

    const http = sectionLines(table, 'HTTP: claims through the local API').join('\n');
    expect(http).toMatch(/connections\s+100/);
    expect(http).toMatch(/throughput\s+500 req\/s/);
    expect(http).toMatch(/status 201\s+1,000/);
    expect(http).toMatch(/status 409\s+4,900/);
    expect(http).toMatch(/status 429\s+100/);

    const capacity = sectionLines(table, 'Capacity on DynamoDB (gala simulation)').join('\n');
    expect(capacity).toMatch(/simulated\s+2026-12-04T20:00:00\.000Z/);
    expect(capacity).toMatch(/viewers \/ containers\s+52,000 \/ 1,000/);
    expect(capacity).toMatch(/claims\/s on one deal before throttles\s+11,500/);
    expect(capacity).toMatch(/throttles start at \(arrivals\/s\)\s+20,000/);
    expect(capacity).toMatch(/hot shard WCU per claim\s+1\.25/);
    expect(capacity).toMatch(/figure RCU\/s at ~10k coupons\s+n\/a/);
    expect(capacity).toMatch(/correctness checks\s+not 0: grantedThen5xx/);
    expect(capacity).toContain('not by this bench run');
    expect(capacity).not.toMatch(/Assumption|formula/);

    const cold = sectionLines(table, 'Cold import (fresh node process, bundled as deployed)').join('\n');
    // The ratio is the run's paired median (1.281), not the ratio of the two medians (80.12 / 62.3 = 1.29).
    expect(cold).toMatch(/claim-coupon\s+513,063 B \(501\.0 KiB\)\s+80\.1\s+91\.4\s+1\.28×/);
    expect(cold).toMatch(
      /bare \(middy \+ DynamoDB document client\)\s+344,149 B \(336\.1 KiB\)\s+62\.3\s+70\.2\s+1\.00×/,
    );
    expect(cold).toContain('Median of 9 imports per bundle');
  });

  it('marks failing checks and missed targets visibly', () => {
    const checks = sectionLines(table, 'Checks');
    expect(checks.find((line) => line.includes('no oversell'))).toMatch(/^\s+ok\s+no oversell/);
    expect(checks.find((line) => line.includes('stock conserved'))).toMatch(
      /^\s+FAILED\s+stock conserved\s+ledger/,
    );
    const targets = sectionLines(table, 'Targets');
    expect(targets.find((line) => line.includes('claim p99'))).toMatch(
      /^\s+NOT MET\s+claim p99\s+88\.8 ms\s+<= 50 ms$/,
    );
    expect(targets.find((line) => line.includes('granted claims/s'))).toMatch(/^\s+met\s+granted claims\/s/);
    expect(table.trimEnd().split('\n').at(-1)).toBe('checks: 1/2 ok, 1 FAILED; targets: 1/2 met, 1 NOT MET');
  });

  it('aligns the columns', () => {
    const latency = sectionLines(table, 'Latency (ms)');
    // header, rule, four rows: right-aligned last column, so every line ends at the same column
    expect(latency).toHaveLength(6);
    expect(new Set(latency.map((line) => line.length)).size).toBe(1);
    const header = latency[0] ?? '';
    for (const row of latency.slice(2)) {
      expect(row.indexOf('  ', 2)).toBeLessThanOrEqual(header.indexOf('p50'));
    }
    const kv = sectionLines(table, 'Baseline: the store alone');
    expect(new Set(kv.map((line) => line.length)).size).toBe(1);
  });

  it('points to the simulation when it has not been run here, with no figure of its own', () => {
    const without = renderTable({ ...benchFixture(), simulation: null });
    const capacity = sectionLines(without, 'Capacity on DynamoDB (gala simulation)').join('\n');
    expect(capacity).toMatch(/last run\s+none here/);
    expect(capacity).toContain('run `npm run simulate` (docs/simulation.md)');
    expect(capacity).not.toMatch(/\d,\d{3}/);
  });

  it('leaves out HTTP and cold start when they were not run', () => {
    const { http: _http, coldStart: _coldStart, ...rest } = benchFixture();
    const without = renderTable(rest);
    expect(without).not.toContain('HTTP');
    expect(without).not.toContain('Cold import');
    expect(benchSections(rest).map((section) => section.title)).not.toContain(
      'HTTP: claims through the local API',
    );
  });
});

describe('formatters', () => {
  it('format numbers for reading', () => {
    expect(formatRate(12_345.6)).toBe('12,346');
    expect(formatRate(42.46)).toBe('42.5');
    expect(formatMs(4.5678)).toBe('4.57');
    expect(formatMs(31.4159)).toBe('31.4');
    expect(formatMs(314.59)).toBe('315');
    expect(formatMs(3_141.59)).toBe('3,142');
    expect(formatShare(0.5)).toBe('50.0 %');
    expect(formatRatio(1.234)).toBe('1.23×');
    expect(formatBytes(2_048)).toBe('2,048 B (2.0 KiB)');
  });

  it('show n/a rather than NaN or Infinity', () => {
    expect(formatRate(Number.NaN)).toBe('n/a');
    expect(formatRatio(1 / 0)).toBe('n/a');
  });
});
