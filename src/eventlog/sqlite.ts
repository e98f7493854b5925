/** The one place better-sqlite3 is imported: opening the event database with its durability settings. */
import Database from 'better-sqlite3';

export type Db = Database.Database;

export interface OpenOptions {
  /** See eventLog.synchronous in the config schema. */
  synchronous?: 'normal' | 'full';
  readonly?: boolean;
}

export function openDatabase(file: string, o: OpenOptions = {}): Db {
  const db = new Database(file, { readonly: o.readonly ?? false, fileMustExist: o.readonly ?? false });
  // A busy reader (an export, the dashboard) makes a write wait a little instead of failing at once.
  db.pragma('busy_timeout = 2000');
  if (!o.readonly) {
    // WAL: readers never block the gate's writes, and a crash leaves the database consistent.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') throw new Error(`expected journal_mode wal for ${file}, got ${String(mode)}`);
    db.pragma(`synchronous = ${o.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
  }
  return db;
}
