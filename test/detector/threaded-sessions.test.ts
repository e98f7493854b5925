/** @jest-environment ./test/env/onnx-environment.js */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ortSessionFactory } from '../../src/detector/ort-session';
import type { FloatTensor, InferenceSession, SessionOptions } from '../../src/detector/runtime';
import { threadedSessions } from '../../src/detector/threaded-sessions';

const CLASSIFIER = path.join(__dirname, '..', '..', 'models', 'mask-two-stage', 'classifier.onnx');
const options: SessionOptions = { providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '/nonexistent' }, logId: 'test:classifier' };

function seededRows(s: InferenceSession, rows: number, seed: number): Record<string, FloatTensor> {
  const m = s.inputs[0]!;
  const dims = m.dims.map((d, i) => (i === 0 ? rows : (d as number)));
  let x = seed;
  const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => ((x = (x * 16807) % 2147483647) / 2147483647) * 2 - 1);
  return { [m.name]: { data, dims } };
}

const same = (a: Record<string, FloatTensor>, b: Record<string, FloatTensor>) => {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(a)) {
    expect(a[k]!.dims).toEqual(b[k]!.dims);
    expect(Array.from(a[k]!.data)).toEqual(Array.from(b[k]!.data));
  }
};

test('a session on its own thread answers as the same session on this thread: metadata, outputs, runs in flight in call order', async () => {
  const model = readFileSync(CLASSIFIER);
  const here = await ortSessionFactory.create(model, options);
  const there = await threadedSessions().create(model, options);
  try {
    expect(there.inputs).toEqual(here.inputs);
    expect(there.outputs).toEqual(here.outputs);
    // Row counts for the shipped classifier: faces x its rows per face (3: face, lower face, nose).
    const feeds = [seededRows(here, 3, 7), seededRows(here, 6, 11), seededRows(here, 3, 13)];
    const expected: Record<string, FloatTensor>[] = [];
    for (const f of feeds) expected.push(await here.run(f));
    // Three runs at once, of two batch sizes: each answer is its own input's, in order.
    const got = await Promise.all(feeds.map((f) => there.run(f)));
    got.forEach((g, i) => same(g, expected[i]!));
    // The caller's buffer is its own: reused for other values after a run, it changes nothing already answered.
    const reused = feeds[0]!;
    const before = Array.from(reused[here.inputs[0]!.name]!.data);
    reused[here.inputs[0]!.name]!.data.fill(0.5);
    same(await there.run(reused), await here.run(reused));
    expect(before).not.toEqual(Array.from(reused[here.inputs[0]!.name]!.data));
  } finally {
    await here.close();
    await there.close();
  }
});

test('close is idempotent and a run after it is refused with the session named', async () => {
  const s = await threadedSessions().create(readFileSync(CLASSIFIER), options);
  await Promise.all([s.close(), s.close()]);
  await expect(s.run(seededRows(s, 3, 1))).rejects.toThrow(/test:classifier/);
});

test('a model onnxruntime cannot load fails create with its reason', async () => {
  await expect(threadedSessions().create(new Uint8Array([1, 2, 3, 4]), options)).rejects.toThrow(/protobuf|parse|model/i);
});

test('a thread that dies fails the run in flight and every later one, naming the session, instead of hanging', async () => {
  const factory = threadedSessions({ file: path.join(__dirname, '..', 'fixtures', 'dying-session-thread.cjs') });
  const s = await factory.create(new Uint8Array(), { ...options, logId: 'test:dying' });
  const feeds = { x: { data: new Float32Array(1), dims: [1] } };
  await expect(s.run(feeds)).rejects.toThrow(/inference thread test:dying exited \(code 3\)/);
  await expect(s.run(feeds)).rejects.toThrow(/test:dying/);
  await s.close();
});

