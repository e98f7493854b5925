import { decodeFaces } from '../../src/detector/decoders/face-detectors';
import { mergeFaces, subFrame, tileRegions } from '../../src/detector/face-stage';
import { FaceDecoder, ManifestSchema } from '../../src/detector/manifest';
import { weightedNms } from '../../src/detector/nms';
import { suppressRefined } from '../../src/detector/two-stage-pipeline';
import type { Detection } from '../../src/detector/types';

/** A face decoder config as the manifest parses it. */
function decoder(o: Record<string, unknown>): FaceDecoder {
  return FaceDecoder.parse(o.type === 'boxes' ? { outputs: { boxes: 'b', scores: 's' }, ...o } : { type: 'blazeface', outputs: { boxes: 'b', scores: 's' }, anchors: { strides: [16] }, ...o });
}

describe('tileRegions', () => {
  it('is the whole frame without tiles', () => {
    expect(tileRegions(640, 360, undefined)).toEqual([{ x: 0, y: 0, w: 640, h: 360 }]);
  });

  it('gives the whole frame plus a 2x2 grid that overlaps by the fraction asked and touches every edge', () => {
    const r = tileRegions(640, 360, { grid: 2, overlap: 0.25, wholeFrame: true });
    expect(r).toHaveLength(5);
    expect(r[0]).toEqual({ x: 0, y: 0, w: 640, h: 360 });
    const tiles = r.slice(1);
    // Tile = 1 / (2 - 0.25) of the frame per axis.
    for (const t of tiles) {
      expect(t.w).toBe(Math.round(640 / 1.75));
      expect(t.h).toBe(Math.round(360 / 1.75));
      expect(t.x + t.w).toBeLessThanOrEqual(640);
      expect(t.y + t.h).toBeLessThanOrEqual(360);
    }
    expect(tiles.map((t) => t.x + t.w)).toContain(640);
    expect(tiles.map((t) => t.y + t.h)).toContain(360);
    const overlapX = tiles[0]!.x + tiles[0]!.w - tiles[1]!.x;
    expect(overlapX / tiles[0]!.w).toBeCloseTo(0.25, 1);
  });

  it('can leave the whole frame out, and a 3x3 grid covers every pixel', () => {
    const r = tileRegions(300, 200, { grid: 3, overlap: 0.2, wholeFrame: false });
    expect(r).toHaveLength(9);
    const covered = new Uint8Array(300 * 200);
    for (const t of r) for (let y = t.y; y < t.y + t.h; y++) for (let x = t.x; x < t.x + t.w; x++) covered[y * 300 + x] = 1;
    expect(covered.every((v) => v === 1)).toBe(true);
  });
});

describe('subFrame', () => {
  it('copies the region row by row', () => {
    const data = new Uint8Array(4 * 3 * 3).map((_, i) => i);
    const s = subFrame({ data, width: 4, height: 3 }, { x: 1, y: 1, w: 2, h: 2 });
    expect(s.width).toBe(2);
    expect(Array.from(s.data)).toEqual([15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32]);
  });
});

describe('mergeFaces', () => {
  it('merges one face seen by two runs into their score-weighted mean, keypoints included, and keeps apart faces', () => {
    const merged = mergeFaces(
      [
        { box: [10, 10, 30, 30], score: 0.9, keypoints: { left_eye: [20, 15] } },
        { box: [12, 10, 32, 30], score: 0.3, keypoints: { left_eye: [24, 15] } },
        { box: [100, 100, 120, 120], score: 0.5, keypoints: { left_eye: [110, 105] } },
      ],
      decoder({ nms: 'weighted', nmsIou: 0.3, maxFaces: 10, minScore: 0.1 }),
    );
    expect(merged).toHaveLength(2);
    expect(merged[0]!.score).toBe(0.9);
    expect(merged[0]!.box[0]).toBeCloseTo(10.5);
    expect(merged[0]!.keypoints!.left_eye![0]).toBeCloseTo(21);
    expect(merged[1]!.box).toEqual([100, 100, 120, 120]);
  });

  it('keeps at most maxFaces, the best first', () => {
    const faces = [0.2, 0.9, 0.5].map((score, i) => ({ box: [i * 50, 0, i * 50 + 20, 20] as [number, number, number, number], score }));
    expect(mergeFaces(faces, decoder({ nms: 'hard', nmsIou: 0.3, maxFaces: 2, minScore: 0.1 })).map((f) => f.score)).toEqual([0.9, 0.5]);
  });
});

