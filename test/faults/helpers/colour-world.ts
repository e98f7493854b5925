import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SequenceWriter } from '../../../src/sequence/writer';
import { constantModel, poolClassifierModel } from '../../detector/helpers/onnx-builder';
import { TEST_LICENCE, TEST_PROVENANCE, writeModelFolder } from '../../detector/helpers/model-folder';

/**
 * A world whose every outcome the test chooses, independent of the trained model (which changes): the face
 * stage always finds one face in the middle of the frame, and the classifier reads the frame's colour:
 * red = masked, green = unmasked, blue = not a face (nobody there). Real onnxruntime sessions, real
 * two_stage decoding, so the daemon runs its whole detector path.
 */
export type Scene = 'mask' | 'no_mask' | 'empty';
const RGB: Record<Scene, [number, number, number]> = { mask: [230, 20, 20], no_mask: [20, 230, 20], empty: [20, 20, 230] };

export const FACE_BOX = [0.35, 0.25, 0.65, 0.75];

export function colourModelFolder(): string {
  const { manifest, files } = colourModelParts();
  return writeModelFolder('colour-world', manifest, files);
}

/** The model's manifest and files; `garbageShapes` makes the face network emit boxes [1, 1, 3]. */
export function colourModelParts(opts: { garbageShapes?: boolean } = {}): { manifest: Record<string, unknown>; files: Record<string, Uint8Array> } {
  const face = constantModel({ name: 'image', dims: [1, 32, 32, 3] }, {
    boxes: opts.garbageShapes ? { dims: [1, 1, 3], data: [0, 0, 1] } : { dims: [1, 1, 4], data: FACE_BOX },
    scores: { dims: [1, 1], data: [0.95] },
  });
  // Rows are the mean R, G, B of the crop (0..1); columns mask, no_mask, incorrect, not_face.
  const classifier = poolClassifierModel({ name: 'crop', height: 16, width: 16 }, 'probs', [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]);
  const input = (name: string, side: number) => ({ name, width: side, height: side, layout: 'NHWC', colour: 'RGB', normalize: { mean: [0, 0, 0], std: [255, 255, 255] } });
  const manifest = {
    schemaVersion: 1,
    name: 'colour-world',
    version: '0.0.1',
    labels: ['mask', 'no_mask', 'incorrect'],
    decoder: {
      type: 'two_stage',
      score: 'classifier',
      face: { file: 'face.onnx', input: input('image', 32), decoder: { type: 'boxes', outputs: { boxes: 'boxes', scores: 'scores' }, minScore: 0.5 } },
      classifier: {
        file: 'classifier.onnx',
        input: { ...input('crop', 16), layout: 'NCHW' },
        outputs: { scores: 'probs' },
        activation: 'none',
        labels: ['mask', 'no_mask', 'incorrect', 'not_face'],
        crop: { expand: 1, keypointCentre: false },
      },
    },
    licence: TEST_LICENCE,
    provenance: TEST_PROVENANCE,
  };
  return { manifest, files: { 'face.onnx': face, 'classifier.onnx': classifier } };
}

/** Replaces a model folder's contents with another's (what an operator's copy does). */
export function replaceModel(dir: string, from: string): void {
  rmSync(dir, { recursive: true, force: true });
  cpSync(from, dir, { recursive: true });
}

export const SEQ_SIZE = { width: 160, height: 96 };

/** Writes a frame sequence of plain-colour scenes: [scene, frames] in order, at `fps`. */
export async function colourSequence(dir: string, scenes: [Scene, number][], fps = 30): Promise<string> {
  const { width, height } = SEQ_SIZE;
  const writer = new SequenceWriter(dir, { fps, width, height, quality: 90, force: true, source: { kind: 'synthesized', tool: 'test/faults', created: new Date().toISOString() } });
  await writer.open();
  let i = 0;
  for (const [scene, n] of scenes) {
    const data = Buffer.alloc(width * height * 3);
    for (let p = 0; p < width * height; p++) data.set(RGB[scene], p * 3);
    for (let k = 0; k < n; k++, i++) await writer.add({ data, width, height }, Math.round((i * 1000) / fps));
  }
  await writer.finish();
  return dir;
}

/** A temp dir per test file, removed afterwards. */
export function tempDirs(): () => string {
  const made: string[] = [];
  afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const d = mkdtempSync(path.join(tmpdir(), 'mask-gate-faults-'));
    made.push(d);
    return d;
  };
}
