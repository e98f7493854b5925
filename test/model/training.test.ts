/** @jest-environment ./test/env/onnx-environment.js */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { rowsPerFace } from '../../src/detector/face-crop';
import { ortSessionFactory } from '../../src/detector/ort-session';
import { applyJitter, degradeResolution } from '../../src/training/augment';
import { mirrorSlot } from '../../src/detector/preprocess';
import type { InputSpec } from '../../src/detector/manifest';
import { ensembleHeads, forward, initHead } from '../../src/training/mlp';
import { rng } from '../../src/training/random';
import { boxInCrop, labelCandidate, makeSplit } from '../../src/training/train';

const MODEL = path.resolve(__dirname, '../../models/mask-two-stage');

describe('training helpers', () => {
  it('splits by image 80/20, disjoint, the same for the same seed and different for another', () => {
    const names = Array.from({ length: 853 }, (_, i) => `img${i}`);
    const a = makeSplit(names);
    expect(a.train).toHaveLength(682);
    expect(a.val).toHaveLength(171);
    expect(new Set([...a.train, ...a.val]).size).toBe(853);
    expect(makeSplit([...names].reverse())).toEqual(a);
    expect(makeSplit(names, 1).val).not.toEqual(a.val);
  });

  it('the committed split is the one the seed gives', () => {
    const read = (f: string) => readFileSync(path.join(MODEL, 'split', f), 'utf8').split('\n').filter(Boolean);
    const train = read('train.txt');
    const val = read('val.txt');
    expect(makeSplit([...train, ...val])).toEqual({ train, val });
  });

  it('labels detector boxes: a match is a face sample with its labelled box, a miss is a hard negative', () => {
    const ann = { filename: 'x.jpg', width: 100, height: 100, objects: [{ label: 'no_mask' as const, box: [10, 10, 30, 34] as [number, number, number, number], difficult: false }] };
    expect(labelCandidate({ box: [11, 12, 31, 32], score: 0.9 }, ann)).toEqual({ cls: 1, gt: [10, 10, 30, 34] });
    expect(labelCandidate({ box: [60, 60, 80, 80], score: 0.9 }, ann)).toEqual({ cls: 3 });
    // In between: neither (ambiguous boxes are not trained on).
    expect(labelCandidate({ box: [20, 20, 40, 44], score: 0.9 }, ann)).toBeNull();
  });

  it('expresses a box as fractions of an axis-aligned crop', () => {
    expect(boxInCrop({ cx: 50, cy: 50, side: 40, angle: 0 }, [40, 30, 60, 70])).toEqual([0.25, 0, 0.75, 1]);
  });

  it('a mirrored training crop (the runtime mirrorSlot) mirrored twice is the identity; colour jitter keeps pixels in 0..255', () => {
    const raw8: InputSpec = { name: 'crop', width: 8, height: 8, layout: 'NHWC', colour: 'RGB', normalize: { mean: [0, 0, 0], std: [1, 1, 1] }, resize: 'stretch' };
    const r = rng(3);
    const px = Float32Array.from({ length: 8 * 8 * 3 }, () => Math.round(r() * 255));
    const copy = Float32Array.from(px);
    mirrorSlot(raw8, px, 0);
    expect(Array.from(px)).not.toEqual(Array.from(copy));
    mirrorSlot(raw8, px, 0);
    expect(Array.from(px)).toEqual(Array.from(copy));
    applyJitter(px, 0, 8, { hue: 0.3, saturation: 1.4, contrast: 1.3, brightness: 25, blur: 2 });
    expect(px.every((v) => v >= 0 && v <= 255)).toBe(true);
  });

  it('a far-face crop keeps flat areas and the mean, and loses detail finer than its size', () => {
    const size = 8;
    const flat = new Float32Array(size * size * 3).fill(100);
    degradeResolution(flat, 0, size, 3);
    expect(Array.from(flat).every((v) => Math.abs(v - 100) < 1e-3)).toBe(true);
    // A 1-pixel checkerboard averaged to 4x4 is grey; kept at 8x8 it would stay 0 / 200.
    const board = new Float32Array(2 * size * size * 3);
    for (let p = 0; p < size * size; p++) board.fill(((p % size) + Math.floor(p / size)) % 2 ? 200 : 0, size * size * 3 + p * 3, size * size * 3 + p * 3 + 3);
    degradeResolution(board, size * size * 3, size, 4);
    const slot = Array.from(board.subarray(size * size * 3));
    expect(slot.every((v) => Math.abs(v - 100) < 1e-3)).toBe(true);
    // The slot before is untouched.
    expect(board.subarray(0, size * size * 3).every((v) => v === 0)).toBe(true);
    // A left-to-right ramp stays a ramp (monotone), only smoother.
    const ramp = new Float32Array(size * size * 3);
    for (let p = 0; p < size * size; p++) ramp.fill((p % size) * 30, p * 3, p * 3 + 3);
    degradeResolution(ramp, 0, size, 3);
    const row = Array.from({ length: size }, (_, x) => ramp[x * 3]!);
    expect(row.every((v, i) => i === 0 || v >= row[i - 1]!)).toBe(true);
    expect(row[size - 1]! - row[0]!).toBeGreaterThan(100);
  });

  it('the head forward pass with and without a precomputed first layer agree', () => {
    const h = initHead(6, 5, 4, 1);
    const x = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i));
    const xw1 = new Float32Array(10);
    for (let b = 0; b < 2; b++) for (let j = 0; j < 5; j++) for (let i = 0; i < 6; i++) xw1[b * 5 + j]! += x[b * 6 + i]! * h.w1[i * 5 + j]!;
    const a = forward(h, x, [0, 1]);
    const c = forward(h, x, [0, 1], undefined, xw1);
    Array.from(a.logits).forEach((v, i) => expect(c.logits[i]).toBeCloseTo(v, 5));
  });
});

