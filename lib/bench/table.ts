/**
 * The bench result as tables: one list of sections (title, columns, rows, notes) built once from a
 * BenchResult, rendered here as plain aligned text for the terminal and by report.ts as HTML, so the two
 * always show the same figures.
 */
import type { BenchResult, LatencySummary } from './result.js';

/** `good`/`bad` mark a cell the reader must not miss (a failed check, an oversell). */
export type Tone = 'good' | 'bad';
export type Cell = string | { text: string; tone: Tone };

export interface Column {
  header: string;
  align: 'left' | 'right';
}

export interface Section {
  title: string;
  columns: Column[];
  rows: Cell[][];
  /** Key/value sections show no header row. */
  headless?: boolean;
  /** Long rows: the HTML report gives the section the full width. */
  wide?: boolean;
  /** Lines printed under the table (assumptions, how a figure was measured). */
  notes?: string[];
}

const en = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fixed = (n: number, digits: number): string =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);

const finite = (n: number, format: (n: number) => string): string => (Number.isFinite(n) ? format(n) : 'n/a');

/** 12,345 */
export const formatInt = (n: number): string => finite(n, (v) => en.format(Math.round(v)));
/** Rates: 12,345 above 100, else one decimal (42.5). */
export const formatRate = (n: number): string =>
  finite(n, (v) => (Math.abs(v) >= 100 ? en.format(Math.round(v)) : fixed(v, 1)));
/** Milliseconds: 2 decimals under 10, 1 under 100, whole above. */
export const formatMs = (n: number): string =>
  finite(n, (v) =>
    Math.abs(v) < 10 ? fixed(v, 2) : Math.abs(v) < 100 ? fixed(v, 1) : en.format(Math.round(v)),
  );
/** A duration given in milliseconds, shown in seconds: 12.3 s */
export const formatSeconds = (ms: number): string => finite(ms, (v) => `${fixed(v / 1_000, 1)} s`);
/** A share in [0, 1] as a percentage: 0.5 % */
export const formatShare = (share: number): string => finite(share, (v) => `${fixed(v * 100, 1)} %`);
/** 0.93× */
export const formatRatio = (ratio: number): string => finite(ratio, (v) => `${fixed(v, 2)}×`);
/** 513,063 B (501.0 KiB) */
export const formatBytes = (bytes: number): string =>
  finite(bytes, (v) => `${en.format(v)} B (${fixed(v / 1_024, 1)} KiB)`);
/** Calls per claim and other small averages: two decimals. */
export const formatAverage = (n: number): string => finite(n, (v) => fixed(v, 2));

export const cellText = (cell: Cell): string => (typeof cell === 'string' ? cell : cell.text);

const zeroIsGood = (n: number): Cell => ({ text: formatInt(n), tone: n === 0 ? 'good' : 'bad' });

const left = (header: string): Column => ({ header, align: 'left' });
const right = (header: string): Column => ({ header, align: 'right' });
const keyValue = (title: string, rows: Cell[][], notes?: string[]): Section => ({
  title,
  columns: [left('figure'), right('value')],
  rows,
  headless: true,
  ...(notes === undefined ? {} : { notes }),
});

const latencyRow = (phase: string, latency: LatencySummary): Cell[] => [
  phase,
  formatMs(latency.p50Ms),
  formatMs(latency.p95Ms),
  formatMs(latency.p99Ms),
  formatMs(latency.maxMs),
];

/** Claim-path throughput relative to the store alone (the cost of the engine around each store call). */
export const ratiosToBaseline = (result: BenchResult) => ({
  claims: result.claims.claimsPerSecond / result.baseline.opsPerSecond,
  attempts: result.claims.attemptsPerSecond / result.baseline.opsPerSecond,
});

/** The machine in one line: 2 CPUs (model), 7.8 GiB, Node v20.20.2, linux */
export const describeMachine = ({ machine }: BenchResult): string =>
  `${machine.cpus} CPU${machine.cpus === 1 ? '' : 's'} (${machine.cpuModel}), ${fixed(machine.memoryGiB, 1)} GiB, Node ${machine.node}, ${machine.platform}`;

export const describeOptions = ({ options }: BenchResult): string =>
  `concurrency ${formatInt(options.concurrency)}, stock ${formatInt(options.stock)}, viewers ${formatInt(options.viewers)}`;

export const summarize = (result: BenchResult) => {
  const checksFailed = result.checks.filter((check) => !check.ok).length;
  const targetsMissed = result.targets.filter((target) => !target.met).length;
  return {
    checks: result.checks.length,
    checksFailed,
    targets: result.targets.length,
    targetsMissed,
    text:
      `checks: ${result.checks.length - checksFailed}/${result.checks.length} ok` +
      (checksFailed > 0 ? `, ${checksFailed} FAILED` : '') +
      `; targets: ${result.targets.length - targetsMissed}/${result.targets.length} met` +
      (targetsMissed > 0 ? `, ${targetsMissed} NOT MET` : ''),
  };
};

