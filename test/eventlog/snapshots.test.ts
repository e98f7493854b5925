import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readImageRgb } from '../../src/detector/image-io';
import { SnapshotIdError, SnapshotStore } from '../../src/eventlog/snapshot-store';
import { decision, eventLogFor, manualClock, tempDir } from './helpers';

let dir: string;
beforeEach(() => (dir = tempDir()));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const W = 160;
const H = 120;
const BOX = [40, 30, 100, 90] as const;

/** High-contrast noise: any blur shows up as a drop in neighbour differences. */
function noiseFrame(): Buffer {
  let s = 12345;
  const buf = Buffer.alloc(W * H * 3);
  for (let i = 0; i < buf.length; i++) buf[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24 > 127 ? 255 : 0;
  return buf;
}

/** Mean absolute difference between horizontal neighbours (green channel) inside a region. */
function detail(rgb: Uint8Array, x1: number, y1: number, x2: number, y2: number): number {
  let sum = 0;
  let n = 0;
  for (let y = y1; y < y2; y++) for (let x = x1; x < x2 - 1; x++) {
    sum += Math.abs(rgb[(y * W + x) * 3 + 1]! - rgb[(y * W + x + 1) * 3 + 1]!);
    n++;
  }
  return sum / n;
}

async function decode(file: string) {
  return (await readImageRgb(file)).data;
}

test('faces are blurred by default; the rest of the frame keeps its detail', async () => {
  const store = new SnapshotStore(path.join(dir, 'snaps'), true);
  const id = await store.save(noiseFrame(), W, H, [BOX]);
  const img = await decode(store.fileFor(id));
  expect(detail(noiseFrame(), ...BOX)).toBeGreaterThan(80);
  expect(detail(img, ...BOX)).toBeLessThan(10);
  expect(detail(img, 110, 0, 160, 120)).toBeGreaterThan(40);
});

test('with blurFaces false the face keeps its detail', async () => {
  const store = new SnapshotStore(path.join(dir, 'snaps'), false);
  const id = await store.save(noiseFrame(), W, H, [BOX]);
  expect(detail(await decode(store.fileFor(id)), ...BOX)).toBeGreaterThan(40);
});

test('reading back by id refuses anything that is not an id, so no path leaves the directory', async () => {
  const store = new SnapshotStore(path.join(dir, 'snaps'), true);
  writeFileSync(path.join(dir, 'secret.jpg'), 'x');
  for (const bad of ['../secret', '..%2Fsecret', '/etc/passwd', '20250301T081502123Z-9f2c4e1a/../../secret', '', '20250301T081502123Z-9F2C4E1A']) {
    await expect(store.read(bad)).rejects.toThrow(SnapshotIdError);
  }
  expect(await store.read('20250301T081502123Z-9f2c4e1a')).toBeNull();
  const id = await store.save(noiseFrame(), W, H, []);
  expect((await store.read(id))!.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  await expect(store.save(Buffer.alloc(10), W, H, [])).rejects.toThrow(/expected 160x120x3/);
});

test('snapshots are off by default; when on, a decision gets one and retention removes it with its row', async () => {
  const day = 86_400_000;
  const t0 = Date.UTC(2025, 0, 10, 12);
  const off = eventLogFor(dir, '', { snapshotFrame: () => ({ rgb: noiseFrame(), width: W, height: H, boxes: [BOX] }) });
  expect(off.eventLog.snapshots).toBeNull();

  const clock = manualClock(t0);
  const { eventLog } = eventLogFor(dir, 'retentionDays: 2', { clock, snapshotFrame: () => ({ rgb: noiseFrame(), width: W, height: H, boxes: [BOX] }) }, 'enabled: true');
  await eventLog.start();
  eventLog.recordDecision(decision('alert'));
  for (let i = 0; i < 100 && !eventLog.recentEvents(1).some((e) => e.kind === 'decision' && e.snapshot); i++) await new Promise((r) => setTimeout(r, 20));
  const [d] = eventLog.recentEvents(1);
  expect(d).toMatchObject({ kind: 'decision', snapshot: expect.stringMatching(/^20250110T120000000Z-[0-9a-f]{8}$/) });
  const file = eventLog.snapshots!.fileFor((d as { snapshot: string }).snapshot);
  expect(existsSync(file)).toBe(true);
  writeFileSync(path.join(dir, 'snaps', 'notes.txt'), 'not a snapshot');

  clock.set(t0 + 3 * day);
  expect(await eventLog.prune()).toEqual({ rows: 2, snapshots: 1 });
  expect(existsSync(file)).toBe(false);
  expect(readdirSync(path.join(dir, 'snaps'))).toEqual(['notes.txt']);
  await eventLog.stop();
});
