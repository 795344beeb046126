/**
 * The bench result as ONE self-contained HTML file: inline CSS, inline SVG charts (svg-charts.ts), no script,
 * no external font, style sheet or image. The tables are the terminal's sections (table.ts), so both show the
 * same figures. Every piece of text from the result is escaped.
 */
import { escapeHtml, renderSectionHtml } from './html.js';
import type { BenchResult, LatencySummary } from './result.js';
import { barChart, COLORS, lineChart } from './svg-charts.js';
import {
  benchSections,
  describeMachine,
  formatInt,
  formatMs,
  formatRate,
  machineSection,
  summarize,
} from './table.js';

const figure = (title: string, svg: string, caption?: string): string =>
  `<figure><h3>${escapeHtml(title)}</h3>${svg}${caption ? `<figcaption>${escapeHtml(caption)}</figcaption>` : ''}</figure>`;

/** The three charts of the report, each one <svg>. */
export const renderCharts = (result: BenchResult): string[] => {
  const { claims } = result;
  const timeline = claims.timeline;
  const latencyOf = (latency: LatencySummary) => [latency.p50Ms, latency.p95Ms, latency.p99Ms];
  return [
    figure(
      'Granted claims per second',
      lineChart({
        title: 'Granted claims per second over the claim run',
        xLabel: 'seconds since the claim run started',
        yLabel: 'claims/s',
        series: [
          {
            name: 'granted claims/s',
            color: COLORS.claims,
            points: timeline.map((p) => ({ x: p.atMs / 1_000, y: p.perSecond })),
          },
        ],
      }),
    ),
    figure(
      'Available stock',
      lineChart({
        title: 'Units still available over the claim run',
        xLabel: 'seconds since the claim run started',
        yLabel: 'units available',
        series: [
          {
            name: 'available',
            color: COLORS.stock,
            points: timeline.flatMap((p) =>
              p.available === undefined ? [] : [{ x: p.atMs / 1_000, y: p.available }],
            ),
          },
        ],
        references: [{ name: 'stock', value: claims.stock, color: COLORS.axis }],
      }),
    ),
    figure(
      'Latency percentiles',
      barChart({
        title: 'Latency percentiles in milliseconds: baseline, claim path, HTTP',
        xLabel: 'percentile',
        yLabel: 'ms',
        groups: ['p50', 'p95', 'p99'],
        series: [
          { name: 'baseline (store)', color: COLORS.baseline, values: latencyOf(result.baseline.latency) },
          { name: 'claim, every attempt', color: COLORS.claims, values: latencyOf(claims.latency) },
          { name: 'claim, granted', color: COLORS.granted, values: latencyOf(claims.grantedLatency) },
          ...(result.http
            ? [{ name: 'HTTP', color: COLORS.http, values: latencyOf(result.http.latency) }]
            : []),
        ],
        formatValue: formatMs,
      }),
    ),
  ];
};

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f8fafc; color: #0f172a; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 0 0 6px; color: #334155; }
.meta { color: #475569; margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin: 16px 0 24px; }
.card { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px 14px; }
.card .label { color: #64748b; font-size: 12px; }
.card .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card.bad { border-color: #fca5a5; background: #fef2f2; }
.card.good { border-color: #86efac; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 16px; margin-bottom: 24px; }
figure { margin: 0; background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px; }
figcaption { color: #64748b; font-size: 12px; margin-top: 4px; }
svg { width: 100%; height: auto; display: block; font-family: inherit; }
svg .tick, svg .value { font-size: 11px; fill: #475569; }
svg .strong { font-weight: 700; fill: #0f172a; }
svg .legend, svg .axis-label { font-size: 12px; fill: #334155; }
svg .ref { font-size: 11px; }
svg .empty { font-size: 14px; fill: #94a3b8; }
.tables { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 16px; align-items: start; }
section.table { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px 14px; overflow-x: auto; }
section.wide { grid-column: 1 / -1; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #f1f5f9; vertical-align: top; }
th { color: #475569; font-weight: 600; border-bottom-color: #cbd5e1; }
.num { text-align: right; white-space: nowrap; }
td.good { color: #15803d; font-weight: 600; }
td.bad { color: #b91c1c; font-weight: 700; background: #fef2f2; }
td.empty { color: #94a3b8; }
td:first-child { white-space: nowrap; }
.notes { margin: 8px 0 0; padding-left: 18px; color: #475569; font-size: 12px; }
footer { margin-top: 24px; color: #64748b; font-size: 12px; }
`;

const card = (label: string, value: string, tone?: 'good' | 'bad'): string =>
  `<div class="card${tone ? ` ${tone}` : ''}"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div></div>`;

const headlineCards = (result: BenchResult): string => {
  const summary = summarize(result);
  const claimCold = result.coldStart?.functions.find((fn) => fn.name === 'claim-coupon');
  return [
    card('granted claims/s', formatRate(result.claims.claimsPerSecond)),
    card('claim p99', `${formatMs(result.claims.latency.p99Ms)} ms`),
    card('oversell', formatInt(result.claims.oversell), result.claims.oversell === 0 ? 'good' : 'bad'),
    card(
      'checks ok',
      `${summary.checks - summary.checksFailed} / ${summary.checks}`,
      summary.checksFailed === 0 ? 'good' : 'bad',
    ),
    card(
      'targets met',
      `${summary.targets - summary.targetsMissed} / ${summary.targets}`,
      summary.targetsMissed === 0 ? 'good' : 'bad',
    ),
    ...(claimCold ? [card('claim-coupon cold import', `${formatMs(claimCold.medianImportMs)} ms`)] : []),
  ].join('');
};

/** The whole result as one self-contained HTML page. */
export const renderHtml = (result: BenchResult): string => {
  const sections = [machineSection(result), ...benchSections(result)];
  const tables = sections.map(renderSectionHtml).join('\n');
  const title = `livedrop bench, ${result.startedAt}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>livedrop bench</h1>
<p class="meta">Started ${escapeHtml(result.startedAt)} · ${escapeHtml(describeMachine(result))} · ${escapeHtml(summarize(result).text)}</p>
</header>
<div class="cards">${headlineCards(result)}</div>
<div class="charts">
${renderCharts(result).join('\n')}
</div>
<div class="tables">
${tables}
</div>
<footer>Measured on the embedded store on this machine. Capacity on DynamoDB is the gala simulation's, measured by <code>npm run simulate</code> (docs/simulation.md), with its date.</footer>
</main>
</body>
</html>
`;
};
