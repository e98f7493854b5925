import { DisplayTextError } from './errors';

/**
 * What a character display shows for `lines`, shared by the HD44780 driver and the fake: exactly `rows`
 * strings of exactly `columns` characters. Rejects (never truncates) lines that do not fit. Characters the
 * HD44780 A00 ROM lacks or shows differently (outside 0x20..0x7D; `\` is a yen sign there) become `?`.
 */
export function renderLines(device: string, lines: readonly string[], columns: number, rows: number): string[] {
  if (lines.length > rows) {
    throw new DisplayTextError(device, `expected at most ${rows} lines, got ${lines.length}`);
  }
  const out: string[] = [];
  for (let i = 0; i < rows; i++) {
    const chars = [...(lines[i] ?? '')];
    if (chars.length > columns) {
      throw new DisplayTextError(device, `line ${i + 1} has ${chars.length} characters, the display has ${columns} columns: ${JSON.stringify(lines[i])}`);
    }
    const shown = chars.map((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code >= 0x20 && code <= 0x7d && ch !== '\\' ? ch : '?';
    });
    out.push(shown.join('').padEnd(columns, ' '));
  }
  return out;
}

/**
 * renderLines as the first step of a write: lines that do not fit reject at once, before any I/O is
 * queued, and `write` gets the rendered rows. Shared by the HD44780 driver and the fake.
 */
export function whenRendered(device: string, lines: readonly string[], columns: number, rows: number, write: (rendered: string[]) => Promise<void>): Promise<void> {
  let rendered: string[];
  try {
    rendered = renderLines(device, lines, columns, rows);
  } catch (e) {
    return Promise.reject(e);
  }
  return write(rendered);
}
