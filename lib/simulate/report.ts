/** The run's result as files (latest.json, a timestamped copy, an HTML page) and as a short table on stdout. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeHtml } from '../bench/html.js';
import { COLORS, lineChart } from '../bench/svg-charts.js';
import type { SimulationResult } from './run.js';

const round = (value: number | null, digits = 1): string =>
  value === null ? 'n/a' : value.toLocaleString('en-US', { maximumFractionDigits: digits });

/** The rows of the summary: the same on stdout and at the top of the HTML page. */
export const summaryRows = (result: SimulationResult): [string, string, boolean?][] => [
  ['viewers represented', round(result.viewersRepresented, 0)],
  [
    'containers (used / peak busy)',
    `${result.containers} (${result.containersUsed} / ${result.peakBusyContainers})`,
  ],
  [
    'scale',
    result.scale.dilation === 0
      ? 'full, discrete-event simulated time'
      : `full, virtual time ${result.scale.dilation}x slower than wall`,
  ],
  ['simulated / wall seconds', `${result.simulatedSeconds} / ${result.wallSeconds}`],
  ['oversell', String(result.oversell), result.oversell !== 0],
  ['perViewerBreaches', String(result.perViewerBreaches), result.perViewerBreaches !== 0],
  ['grantedThen5xx', String(result.grantedThen5xx), result.grantedThen5xx !== 0],
  ['grantedAfterEnd', String(result.grantedAfterEnd), result.grantedAfterEnd !== 0],
  ['granted claims', round(result.totals.grantedClaims, 0)],
  ['throttledCalls (attempts)', round(result.throttledCalls, 0)],
  ['viewerVisibleThrottles', round(result.viewerVisibleThrottles, 0)],
  ['figures RCU/s at ~1k coupons', round(result.figuresReadsPerSecond.atCoupons1k, 0)],
  ['figures RCU/s at ~10k coupons', round(result.figuresReadsPerSecond.atCoupons10k, 0)],
  ['hot shard WCU per claim', round(result.hotPartitionWcuPerClaim, 2)],
  ['capacity units per claim', round(result.capacityUnitsPerClaim, 1)],
  [
    'claims/s on one deal before throttles',
    `${round(result.claimsPerSecondOneDeal, 0)}${result.throttlesStartAtClaimsPerSecond === null ? ' (none up to the top rate)' : ` (throttles from ${result.throttlesStartAtClaimsPerSecond}/s)`}`,
  ],
];

export const summaryTable = (result: SimulationResult): string => {
  const rows = summaryRows(result);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(
    ([label, value, bad]) => `${label.padEnd(width)}  ${value}${bad ? '  << FAIL' : ''}`,
  );
  const hot = result.hottestPartitions
    .slice(0, 5)
    .map(
      (p) =>
        `  ${p.key.padEnd(60)} WCU ${round(p.wcu, 0).padStart(8)}  RCU ${round(p.rcu, 0).padStart(8)}  throttles ${p.throttles}`,
    );
  return [...lines, 'hottest partitions:', ...hot].join('\n');
};

