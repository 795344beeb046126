/**
 * The bench result as ONE self-contained HTML file: inline CSS, inline SVG charts drawn here, no script, no
 * external font, style sheet or image. The tables are the terminal's sections (table.ts), so both show the
 * same figures. Every piece of text from the result is escaped.
 */
import type { BenchResult, LatencySummary } from './result.js';
import {
  benchSections,
  type Cell,
  cellText,
  describeMachine,
  formatInt,
  formatMs,
  formatRate,
  machineSection,
  type Section,
  summarize,
} from './table.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML and SVG content and attribute values. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);

const COLORS = {
  baseline: '#64748b',
  claims: '#2563eb',
  granted: '#0891b2',
  http: '#d97706',
  highlight: '#1e3a8a',
  single: '#dc2626',
  transactional: '#7c3aed',
  stock: '#059669',
  grid: '#e2e8f0',
  axis: '#94a3b8',
  text: '#334155',
} as const;

const WIDTH = 640;
const HEIGHT = 300;
const MARGIN = { top: 44, right: 24, bottom: 48, left: 64 } as const;
const PLOT = {
  x0: MARGIN.left,
  x1: WIDTH - MARGIN.right,
  y0: HEIGHT - MARGIN.bottom,
  y1: MARGIN.top,
} as const;

/** A round step near `raw`: 1, 2 or 5 times a power of ten. */
export const niceStep = (raw: number): number => {
  if (!(raw > 0) || !Number.isFinite(raw)) {
    return 1;
  }
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / magnitude;
  return magnitude * (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10);
};

/** Axis from 0 to a round value at or above `max`, with about five ticks. */
export const niceAxis = (max: number): { top: number; ticks: number[] } => {
  const step = niceStep((max > 0 && Number.isFinite(max) ? max : 1) / 5);
  const top = Math.max(step, Math.ceil((max > 0 && Number.isFinite(max) ? max : 1) / step - 1e-9) * step);
  const ticks: number[] = [];
  for (let index = 0; index * step <= top + step / 1e6; index++) {
    ticks.push(index * step);
  }
  return { top, ticks };
};

const trim = (text: string): string => (text.includes('.') ? text.replace(/\.?0+$/, '') : text);

/** Short tick labels: 950, 1.5k, 12k, 2.5M, 0.25. */
export const formatTick = (value: number): string => {
  const abs = Math.abs(value);
  if (abs >= 1_000_000) {
    return `${trim((value / 1_000_000).toFixed(1))}M`;
  }
  if (abs >= 1_000) {
    return `${trim((value / 1_000).toFixed(1))}k`;
  }
  return trim(value.toFixed(abs < 10 ? 2 : 0));
};

const num = (n: number): string => trim(n.toFixed(1));

interface Reference {
  name: string;
  value: number;
  color: string;
}

interface Legend {
  name: string;
  color: string;
  dashed?: boolean;
}

