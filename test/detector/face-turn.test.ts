import { faceTurn } from '../../src/detector/face-turn';

type Kp = Record<string, [number, number]>;
/** A face-on face: eyes 20 px apart at y 40, the nose between them at y 55, the mouth at y 70. */
const faceOn = (): Kp => ({ right_eye: [40, 40], left_eye: [60, 40], nose: [50, 55], mouth: [50, 70], right_ear: [25, 45], left_ear: [75, 45] });

/** Rotates every keypoint by `deg` about (cx, cy): a head tilted to one shoulder, not turned. */
function rolled(kp: Kp, deg: number, cx = 50, cy = 50): Kp {
  const a = (deg * Math.PI) / 180;
  const out: Kp = {};
  for (const [k, [x, y]] of Object.entries(kp)) out[k] = [cx + (x - cx) * Math.cos(a) - (y - cy) * Math.sin(a), cy + (x - cx) * Math.sin(a) + (y - cy) * Math.cos(a)];
  return out;
}

test('a face-on face has no turn; the nose off the eyes-to-mouth line by k eye distances reads k, either side', () => {
  expect(faceTurn(faceOn())).toBeCloseTo(0, 9);
  expect(faceTurn({ ...faceOn(), nose: [50 + 0.5 * 20, 55] })).toBeCloseTo(0.5, 9);
  expect(faceTurn({ ...faceOn(), nose: [50 - 0.5 * 20, 55] })).toBeCloseTo(0.5, 9);
  // Near profile the eyes draw together while the nose stays out: the ratio passes 1.
  expect(faceTurn({ ...faceOn(), right_eye: [52, 40], left_eye: [60, 40], nose: [44, 55], mouth: [54, 70] })).toBeGreaterThan(1);
});

test('a tilted head is not a turned one: rolling the whole face changes nothing', () => {
  const turned = { ...faceOn(), nose: [56, 55] as [number, number] };
  for (const deg of [-40, -15, 20, 90]) {
    expect(faceTurn(rolled(faceOn(), deg))).toBeCloseTo(0, 9);
    expect(faceTurn(rolled(turned, deg))).toBeCloseTo(0.3, 9);
  }
});

test('the turn does not depend on the face size', () => {
  const big: Kp = Object.fromEntries(Object.entries({ ...faceOn(), nose: [57, 55] } as Kp).map(([k, [x, y]]) => [k, [x * 3, y * 3]]));
  expect(faceTurn(big)).toBeCloseTo(0.35, 9);
});

test('no turn is known without the eyes, the nose and the mouth, or when they sit on one point', () => {
  expect(faceTurn(undefined)).toBeNull();
  const { nose: _nose, ...noNose } = faceOn();
  expect(faceTurn(noNose)).toBeNull();
  const { mouth: _mouth, ...noMouth } = faceOn();
  expect(faceTurn(noMouth)).toBeNull();
  expect(faceTurn({ ...faceOn(), left_eye: [40.5, 40] })).toBeNull();
  expect(faceTurn({ ...faceOn(), mouth: [50, 40.5] })).toBeNull();
});
