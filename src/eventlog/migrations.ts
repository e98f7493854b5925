import type { Db } from './sqlite';

/**
 * Schema changes, in order, each applied once in its own transaction and recorded in schema_migrations.
 * Never edit a released entry: add a new one. Times are epoch milliseconds (UTC).
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE decisions (
     id INTEGER PRIMARY KEY,
     t INTEGER NOT NULL,
     outcome TEXT NOT NULL CHECK (outcome IN ('cleared', 'alert')),
     reason TEXT,
     temperature_c REAL,
     snapshot TEXT
   );
   CREATE INDEX decisions_t ON decisions (t);
   -- One row per person the decision was about (usually one).
   CREATE TABLE decision_people (
     decision_id INTEGER NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
     track_id TEXT NOT NULL,
     label TEXT NOT NULL,
     confidence REAL NOT NULL
   );
   CREATE INDEX decision_people_decision ON decision_people (decision_id);
   CREATE TABLE alerts (
     id INTEGER PRIMARY KEY,
     t INTEGER NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('alert', 'escalation', 'forced_passage')),
     reason TEXT
   );
   CREATE INDEX alerts_t ON alerts (t);
   CREATE TABLE faults (
     id INTEGER PRIMARY KEY,
     t INTEGER NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('fault', 'recovery')),
     source TEXT NOT NULL,
     reason TEXT
   );
   CREATE INDEX faults_t ON faults (t);
   CREATE TABLE transitions (
     id INTEGER PRIMARY KEY,
     t INTEGER NOT NULL,
     from_state TEXT,
     to_state TEXT NOT NULL
   );
   CREATE INDEX transitions_t ON transitions (t);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to SCHEMA_VERSION; refuses a database written by a newer version. */
export function migrate(db: Db, now: number): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const current = (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
  if (current > SCHEMA_VERSION) throw new Error(`event database is schema version ${current}, newer than this mask-gate (${SCHEMA_VERSION})`);
  for (let v = current + 1; v <= SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v - 1]!);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(v, now);
    })();
  }
  return SCHEMA_VERSION;
}