const svgOpen = (title: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>`;

const text = (x: number, y: number, content: string, attributes = ''): string =>
  `<text x="${num(x)}" y="${num(y)}"${attributes ? ` ${attributes}` : ''}>${escapeHtml(content)}</text>`;

/** Legend entries in one row above the plot, each as wide as its label (about 6.5 px a character). */
const legend = (items: Legend[]): string => {
  let x = MARGIN.left;
  return items
    .map((item) => {
      const start = x;
      x += 20 + Math.ceil(item.name.length * 6.5) + 16;
      return { item, x: start };
    })
    .map(({ item, x }) => {
      const swatch = item.dashed
        ? `<line x1="${x}" y1="16" x2="${x + 14}" y2="16" stroke="${item.color}" stroke-width="2" stroke-dasharray="4 3"/>`
        : `<rect x="${x}" y="10" width="14" height="12" rx="2" fill="${item.color}"/>`;
      return `${swatch}${text(x + 20, 20, item.name, 'class="legend"')}`;
    })
    .join('');
};

const yAxis = (ticks: number[], top: number, label: string): string => {
  const y = (value: number) => PLOT.y0 - (value / top) * (PLOT.y0 - PLOT.y1);
  const lines = ticks
    .map(
      (tick) =>
        `<line x1="${PLOT.x0}" y1="${num(y(tick))}" x2="${PLOT.x1}" y2="${num(y(tick))}" stroke="${COLORS.grid}"/>` +
        text(PLOT.x0 - 8, y(tick) + 4, formatTick(tick), 'text-anchor="end" class="tick"'),
    )
    .join('');
  const title = text(
    16,
    (PLOT.y0 + PLOT.y1) / 2,
    label,
    `text-anchor="middle" class="axis-label" transform="rotate(-90 16 ${num((PLOT.y0 + PLOT.y1) / 2)})"`,
  );
  return `${lines}<line x1="${PLOT.x0}" y1="${PLOT.y0}" x2="${PLOT.x1}" y2="${PLOT.y0}" stroke="${COLORS.axis}"/>${title}`;
};

/** Dashed lines across the plot; labels alternate right and left ends so close lines stay readable. */
const referenceLines = (references: Reference[], top: number): string =>
  references
    .map((reference, index) => {
      const y = PLOT.y0 - (reference.value / top) * (PLOT.y0 - PLOT.y1);
      const atRight = index % 2 === 0;
      return (
        `<line x1="${PLOT.x0}" y1="${num(y)}" x2="${PLOT.x1}" y2="${num(y)}" stroke="${reference.color}" stroke-width="1.5" stroke-dasharray="6 4"/>` +
        text(
          atRight ? PLOT.x1 - 4 : PLOT.x0 + 4,
          y - 5,
          `${reference.name}: ${formatRate(reference.value)}`,
          `text-anchor="${atRight ? 'end' : 'start'}" class="ref" fill="${reference.color}"`,
        )
      );
    })
    .join('');

const noData = (title: string, message: string): string =>
  `${svgOpen(title)}${text(WIDTH / 2, HEIGHT / 2, message, 'text-anchor="middle" class="empty"')}</svg>`;

export interface LineSeries {
  name: string;
  color: string;
  points: { x: number; y: number }[];
}

/** A line chart from 0 on both axes. */
export const lineChart = (chart: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  references?: Reference[];
}): string => {
  const points = chart.series
    .flatMap((series) => series.points)
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (points.length === 0) {
    return noData(chart.title, 'no samples');
  }
  const references = chart.references ?? [];
  const yAxisScale = niceAxis(Math.max(...points.map((p) => p.y), ...references.map((r) => r.value)));
  const xAxisScale = niceAxis(Math.max(...points.map((p) => p.x)));
  const x = (value: number) => PLOT.x0 + (value / xAxisScale.top) * (PLOT.x1 - PLOT.x0);
  const y = (value: number) => PLOT.y0 - (value / yAxisScale.top) * (PLOT.y0 - PLOT.y1);
  const xTicks = xAxisScale.ticks
    .map((tick) => text(x(tick), PLOT.y0 + 18, formatTick(tick), 'text-anchor="middle" class="tick"'))
    .join('');
  const lines = chart.series
    .map((series) => {
      const path = series.points
        .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
        .map((p) => `${num(x(p.x))},${num(y(p.y))}`)
        .join(' ');
      return `<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="2" stroke-linejoin="round"/>`;
    })
    .join('');
  return [
    svgOpen(chart.title),
    legend([
      ...chart.series.map((series) => ({ name: series.name, color: series.color })),
      ...references.map((reference) => ({ name: reference.name, color: reference.color, dashed: true })),
    ]),
    yAxis(yAxisScale.ticks, yAxisScale.top, chart.yLabel),
    xTicks,
    text((PLOT.x0 + PLOT.x1) / 2, HEIGHT - 10, chart.xLabel, 'text-anchor="middle" class="axis-label"'),
    lines,
    referenceLines(references, yAxisScale.top),
    '</svg>',
  ].join('');
};

export interface BarSeries {
  name: string;
  color: string;
  values: number[];
}

/** Grouped vertical bars with their values on top, optional dashed reference lines across. */
export const barChart = (chart: {
  title: string;
  xLabel: string;
  yLabel: string;
  groups: string[];
  series: BarSeries[];
  references?: Reference[];
  /** Index of a group drawn darker, with its label in bold (the configured K). */
  highlight?: { group: number; color: string; label: string };
  formatValue: (value: number) => string;
}): string => {
  const values = chart.series.flatMap((series) => series.values).filter(Number.isFinite);
  if (chart.groups.length === 0 || values.length === 0) {
    return noData(chart.title, 'no data');
  }
  const references = chart.references ?? [];
  const scale = niceAxis(Math.max(...values, ...references.map((r) => r.value)));
  const y = (value: number) => PLOT.y0 - (value / scale.top) * (PLOT.y0 - PLOT.y1);
  const groupWidth = (PLOT.x1 - PLOT.x0) / chart.groups.length;
  const barWidth = Math.min(56, (groupWidth * 0.75) / chart.series.length);
  const bars = chart.groups
    .map((group, groupIndex) => {
      const start = PLOT.x0 + groupIndex * groupWidth + (groupWidth - barWidth * chart.series.length) / 2;
      const highlighted = chart.highlight?.group === groupIndex;
      const rects = chart.series
        .map((series, seriesIndex) => {
          const value = series.values[groupIndex];
          if (value === undefined || !Number.isFinite(value)) {
            return '';
          }
          const bx = start + seriesIndex * barWidth;
          const color = highlighted && chart.highlight ? chart.highlight.color : series.color;
          return (
            `<rect x="${num(bx + 1)}" y="${num(y(value))}" width="${num(barWidth - 2)}" height="${num(PLOT.y0 - y(value))}" rx="2" fill="${color}"/>` +
            text(
              bx + barWidth / 2,
              y(value) - 4,
              chart.formatValue(value),
              'text-anchor="middle" class="value"',
            )
          );
        })
        .join('');
      const labelX = PLOT.x0 + groupIndex * groupWidth + groupWidth / 2;
      return (
        rects +
        text(labelX, PLOT.y0 + 18, group, `text-anchor="middle" class="tick${highlighted ? ' strong' : ''}"`)
      );
    })
    .join('');
  return [
    svgOpen(chart.title),
    legend([
      ...chart.series.map((series) => ({ name: series.name, color: series.color })),
      ...(chart.highlight ? [{ name: chart.highlight.label, color: chart.highlight.color }] : []),
      ...references.map((reference) => ({ name: reference.name, color: reference.color, dashed: true })),
    ]),
    yAxis(scale.ticks, scale.top, chart.yLabel),
    text((PLOT.x0 + PLOT.x1) / 2, HEIGHT - 10, chart.xLabel, 'text-anchor="middle" class="axis-label"'),
    bars,
    referenceLines(references, scale.top),
    '</svg>',
  ].join('');
};

const figure = (title: string, svg: string, caption?: string): string =>
  `<figure><h3>${escapeHtml(title)}</h3>${svg}${caption ? `<figcaption>${escapeHtml(caption)}</figcaption>` : ''}</figure>`;

/** The four charts of the report, each one <svg>. */
export const renderCharts = (result: BenchResult): string[] => {
  const { claims, capacity } = result;
  const timeline = claims.timeline;
  const latencyOf = (latency: LatencySummary) => [latency.p50Ms, latency.p95Ms, latency.p99Ms];
  const shardIndex = capacity.byShards.findIndex((point) => point.shards === capacity.livedrop.shards);
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
    figure(
      'Modelled capacity by shard count',
      barChart({
        title: 'Modelled claims per second on DynamoDB by shard count K',
        xLabel: 'shards (K)',
        yLabel: 'claims/s',
        groups: capacity.byShards.map((point) => `K=${formatInt(point.shards)}`),
        series: [
          { name: 'livedrop', color: COLORS.claims, values: capacity.byShards.map((p) => p.claimsPerSecond) },
        ],
        references: [
          { name: 'single counter', value: capacity.singleCounter.claimsPerSecond, color: COLORS.single },
          {
            name: 'transactional',
            value: capacity.transactional.claimsPerSecond,
            color: COLORS.transactional,
          },
        ],
        ...(shardIndex >= 0
          ? {
              highlight: {
                group: shardIndex,
                color: COLORS.highlight,
                label: `configured K=${capacity.livedrop.shards}`,
              },
            }
          : {}),
        formatValue: formatTick,
      }),
      'A model from measured counts, not a measurement on DynamoDB; its assumptions are listed below.',
    ),
  ];
};

const renderCell = (cell: Cell, align: 'left' | 'right'): string => {
  const classes = [align === 'right' ? 'num' : '', typeof cell === 'string' ? '' : cell.tone].filter(Boolean);
  return `<td${classes.length > 0 ? ` class="${classes.join(' ')}"` : ''}>${escapeHtml(cellText(cell))}</td>`;
};

/** One section as an HTML table (the same rows as the terminal), with its notes as a list. */
export const renderSectionHtml = (section: Section): string => {
  const head = section.headless
    ? ''
    : `<thead><tr>${section.columns
        .map(
          (column) =>
            `<th${column.align === 'right' ? ' class="num"' : ''}>${escapeHtml(column.header)}</th>`,
        )
        .join('')}</tr></thead>`;
  const body =
    section.rows.length === 0
      ? `<tr><td colspan="${section.columns.length}" class="empty">none</td></tr>`
      : section.rows
          .map(
            (row) =>
              `<tr>${section.columns.map((column, index) => renderCell(row[index] ?? '', column.align)).join('')}</tr>`,
          )
          .join('');
  const notes =
    section.notes && section.notes.length > 0
      ? `<ul class="notes">${section.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`
      : '';
  const classes = ['table', ...(section.headless ? ['kv'] : []), ...(section.wide ? ['wide'] : [])];
  return `<section class="${classes.join(' ')}"><h2>${escapeHtml(section.title)}</h2><table>${head}<tbody>${body}</tbody></table>${notes}</section>`;
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
<footer>Measured on the embedded store on this machine; the capacity model is computed from measured counts under the assumptions listed with it.</footer>
</main>
</body>
</html>
`;
};
