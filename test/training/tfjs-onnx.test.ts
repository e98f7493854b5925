/** @jest-environment ./test/env/onnx-environment.js */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { ortSessionFactory } from '../../src/detector/ort-session';
import { rng } from '../../src/training/random';
import { convertTfjs, halfToFloat, loadTfjsModel, type TfjsModelJson, type TfjsNode } from '../../src/training/tfjs-onnx';

const tensorrt = { fp16: false, engineCachePath: '/nonexistent' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** float -> IEEE half, round to nearest (test data only: normal numbers). */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const e = ((u >>> 23) & 0xff) - 127 + 15;
  const m = u & 0x7fffff;
  if (v === 0) return sign;
  if (e <= 0 || e >= 31) throw new Error(`toHalf: ${v} is out of range for this test`);
  return sign | (e << 10) | Math.round(m / 8192);
}

/** A weight in the manifest: stored as float32, float16 (quantized) or int32. */
interface W { name: string; shape: number[]; data: number[]; as: 'float32' | 'float16' | 'int32' }

function writeTfjs(dir: string, nodes: TfjsNode[], ws: W[]): string {
  const parts: Buffer[] = [];
  for (const w of ws) {
    if (w.as === 'float16') {
      const b = Buffer.alloc(2 * w.data.length);
      w.data.forEach((v, i) => b.writeUInt16LE(toHalf(v), 2 * i));
      parts.push(b);
    } else {
      const b = Buffer.alloc(4 * w.data.length);
      w.data.forEach((v, i) => (w.as === 'int32' ? b.writeInt32LE(v, 4 * i) : b.writeFloatLE(v, 4 * i)));
      parts.push(b);
    }
  }
  writeFileSync(path.join(dir, 'w.bin'), Buffer.concat(parts));
  const json: TfjsModelJson = {
    modelTopology: { node: [...ws.map((w) => ({ name: w.name, op: 'Const' })), ...nodes] },
    weightsManifest: [{ paths: ['w.bin'], weights: ws.map((w) => ({ name: w.name, shape: w.shape, dtype: w.as === 'int32' ? 'int32' : 'float32', ...(w.as === 'float16' ? { quantization: { dtype: 'float16' } } : {}) })) }],
  };
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  return path.join(dir, 'model.json');
}

/** Plain NHWC reference ops, TensorFlow's SAME padding (extra pixel at the end). */
type T = { h: number; w: number; c: number; d: Float32Array };
const at = (t: T, y: number, x: number, c: number) => (y < 0 || x < 0 || y >= t.h || x >= t.w ? 0 : t.d[(y * t.w + x) * t.c + c]!);
function conv(t: T, k: W, bias: number[] | null, stride: number, depthwise: boolean): T {
  const [kh, kw, ci, co] = k.shape as [number, number, number, number];
  const oc = depthwise ? ci * co : co;
  const h = Math.ceil(t.h / stride), w = Math.ceil(t.w / stride);
  const padY = Math.floor(Math.max((h - 1) * stride + kh - t.h, 0) / 2), padX = Math.floor(Math.max((w - 1) * stride + kw - t.w, 0) / 2);
  const d = new Float32Array(h * w * oc);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let o = 0; o < oc; o++) {
    let s = bias ? bias[o]! : 0;
    for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) {
      const iy = y * stride + dy - padY, ix = x * stride + dx - padX;
      if (depthwise) s += at(t, iy, ix, Math.floor(o / co)) * k.data[((dy * kw + dx) * ci + Math.floor(o / co)) * co + (o % co)]!;
      else for (let c = 0; c < ci; c++) s += at(t, iy, ix, c) * k.data[((dy * kw + dx) * ci + c) * co + o]!;
    }
    d[(y * w + x) * oc + o] = s;
  }
  return { h, w, c: oc, d };
}
const map = (t: T, f: (v: number, c: number) => number): T => ({ ...t, d: t.d.map((v, i) => f(v, i % t.c)) });
const prelu = (t: T, alpha: number[]) => map(t, (v, c) => (v >= 0 ? v : alpha[c]! * v));