const table = (headers: string[], rows: (string | number)[][]): string =>
  `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(String(cell))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

export const renderHtml = (result: SimulationResult): string => {
  const summary = summaryRows(result)
    .map(
      ([label, value, bad]) =>
        `<tr${bad ? ' class="bad"' : ''}><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const claims = lineChart({
    title: 'Claims answered per simulated second',
    xLabel: 'simulated second of the rush',
    yLabel: 'claims',
    series: [
      {
        name: 'granted',
        color: COLORS.granted,
        points: result.claimsPerSecond.map((p) => ({ x: p.second, y: p.granted })),
      },
      {
        name: 'refused',
        color: COLORS.baseline,
        points: result.claimsPerSecond.map((p) => ({ x: p.second, y: p.refused })),
      },
      {
        name: '5xx',
        color: COLORS.single,
        points: result.claimsPerSecond.map((p) => ({ x: p.second, y: p.serverErrors })),
      },
    ],
  });
  const figures = lineChart({
    title: 'Stock-figure read units per simulated second (headline deal)',
    xLabel: 'coupons granted on the deal',
    yLabel: 'RCU/s',
    series: [
      {
        name: 'figure RCU/s',
        color: COLORS.claims,
        points: result.figures.perSecond.map((p) => ({ x: p.coupons, y: p.rcu })),
      },
    ],
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>livedrop gala simulation</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}tr.bad td,tr.bad th{background:#fdd}svg{max-width:100%}</style></head><body>
<h1>livedrop gala simulation</h1>
<p>${escapeHtml(result.scale.note)} Run ${escapeHtml(result.startedAt)}. See docs/simulation.md for what is and is not modelled.</p>
<table>${summary}</table>
${claims}
${figures}
<h2>Hottest partitions</h2>
${table(
  ['partition', 'WCU', 'RCU', 'calls', 'throttles'],
  result.hottestPartitions.map((p) => [p.key, round(p.wcu, 0), round(p.rcu, 0), p.calls, p.throttles]),
)}
<h2>Deals at the end (after the final sweep)</h2>
${table(
  ['deal', 'stock', 'available', 'held', 'redeemed', 'balanced', 'live coupons', 'limit'],
  result.deals.map((d) => [
    d.dealId,
    d.stock,
    d.available,
    d.held,
    d.redeemed,
    String(d.balanced),
    d.liveCoupons,
    d.perViewerLimit,
  ]),
)}
<h2>Cues</h2>
${table(
  ['deal', 'action', 'sent (simulated clock)', 'answered after (sim s)'],
  result.cues.map((c) => [
    c.dealId,
    c.action,
    new Date(c.sentAt).toISOString(),
    round((c.answeredAt - c.sentAt) / 1000, 3),
  ]),
)}
<h2>Ramp on one deal</h2>
${table(
  [
    'arrivals/s',
    'granted',
    'sustained claims/s',
    'claim ms p50 / p99',
    'throttled attempts',
    '5xx',
    'viewer-visible throttles',
    'peak busy containers',
    'seconds',
  ],
  (result.ramp?.steps ?? []).map((s) => [
    s.rate,
    s.granted,
    s.claimsPerSecond,
    `${s.claimMs.p50} / ${s.claimMs.p99}`,
    s.throttledAttempts,
    s.serverErrors,
    s.visibleThrottles,
    s.peakBusyContainers,
    round(s.seconds, 2),
  ]),
)}
<h2>Commands</h2>
${table(
  [
    'command',
    'calls',
    'attempts',
    'throttles',
    'throttled after retries',
    'WCU',
    'RCU',
    'lost answers',
    'slow',
  ],
  Object.entries(result.commands).map(([name, c]) => [
    name,
    c.invocations,
    c.calls,
    c.throttles,
    c.throttledAfterRetries,
    round(c.wcu, 0),
    round(c.rcu, 0),
    c.lostAnswers,
    c.slowAnswers,
  ]),
)}
<h2>Answers</h2><pre>${escapeHtml(JSON.stringify(result.answers, null, 2))}</pre>
<h2>Parameters</h2><pre>${escapeHtml(JSON.stringify(result.parameters, null, 2))}</pre>
</body></html>`;
};

export const writeReport = (result: SimulationResult): { json: string; html: string } => {
  const dir = result.parameters.outDir;
  mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(result, null, 2)}\n`;
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const json = join(dir, 'latest.json');
  const html = join(dir, 'latest.html');
  writeFileSync(json, text);
  writeFileSync(join(dir, `simulate-${stamp}.json`), text);
  const page = renderHtml(result);
  writeFileSync(html, page);
  writeFileSync(join(dir, `simulate-${stamp}.html`), page);
  return { json, html };
};
