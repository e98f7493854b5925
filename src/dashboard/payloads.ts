import type { EventLog } from '../eventlog/event-log';
import type { HealthReport, HealthSource } from './health';
import { gateView, type DashboardGate } from './gate-view';

/** The parts of the EventLog the dashboard reads. */
export type DashboardEventLog = Pick<EventLog, 'countsToday' | 'hourlyCompliance' | 'recentEvents' | 'snapshots'> & { failedWrites?: number };

/** `/api/stats` and the SSE `stats` event: today's counts and the hourly compliance chart. */
export function statsPayload(eventLog: DashboardEventLog) {
  const counts = eventLog.countsToday();
  const decided = counts.cleared + counts.alert;
  return {
    counts,
    compliance: decided > 0 ? counts.cleared / decided : null,
    hourly: eventLog.hourlyCompliance(),
  };
}

/** `/api/events` and the SSE `events` event: newest first, with a snapshot URL where one was kept. */
export function eventsPayload(eventLog: DashboardEventLog, limit: number) {
  const snapshots = eventLog.snapshots !== null;
  return {
    events: eventLog
      .recentEvents(limit * 2)
      // Every alert decision also has an `alert` row in the alerts table: the decision row says more.
      .filter((e) => e.kind !== 'alert')
      .slice(0, limit)
      .map((e) => (e.kind === 'decision' ? { ...e, snapshotUrl: snapshots && e.snapshot ? `/api/snapshots/${encodeURIComponent(e.snapshot)}` : null } : e)),
  };
}

export interface HealthExtras {
  liveViewers: number;
  pageClients: number;
  startedAt: number;
}

/** `/api/health` and the SSE `health` event. Active faults come from the gate, the authority on them. */
export function healthPayload(source: HealthSource, gate: DashboardGate, eventLog: DashboardEventLog, x: HealthExtras) {
  let report: HealthReport | { error: string };
  try {
    report = source.health();
  } catch (e) {
    report = { error: `health source failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  return {
    ...report,
    faults: gateView(gate).faults,
    eventLog: { failedWrites: eventLog.failedWrites ?? 0 },
    dashboard: { liveViewers: x.liveViewers, pageClients: x.pageClients, uptimeS: Math.round((Date.now() - x.startedAt) / 1000) },
  };
}
