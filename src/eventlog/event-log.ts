import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../../hardware/clock';
import type { FaultSource, StaffReason } from '../../machines/gate-events';
import type { DecisionReport } from '../../machines/gate.machine';
import type { Config } from '../config/schema';
import type { Service } from '../lifecycle';
import type { Logger } from '../log';
import { migrate } from './migrations';
import { countsBetween, exportRows, hourlyCompliance, recentEvents, startOfLocalDay, type OutcomeCounts } from './queries';
import { SnapshotStore, type FaceBox } from './snapshot-store';
import { openDatabase, type Db } from './sqlite';

/** A frame to keep with a decision, from the camera pipeline (RGB, boxes in pixels). */
export interface SnapshotFrame {
  rgb: Buffer;
  width: number;
  height: number;
  boxes: readonly FaceBox[];
}

export interface EventLogDeps {
  config: Config['eventLog'];
  log: Logger;
  clock?: Clock;
  /** The frame the latest decision was made on; asked only when snapshots are on. */
  snapshotFrame?: () => SnapshotFrame | null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The gate's event log in SQLite (WAL). Every record method writes synchronously and returns the row id once
 * the row is committed (so an acknowledged event survives a kill -9), or null if the write failed: a disk
 * problem is logged and counted, never thrown at the gate.
 */
export class EventLog implements Service {
  readonly name = 'event-log';
  private db: Db | null = null;
  private pruneTimer: unknown = null;
  private readonly clock: Clock;
  readonly snapshots: SnapshotStore | null;
  /** Writes that failed since start (disk full, I/O error, database closed). */
  failedWrites = 0;

  constructor(private readonly deps: EventLogDeps) {
    this.clock = deps.clock ?? systemClock;
    const s = deps.config.snapshots;
    this.snapshots = s.enabled ? new SnapshotStore(s.dir, s.blurFaces) : null;
  }

  get isOpen(): boolean {
    return this.db !== null;
  }

  async start(): Promise<void> {
    if (this.db) return;
    const { config, log } = this.deps;
    mkdirSync(path.dirname(path.resolve(config.path)), { recursive: true });
    const db = openDatabase(config.path, { synchronous: config.synchronous });
    try {
      migrate(db, this.clock.now());
    } catch (e) {
      db.close();
      throw e;
    }
    this.db = db;
    log.info('event log open', { path: config.path, retentionDays: config.retentionDays, snapshots: this.snapshots !== null });
    await this.prune();
    this.schedulePrune();
  }

