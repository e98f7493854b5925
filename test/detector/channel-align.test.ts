/** @jest-environment ./test/env/onnx-environment.js */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { alignChannels, nchwcBlock } from '../../src/detector/channel-align';
import { ortSessionFactory } from '../../src/detector/ort-session';
import type { InferenceSession, SessionFactory } from '../../src/detector/runtime';
import { openSession, outputDifference } from '../../src/detector/session-open';
import { memoryLogger } from '../../src/log';

const MODEL = path.resolve(__dirname, '../../models/mask-two-stage');
const face = readFileSync(path.join(MODEL, 'face.onnx'));
const classifier = readFileSync(path.join(MODEL, 'classifier.onnx'));
const tensorrt = { fp16: false, engineCachePath: '/nonexistent' };
const open = (bytes: Uint8Array) => ortSessionFactory.create(bytes, { providers: ['cpu'], threads: 1, tensorrt, logId: 'test' });

test('the channel block follows the CPU flags: 16 with AVX-512, 8 with AVX2, none otherwise', () => {
  expect(nchwcBlock('processor\t: 0\nflags\t\t: fpu sse2 avx avx2 avx512f avx512dq\n')).toBe(16);
  expect(nchwcBlock('flags\t\t: fpu sse2 avx avx2 fma\n')).toBe(8);
  expect(nchwcBlock('flags\t\t: fpu sse2\n')).toBe(0);
  // Arm's cpuinfo has "Features", not "flags".
  expect(nchwcBlock('processor\t: 0\nFeatures\t: fp asimd evtstrm aes\n')).toBe(0);
  expect(nchwcBlock('')).toBe(0);
});

test('BlazeFace-back widens its 24-channel stage to 32 for a 16-float block and computes the same outputs', async () => {
  const r = alignChannels(face, 16);
  expect(r?.widened).toEqual(['24->32']);
  const [a, b] = [await open(face), await open(r!.bytes)];
  try {
    // Same output names and shapes (the heads' 2, 6 and 32 channels feed outputs and are kept).
    expect(b.outputs).toEqual(a.outputs);
    expect(await outputDifference(a, b)).toBeLessThan(1e-5);
  } finally {
    await a.close();
    await b.close();
  }
});

test('the classifier trunk widens the groups that only feed convolutions; its feature taps keep their width', async () => {
  const r = alignChannels(classifier, 16);
  expect(r?.widened).toEqual(['24->32', '28->32', '36->48', '42->48', '56->64', '72->80']);
  const [a, b] = [await open(classifier), await open(r!.bytes)];
  try {
    expect(await outputDifference(a, b)).toBeLessThan(1e-5);
  } finally {
    await a.close();
    await b.close();
  }
});

test('nothing to widen, no block, or bytes that are not ONNX: no model', () => {
  // 24, 48 and 96 channels already fill 8-float blocks.
  expect(alignChannels(face, 8)).toBeNull();
  expect(alignChannels(face, 0)).toBeNull();
  expect(alignChannels(new Uint8Array([1, 2, 3, 4]), 16)).toBeNull();
});

test('openSession keeps the widened network for the CPU provider and says so', async () => {
  const log = memoryLogger();
  const { session } = await openSession(ortSessionFactory, face, { order: ['cpu'], threads: 1, tensorrt, channelBlock: 16 }, log, 'm@1', 'face');
  await session.close();
  expect(log.lines.some((l) => l.includes('channels widened for the CPU layout') && l.includes('"widened":"24->32"'))).toBe(true);
});

test('a widened network whose outputs differ is dropped with a warning, and the shipped one runs', async () => {
  const made: { bytes: number; closed: boolean; session: InferenceSession }[] = [];
  // The second session (the widened one) answers differently from the shipped network.
  const factory: SessionFactory = {
    async create(model) {
      const k = made.length;
      const entry = { bytes: model.byteLength, closed: false, session: null as unknown as InferenceSession };
      entry.session = {
        inputs: [{ name: 'x', type: 'float32', dims: ['batch', 2] }],
        outputs: [{ name: 'y', type: 'float32', dims: ['batch', 1] }],
        run: async () => ({ y: { data: new Float32Array([k === 1 ? 1.5 : 1]), dims: [1, 1] } }),
        close: async () => void (entry.closed = true),
      };
      made.push(entry);
      return entry.session;
    },
  };
  const log = memoryLogger();
  const { session } = await openSession(factory, face, { order: ['cpu'], threads: 1, tensorrt, channelBlock: 16 }, log, 'm@1', 'face');
  // Shipped (probed, then closed so two never hold memory together), widened (rejected), shipped again.
  expect(made.map((m) => [m.bytes === face.byteLength, m.closed])).toEqual([[true, true], [false, true], [true, false]]);
  expect(session).toBe(made[2]!.session);
  expect(log.lines.some((l) => l.includes(' warn ') && l.includes('widened channels changed the outputs; the network runs as shipped'))).toBe(true);
});

test('a PReLU between convolutions is widened with its slope (zero slopes on the new channels) and computes the same', async () => {
  const A = onnx.AttributeProto.AttributeType;
  const r = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + k));
  const t = (name: string, dims: number[], data: Float32Array): onnx.ITensorProto => ({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer) });
  const vi = (name: string, dims: number[]): onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const pads = { name: 'pads', type: A.INTS, ints: [1, 1, 1, 1] };
  const bytes = onnx.ModelProto.encode({
    irVersion: 7, opsetImport: [{ domain: '', version: 12 }],
    graph: {
      name: 'prelu',
      node: [
        { opType: 'Conv', input: ['x', 'w1', 'b1'], output: ['c1'], attribute: [pads] },
        { opType: 'PRelu', input: ['c1', 'slope'], output: ['p1'] },
        { opType: 'Conv', input: ['p1', 'w2'], output: ['y'], attribute: [pads] },
      ],
      initializer: [t('w1', [12, 3, 3, 3], r(324, 1)), t('b1', [12], r(12, 2)), t('slope', [12, 1, 1], r(12, 3)), t('w2', [4, 12, 3, 3], r(432, 4))],
      input: [vi('x', [1, 3, 8, 8])], output: [vi('y', [1, 4, 8, 8])],
    },
  }).finish();
  const w = alignChannels(bytes, 16);
  expect(w?.widened).toEqual(['12->16']);
  const slope = onnx.ModelProto.decode(w!.bytes).graph!.initializer!.find((i) => i.name === 'slope')!;
  expect(slope.dims!.map(Number)).toEqual([16, 1, 1]);
  const [a, b] = [await open(bytes), await open(w!.bytes)];
  try {
    expect(await outputDifference(a, b)).toBeLessThan(1e-5);
  } finally {
    await a.close();
    await b.close();
  }
});