test('runs are sent to the thread at once: it holds the next run while one is in progress, answers stay in call order', async () => {
  const s = await threadedSessions({ file: path.join(__dirname, '..', 'fixtures', 'queue-session-thread.cjs') }).create(new Uint8Array(), { ...options, logId: 'test:queue' });
  try {
    const got = await Promise.all([1, 2, 3].map((v) => s.run({ x: { data: new Float32Array([v]), dims: [1] } })));
    // Each run takes 50 ms on the thread; all three had reached it before the first was answered.
    expect(got.map((g) => Array.from(g.seen!.data))).toEqual([
      [3, 1],
      [3, 2],
      [3, 3],
    ]);
  } finally {
    await s.close();
  }
});

describe('sessions given the same thread (SessionOptions.thread)', () => {
  const where = { file: path.join(__dirname, '..', 'fixtures', 'where-session-thread.cjs') };
  const x = (v: number) => ({ x: { data: new Float32Array([v]), dims: [1] } });
  const ran = async (s: InferenceSession, v = 0) => Array.from((await s.run(x(v))).where!.data);

  it('share one thread; others get threads of their own; the last close ends it, and the name opens a new one', async () => {
    const factory = threadedSessions(where);
    const a = await factory.create(new Uint8Array(), { ...options, logId: 'test:a', thread: 'classifier' });
    const b = await factory.create(new Uint8Array(), { ...options, logId: 'test:b', thread: 'classifier' });
    const c = await factory.create(new Uint8Array(), { ...options, logId: 'test:c' });
    const d = await factory.create(new Uint8Array(), { ...options, logId: 'test:d', thread: 'face' });
    const [ta, tb, tc, td] = await Promise.all([a, b, c, d].map((s) => ran(s)));
    expect(tb![0]).toBe(ta![0]);
    expect(ta!.slice(1)).toEqual([1, 2]);
    expect(tb!.slice(1)).toEqual([2, 2]);
    expect(new Set([ta![0], tc![0], td![0]]).size).toBe(3);
    // Closing one session leaves the other running on the thread.
    await a.close();
    expect(await ran(b)).toEqual([ta![0], 2, 1]);
    await expect(a.run(x(0))).rejects.toThrow('inference session test:a is closed');
    await b.close();
    const e = await factory.create(new Uint8Array(), { ...options, logId: 'test:e', thread: 'classifier' });
    expect((await ran(e))[0]).not.toBe(ta![0]);
    await Promise.all([c, d, e].map((s) => s.close()));
  });

  it('a shared thread that dies fails the runs of every session on it, naming each session', async () => {
    const factory = threadedSessions(where);
    const a = await factory.create(new Uint8Array(), { ...options, logId: 'test:a', thread: 'shared' });
    const b = await factory.create(new Uint8Array(), { ...options, logId: 'test:b', thread: 'shared' });
    await expect(a.run(x(-1))).rejects.toThrow('inference thread shared exited (code 5) (session test:a)');
    await expect(b.run(x(0))).rejects.toThrow('inference thread shared exited (code 5) (session test:b)');
    await Promise.all([a.close(), b.close()]);
  });

  it('two real networks on one thread each answer as on this thread, runs interleaved', async () => {
    const model = readFileSync(CLASSIFIER);
    const factory = threadedSessions();
    const here = await ortSessionFactory.create(model, options);
    const one = await factory.create(model, { ...options, thread: 'classifier' });
    const two = await factory.create(model, { ...options, thread: 'classifier' });
    try {
      const feeds = [seededRows(here, 3, 5), seededRows(here, 6, 9), seededRows(here, 3, 17)];
      const expected: Record<string, FloatTensor>[] = [];
      for (const f of feeds) expected.push(await here.run(f));
      const got = await Promise.all([one.run(feeds[0]!), two.run(feeds[1]!), one.run(feeds[2]!)]);
      got.forEach((g, i) => same(g, expected[i]!));
    } finally {
      await Promise.all([here.close(), one.close(), two.close()]);
    }
  });
});
