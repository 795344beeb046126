/**
 * The report's charts as inline SVG, drawn here as text: line and grouped bar charts from 0 on round axes,
 * with legends and dashed reference lines. Every piece of text is escaped.
 */
import { escapeHtml } from './html.js';
import { formatRate } from './table.js';

export const COLORS = {
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
