/**
 * The rush as a terminal chart: the claim answers of each time slice, granted and sold out, as bars, so the
 * shape of a flash sale (a wall of grants, then refusals once the stock is gone) is seen at a glance.
 */

export type Outcome = 'granted' | 'soldOut' | 'other';

/** One claim answer, at its time since the wave started. */
export interface TimedOutcome {
  atMs: number;
  outcome: Outcome;
}

const GRANTED = '█';
const SOLD_OUT = '▒';
const OTHER = '·';
const MAX_ROWS = 20;
const BAR_WIDTH = 48;

/** Slices of a whole number of 250 ms steps, at most MAX_ROWS of them. */
const sliceMs = (durationMs: number): number => Math.max(250, Math.ceil(durationMs / MAX_ROWS / 250) * 250);

export const rushChart = (timeline: readonly TimedOutcome[]): string => {
  if (timeline.length === 0) return 'rush chart: no claim answered';
  const durationMs = Math.max(...timeline.map((answer) => answer.atMs)) + 1;
  const slice = sliceMs(durationMs);
  const rows = Array.from({ length: Math.ceil(durationMs / slice) }, () => ({
    granted: 0,
    soldOut: 0,
    other: 0,
  }));
  for (const { atMs, outcome } of timeline) {
    const row = rows[Math.min(rows.length - 1, Math.floor(atMs / slice))];
    if (row) row[outcome]++;
  }
  const most = Math.max(...rows.map((row) => row.granted + row.soldOut + row.other));
  const width = (n: number) => Math.round((n / most) * BAR_WIDTH);
  const label = (i: number) => `${((i * slice) / 1000).toFixed(slice % 1000 === 0 ? 0 : 2)} s`.padStart(8);
  const lines = rows.map((row, i) => {
    // Rounded separately, each kind keeps a visible mark when it occurred at all.
    const bars =
      GRANTED.repeat(row.granted > 0 ? Math.max(1, width(row.granted)) : 0) +
      SOLD_OUT.repeat(row.soldOut > 0 ? Math.max(1, width(row.soldOut)) : 0) +
      OTHER.repeat(row.other > 0 ? Math.max(1, width(row.other)) : 0);
    const counts = `${row.granted} granted, ${row.soldOut} sold out${row.other > 0 ? `, ${row.other} other` : ''}`;
    return `${label(i)} │${bars.padEnd(BAR_WIDTH + 2)} ${counts}`;
  });
  return [
    `rush: claim answers per ${(slice / 1000).toFixed(slice % 1000 === 0 ? 0 : 2)} s` +
      ` (${GRANTED} granted, ${SOLD_OUT} sold out, ${OTHER} limit reached or other)`,
    ...lines,
  ].join('\n');
};
