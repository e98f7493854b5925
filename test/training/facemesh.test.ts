/** @jest-environment ./test/env/onnx-environment.js */
import { ortSessionFactory } from '../../src/detector/ort-session';
import { MESH_FEATURES, MESH_SIZE, MESH_TAPS, meshModel } from '../../src/training/facemesh';
import { rng } from '../../src/training/random';
import type { TfjsModel, TfjsNode } from '../../src/training/tfjs-onnx';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/**
 * A stand-in for facemesh with its two tap names: the input's 3 channels padded to 128, then max-pooled by 16
 * (96 -> 6x6, as p_re_lu_12 is at 96 px) and by 32 (-> 3x3, as p_re_lu_15).
 */
function fakeMesh(): TfjsModel {
  const pool = (name: string, k: number): TfjsNode => ({
    name, op: 'MaxPool', input: ['padded'],
    attr: { ksize: { list: { i: [1, k, k, 1] } }, strides: { list: { i: [1, k, k, 1] } }, padding: { s: b64('VALID') } },
  });
  return {
    json: { modelTopology: { node: [{ name: 'x', op: 'Placeholder' }, { name: 'pads', op: 'Const' }, { name: 'padded', op: 'Pad', input: ['x', 'pads'] }, pool(MESH_TAPS[0].node, 16), pool(MESH_TAPS[1].node, 32)] }, weightsManifest: [] },
    weights: new Map([['pads', { shape: [4, 2], data: Float32Array.from([0, 0, 0, 0, 0, 0, 0, 125]) }]]),
  };
}

/** The probe's pooling: bins [floor(i H / g), ceil((i + 1) H / g)), averaged. */
function adaptive(map: (y: number, x: number) => number, size: number, g: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < g; j++) {
      const y0 = Math.floor((i * size) / g), y1 = Math.ceil(((i + 1) * size) / g);
      const x0 = Math.floor((j * size) / g), x1 = Math.ceil(((j + 1) * size) / g);
      let s = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += map(y, x);
      out.push(s / ((y1 - y0) * (x1 - x0)));
    }
  }
  return out;
}

describe('the facemesh branch', () => {
  it('scales the crop to 0..1 and pools each tap to the probe’s grid (4x4 of 6x6, 2x2 of 3x3)', async () => {
    const S = MESH_SIZE; // no resize at the branch's own size, so the reference needs none
    const r = rng(5);
    const crop = Float32Array.from({ length: S * S * 3 }, () => r() * 2 - 1);
    const s = await ortSessionFactory.create(meshModel(fakeMesh(), S), { providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '/nonexistent' }, logId: 'test' });
    try {
      const f = (await s.run({ crop: { data: crop, dims: [1, S, S, 3] } })).features!;
      expect(f.dims).toEqual([1, MESH_FEATURES]);
      const unit = (y: number, x: number, c: number) => crop[(y * S + x) * 3 + c]! * 0.5 + 0.5;
      const maxPool = (k: number, c: number) => (y: number, x: number) => {
        let m = -Infinity;
        for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) m = Math.max(m, unit(y * k + dy, x * k + dx, c));
        return m;
      };
      const tap0 = 128 * 16;
      for (let c = 0; c < 3; c++) {
        const a = adaptive(maxPool(16, c), 6, 4);
        const b = adaptive(maxPool(32, c), 3, 2);
        a.forEach((v, i) => expect(f.data[c * 16 + i]).toBeCloseTo(v, 5));
        b.forEach((v, i) => expect(f.data[tap0 + c * 4 + i]).toBeCloseTo(v, 5));
      }
      // The padded channels stay zero: the layout is channel-major within each tap.
      expect(f.data[3 * 16]).toBe(0);
      expect(f.data[tap0 + 3 * 4]).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('at 64 px the taps are the grids themselves: flattened, not pooled', async () => {
    const r = rng(6);
    const crop = Float32Array.from({ length: 64 * 64 * 3 }, () => r() * 2 - 1);
    const s = await ortSessionFactory.create(meshModel(fakeMesh(), 64, 64), { providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '/nonexistent' }, logId: 'test' });
    try {
      const f = (await s.run({ crop: { data: crop, dims: [1, 64, 64, 3] } })).features!;
      expect(f.dims).toEqual([1, MESH_FEATURES]);
      const max = (k: number, c: number, y: number, x: number) => {
        let m = -Infinity;
        for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) m = Math.max(m, crop[((y * k + dy) * 64 + x * k + dx) * 3 + c]! * 0.5 + 0.5);
        return m;
      };
      for (let c = 0; c < 3; c++) {
        for (let i = 0; i < 16; i++) expect(f.data[c * 16 + i]).toBeCloseTo(max(16, c, Math.floor(i / 4), i % 4), 5);
        for (let i = 0; i < 4; i++) expect(f.data[128 * 16 + c * 4 + i]).toBeCloseTo(max(32, c, Math.floor(i / 2), i % 2), 5);
      }
    } finally {
      await s.close();
    }
  });

  it('refuses a size its pooling is not written for', () => {
    expect(() => meshModel(fakeMesh(), 64, 80)).toThrow('size 80 px is not one of 64, 96');
  });

  it('runs on the runtime’s 64 px crops (resized inside the graph)', async () => {
    const s = await ortSessionFactory.create(meshModel(fakeMesh(), 64), { providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '/nonexistent' }, logId: 'test' });
    try {
      // A uniform crop stays uniform through the resize: every pooled value of the 3 real channels is (v + 1) / 2.
      const f = (await s.run({ crop: { data: new Float32Array(2 * 64 * 64 * 3).fill(-0.5), dims: [2, 64, 64, 3] } })).features!;
      expect(f.dims).toEqual([2, MESH_FEATURES]);
      for (let c = 0; c < 3; c++) expect(f.data[MESH_FEATURES + c * 16 + 5]).toBeCloseTo(0.25, 5);
    } finally {
      await s.close();
    }
  });
});
