import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../src/eventlog/sqlite';
import { tempDir } from './helpers';

let dir: string;
beforeEach(() => (dir = tempDir()));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the writer, kills it with SIGKILL once `acks` events were acknowledged, returns what it acknowledged. */
function writeThenKill(file: string, synchronous: string, acks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', path.join(__dirname, '../../src/camera/dev-ts-register.cjs'), path.join(__dirname, 'fixtures/writer-child.ts'), file, synchronous], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    const acked: string[] = [];
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      acked.push(...lines);
      if (acked.length >= acks && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`writer exited ${code} before the kill`))));
  });
}

test.each(['normal', 'full'])('kill -9 mid-writes (synchronous=%s): the database is intact and every acknowledged event is there', async (sync) => {
  const file = path.join(dir, 'events.sqlite');
  const acked = await writeThenKill(file, sync, 400);
  expect(acked.length).toBeGreaterThanOrEqual(400);
  const db = openDatabase(file);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  const has = { d: db.prepare('SELECT 1 FROM decisions WHERE id = ?'), f: db.prepare('SELECT 1 FROM faults WHERE id = ?') };
  const missing = acked.filter((a) => !has[a[0] as 'd' | 'f'].get(Number(a.slice(1))));
  expect(missing).toEqual([]);
  // Each decision's person row went in the same transaction.
  expect(db.prepare('SELECT COUNT(*) AS n FROM decisions d WHERE NOT EXISTS (SELECT 1 FROM decision_people p WHERE p.decision_id = d.id)').get()).toEqual({ n: 0 });
  db.close();
});