describe('tfjs -> ONNX converter', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tfjs-onnx-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads IEEE half floats', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
  });

  it("computes what the tfjs graph computes: fused conv + bias + PReLU, depthwise conv, PReLU, residual add, channel pad, max pool", async () => {
    const r = rng(3);
    const vals = (n: number, s = 1) => Array.from({ length: n }, () => Math.round((r() * 2 - 1) * s * 256) / 256);
    const k1: W = { name: 'k1', shape: [3, 3, 2, 3], data: vals(54, 0.5), as: 'float16' };
    const b1: W = { name: 'b1', shape: [3], data: vals(3), as: 'float32' };
    const a1: W = { name: 'a1', shape: [1, 1, 3], data: [0.25, 0.5, 0.125], as: 'float16' };
    const k2: W = { name: 'k2', shape: [3, 3, 3, 1], data: vals(27, 0.5), as: 'float32' };
    const a2: W = { name: 'a2', shape: [3], data: [0.1, 0.2, 0.3], as: 'float32' };
    const pads: W = { name: 'pads', shape: [4, 2], data: [0, 0, 0, 0, 0, 0, 0, 2], as: 'int32' };
    const attr = (o: Record<string, unknown>) => o as TfjsNode['attr'];
    const nodes: TfjsNode[] = [
      { name: 'x', op: 'Placeholder' },
      { name: 'c1', op: '_FusedConv2D', input: ['x', 'k1', 'b1', 'a1'], attr: attr({ strides: { list: { i: ['1', '2', '2', '1'] } }, padding: { s: b64('SAME') }, fused_ops: { list: { s: [b64('BiasAdd'), b64('Prelu')] } } }) },
      { name: 'd2', op: 'DepthwiseConv2dNative', input: ['c1', 'k2'], attr: attr({ strides: { list: { i: ['1', '1', '1', '1'] } }, padding: { s: b64('SAME') } }) },
      { name: 'p2', op: 'Prelu', input: ['d2', 'a2'] },
      { name: 'sum', op: 'AddV2', input: ['p2', 'c1'] },
      { name: 'pad', op: 'Pad', input: ['sum', 'pads'] },
      { name: 'pool', op: 'MaxPool', input: ['pad'], attr: attr({ ksize: { list: { i: ['1', '2', '2', '1'] } }, strides: { list: { i: ['1', '2', '2', '1'] } }, padding: { s: b64('VALID') } }) },
    ];
    const model = loadTfjsModel(writeTfjs(dir, nodes, [k1, b1, a1, k2, a2, pads]));
    const c = convertTfjs(model, ['pool:0'], { prefix: 'm_', nchwInput: 'x_nchw' });
    expect(c.outputs).toEqual(['m_pool']);
    expect(c.nodes.every((n) => n.name!.startsWith('m_'))).toBe(true);

    const H = 9, Wd = 7;
    const vi = (name: string, dims: number[]): onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
    const bytes = onnx.ModelProto.encode({
      irVersion: 7, opsetImport: [{ domain: '', version: 12 }],
      graph: {
        name: 't',
        node: [{ opType: 'Transpose', input: ['x'], output: ['x_nchw'], attribute: [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 3, 1, 2] }] }, ...c.nodes],
        initializer: c.initializers, input: [vi('x', [1, H, Wd, 2])], output: [vi('m_pool', [1, 5, 2, 2])],
      },
    }).finish();
    const x: T = { h: H, w: Wd, c: 2, d: Float32Array.from({ length: H * Wd * 2 }, () => r() * 2 - 1) };
    // Reference, NHWC: the float16 weights as the file holds them (exact here: multiples of 1/256 in range).
    const c1 = prelu(conv(x, k1, b1.data, 2, false), a1.data);
    const p2 = prelu(conv(c1, k2, null, 1, true), a2.data);
    const sum: T = { ...p2, d: p2.d.map((v, i) => v + c1.d[i]!) };
    // Pad 2 zero channels at the end, then a 2x2 max pool (VALID): 5x4x5 -> 2x2x5.
    const padded: T = { h: sum.h, w: sum.w, c: 5, d: new Float32Array(sum.h * sum.w * 5) };
    for (let p = 0; p < sum.h * sum.w; p++) for (let ch = 0; ch < 3; ch++) padded.d[p * 5 + ch] = sum.d[p * 3 + ch]!;
    const s = await ortSessionFactory.create(bytes, { providers: ['cpu'], threads: 1, tensorrt, logId: 'test' });
    try {
      const got = (await s.run({ x: { data: x.d, dims: [1, H, Wd, 2] } })).m_pool!;
      expect(got.dims).toEqual([1, 5, 2, 2]);
      let diff = 0;
      for (let ch = 0; ch < 5; ch++) for (let y = 0; y < 2; y++) for (let xx = 0; xx < 2; xx++) {
        const want = Math.max(at(padded, 2 * y, 2 * xx, ch), at(padded, 2 * y + 1, 2 * xx, ch), at(padded, 2 * y, 2 * xx + 1, ch), at(padded, 2 * y + 1, 2 * xx + 1, ch));
        diff = Math.max(diff, Math.abs(want - got.data[(ch * 2 + y) * 2 + xx]!));
      }
      expect(diff).toBeLessThan(1e-5);
      // The padded channels are zeros, so the pool can only raise them to 0: a wrong pad order would put data there.
      expect(Array.from(got.data.subarray(12, 20)).every((v) => v === 0)).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('refuses, by name, an op it does not convert and weights it cannot read', () => {
    const w: W = { name: 'k', shape: [1], data: [1], as: 'float32' };
    const m = loadTfjsModel(writeTfjs(dir, [{ name: 'x', op: 'Placeholder' }, { name: 'y', op: 'Tanh', input: ['x'] }], [w]));
    expect(() => convertTfjs(m, ['y'], { prefix: '', nchwInput: 'x' })).toThrow('y: op Tanh is not supported');
    expect(() => convertTfjs(m, ['nope'], { prefix: '', nchwInput: 'x' })).toThrow('no node "nope"');
    const file = writeTfjs(dir, [], [w]);
    const json = JSON.parse(readFileSync(file, 'utf8')) as TfjsModelJson;
    json.weightsManifest[0]!.weights[0]!.quantization = { dtype: 'uint8' };
    writeFileSync(file, JSON.stringify(json));
    expect(() => loadTfjsModel(file)).toThrow(/weight k: uint8-quantized weights are not supported/);
  });
});
