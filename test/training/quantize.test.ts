/** @jest-environment ./test/env/onnx-environment.js */
import { onnx } from 'onnx-proto';
import { alignChannels } from '../../src/detector/channel-align';
import { floatValues } from '../../src/detector/onnx-tensor';
import { ortSessionFactory } from '../../src/detector/ort-session';
import type { FloatTensor, InferenceSession } from '../../src/detector/runtime';
import { openSession } from '../../src/detector/session-open';
import { memoryLogger } from '../../src/log';
import { rng } from '../../src/training/random';
import { activationParams, outputHeads, quantizeModel, quantizeWeights } from '../../src/training/quantize';
import { calibrateRanges, channelMaxima, type Feeds } from '../../src/training/quantize-calibrate';
import { depthwiseOutputs, equalizeDepthwise } from '../../src/training/quantize-equalize';

const DT = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;
const tensorrt = { fp16: false, engineCachePath: '/nonexistent' };
const open = (bytes: Uint8Array) => ortSessionFactory.create(bytes, { providers: ['cpu'], threads: 1, tensorrt, logId: 'test' });

/** Seeded weights whose output channels differ in size by up to 20x, as real networks' do. */
function weights(rand: () => number, dims: number[]): Float32Array {
  const per = dims.slice(1).reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: dims[0]! * per }, (_, i) => (rand() * 2 - 1) * (1 + 19 * ((Math.floor(i / per) * 7) % dims[0]!) / dims[0]!) / Math.sqrt(per));
}

function init(name: string, dims: number[], data: Float32Array): onnx.ITensorProto {
  return { name, dims, dataType: DT.FLOAT, rawData: new Uint8Array(data.buffer) };
}

/**
 * A small BlazeFace-like block, NHWC in: Transpose -> Conv 3x3 (3->8) -> Relu -> depthwise 3x3 -> Conv 1x1
 * -> Add (residual) -> Relu -> MaxPool 2 -> channel Pad (8->12) -> Conv 1x1 (12->4) = `y`, and a Flatten ->
 * Gemm head on the pooled block = `z`.
 */
function blockModel(seed: number): Uint8Array {
  const rand = rng(seed);
  const vi = (name: string, dims: (number | string)[]) => ({ name, type: { tensorType: { elemType: DT.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } });
  const ints = (name: string, v: number[]) => ({ name, type: A.INTS, ints: v });
  const b = (n: number) => Float32Array.from({ length: n }, () => rand() - 0.5);
  const g: onnx.IGraphProto = {
    name: 'block',
    input: [vi('x', ['batch', 8, 8, 3])],
    output: [vi('y', ['batch', 4, 4, 4]), vi('z', ['batch', 5])],
    initializer: [
      init('w1', [8, 3, 3, 3], weights(rand, [8, 3, 3, 3])), init('b1', [8], b(8)),
      init('wd', [8, 1, 3, 3], weights(rand, [8, 1, 3, 3])), init('bd', [8], b(8)),
      init('w2', [8, 8, 1, 1], weights(rand, [8, 8, 1, 1])), init('b2', [8], b(8)),
      { name: 'pads', dims: [8], dataType: DT.INT64, rawData: new Uint8Array(new BigInt64Array([0n, 0n, 0n, 0n, 0n, 4n, 0n, 0n]).buffer) },
      init('w3', [4, 12, 1, 1], weights(rand, [4, 12, 1, 1])), init('b3', [4], b(4)),
      init('wg', [128, 5], weights(rand, [128, 5])), init('bg', [5], b(5)),
    ],
    node: [
      { opType: 'Transpose', name: 'nchw', input: ['x'], output: ['xt'], attribute: [ints('perm', [0, 3, 1, 2])] },
      { opType: 'Conv', name: 'conv1', input: ['xt', 'w1', 'b1'], output: ['c1'], attribute: [ints('pads', [1, 1, 1, 1])] },
      { opType: 'Relu', name: 'relu1', input: ['c1'], output: ['r1'] },
      { opType: 'Conv', name: 'dw', input: ['r1', 'wd', 'bd'], output: ['d'], attribute: [ints('pads', [1, 1, 1, 1]), { name: 'group', type: A.INT, i: 8 }] },
      { opType: 'Conv', name: 'pw', input: ['d', 'w2', 'b2'], output: ['c2'] },
      { opType: 'Add', name: 'res', input: ['r1', 'c2'], output: ['s'] },
      { opType: 'Relu', name: 'relu2', input: ['s'], output: ['r2'] },
      { opType: 'MaxPool', name: 'pool', input: ['r2'], output: ['p'], attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])] },
      { opType: 'Pad', name: 'widen', input: ['p', 'pads'], output: ['pp'], attribute: [{ name: 'mode', type: A.STRING, s: new TextEncoder().encode('constant') }] },
      { opType: 'Conv', name: 'head', input: ['pp', 'w3', 'b3'], output: ['y'] },
      { opType: 'Flatten', name: 'flat', input: ['p'], output: ['f'], attribute: [{ name: 'axis', type: A.INT, i: 1 }] },
      { opType: 'Gemm', name: 'fc', input: ['f', 'wg', 'bg'], output: ['z'] },
    ],
  };
  return onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 12 }], producerName: 'test', graph: g }).finish();
}