describe('the exported classifier (the runtime flips confident faces)', () => {
  it('has no flip inside the graph: the manifest asks the runtime for it, so no crop runs four times', async () => {
    const manifest = JSON.parse(readFileSync(path.join(MODEL, 'model.json'), 'utf8')) as { decoder: { classifier: { flip?: string; lower?: { scale: number; centre: number }; nose?: { scale: number; centre: number }; input: InputSpec } } };
    expect(manifest.decoder.classifier.flip).toBe('confident');
    // With lower-face and nose crops (classifier.lower, .nose) each face is a group of rows: 2 faces take 2 groups.
    const per = rowsPerFace(manifest.decoder.classifier);
    const bytes = readFileSync(path.join(MODEL, 'classifier.onnx'));
    const s = await ortSessionFactory.create(bytes, { providers: ['cpu'], threads: 1, tensorrt: { fp16: false, engineCachePath: '' }, logId: 'test' });
    try {
      const r = rng(7);
      const rows = 2 * per;
      const crop = Float32Array.from({ length: rows * 64 * 64 * 3 }, () => r() * 2 - 1);
      const mirrored = Float32Array.from(crop);
      for (let i = 0; i < rows; i++) mirrorSlot(manifest.decoder.classifier.input, mirrored, i);
      const a = await s.run({ crop: { data: crop, dims: [rows, 64, 64, 3] } });
      const b = await s.run({ crop: { data: mirrored, dims: [rows, 64, 64, 3] } });
      expect(a.logits!.dims).toEqual([2, 4]);
      expect(a.box!.dims).toEqual([2, 4]);
      // A graph that averaged each crop with its mirror image would give the same logits for both.
      const diff = Math.max(...Array.from(a.logits!.data, (v, i) => Math.abs(v - b.logits!.data[i]!)));
      expect(diff).toBeGreaterThan(0.01);
    } finally {
      await s.close();
    }
  });
});

describe('ensembleHeads', () => {
  it('is one wider head whose logits and boxes are the mean of its members', () => {
    const heads = [initHead(6, 5, 4, 1), initHead(6, 3, 4, 2), initHead(6, 5, 4, 3)];
    // Give the biases something to average too.
    heads.forEach((h, n) => {
      h.b2.forEach((_, c) => (h.b2[c] = n - c * 0.3));
      h.b3.forEach((_, c) => (h.b3[c] = 0.1 * n + c));
    });
    const x = Float32Array.from({ length: 18 }, (_, i) => Math.cos(i * 1.7));
    const e = ensembleHeads(heads);
    expect(e.h).toBe(13);
    const got = forward(e, x, [0, 1, 2]);
    const each = heads.map((h) => forward(h, x, [0, 1, 2]));
    Array.from(got.logits).forEach((v, i) => expect(v).toBeCloseTo(each.reduce((s, f) => s + f.logits[i]!, 0) / 3, 5));
    Array.from(got.box).forEach((v, i) => expect(v).toBeCloseTo(each.reduce((s, f) => s + f.box[i]!, 0) / 3, 5));
    expect(() => ensembleHeads([initHead(6, 5, 4, 1), initHead(7, 5, 4, 1)])).toThrow(/inputs/);
  });
});
