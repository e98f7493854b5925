import type { AlertReason } from '../../machines/gate-events';
import type { Db } from './sqlite';

export interface OutcomeCounts {
  cleared: number;
  alert: number;
  /** Alerts by reason. */
  byReason: Record<AlertReason, number>;
  escalations: number;
  forcedPassages: number;
}

export function countsBetween(db: Db, from: number, to: number): OutcomeCounts {
  const out: OutcomeCounts = { cleared: 0, alert: 0, byReason: { no_mask: 0, incorrect: 0, fever: 0 }, escalations: 0, forcedPassages: 0 };
  const rows = db.prepare('SELECT outcome, reason, COUNT(*) AS n FROM decisions WHERE t >= ? AND t < ? GROUP BY outcome, reason').all(from, to) as { outcome: 'cleared' | 'alert'; reason: AlertReason | null; n: number }[];
  for (const r of rows) {
    out[r.outcome] += r.n;
    if (r.outcome === 'alert' && r.reason && r.reason in out.byReason) out.byReason[r.reason] += r.n;
  }
  const kinds = db.prepare("SELECT kind, COUNT(*) AS n FROM alerts WHERE t >= ? AND t < ? AND kind != 'alert' GROUP BY kind").all(from, to) as { kind: string; n: number }[];
  for (const k of kinds) {
    if (k.kind === 'escalation') out.escalations = k.n;
    if (k.kind === 'forced_passage') out.forcedPassages = k.n;
  }
  return out;
}

export interface HourCompliance {
  /** Local hour of day, 0..23. */
  hour: number;
  cleared: number;
  alert: number;
  /** cleared / (cleared + alert), or null for an hour without decisions. */
  compliance: number | null;
}

/** Decisions per local hour of the day that starts at local midnight `dayStart` (DST days have 23 or 25 hours). */
export function hourlyCompliance(db: Db, dayStart: Date): HourCompliance[] {
  const from = startOfLocalDay(dayStart);
  const to = new Date(from.getFullYear(), from.getMonth(), from.getDate() + 1).getTime();
  const hours: HourCompliance[] = Array.from({ length: 24 }, (_, hour) => ({ hour, cleared: 0, alert: 0, compliance: null }));
  for (const r of db.prepare('SELECT t, outcome FROM decisions WHERE t >= ? AND t < ?').iterate(from.getTime(), to) as Iterable<{ t: number; outcome: 'cleared' | 'alert' }>) {
    hours[new Date(r.t).getHours()]![r.outcome]++;
  }
  for (const h of hours) h.compliance = h.cleared + h.alert > 0 ? h.cleared / (h.cleared + h.alert) : null;
  return hours;
}

export function startOfLocalDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

export type RecentEvent =
  | { kind: 'decision'; id: number; t: number; outcome: 'cleared' | 'alert'; reason: string | null; temperatureC: number | null; snapshot: string | null; people: { trackId: string; label: string; confidence: number }[] }
  | { kind: 'alert' | 'escalation' | 'forced_passage'; id: number; t: number; reason: string | null }
  | { kind: 'fault' | 'recovery'; id: number; t: number; source: string; reason: string | null }
  | { kind: 'transition'; id: number; t: number; from: string | null; to: string };