/** Where and how the run happened (the terminal shows it as its header line instead). */
export const machineSection = (result: BenchResult): Section =>
  keyValue('Machine and options', [
    ['started', result.startedAt],
    ['CPUs', `${formatInt(result.machine.cpus)} × ${result.machine.cpuModel}`],
    ['memory', `${fixed(result.machine.memoryGiB, 1)} GiB`],
    ['Node', result.machine.node],
    ['platform', result.machine.platform],
    ['concurrency', formatInt(result.options.concurrency)],
    ['stock', formatInt(result.options.stock)],
    ['viewers', formatInt(result.options.viewers)],
  ]);

const orNone = (value: number | null, format: (n: number) => string) =>
  value === null ? 'n/a' : format(value);

/** Capacity on DynamoDB: the gala simulation's measured figures, never a formula (docs/simulation.md). */
export const simulationSection = (simulation: BenchResult['simulation']): Section =>
  simulation === null
    ? keyValue(
        'Capacity on DynamoDB (gala simulation)',
        [['last run', 'none here']],
        [
          'Not computed by the bench: run `npm run simulate` (docs/simulation.md) and the bench shows its figures.',
        ],
      )
    : keyValue(
        'Capacity on DynamoDB (gala simulation)',
        [
          ['simulated', simulation.startedAt],
          [
            'viewers / containers',
            `${formatInt(simulation.viewersRepresented)} / ${formatInt(simulation.containers)}`,
          ],
          ['claims/s on one deal before throttles', orNone(simulation.claimsPerSecondOneDeal, formatInt)],
          ['throttles start at (arrivals/s)', orNone(simulation.throttlesStartAtClaimsPerSecond, formatInt)],
          ['throttled calls', formatInt(simulation.throttledCalls)],
          ['hot shard WCU per claim', orNone(simulation.hotPartitionWcuPerClaim, formatAverage)],
          ['figure RCU/s at ~1k coupons', orNone(simulation.figuresReadsPerSecond.atCoupons1k, formatInt)],
          ['figure RCU/s at ~10k coupons', orNone(simulation.figuresReadsPerSecond.atCoupons10k, formatInt)],
          [
            'correctness checks',
            simulation.failedChecks.length === 0
              ? 'all 0'
              : { text: `not 0: ${simulation.failedChecks.join(', ')}`, tone: 'bad' },
          ],
        ],
        [
          `Measured by \`npm run simulate\` (${simulation.source}), not by this bench run: the real engine under a model of DynamoDB's partitions (docs/simulation.md).`,
        ],
      );

