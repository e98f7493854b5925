import { rmSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../src/eventlog/sqlite';
import { eventLogListener } from '../../src/eventlog/event-log-listener';
import { decision, eventLogFor, manualClock, tempDir } from './helpers';

let dir: string;
beforeEach(() => (dir = tempDir()));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// 2025-03-04 local times, whatever the machine's zone.
const at = (h: number, m = 0) => new Date(2025, 2, 4, h, m).getTime();

test('opens in WAL mode with the schema migrated once, and records a decision with its people and alert', async () => {
  const clock = manualClock(at(9));
  const { eventLog, config } = eventLogFor(dir, '', { clock });
  await eventLog.start();
  await eventLog.start();
  const id = eventLog.recordDecision(decision('alert', { reason: 'no_mask', people: [['t7', 'no_mask', 0.88], ['t8', 'mask', 0.95]] }));
  expect(id).toEqual(expect.any(Number));
  await eventLog.stop();
  await eventLog.stop();

  const db = openDatabase(config.eventLog.path);
  expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual([{ version: 1 }]);
  expect(db.prepare('SELECT t, outcome, reason, temperature_c FROM decisions').all()).toEqual([{ t: at(9), outcome: 'alert', reason: 'no_mask', temperature_c: null }]);
  expect(db.prepare('SELECT track_id, label, confidence FROM decision_people WHERE decision_id = ?').all(id)).toEqual([
    { track_id: 't7', label: 'no_mask', confidence: 0.88 },
    { track_id: 't8', label: 'mask', confidence: 0.95 },
  ]);
  expect(db.prepare('SELECT kind, reason FROM alerts').all()).toEqual([{ kind: 'alert', reason: 'no_mask' }]);
  db.close();

  // Reopening does not migrate again.
  const again = eventLogFor(dir, '', { clock });
  await again.eventLog.start();
  expect(again.eventLog.recentEvents(10).filter((e) => e.kind === 'decision')).toHaveLength(1);
  await again.eventLog.stop();
});

test('a database from a newer mask-gate is refused with a clear error', async () => {
  const { eventLog, config } = eventLogFor(dir);
  await eventLog.start();
  await eventLog.stop();
  const db = openDatabase(config.eventLog.path);
  db.prepare('INSERT INTO schema_migrations VALUES (99, 0)').run();
  db.close();
  await expect(eventLogFor(dir).eventLog.start()).rejects.toThrow(/schema version 99, newer/);
});

test('counts today by outcome, hourly compliance and recent events with their snapshot', async () => {
  const clock = manualClock(at(8, 10));
  const { eventLog } = eventLogFor(dir, '', { clock });
  await eventLog.start();
  clock.set(at(0, 5) - 3_600_000); // yesterday 23:05: not today
  eventLog.recordDecision(decision('cleared'));
  const plan: [number, 'cleared' | 'alert', ('no_mask' | 'incorrect' | 'fever')?][] = [
    [8, 'cleared'],
    [8, 'cleared'],
    [8, 'alert', 'no_mask'],
    [9, 'alert', 'incorrect'],
    [13, 'cleared'],
    [13, 'alert', 'fever'],
  ];
  plan.forEach(([h, outcome, reason], i) => {
    clock.set(at(h, i));
    eventLog.recordDecision(decision(outcome, { reason, temp: reason === 'fever' ? 38.4 : undefined }));
  });
  clock.set(at(13, 30));
  eventLog.recordEscalation('fever');
  clock.set(at(13, 31));
  eventLog.recordForcedPassage();
  clock.set(at(13, 32));
  eventLog.recordFault('camera', 'no frames for 5 s');
  eventLog.recordTransition('idle', 'evaluating');

  expect(eventLog.countsToday()).toEqual({ cleared: 3, alert: 3, byReason: { no_mask: 1, incorrect: 1, fever: 1 }, escalations: 1, forcedPassages: 1 });
  const hours = eventLog.hourlyCompliance(new Date(at(15)));
  expect(hours).toHaveLength(24);
  expect(hours[8]).toEqual({ hour: 8, cleared: 2, alert: 1, compliance: 2 / 3 });
  expect(hours[9]).toEqual({ hour: 9, cleared: 0, alert: 1, compliance: 0 });
  expect(hours[13]!.compliance).toBe(0.5);
  expect(hours[10]!.compliance).toBeNull();
  expect(hours[23]!.cleared).toBe(0); // yesterday's 23:05 is not in today's 23h

  const recent = eventLog.recentEvents(4);
  expect(recent.map((e) => e.kind)).toEqual(['fault', 'forced_passage', 'escalation', 'decision']);
  const fever = recent[3]!;
  expect(fever).toMatchObject({ kind: 'decision', outcome: 'alert', reason: 'fever', temperatureC: 38.4, snapshot: null, people: [{ trackId: 't1', label: 'no_mask', confidence: 0.91 }] });
  expect(eventLog.recentEvents(50, { includeTransitions: true }).some((e) => e.kind === 'transition')).toBe(true);
  expect(eventLog.recentEvents(50).some((e) => e.kind === 'transition')).toBe(false);
  await eventLog.stop();
});

test('retention deletes rows older than retentionDays at start and then hourly', async () => {
  const day = 86_400_000;
  const clock = manualClock(at(12) - 10 * day);
  const { eventLog, log, config } = eventLogFor(dir, 'retentionDays: 7', { clock });
  // Write history with the log open, then stop and "boot" 10 days later.
  const writer = eventLogFor(dir, 'retentionDays: 3650', { clock }).eventLog;
  await writer.start();
  writer.recordDecision(decision('alert')); // 10 days old at boot
  writer.recordFault('detector', 'x');
  clock.set(at(12) - 6 * day);
  writer.recordDecision(decision('cleared')); // 6 days old at boot
  await writer.stop();

  clock.set(at(12));
  await eventLog.start();
  let events = eventLog.recentEvents(100);
  expect(events.map((e) => e.kind)).toEqual(['decision']);
  expect(events[0]).toMatchObject({ outcome: 'cleared' });
  // decision_people rows went with their decision.
  const db = openDatabase(config.eventLog.path);
  expect(db.prepare('SELECT COUNT(*) AS n FROM decision_people').get()).toEqual({ n: 1 });
  db.close();

  clock.advance(1.5 * day); // the 6-day-old decision passes 7 days; the hourly prune removes it
  await new Promise((r) => setImmediate(r));
  events = eventLog.recentEvents(100);
  expect(events).toEqual([]);
  expect(log.lines.filter((l) => l.includes('event log pruned'))).toHaveLength(2);
  await eventLog.stop();
});

test('the adapter logs transitions, decisions, escalations and faults as a diff of the active set', async () => {
  const clock = manualClock(at(10));
  const { eventLog } = eventLogFor(dir, '', { clock });
  await eventLog.start();
  const l = eventLogListener(eventLog);
  const ind = { greenLed: 'off', redLed: 'off', amberLed: 'off', relay: 'locked', buzzer: 'off', display: 'ready' } as const;
  l.onState!('idle', ind, at(10));
  l.onState!('evaluating', ind, at(10) + 1);
  l.onDecision!(decision('cleared'));
  l.onEscalation!('no_mask');
  l.onFaults!([{ source: 'camera', reason: 'gone' }]);
  l.onFaults!([{ source: 'camera', reason: 'gone' }, { source: 'detector', reason: 'slow' }]);
  l.onFaults!([{ source: 'detector', reason: 'slow' }]);
  l.onFaults!([]);
  const all = eventLog.recentEvents(100, { includeTransitions: true }).reverse();
  expect(all.filter((e) => e.kind === 'transition').map((e) => (e.kind === 'transition' ? `${e.from}->${e.to}` : ''))).toEqual(['null->idle', 'idle->evaluating']);
  expect(all.filter((e) => e.kind === 'fault' || e.kind === 'recovery').map((e) => (e.kind === 'fault' || e.kind === 'recovery' ? `${e.kind} ${e.source}` : ''))).toEqual([
    'fault camera',
    'fault detector',
    'recovery camera',
    'recovery detector',
  ]);
  expect(all.some((e) => e.kind === 'escalation' && e.reason === 'no_mask')).toBe(true);
  await eventLog.stop();
});

test('staff notified for someone undecided: an escalation with the reason undecided, no alert and no decision', async () => {
  const clock = manualClock(at(11));
  const { eventLog } = eventLogFor(dir, '', { clock });
  await eventLog.start();
  eventLogListener(eventLog).onEscalation!('undecided');
  expect(eventLog.recentEvents(10)).toEqual([{ kind: 'escalation', id: expect.any(Number), t: at(11), reason: 'undecided' }]);
  expect(eventLog.countsToday()).toMatchObject({ cleared: 0, alert: 0, escalations: 1 });
  expect([...eventLog.exportRows(at(0), at(23))].map((r) => [r.type, r.reason])).toEqual([['escalation', 'undecided']]);
  await eventLog.stop();
});

test('a write after stop or on a broken database is logged and returns null, never throws at the gate', async () => {
  const { eventLog, log, config } = eventLogFor(dir);
  await eventLog.start();
  expect(eventLog.recordFault('camera', 'x')).toEqual(expect.any(Number));
  // Someone drops a table under us (disk trouble looks the same to the caller: the statement fails).
  const other = openDatabase(config.eventLog.path);
  other.exec('DROP TABLE faults');
  other.close();
  expect(() => eventLog.recordFault('camera', 'y')).not.toThrow();
  expect(eventLog.recordFault('camera', 'y')).toBeNull();
  await eventLog.stop();
  expect(eventLog.recordDecision(decision('cleared'))).toBeNull();
  expect(eventLog.failedWrites).toBe(3);
  expect(log.lines.filter((l) => l.includes('not recorded'))).toHaveLength(3);
  expect(path.isAbsolute(config.eventLog.path)).toBe(true);
});