/** The newest events first (decisions, alerts, faults; transitions only if asked), for the dashboard. */
export function recentEvents(db: Db, limit: number, o: { includeTransitions?: boolean; before?: number } = {}): RecentEvent[] {
  const before = o.before ?? Number.MAX_SAFE_INTEGER;
  const n = Math.max(1, Math.min(1000, Math.floor(limit)));
  const decisions = (db.prepare('SELECT id, t, outcome, reason, temperature_c, snapshot FROM decisions WHERE t < ? ORDER BY t DESC, id DESC LIMIT ?').all(before, n) as { id: number; t: number; outcome: 'cleared' | 'alert'; reason: string | null; temperature_c: number | null; snapshot: string | null }[]).map(
    (r): RecentEvent => ({ kind: 'decision', id: r.id, t: r.t, outcome: r.outcome, reason: r.reason, temperatureC: r.temperature_c, snapshot: r.snapshot, people: peopleOf(db, r.id) }),
  );
  const alerts = (db.prepare('SELECT id, t, kind, reason FROM alerts WHERE t < ? ORDER BY t DESC, id DESC LIMIT ?').all(before, n) as { id: number; t: number; kind: 'alert' | 'escalation' | 'forced_passage'; reason: string | null }[]).map(
    (r): RecentEvent => ({ kind: r.kind, id: r.id, t: r.t, reason: r.reason }),
  );
  const faults = (db.prepare('SELECT id, t, kind, source, reason FROM faults WHERE t < ? ORDER BY t DESC, id DESC LIMIT ?').all(before, n) as { id: number; t: number; kind: 'fault' | 'recovery'; source: string; reason: string | null }[]).map(
    (r): RecentEvent => ({ kind: r.kind, id: r.id, t: r.t, source: r.source, reason: r.reason }),
  );
  const transitions = o.includeTransitions
    ? (db.prepare('SELECT id, t, from_state, to_state FROM transitions WHERE t < ? ORDER BY t DESC, id DESC LIMIT ?').all(before, n) as { id: number; t: number; from_state: string | null; to_state: string }[]).map(
        (r): RecentEvent => ({ kind: 'transition', id: r.id, t: r.t, from: r.from_state, to: r.to_state }),
      )
    : [];
  return [...decisions, ...alerts, ...faults, ...transitions].sort((a, b) => b.t - a.t).slice(0, n);
}

function peopleOf(db: Db, decisionId: number) {
  return (db.prepare('SELECT track_id, label, confidence FROM decision_people WHERE decision_id = ? ORDER BY rowid').all(decisionId) as { track_id: string; label: string; confidence: number }[]).map((p) => ({
    trackId: p.track_id,
    label: p.label,
    confidence: p.confidence,
  }));
}

export const EXPORT_COLUMNS = ['time', 'type', 'outcome', 'reason', 'track_id', 'label', 'confidence', 'temperature_c', 'source', 'from_state', 'to_state', 'snapshot'] as const;
export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | null>;

/**
 * Every event in [from, to) in time order, one row per person for decisions. Streams from the database, so a
 * year of events does not have to fit in memory.
 */
export function* exportRows(db: Db, from: number, to: number): Generator<ExportRow> {
  const sql = `
    SELECT d.t AS t, 'decision' AS type, d.outcome, d.reason, p.track_id, p.label, p.confidence, d.temperature_c, NULL AS source, NULL AS from_state, NULL AS to_state, d.snapshot, 0 AS k, d.id AS id
      FROM decisions d LEFT JOIN decision_people p ON p.decision_id = d.id WHERE d.t >= @from AND d.t < @to
    UNION ALL SELECT t, kind, NULL, reason, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, id FROM alerts WHERE t >= @from AND t < @to
    UNION ALL SELECT t, kind, NULL, reason, NULL, NULL, NULL, NULL, source, NULL, NULL, NULL, 2, id FROM faults WHERE t >= @from AND t < @to
    UNION ALL SELECT t, 'transition', NULL, NULL, NULL, NULL, NULL, NULL, NULL, from_state, to_state, NULL, 3, id FROM transitions WHERE t >= @from AND t < @to
    ORDER BY t, k, id`;
  for (const r of db.prepare(sql).iterate({ from, to }) as Iterable<Record<string, string | number | null> & { t: number }>) {
    yield {
      time: new Date(r.t).toISOString(),
      type: r.type ?? null,
      outcome: r.outcome ?? null,
      reason: r.reason ?? null,
      track_id: r.track_id ?? null,
      label: r.label ?? null,
      confidence: r.confidence ?? null,
      temperature_c: r.temperature_c ?? null,
      source: r.source ?? null,
      from_state: r.from_state ?? null,
      to_state: r.to_state ?? null,
      snapshot: r.snapshot ?? null,
    };
  }
}