describe('faint faces', () => {
  const face = (x: number, score: number) => ({ box: [x, 0, x + 20, 20] as [number, number, number, number], score });
  it('merges confident faces as if there were no faint ones: a faint anchor never moves a confident box', () => {
    const withFaint = mergeFaces([face(0, 0.9), face(2, 0.2)], decoder({ minScore: 0.5, faint: { minScore: 0.05, max: 4 } }));
    expect(withFaint).toHaveLength(1);
    expect(withFaint[0]!.box).toEqual([0, 0, 20, 20]);
  });

  it('keeps the faint.max highest faint faces that overlap no confident one, after every confident face', () => {
    const faces = [face(0, 0.9), face(100, 0.1), face(200, 0.3), face(300, 0.2), face(400, 0.04), face(500, 0.7)];
    const out = mergeFaces(faces, decoder({ minScore: 0.5, faint: { minScore: 0.05, max: 2 } }));
    expect(out.map((f) => f.score)).toEqual([0.9, 0.7, 0.3, 0.2]);
  });

  it('decodes the same candidates with and without a sweep floor', () => {
    const dec = decoder({ type: 'boxes', minScore: 0.5, faint: { minScore: 0.2, max: 1 } });
    const boxes = { data: Float32Array.from([0, 0, 0.1, 0.1, 0.5, 0.5, 0.6, 0.6, 0.8, 0.8, 0.9, 0.9]), dims: [1, 3, 4] };
    const scores = { data: Float32Array.from([0.9, 0.3, 0.25]), dims: [1, 3] };
    const spec = { width: 100, height: 100 } as Parameters<typeof decodeFaces>[3];
    const t = { sx: 1, sy: 1, ox: 0, oy: 0 };
    const run = (floor?: number) => decodeFaces(dec, boxes, scores, spec, t, { width: 100, height: 100 }, floor).map((f) => f.score);
    expect(run()).toEqual([0.9, 0.3].map((v) => Math.fround(v)));
    expect(run(0.01)).toEqual(run());
  });
});

describe('suppressRefined', () => {
  const det = (box: [number, number, number, number], faceScore: number): Detection => ({ box, label: 'mask', score: faceScore, scores: { mask: faceScore }, faceScore });
  it('drops a refined box overlapping a more face-like one', () => {
    const out = suppressRefined([det([0, 0, 10, 10], 0.4), det([1, 0, 11, 10], 0.8), det([50, 50, 60, 60], 0.1)], 0.5);
    expect(out.map((d) => d.faceScore)).toEqual([0.8, 0.1]);
  });

  it('one face seen twice (a box mostly inside another): a box reading mask gives way to one that does not, whatever it scores', () => {
    const lab = (d: Detection, label: Detection['label']): Detection => ({ ...d, label });
    // The frame seen in the stands-30s scenario: an unmasked face and a part-box on its beard side read as mask.
    const face = lab(det([285, 112, 363, 193], 0.8), 'no_mask');
    const part = det([314, 115, 375, 161], 0.89);
    expect(suppressRefined([face, part], 0.5)).toEqual([face]);
    // A box round the whole head reading mask does not replace the unmasked face inside it.
    const head = det([249, 100, 385, 241], 0.95);
    expect(suppressRefined([head, face], 0.5)).toEqual([face]);
    // Both masked (or both not): the more face-like stays.
    expect(suppressRefined([det([285, 112, 363, 193], 0.8), part], 0.5)).toEqual([part]);
    // A faint scrap reading no_mask (under half the face score) does not remove a masked face.
    const masked = det([285, 112, 363, 193], 0.9);
    expect(suppressRefined([masked, lab(det([314, 115, 375, 161], 0.4), 'no_mask')], 0.5)).toEqual([masked]);
  });

  it('keeps a small face beside another, or inside a box far larger than a face', () => {
    const small = det([100, 100, 120, 120], 0.9);
    // Beside a face: only a third of it overlaps.
    expect(suppressRefined([det([110, 90, 150, 130], 0.9), small], 0.5)).toHaveLength(2);
    // Inside a box more than 6 times its area: not the same face.
    expect(suppressRefined([det([60, 60, 160, 160], 0.9), small], 0.5)).toHaveLength(2);
  });
});

describe('manifest: tiles and nmsIou', () => {
  it('rejects a grid above 4 and an overlap above 0.75', () => {
    const face = (tiles: unknown) => ({
      schemaVersion: 1, name: 'x', version: '1', labels: ['mask'], files: [{ path: 'f.onnx', sha256: 'a'.repeat(64) }],
      decoder: {
        type: 'two_stage',
        face: {
          file: 'f.onnx', tiles,
          input: { name: 'i', width: 8, height: 8, layout: 'NHWC', colour: 'RGB', normalize: { mean: [0, 0, 0], std: [1, 1, 1] } },
          decoder: { type: 'boxes', outputs: { boxes: 'b', scores: 's' } },
        },
        classifier: {
          file: 'f.onnx', input: { name: 'c', width: 8, height: 8, layout: 'NHWC', colour: 'RGB', normalize: { mean: [0, 0, 0], std: [1, 1, 1] } },
          outputs: { scores: 'p' }, activation: 'softmax', labels: ['mask'], nmsIou: 0.5,
        },
      },
      licence: { spdx: 'MIT' }, provenance: { source: 't' },
    });
    expect(ManifestSchema.safeParse(face({ grid: 2 })).success).toBe(true);
    expect(ManifestSchema.safeParse(face({ grid: 5 })).success).toBe(false);
    expect(ManifestSchema.safeParse(face({ grid: 2, overlap: 0.9 })).success).toBe(false);
  });
});

describe('weightedNms', () => {
  it('terminates on a zero-area box (a face clipped away at a tile edge) and keeps it once', () => {
    const out = weightedNms([{ box: [5, 5, 5, 9], score: 0.9 }, { box: [0, 0, 10, 10], score: 0.5 }], 0.3);
    expect(out).toHaveLength(2);
  });
});
