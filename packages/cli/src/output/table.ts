import { visibleWidth } from './style.js';

export interface Table {
  head?: string[];
  rows: string[][];
}

/**
 * Columns padded to their widest cell (ANSI-aware), two spaces apart, no trailing spaces.
 * Plain text on purpose: it reads the same on a terminal, in CI logs and in a file.
 */
export function renderTable(table: Table, style: { head?: (text: string) => string } = {}): string {
  const all = table.head ? [table.head, ...table.rows] : table.rows;
  const widths: number[] = [];
  for (const row of all) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, ...cell.split('\n').map(visibleWidth));
    });
  }
  const lines: string[] = [];
  all.forEach((row, rowIndex) => {
    const height = Math.max(1, ...row.map((cell) => cell.split('\n').length));
    for (let lineIndex = 0; lineIndex < height; lineIndex++) {
      const cells = row.map((cell, index) => {
        const text = cell.split('\n')[lineIndex] ?? '';
        const last = index === row.length - 1;
        return last ? text : text + ' '.repeat((widths[index] ?? 0) - visibleWidth(text));
      });
      const line = cells.join('  ').trimEnd();
      lines.push(rowIndex === 0 && table.head && style.head ? style.head(line) : line);
    }
  });
  return `${lines.join('\n')}\n`;
}