function inputs(seed: number, n: number, batch = 2): Feeds[] {
  const rand = rng(seed);
  return Array.from({ length: n }, () => ({ x: { data: Float32Array.from({ length: batch * 8 * 8 * 3 }, () => rand() * 2 - 1), dims: [batch, 8, 8, 3] } }));
}

async function outputs(s: InferenceSession, feeds: Feeds[]): Promise<Record<string, FloatTensor>[]> {
  const r: Record<string, FloatTensor>[] = [];
  for (const f of feeds) r.push(await s.run(f));
  return r;
}

/** Largest |a - b| of output `name` over all runs, the mean |a - b| and the mean |a|. */
function worst(a: Record<string, FloatTensor>[], b: Record<string, FloatTensor>[], name: string): { diff: number; meanDiff: number; meanAbs: number } {
  let diff = 0;
  let sumDiff = 0;
  let sumAbs = 0;
  let n = 0;
  a.forEach((ra, k) => {
    const x = ra[name]!.data;
    const y = b[k]![name]!.data;
    expect(y.length).toBe(x.length);
    for (let i = 0; i < x.length; i++) {
      diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
      sumDiff += Math.abs(x[i]! - y[i]!);
      sumAbs += Math.abs(x[i]!);
      n++;
    }
  });
  return { diff, meanDiff: sumDiff / n, meanAbs: sumAbs / n };
}

const initOf = (m: onnx.ModelProto, name: string) => m.graph!.initializer!.find((t) => t.name === name);

test('per-channel weight scales are max |w| / 127 per output channel, values stay in -127..127 and round back within half a step', () => {
  const rand = rng(7);
  for (const [dims, axis] of [[[6, 4, 3, 3], 0], [[10, 7], 1], [[7, 10], 0]] as const) {
    const w = weights(rand, [...dims]);
    // One all-zero channel: its scale must still be usable (non-zero, finite).
    const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    for (let i = 0; i < w.length; i++) if (Math.floor(i / inner) % dims[axis]! === 2) w[i] = 0;
    const { q, scales } = quantizeWeights(w, [...dims], axis);
    expect(scales.length).toBe(dims[axis]);
    const maxAbs = new Array<number>(dims[axis]!).fill(0);
    for (let i = 0; i < w.length; i++) maxAbs[Math.floor(i / inner) % dims[axis]!] = Math.max(maxAbs[Math.floor(i / inner) % dims[axis]!]!, Math.abs(w[i]!));
    maxAbs.forEach((m, c) => (m > 0 ? expect(scales[c]).toBeCloseTo(m / 127, 6) : expect(scales[c]).toBeGreaterThan(0)));
    let hitsEnd = 0;
    for (let i = 0; i < w.length; i++) {
      const c = Math.floor(i / inner) % dims[axis]!;
      expect(Math.abs(q[i]!)).toBeLessThanOrEqual(127);
      expect(Math.abs(q[i]! * scales[c]! - w[i]!)).toBeLessThanOrEqual(scales[c]! / 2 + 1e-7);
      if (Math.abs(q[i]!) === 127) hitsEnd++;
    }
    // Each non-zero channel's largest weight lands on +-127.
    expect(hitsEnd).toBeGreaterThanOrEqual(maxAbs.filter((m) => m > 0).length);
  }
});

test('activation parameters hold 0 exactly and span the calibrated range in 255 steps', () => {
  for (const r of [{ min: 0, max: 13.1 }, { min: -1, max: 1 }, { min: -3.5, max: 0.4 }, { min: 2, max: 9 }, { min: -5, max: -1 }]) {
    const p = activationParams(r);
    expect(Number.isInteger(p.zeroPoint) && p.zeroPoint >= 0 && p.zeroPoint <= 255).toBe(true);
    // uint8 0 and 255 map back to the range (widened to hold 0) within a step.
    const lo = Math.min(0, r.min);
    const hi = Math.max(0, r.max);
    expect(Math.abs((0 - p.zeroPoint) * p.scale - lo)).toBeLessThanOrEqual(p.scale);
    expect(Math.abs((255 - p.zeroPoint) * p.scale - hi)).toBeLessThanOrEqual(p.scale);
    if (r.min === 0) expect(p.zeroPoint).toBe(0);
  }
});

