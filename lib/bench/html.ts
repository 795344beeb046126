/** HTML text for the bench report: escaping, and a table section as an HTML table. */
import { type Cell, cellText, type Section } from './table.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML and SVG content and attribute values. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);

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
