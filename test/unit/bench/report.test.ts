import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../lib/bench/html.js';
import { renderHtml } from '../../../lib/bench/report.js';
import { formatTick, niceAxis } from '../../../lib/bench/svg-charts.js';
import { benchSections } from '../../../lib/bench/table.js';
import { benchFixture } from './fixture.js';

const count = (text: string, needle: string): number => text.split(needle).length - 1;

describe('renderHtml', () => {
  const result = benchFixture();
  const html = renderHtml(result);

  it('is one self-contained document', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).toContain('<style>');
  });

  it('draws one <svg> per chart', () => {
    expect(count(html, '<svg')).toBe(3);
    expect(count(html, '</svg>')).toBe(3);
    for (const title of ['Granted claims per second', 'Available stock', 'Latency percentiles']) {
      expect(html).toContain(`<h3>${title}</h3>`);
    }
    // claims/s and stock over time are lines; latency is bars; no chart of a capacity formula
    expect(count(html, '<polyline')).toBe(2);
    expect(html).toContain('>HTTP</text>');
    expect(html).not.toContain('Modelled capacity');
  });

  it('has the same tables as the terminal, plus the machine', () => {
    for (const section of benchSections(result)) {
      expect(html).toContain(`<h2>${escapeHtml(section.title)}</h2>`);
    }
    expect(html).toContain('<h2>Machine and options</h2>');
    expect(html).toContain('<td class="num">12,345</td>');
    expect(html).toContain('<td class="num">513,063 B (501.0 KiB)</td>');
    expect(html).toContain('<td class="num">1.3 %</td>');
    expect(html).toContain('<td class="num">11,500</td>');
  });

  it('marks failing checks and missed targets', () => {
    expect(html).toContain('<td class="bad">FAILED</td><td>stock conserved</td>');
    expect(html).toContain('<td class="bad">NOT MET</td><td>claim p99</td>');
    expect(html).toContain('<td class="good">ok</td><td>no oversell</td>');
    expect(html).toContain('checks: 1/2 ok, 1 FAILED; targets: 1/2 met, 1 NOT MET');
  });

  it('escapes all text', () => {
    expect(html).toContain('ledger &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; off by 3');
    expect(html).toContain('Test CPU &lt;fast&gt; &amp; cheap');
    expect(html).not.toContain('<fast>');
  });

  it('renders without HTTP, cold start or samples', () => {
    const { http: _http, coldStart: _coldStart, ...rest } = benchFixture();
    const bare = renderHtml({ ...rest, claims: { ...rest.claims, timeline: [] } });
    expect(count(bare, '<svg')).toBe(3);
    expect(bare).toContain('>no samples</text>');
    expect(bare).not.toContain('>HTTP</text>');
    expect(bare).not.toContain('Cold import');
  });
});

describe('chart helpers', () => {
  it('choose round axes', () => {
    expect(niceAxis(617)).toEqual({ top: 800, ticks: [0, 200, 400, 600, 800] });
    expect(niceAxis(1_000)).toEqual({ top: 1_000, ticks: [0, 200, 400, 600, 800, 1_000] });
    expect(niceAxis(0).top).toBeGreaterThan(0);
    expect(niceAxis(0.9).top).toBeCloseTo(1);
  });

  it('label ticks briefly', () => {
    expect(formatTick(12_800)).toBe('12.8k');
    expect(formatTick(2_000)).toBe('2k');
    expect(formatTick(2_500_000)).toBe('2.5M');
    expect(formatTick(0.25)).toBe('0.25');
    expect(formatTick(700)).toBe('700');
  });

  it('escapes the five characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
