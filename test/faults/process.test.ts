import { existsSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../src/eventlog/sqlite';
import { colourModelFolder, colourSequence, tempDirs } from './helpers/colour-world';
import { cliConfig, startCli } from './helpers/cli-daemon';

/**
 * The real daemon process (bin/mask-gate.js run) stopped by a signal. The graceful SIGTERM path itself
 * (outputs safe first, reverse stop order) is test/cli/daemon-signals.test.ts; here it happens mid-alert,
 * with the event log writing, and the database is checked afterwards.
 */
const tmp = tempDirs();

test('SIGTERM during an alert: outputs safe (relay locked, red LED and buzzer off), SQLite closed cleanly with the alert in it', async () => {
  const dir = tmp();
  await colourSequence(path.join(dir, 'seq'), [['empty', 10], ['no_mask', 300]]);
  const d = startCli(dir, cliConfig(dir, colourModelFolder(), { gate: { buzzer: { alert: [100, 100] } } }));
  await d.waitFor(/gate evaluating -> alert\.active/);
  await d.waitFor(/buzzer on/);
  d.child.kill('SIGTERM');
  expect(await d.exited).toEqual({ code: 0, signal: null });
  const after = d.output().split('\n').slice(d.output().split('\n').findIndex((l) => l.includes('SIGTERM: stopping')));
  const last = (name: string) => after.filter((l) => new RegExp(`\\] ${name} (on|off)$`).test(l)).at(-1);
  for (const out of ['relay', 'redLed', 'buzzer', 'greenLed']) expect(last(out)).toMatch(/off$/);
  expect(after.some((l) => l.includes('event log closed'))).toBe(true);
  // A clean close checkpoints the WAL and removes it.
  expect(existsSync(path.join(dir, 'events.sqlite-wal'))).toBe(false);
  const db = openDatabase(path.join(dir, 'events.sqlite'));
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(db.prepare("SELECT outcome, reason FROM decisions").all()).toEqual([{ outcome: 'alert', reason: 'no_mask' }]);
  db.close();
});

test('kill -9 while decisions are written: on restart the database is intact and every acknowledged decision is there', async () => {
  const dir = tmp();
  // Alert, clear, alert, clear ... about one decision a second.
  await colourSequence(path.join(dir, 'seq'), [['empty', 15], ['no_mask', 15], ['empty', 15], ['mask', 15]]);
  const config = cliConfig(dir, colourModelFolder(), { eventLog: { synchronous: 'normal' } });
  const d = startCli(dir, config);
  // The decision row is written inside the transition; the state line is logged after it: an acknowledgement.
  const decided = () => [...d.output().matchAll(/gate evaluating -> (alert|cleared)\./g)].map((m) => m[1]);
  await d.until('five decisions', () => decided().length >= 5, 30_000);
  d.child.kill('SIGKILL');
  expect((await d.exited).signal).toBe('SIGKILL');
  const acked = decided();
  expect(acked.length).toBeGreaterThanOrEqual(5);

  const db = openDatabase(path.join(dir, 'events.sqlite'));
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  const rows = db.prepare('SELECT outcome FROM decisions ORDER BY id').all() as { outcome: string }[];
  // Every acknowledged one, in order; at most one more written just before the kill.
  expect(rows.slice(0, acked.length).map((r) => r.outcome)).toEqual(acked);
  expect(rows.length - acked.length).toBeLessThanOrEqual(1);
  db.close();

  // The daemon starts again on the same file and keeps recording.
  const again = startCli(dir, config);
  await again.waitFor(/gate evaluating -> (alert|cleared)\./);
  again.child.kill('SIGTERM');
  expect((await again.exited).code).toBe(0);
  const db2 = openDatabase(path.join(dir, 'events.sqlite'));
  expect((db2.prepare('SELECT COUNT(*) AS n FROM decisions').get() as { n: number }).n).toBeGreaterThan(rows.length);
  db2.close();
}, 60_000);
