import type { InputSpec } from '../../src/detector/manifest';
import { boxToFrame, cropToFrame, cropToInput, frameToInput, inputTransform, mirrorSlot } from '../../src/detector/preprocess';
import type { RgbFrame } from '../../src/detector/types';

const spec = (over: Partial<InputSpec>): InputSpec => ({
  name: 'x',
  width: 2,
  height: 1,
  layout: 'NCHW',
  colour: 'RGB',
  normalize: { mean: [0, 0, 0], std: [1, 1, 1] },
  resize: 'stretch',
  ...over,
});
const frame = (w: number, h: number, px: number[]): RgbFrame => ({ data: Uint8Array.from(px), width: w, height: h });

test('same size: NCHW RGB planes, then NHWC BGR interleaved', () => {
  const f = frame(2, 1, [1, 2, 3, 4, 5, 6]);
  const chw = new Float32Array(6);
  frameToInput(f, spec({}), chw);
  expect(Array.from(chw)).toEqual([1, 4, 2, 5, 3, 6]);
  const hwc = new Float32Array(6);
  frameToInput(f, spec({ layout: 'NHWC', colour: 'BGR' }), hwc);
  expect(Array.from(hwc)).toEqual([3, 2, 1, 6, 5, 4]);
});

test('normalisation is (pixel - mean) / std per input channel, after the colour swap', () => {
  const out = new Float32Array(3);
  frameToInput(frame(1, 1, [100, 50, 200]), spec({ width: 1, colour: 'BGR', normalize: { mean: [100, 10, 0], std: [50, 20, 100] } }), out);
  // Input channel 0 is blue: (200 - 100) / 50; 1 green: (50 - 10) / 20; 2 red: (100 - 0) / 100.
  expect(Array.from(out)).toEqual([2, 2, 1]);
});

test('stretch 2 -> 4 pixels: bilinear on pixel centres, clamped at the edges', () => {
  const out = new Float32Array(12);
  frameToInput(frame(2, 1, [0, 0, 0, 100, 100, 100]), spec({ width: 4 }), out);
  // Output centres 0.5..3.5 sample the source at 0.25, 0.75, 1.25, 1.75 -> pixel positions -0.25 (edge), 0.25, 0.75, 1.25 (edge).
  expect(Array.from(out.subarray(0, 4))).toEqual([0, 25, 75, 100]);
});

test('letterbox: aspect kept, bars filled with pixel 0 after normalisation, boxes map back through the offset', () => {
  const f = frame(4, 2, new Array(24).fill(10));
  const out = new Float32Array(48);
  const s = spec({ width: 4, height: 4, resize: 'letterbox', normalize: { mean: [4, 4, 4], std: [2, 2, 2] } });
  const t = frameToInput(f, s, out);
  expect(t).toEqual({ sx: 1, sy: 1, ox: 0, oy: 1 });
  // Red plane, rows 0..3: bar, image, image, bar. Bars: (0 - 4) / 2; image: (10 - 4) / 2.
  expect(Array.from(out.subarray(0, 16))).toEqual([-2, -2, -2, -2, 3, 3, 3, 3, 3, 3, 3, 3, -2, -2, -2, -2]);
  expect(boxToFrame([1, 2, 3, 3], t)).toEqual([1, 1, 3, 2]);
  // A 2:1 frame into a square input: scale 0.25, bars of 4 px above and below.
  expect(inputTransform(64, 32, { width: 16, height: 16, resize: 'letterbox' })).toEqual({ sx: 0.25, sy: 0.25, ox: 0, oy: 4 });
});

test('a crop rotated by 90 degrees: the crop x axis runs down the frame', () => {
  // 2x2 frame, red values TL 10, TR 20, BL 30, BR 40.
  const f = frame(2, 2, [10, 0, 0, 20, 0, 0, 30, 0, 0, 40, 0, 0]);
  const out = new Float32Array(12);
  cropToInput(f, { cx: 1, cy: 1, side: 2, angle: Math.PI / 2 }, spec({ width: 2, height: 2 }), out, 0);
  expect(Array.from(out.subarray(0, 4)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([20, 40, 10, 30]);
  const p = cropToFrame({ cx: 1, cy: 1, side: 2, angle: Math.PI / 2 }, 1, 0);
  expect(p[0]).toBeCloseTo(2, 9);
  expect(p[1]).toBeCloseTo(2, 9);
});

test('crops write into their own batch slot; crop parts outside the frame are pixel 0', () => {
  const f = frame(1, 1, [50, 60, 70]);
  const out = new Float32Array(2 * 3 * 4).fill(-1);
  // Slot 1, a 2x2 crop of side 4 centred on the pixel: each output pixel covers 2x2 frame units, centres at +-1.
  cropToInput(f, { cx: 0.5, cy: 0.5, side: 4, angle: 0 }, spec({ width: 2, height: 2 }), out, 1);
  expect(Array.from(out.subarray(0, 12))).toEqual(new Array(12).fill(-1));
  // Centres (-0.5, -0.5), (1.5, -0.5), ... all fall outside [0, 1]: pixel 0.
  expect(Array.from(out.subarray(12))).toEqual(new Array(12).fill(0));
  const inside = new Float32Array(3);
  cropToInput(f, { cx: 0.5, cy: 0.5, side: 1, angle: 0 }, spec({ width: 1, height: 1 }), inside, 0);
  expect(Array.from(inside)).toEqual([50, 60, 70]);
});

test('mirrorSlot reverses every row of one batch slot in place, in both layouts, and leaves the other slots alone', () => {
  // A 3x2 frame, pixel (x, y) = (10y + x, 100 + 10y + x, 200 + 10y + x).
  const px: number[] = [];
  for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) px.push(10 * y + x, 100 + 10 * y + x, 200 + 10 * y + x);
  const f = frame(3, 2, px);
  const mirrored = frame(3, 2, [2, 1, 0, 12, 11, 10].flatMap((v) => [v, 100 + v, 200 + v]));
  for (const layout of ['NCHW', 'NHWC'] as const) {
    const s = spec({ width: 3, height: 2, layout });
    const batch = new Float32Array(2 * 18);
    frameToInput(f, s, batch.subarray(0, 18));
    frameToInput(f, s, batch.subarray(18));
    mirrorSlot(s, batch, 1);
    const want = new Float32Array(18);
    frameToInput(mirrored, s, want);
    const plain = new Float32Array(18);
    frameToInput(f, s, plain);
    expect(Array.from(batch.subarray(18))).toEqual(Array.from(want));
    expect(Array.from(batch.subarray(0, 18))).toEqual(Array.from(plain));
    mirrorSlot(s, batch, 1);
    expect(Array.from(batch.subarray(18))).toEqual(Array.from(plain));
  }
});
