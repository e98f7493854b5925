/** @jest-environment ./test/env/onnx-environment.js */
import { createDetector } from '../../src/detector/detector';
import { DetectorError } from '../../src/detector/errors';
import type { Box, Detection } from '../../src/detector/types';
import { memoryLogger } from '../../src/log';
import { detectNetFolder } from './helpers/detectnet-fixture';

// Frame 96x64 onto the 48x32 input: every input-pixel box doubles. Scores: DBSCAN clusters report
// 1 - e^-(summed coverage); NMS reports the cell's coverage.
const frame = { data: new Uint8Array(96 * 64 * 3), width: 96, height: 64 };
const config = (model: string) => ({ model, providers: ['cpu' as const], threads: 1, tensorrt: { fp16: false, engineCachePath: '/tmp/unused' } });

function expectBox(actual: Box | undefined, expected: Box): void {
  expect(actual).toBeDefined();
  actual!.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
}

async function run(dir: string, sweep = false): Promise<Detection[]> {
  const d = createDetector({ config: config(dir), log: memoryLogger(), sweep });
  await d.start();
  try {
    return await d.detect(frame);
  } finally {
    await d.stop();
  }
}

test('DBSCAN clustering: coverage-weighted boxes, summed confidence, per-class threshold and minimum height', async () => {
  const faces = await run(detectNetFolder());
  expect(faces).toHaveLength(2);
  const [f1, f2] = faces as [Detection, Detection];
  // A (0.6, [4,4,28,36]) and B (0.3, [8,4,32,36]) are 1 - IoU = 1 - 640/896.01 = 0.2857 apart, within eps 0.3.
  // Mean box: x1 = (0.6*4 + 0.3*8)/0.9 = 5.3333, x2 = (0.6*28 + 0.3*32)/0.9 = 29.3333; confidence 0.9.
  expectBox(f1.box, [5.333333, 4, 29.333333, 36]);
  expect(f1.label).toBe('mask');
  expect(f1.score).toBeCloseTo(1 - Math.exp(-0.9), 5); // 0.593430
  // G (no_mask 0.55) boxes the same face and joins it.
  expect(f1.scores.no_mask).toBeCloseTo(0.423050, 5);
  expectBox(f1.labelBoxes?.no_mask, [4, 4, 28, 36]);
  expect(f1.faceScore).toBe(1);
  // E: no_mask 0.8. F (0.7) is 12 px high in the frame, under minHeight 20; C (mask 0.2) is under 0.5.
  expectBox(f2.box, [36, 32, 60, 64]);
  expect(f2.label).toBe('no_mask');
  expect(f2.score).toBeCloseTo(0.550671, 5);
  expect(f2.scores.mask).toBeUndefined();
});

test('sweep mode (detect/eval) keeps clusters down to the floor instead of the confidence threshold', async () => {
  const faces = await run(detectNetFolder(), true);
  expect(faces).toHaveLength(3);
  const c = faces[2]!;
  expectBox(c.box, [60, 28, 92, 60]);
  expect(c.label).toBe('mask');
  expect(c.score).toBeCloseTo(0.181269, 5);
  // D's coverage 0.004 never passes the 0.005 coverage threshold; F still fails the height.
  expect(faces.flatMap((f) => Object.keys(f.scores))).toEqual(['mask', 'no_mask', 'no_mask', 'mask']);
});

test('NMS clustering: the strongest cell wins, overlaps above IoU 0.5 go, confidence is the coverage', async () => {
  const classes = { mask: { eps: 0.3, confidence: 0.25, minHeight: 20 }, no_mask: { eps: 0.3, confidence: 0.25, minHeight: 20 } };
  const faces = await run(detectNetFolder(undefined, { clustering: 'nms', nmsIou: 0.5, classes }));
  expect(faces).toHaveLength(2);
  expectBox(faces[0]!.box, [36, 32, 60, 64]);
  expect(faces[0]!.score).toBeCloseTo(0.8, 6);
  // B overlaps A by IoU 0.714 and is suppressed; C (0.2) is under 0.25.
  expectBox(faces[1]!.box, [4, 4, 28, 36]);
  expect(faces[1]!.label).toBe('mask');
  expect(faces[1]!.score).toBeCloseTo(0.6, 6);
  expect(faces[1]!.scores.no_mask).toBeCloseTo(0.55, 6);
});

test('a network whose coverage output has the wrong grid fails start with the model and field named', async () => {
  const dir = detectNetFolder(undefined, {}, { covDims: [1, 2, 3, 2] });
  const d = createDetector({ config: config(dir), log: memoryLogger() });
  const err = await d.start().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DetectorError);
  expect((err as DetectorError).code).toBe('model-shape');
  expect((err as DetectorError).message).toBe(
    'model test-detectnet@0.0.1: decoder.outputs.coverage: expected output output_cov/Sigmoid shaped [?, 2, 2, 3], got [1, 2, 3, 2]',
  );
  expect(d.info().ready).toBe(false);
});
