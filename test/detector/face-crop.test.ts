import { classifierRows, faceCrop, noseMouthCrop, rowsPerFace } from '../../src/detector/face-crop';
import type { Box } from '../../src/detector/types';

const box: Box = [100, 50, 180, 150]; // 80 x 100
const keypoints: Record<string, [number, number]> = { right_eye: [120, 80], left_eye: [160, 80], nose: [140, 105], mouth: [140, 125] };
const crop = { expand: 1.6, align: 'none' as const, keypointCentre: true };

describe('noseMouthCrop', () => {
  it('is square, scale x the larger side, at `centre` along the nose-to-mouth line', () => {
    expect(noseMouthCrop(box, keypoints, { scale: 0.8, centre: 1 })).toEqual({ cx: 140, cy: 125, side: 80, angle: 0 });
    expect(noseMouthCrop(box, keypoints, { scale: 0.8, centre: 0.5 })).toEqual({ cx: 140, cy: 115, side: 80, angle: 0 });
  });

  it('a negative centre moves from the nose tip towards the eyes (the nose crop)', () => {
    const c = noseMouthCrop(box, keypoints, { scale: 0.35, centre: -0.3 });
    expect(c.cx).toBeCloseTo(140);
    expect(c.cy).toBeCloseTo(99);
    expect(c.side).toBeCloseTo(35);
  });

  it('follows a turned head along the line', () => {
    const turned = { ...keypoints, nose: [130, 105] as [number, number], mouth: [140, 125] as [number, number] };
    const c = noseMouthCrop(box, turned, { scale: 0.35, centre: -0.5 });
    expect(c.cx).toBeCloseTo(125);
    expect(c.cy).toBeCloseTo(95);
  });

  it('without nose and mouth keypoints: at (55 + 15 centre)% of the box height, so the mouth (1) stays at 70%', () => {
    expect(noseMouthCrop(box, undefined, { scale: 0.8, centre: 1 }).cy).toBeCloseTo(120);
    expect(noseMouthCrop(box, undefined, { scale: 0.35, centre: 0 }).cy).toBeCloseTo(105);
    expect(noseMouthCrop(box, { right_eye: [120, 80] }, { scale: 0.35, centre: -0.3 }).cy).toBeCloseTo(100.5);
  });
});

describe('classifierRows', () => {
  const lower = { scale: 0.8, centre: 1 };
  const nose = { scale: 0.35, centre: -0.3 };

  it('the face crop alone, then lower and nose crops in that order when the spec has them', () => {
    expect(classifierRows(box, keypoints, { crop })).toEqual([faceCrop(box, keypoints, crop)]);
    expect(classifierRows(box, keypoints, { crop, lower, nose })).toEqual([faceCrop(box, keypoints, crop), noseMouthCrop(box, keypoints, lower), noseMouthCrop(box, keypoints, nose)]);
    expect(classifierRows(box, keypoints, { crop, nose })).toEqual([faceCrop(box, keypoints, crop), noseMouthCrop(box, keypoints, nose)]);
  });

  it('rowsPerFace counts the same rows', () => {
    for (const spec of [{ crop }, { crop, lower }, { crop, nose }, { crop, lower, nose }]) expect(rowsPerFace(spec)).toBe(classifierRows(box, keypoints, spec).length);
  });
});
