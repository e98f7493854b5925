import { decodeFaces, ssdAnchors } from '../../src/detector/decoders/face-detectors';
import { cropBoxToFrame, faceCrop } from '../../src/detector/face-crop';
import { ManifestSchema, type FaceDecoder, type InputSpec } from '../../src/detector/manifest';
import { hardNms, weightedNms } from '../../src/detector/nms';

const input: InputSpec = { name: 'x', width: 100, height: 100, layout: 'NHWC', colour: 'RGB', normalize: { mean: [0, 0, 0], std: [1, 1, 1] }, resize: 'stretch' };
const identity = { sx: 1, sy: 1, ox: 0, oy: 0 };
const frame = { width: 100, height: 100 };

test('BlazeFace front and back anchor layouts give 896 anchors; centres follow MediaPipe', () => {
  const front = ssdAnchors(128, 128, { strides: [8, 16, 16, 16], perLayer: 2, offset: 0.5 });
  expect(front.length / 2).toBe(896);
  // First stride-8 cell holds two anchors at (0.5/16, 0.5/16); the first stride-16 cell starts at 512.
  expect(Array.from(front.subarray(0, 6))).toEqual([1 / 32, 1 / 32, 1 / 32, 1 / 32, 3 / 32, 1 / 32]);
  expect(Array.from(front.subarray(1024, 1026))).toEqual([1 / 16, 1 / 16]);
  expect(ssdAnchors(256, 256, { strides: [16, 32, 32, 32], perLayer: 2, offset: 0.5 }).length / 2).toBe(896);
});

test('"boxes" decoder: formats, normalised coordinates, score floor and NMS', () => {
  const dec = (over: Record<string, unknown>) =>
    ({ type: 'boxes', outputs: { boxes: 'b', scores: 's' }, boxFormat: 'xyxy', normalized: true, minScore: 0.5, nmsIou: 0.45, maxFaces: 64, ...over }) as FaceDecoder;
  const boxes = { dims: [1, 3, 4], data: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.11, 0.2, 0.31, 0.4, 0.6, 0.6, 0.8, 0.9]) };
  const scores = { dims: [1, 3], data: Float32Array.from([0.9, 0.8, 0.4]) };
  // The second overlaps the first by IoU 0.9 and goes; the third is under 0.5.
  const faces = decodeFaces(dec({}), boxes, scores, input, identity, frame);
  expect(faces).toHaveLength(1);
  faces[0]!.box.forEach((v, i) => expect(v).toBeCloseTo([10, 20, 30, 40][i]!, 4));
  // Sweep: the floor replaces minScore.
  expect(decodeFaces(dec({}), boxes, scores, input, identity, frame, 0.01)).toHaveLength(2);
  // yx order in input pixels; centre format.
  const yx = decodeFaces(dec({ boxFormat: 'yxyx', normalized: false }), { dims: [1, 1, 4], data: Float32Array.from([20, 10, 40, 30]) }, { dims: [1, 1], data: Float32Array.from([0.9]) }, input, identity, frame);
  expect(yx[0]!.box).toEqual([10, 20, 30, 40]);
  const c = decodeFaces(dec({ boxFormat: 'cxcywh', normalized: false }), { dims: [1, 1, 4], data: Float32Array.from([20, 30, 20, 20]) }, { dims: [1, 1], data: Float32Array.from([0.9]) }, input, identity, frame);
  expect(c[0]!.box).toEqual([10, 20, 30, 40]);
});

test('weighted NMS averages boxes and points by score and keeps the best score; hard NMS keeps the best box', () => {
  const a = { box: [0, 0, 10, 10] as [number, number, number, number], score: 0.75, points: [[5, 5]] as [number, number][] };
  const b = { box: [2, 0, 12, 10] as [number, number, number, number], score: 0.25, points: [[9, 5]] as [number, number][] };
  const far = { box: [50, 50, 60, 60] as [number, number, number, number], score: 0.5 };
  const w = weightedNms([b, far, a], 0.3);
  expect(w).toEqual([
    { box: [0.5, 0, 10.5, 10], score: 0.75, points: [[6, 5]] },
    { box: [50, 50, 60, 60], score: 0.5 },
  ]);
  expect(hardNms([b, far, a], 0.3).map((x) => x.score)).toEqual([0.75, 0.5]);
  // IoU 8*10 / (100 + 100 - 80) = 0.667: at threshold 0.7 both survive.
  expect(hardNms([b, a], 0.7)).toHaveLength(2);
});

test('face crop: side from the box, centre from eyes and mouth, roll from the eye line', () => {
  const crop = { expand: 1.5, align: 'eyes' as const, keypointCentre: true };
  expect(faceCrop([10, 10, 30, 50], undefined, crop)).toEqual({ cx: 20, cy: 30, side: 60, angle: 0 });
  const kp = { right_eye: [10, 20] as [number, number], left_eye: [20, 30] as [number, number], mouth: [11, 37] as [number, number] };
  const c = faceCrop([0, 0, 40, 40], kp, crop);
  // Eye midpoint (15, 25), mouth (11, 37): centre (13, 31). Eye line (10, 10): 45 degrees.
  expect(c).toEqual({ cx: 13, cy: 31, side: 60, angle: Math.PI / 4 });
  expect(faceCrop([0, 0, 40, 40], kp, { ...crop, align: 'none', keypointCentre: false })).toEqual({ cx: 20, cy: 20, side: 60, angle: 0 });
  // A crop-fraction box maps back through centre, side and angle (bounding box of the rotated corners).
  // Rolled 90 degrees, the crop's y axis points to the frame's -x: its top half is the frame's right half.
  const back = cropBoxToFrame({ cx: 10, cy: 10, side: 4, angle: Math.PI / 2 }, [0, 0, 1, 0.5]);
  [10, 8, 12, 12].forEach((v, i) => expect(back[i]).toBeCloseTo(v, 9));
});

test('the manifest refuses "eyes" alignment when the face decoder names no eye keypoints', () => {
  const r = ManifestSchema.safeParse({
    schemaVersion: 1,
    name: 'x',
    version: '1',
    labels: ['mask'],
    files: [{ path: 'f.onnx', sha256: 'a'.repeat(64) }, { path: 'c.onnx', sha256: 'b'.repeat(64) }],
    decoder: {
      type: 'two_stage',
      face: { file: 'f.onnx', input, decoder: { type: 'blazeface', outputs: { boxes: 'r', scores: 's' }, anchors: { strides: [8] } } },
      classifier: { file: 'c.onnx', input, outputs: { scores: 'p' }, activation: 'softmax', labels: ['mask'], crop: { align: 'eyes' } },
    },
    licence: { spdx: 'MIT' },
    provenance: { source: 'test' },
  });
  expect(r.success).toBe(false);
  expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
    'decoder.classifier.crop.align: expected face keypoints left_eye and right_eye for "eyes", got []',
  ]);
});