  async stop(): Promise<void> {
    if (this.pruneTimer !== null) this.clock.clearTimeout(this.pruneTimer);
    this.pruneTimer = null;
    const db = this.db;
    this.db = null;
    if (!db) return;
    try {
      // Folds the WAL back into the main file, so a clean stop leaves a single self-contained database.
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (e) {
      this.deps.log.warn('event log checkpoint failed', { error: e });
    }
    db.close();
    this.deps.log.info('event log closed');
  }

  recordDecision(r: DecisionReport): number | null {
    const people = r.verdict.kind === 'empty' ? [] : r.verdict.people;
    const t = this.clock.now();
    const id = this.write('decision', (db) =>
      db.transaction(() => {
        const id = Number(db.prepare('INSERT INTO decisions (t, outcome, reason, temperature_c) VALUES (?, ?, ?, ?)').run(t, r.outcome, r.reason, r.temperatureC).lastInsertRowid);
        const person = db.prepare('INSERT INTO decision_people (decision_id, track_id, label, confidence) VALUES (?, ?, ?, ?)');
        for (const p of people) person.run(id, p.id, p.verdict, p.confidence);
        if (r.outcome === 'alert') db.prepare("INSERT INTO alerts (t, kind, reason) VALUES (?, 'alert', ?)").run(t, r.reason);
        return id;
      })(),
    );
    if (id !== null) this.takeSnapshot(id, t);
    return id;
  }

  /** Staff were notified; `reason` says why (an alert's reason, or `undecided`). The alerts table's reason is free text. */
  recordEscalation(reason: StaffReason | null): number | null {
    return this.insert('escalation', "INSERT INTO alerts (t, kind, reason) VALUES (?, 'escalation', ?)", this.clock.now(), reason);
  }

  recordForcedPassage(): number | null {
    return this.insert('forced passage', "INSERT INTO alerts (t, kind, reason) VALUES (?, 'forced_passage', NULL)", this.clock.now());
  }

  recordFault(source: FaultSource, reason: string): number | null {
    return this.insert('fault', "INSERT INTO faults (t, kind, source, reason) VALUES (?, 'fault', ?, ?)", this.clock.now(), source, reason);
  }

  recordRecovery(source: FaultSource): number | null {
    return this.insert('recovery', "INSERT INTO faults (t, kind, source, reason) VALUES (?, 'recovery', ?, NULL)", this.clock.now(), source);
  }

  recordTransition(from: string | null, to: string, t = this.clock.now()): number | null {
    return this.insert('transition', 'INSERT INTO transitions (t, from_state, to_state) VALUES (?, ?, ?)', t, from, to);
  }

  // Queries for the dashboard and export. They throw if the log is not open: callers are request handlers.
  countsToday(): OutcomeCounts {
    const from = startOfLocalDay(new Date(this.clock.now()));
    return countsBetween(this.open(), from.getTime(), new Date(from.getFullYear(), from.getMonth(), from.getDate() + 1).getTime());
  }
  countsBetween(from: number, to: number): OutcomeCounts {
    return countsBetween(this.open(), from, to);
  }
  hourlyCompliance(day: Date = new Date(this.clock.now())) {
    return hourlyCompliance(this.open(), day);
  }
  recentEvents(limit = 50, o?: { includeTransitions?: boolean; before?: number }) {
    return recentEvents(this.open(), limit, o);
  }
  exportRows(from: number, to: number) {
    return exportRows(this.open(), from, to);
  }

  /** Deletes rows and snapshots older than retentionDays. Runs at start and hourly. */
  async prune(): Promise<{ rows: number; snapshots: number }> {
    const db = this.db;
    if (!db) return { rows: 0, snapshots: 0 };
    const cutoff = this.clock.now() - this.deps.config.retentionDays * DAY;
    let rows = 0;
    try {
      rows = db.transaction(() => {
        let n = 0;
        // decision_people rows go with their decision (ON DELETE CASCADE).
        for (const table of ['decisions', 'alerts', 'faults', 'transitions']) n += db.prepare(`DELETE FROM ${table} WHERE t < ?`).run(cutoff).changes;
        return n;
      })();
    } catch (e) {
      this.deps.log.error('event log prune failed', { error: e });
    }
    let snapshots = 0;
    try {
      snapshots = (await this.snapshots?.prune(cutoff)) ?? 0;
    } catch (e) {
      this.deps.log.error('snapshot prune failed', { error: e });
    }
    if (rows || snapshots) this.deps.log.info('event log pruned', { rows, snapshots, olderThanDays: this.deps.config.retentionDays });
    return { rows, snapshots };
  }

  private schedulePrune(): void {
    this.pruneTimer = this.clock.setTimeout(() => {
      void this.prune().finally(() => {
        if (this.db) this.schedulePrune();
      });
    }, HOUR);
    (this.pruneTimer as { unref?: () => void } | null)?.unref?.();
  }

  private takeSnapshot(decisionId: number, t: number): void {
    const store = this.snapshots;
    if (!store || !this.deps.snapshotFrame) return;
    let frame: SnapshotFrame | null;
    try {
      frame = this.deps.snapshotFrame();
    } catch (e) {
      this.deps.log.warn('no snapshot frame', { error: e });
      return;
    }
    if (!frame) return;
    store.save(frame.rgb, frame.width, frame.height, frame.boxes, t).then(
      (snap) => this.write('snapshot', (db) => db.prepare('UPDATE decisions SET snapshot = ? WHERE id = ?').run(snap, decisionId)),
      (e: unknown) => this.deps.log.warn('snapshot not saved', { decisionId, error: e }),
    );
  }

  private insert(what: string, sql: string, ...params: unknown[]): number | null {
    return this.write(what, (db) => Number(db.prepare(sql).run(...params).lastInsertRowid));
  }

  private write<T>(what: string, fn: (db: Db) => T): T | null {
    if (!this.db) {
      this.failedWrites++;
      this.deps.log.warn(`event log closed, ${what} not recorded`);
      return null;
    }
    try {
      return fn(this.db);
    } catch (e) {
      this.failedWrites++;
      this.deps.log.error(`event log write failed, ${what} not recorded`, { error: e });
      return null;
    }
  }

  private open(): Db {
    if (!this.db) throw new Error('event log is not open');
    return this.db;
  }
}
