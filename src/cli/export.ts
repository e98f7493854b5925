import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { csvLine } from '../eventlog/csv';
import { EXPORT_COLUMNS, exportRows } from '../eventlog/queries';
import { openDatabase } from '../eventlog/sqlite';
import { loadConfigForCommand, parseCommandArgs, usageError } from './args';

const USAGE = `usage: mask-gate export --since DATE --csv [--until DATE] [--config FILE] [--out FILE]

Writes the event log from --since (inclusive) to --until (exclusive, default now) as CSV, one row per event
(decisions: one row per person). DATE is YYYY-MM-DD (local midnight) or an ISO 8601 date-time.`;

/** YYYY-MM-DD is local midnight; anything else must be a full ISO 8601 date-time. */
export function parseDate(s: string): number | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const t = new Date(y, m - 1, d);
    return t.getFullYear() === y && t.getMonth() === m - 1 && t.getDate() === d ? t.getTime() : null;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.test(s)) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

export async function exportCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('export', USAGE, argv, {
    since: { type: 'string' },
    until: { type: 'string' },
    csv: { type: 'boolean' },
    config: { type: 'string' },
    out: { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length) return usageError('export', USAGE, `unexpected argument ${positionals[0]}`);
  if (!values.csv) return usageError('export', USAGE, 'expected --csv (the only export format)');
  if (!values.since) return usageError('export', USAGE, 'expected --since DATE');
  const since = parseDate(values.since);
  if (since === null) return usageError('export', USAGE, `expected --since as YYYY-MM-DD or an ISO 8601 date-time, got "${values.since}"`);
  const until = values.until === undefined ? Date.now() : parseDate(values.until);
  if (until === null) return usageError('export', USAGE, `expected --until as YYYY-MM-DD or an ISO 8601 date-time, got "${values.until}"`);
  if (until < since) return usageError('export', USAGE, `expected --until after --since, got ${new Date(until).toISOString()} < ${new Date(since).toISOString()}`);

  const config = loadConfigForCommand(values.config);
  if (typeof config === 'number') return config;
  const file = config.eventLog.path;
  if (!existsSync(file)) {
    process.stderr.write(`mask-gate export: no event log at ${file}\n`);
    return 1;
  }
  // Read-only: the running gate keeps writing; WAL lets both go on at once.
  const db = openDatabase(file, { readonly: true });
  const out: Writable = values.out ? createWriteStream(values.out) : process.stdout;
  try {
    let n = 0;
    await write(out, csvLine(EXPORT_COLUMNS));
    for (const row of exportRows(db, since, until)) {
      await write(out, csvLine(EXPORT_COLUMNS.map((c) => row[c])));
      n++;
    }
    if (values.out) {
      out.end();
      await once(out, 'finish');
    }
    process.stderr.write(`mask-gate export: ${n} rows\n`);
    return 0;
  } finally {
    db.close();
  }
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}