/** Every figure of the result (but the machine), as sections in reading order. */
export const benchSections = (result: BenchResult): Section[] => {
  const { baseline, claims, simulation } = result;
  const ratios = ratiosToBaseline(result);
  const sections: Section[] = [
    keyValue('Baseline: the store alone', [
      ['concurrency', formatInt(baseline.concurrency)],
      ['operations', formatInt(baseline.operations)],
      ['duration', formatSeconds(baseline.durationMs)],
      ['throughput', `${formatRate(baseline.opsPerSecond)} ops/s`],
    ]),
    keyValue('Claim path: the engine on the store', [
      ['concurrency', formatInt(claims.concurrency)],
      ['viewers', formatInt(claims.viewers)],
      ['attempts', formatInt(claims.attempts)],
      [
        'granted vs stock',
        {
          text: `${formatInt(claims.successes)} of ${formatInt(claims.stock)}`,
          tone: claims.successes <= claims.stock ? 'good' : 'bad',
        },
      ],
      ['refused: sold out', formatInt(claims.soldOut)],
      ['refused: per-viewer limit', formatInt(claims.limitReached)],
      ['replays', formatInt(claims.replays)],
      ['other errors', zeroIsGood(claims.otherErrors)],
      ['duration', formatSeconds(claims.durationMs)],
      ['granted claims/s (while stock lasted)', formatRate(claims.claimsPerSecond)],
      ['attempts/s (granted or refused)', formatRate(claims.attemptsPerSecond)],
      ['oversell (units beyond stock)', zeroIsGood(claims.oversell)],
      ['per-viewer limit breaches', zeroIsGood(claims.perViewerBreaches)],
      ['store calls per granted claim', formatAverage(claims.storeCallsPerSuccessfulClaim)],
      ['after sell-out: attempts reaching the store', formatShare(claims.afterSellOutStoreShare)],
      ['after sell-out: attempts writing to the store', formatShare(claims.afterSellOutWriteShare)],
      ['claims/s vs baseline ops/s', formatRatio(ratios.claims)],
      ['attempts/s vs baseline ops/s', formatRatio(ratios.attempts)],
    ]),
    {
      title: 'Latency (ms)',
      columns: [left('phase'), right('p50'), right('p95'), right('p99'), right('max')],
      rows: [
        latencyRow('baseline (store)', baseline.latency),
        latencyRow('claim path, every attempt', claims.latency),
        latencyRow('claim path, granted only', claims.grantedLatency),
        ...(result.http ? [latencyRow('HTTP', result.http.latency)] : []),
      ],
    },
    {
      title: 'Naive designs vs livedrop (same stock and load)',
      columns: [
        left('design'),
        right('attempts'),
        right('granted'),
        right('oversell'),
        right('duration'),
        right('claims/s'),
      ],
      rows: [
        ...result.naive.map((naive): Cell[] => [
          naive.design,
          formatInt(naive.attempts),
          formatInt(naive.successes),
          formatInt(naive.oversell),
          formatSeconds(naive.durationMs),
          formatRate(naive.claimsPerSecond),
        ]),
        [
          'livedrop',
          formatInt(claims.attempts),
          formatInt(claims.successes),
          zeroIsGood(claims.oversell),
          formatSeconds(claims.durationMs),
          formatRate(claims.claimsPerSecond),
        ],
      ],
      notes: ['Oversell in a naive design is what it demonstrates, not a failure of the run.'],
    },
  ];
  if (result.http) {
    const http = result.http;
    sections.push(
      keyValue('HTTP: claims through the local API', [
        ['connections', formatInt(http.connections)],
        ['requests', formatInt(http.requests)],
        ['granted', formatInt(http.successes)],
        ['duration', formatSeconds(http.durationMs)],
        ['throughput', `${formatRate(http.requestsPerSecond)} req/s`],
        ...Object.entries(http.statusCounts)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([status, count]): Cell[] => [`status ${status}`, formatInt(count)]),
      ]),
    );
  }
  sections.push(simulationSection(simulation));
  if (result.coldStart) {
    const cold = result.coldStart;
    sections.push({
      title: 'Cold import (fresh node process, bundled as deployed)',
      wide: true,
      columns: [
        left('bundle'),
        right('size'),
        right('median import ms'),
        right('median CPU ms'),
        right('vs bare'),
      ],
      rows: [
        ...cold.functions.map((fn): Cell[] => [
          fn.name,
          formatBytes(fn.bytes),
          formatMs(fn.medianImportMs),
          formatMs(fn.medianCpuMs),
          formatRatio(fn.ratioToBare),
        ]),
        [
          'bare (middy + DynamoDB document client)',
          formatBytes(cold.bare.bytes),
          formatMs(cold.bare.medianImportMs),
          formatMs(cold.bare.medianCpuMs),
          formatRatio(1),
        ],
      ],
      notes: [
        `Median of ${formatInt(cold.runs)} imports per bundle; size without the source map. Module loading only, on this machine.`,
        'vs bare: the median of each round’s ratio to the bare import of the same round.',
      ],
    });
  }
  sections.push(
    {
      title: 'Checks',
      wide: true,
      columns: [left('result'), left('check'), left('detail')],
      rows: result.checks.map((check): Cell[] => [
        check.ok ? { text: 'ok', tone: 'good' } : { text: 'FAILED', tone: 'bad' },
        check.name,
        check.detail,
      ]),
    },
    {
      title: 'Targets',
      wide: true,
      columns: [left('result'), left('target'), right('actual'), right('wanted')],
      rows: result.targets.map((target): Cell[] => [
        target.met ? { text: 'met', tone: 'good' } : { text: 'NOT MET', tone: 'bad' },
        target.name,
        target.actual,
        target.target,
      ]),
    },
  );
  return sections;
};

const pad = (text: string, width: number, align: Column['align']): string =>
  align === 'right' ? text.padStart(width) : text.padEnd(width);

/** One section as aligned plain text, indented by two spaces. */
export const renderSection = (section: Section): string => {
  const rows = section.rows.map((row) => row.map(cellText));
  const widths = section.columns.map((column, index) =>
    Math.max(section.headless ? 0 : column.header.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    `  ${section.columns
      .map((column, index) => pad(cells[index] ?? '', widths[index] ?? 0, column.align))
      .join('  ')}`.trimEnd();
  const lines = [section.title, '-'.repeat(section.title.length)];
  if (!section.headless) {
    lines.push(line(section.columns.map((column) => column.header)));
    lines.push(line(widths.map((width) => '-'.repeat(width))));
  }
  lines.push(...rows.map(line));
  if (rows.length === 0) {
    lines.push('  (none)');
  }
  for (const note of section.notes ?? []) {
    lines.push(`  * ${note}`);
  }
  return lines.join('\n');
};

/** The whole result as a plain-text table for the terminal. */
export const renderTable = (result: BenchResult): string =>
  [
    `livedrop bench, started ${result.startedAt}`,
    `${describeMachine(result)}; ${describeOptions(result)}`,
    '',
    ...benchSections(result).flatMap((section) => [renderSection(section), '']),
    summarize(result).text,
  ].join('\n');
