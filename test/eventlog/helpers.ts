import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Clock } from '../../hardware/clock';
import type { DecisionReport } from '../../machines/gate.machine';
import { loadConfig } from '../../src/config/load';
import { EventLog, type EventLogDeps } from '../../src/eventlog/event-log';
import { memoryLogger } from '../../src/log';

/** A clock the test moves by hand; timers fire when it passes them. */
export function manualClock(start: number) {
  let now = start;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 1;
  const clock: Clock & { advance(ms: number): void; set(t: number): void } = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.push({ at: now + ms, fn, id: next });
      return next++;
    },
    clearTimeout: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms) {
      now += ms;
      for (const t of timers.filter((x) => x.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
    },
    set(t) {
      now = t;
    },
  };
  return clock;
}

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'eventlog-'));
}

/** An EventLog on dir/events.sqlite (snapshots in dir/snaps); `eventLog` holds more eventLog settings as YAML flow pairs. */
export function eventLogFor(dir: string, eventLog = '', deps: Partial<EventLogDeps> = {}, snapshots = '') {
  const text = `eventLog: { path: ${JSON.stringify(path.join(dir, 'events.sqlite'))}, snapshots: { dir: ${JSON.stringify(path.join(dir, 'snaps'))}${snapshots ? ', ' + snapshots : ''} }${eventLog ? ', ' + eventLog : ''} }`;
  const config = loadConfig({ text, env: {} });
  const log = memoryLogger();
  return { config, log, eventLog: new EventLog({ config: config.eventLog, log, ...deps }) };
}

export function decision(outcome: 'cleared' | 'alert', o: { reason?: DecisionReport['reason']; temp?: number; people?: [string, 'mask' | 'no_mask' | 'incorrect', number][] } = {}): DecisionReport {
  const people = (o.people ?? [['t1', outcome === 'cleared' ? 'mask' : 'no_mask', 0.91]]).map(([id, verdict, confidence]) => ({ id, verdict, confidence, votes: { mask: 0, no_mask: 0, incorrect: 0, unknown: 0 } }));
  const verdict = outcome === 'cleared' ? { kind: 'cleared' as const, people } : { kind: 'alert' as const, reason: (o.reason === 'incorrect' ? 'incorrect' : 'no_mask') as 'no_mask' | 'incorrect', people };
  return { outcome, reason: outcome === 'alert' ? (o.reason ?? 'no_mask') : null, verdict, temperatureC: o.temp ?? null, t: null };
}