describe('a small conv block quantized', () => {
  const float = blockModel(11);
  const calib = inputs(1, 8);
  const test8 = inputs(2, 4);
  let q: ReturnType<typeof quantizeModel>;
  let ranges: Awaited<ReturnType<typeof calibrateRanges>>;

  beforeAll(async () => {
    ranges = await calibrateRanges(ortSessionFactory, float, () => calib);
    q = quantizeModel(float, ranges, {});
  });

  test('every weight is int8 behind a per-channel DequantizeLinear on the output-channel axis; no float weight is left', () => {
    const m = onnx.ModelProto.decode(q.bytes);
    expect(q.weights.sort()).toEqual(['conv1', 'dw', 'fc', 'head', 'pw']);
    for (const [w, axis, channels] of [['w1', 0, 8], ['wd', 0, 8], ['w2', 0, 8], ['w3', 0, 4], ['wg', 1, 5]] as const) {
      expect(initOf(m, w)).toBeUndefined();
      expect(initOf(m, `${w}_int8`)!.dataType).toBe(DT.INT8);
      expect(Number(initOf(m, `${w}_scale`)!.dims![0])).toBe(channels);
      const dq = m.graph!.node!.find((n) => n.input![0] === `${w}_int8`)!;
      expect(dq.opType).toBe('DequantizeLinear');
      expect(Number(dq.attribute!.find((a) => a.name === 'axis')!.i)).toBe(axis);
    }
    // Biases: int32 at input scale x weight scale.
    const b1 = initOf(m, 'b1_int32')!;
    expect(b1.dataType).toBe(DT.INT32);
    const s = floatValues(initOf(m, 'b1_scale')!);
    const ws = floatValues(initOf(m, 'w1_scale')!);
    const xs = activationParams(ranges.get('x')!).scale;
    s.forEach((v, c) => expect(v).toBeCloseTo(ws[c]! * xs, 9));
    // Both Relus were folded into a quantization with zero point 0; the graph outputs stay float.
    expect(q.foldedRelus).toBe(2);
    expect(m.graph!.node!.some((n) => n.opType === 'Relu')).toBe(false);
    expect(m.graph!.output!.map((o) => o.name)).toEqual(['y', 'z']);
    expect(m.graph!.node!.filter((n) => n.opType === 'QuantizeLinear').map((n) => n.output![0])).not.toContain('y_q');
  });

  test('outputs stay within a few quantization steps of the float network on inputs it was not calibrated on', async () => {
    const [a, b] = [await open(float), await open(q.bytes)];
    try {
      const [ra, rb] = [await outputs(a, test8), await outputs(b, test8)];
      for (const name of ['y', 'z']) {
        const { diff, meanDiff, meanAbs } = worst(ra, rb, name);
        // Quantization noise of four quantized layers: on average about one uint8 step of the output's
        // calibrated range (measured 1.0 for y); a wrong scale, axis or zero point costs tens of steps.
        const r = ranges.get(name)!;
        const step = (r.max - Math.min(0, r.min)) / 255;
        expect(meanDiff / step).toBeLessThan(2);
        expect(diff / step).toBeLessThan(20);
        expect(meanAbs / step).toBeGreaterThan(10);
        expect(diff).toBeGreaterThan(0);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('the output layers can stay float, and equalizing depthwise pairs keeps the float function', async () => {
    expect(outputHeads(float).sort()).toEqual(['fc', 'head']);
    const kept = quantizeModel(float, ranges, { floatNodes: outputHeads(float) });
    expect(kept.weights.sort()).toEqual(['conv1', 'dw', 'pw']);
    expect(depthwiseOutputs(float)).toEqual(['d']);
    const eq = equalizeDepthwise(float, await channelMaxima(ortSessionFactory, float, ['d'], () => calib));
    expect(eq.pairs).toBe(1);
    const [a, b] = [await open(float), await open(eq.bytes)];
    try {
      const { meanDiff, meanAbs } = worst(await outputs(a, test8), await outputs(b, test8), 'y');
      expect(meanDiff / meanAbs).toBeLessThan(1e-5);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a percentile range lies inside the min/max range, narrower where the extremes are rare', async () => {
    const clipped = await calibrateRanges(ortSessionFactory, float, () => calib, { percentile: 99 });
    expect([...clipped.keys()].sort()).toEqual([...ranges.keys()].sort());
    let narrower = 0;
    for (const [name, r] of ranges) {
      const c = clipped.get(name)!;
      expect(c.min).toBeGreaterThanOrEqual(r.min);
      expect(c.max).toBeLessThanOrEqual(r.max);
      expect(c.max).toBeGreaterThan(c.min);
      if (c.max - c.min < 0.98 * (r.max - r.min)) narrower++;
    }
    expect(narrower).toBeGreaterThan(ranges.size / 2);
  });

  test("the runtime's channel widening leaves a QDQ network as it is, and openSession runs it", async () => {
    expect(alignChannels(q.bytes, 16)).toBeNull();
    const log = memoryLogger();
    const { session } = await openSession(ortSessionFactory, q.bytes, { order: ['cpu'], threads: 1, tensorrt, channelBlock: 16 }, log, 'm@1', 'face');
    const plain = await open(q.bytes);
    try {
      const { diff } = worst(await outputs(plain, test8), await outputs(session, test8), 'y');
      expect(diff).toBe(0);
      expect(log.lines.some((l) => l.includes('channels widened'))).toBe(false);
    } finally {
      await session.close();
      await plain.close();
    }
  });
});
