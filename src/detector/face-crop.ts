import type { ClassifierSpec } from './manifest';
import { cropToFrame, type CropRegion } from './preprocess';
import type { Box } from './types';

/**
 * The square region the classifier sees for one face. Side = max(w, h) * expand. With eye and mouth
 * keypoints the centre sits between the eyes' midpoint and the mouth (less drift than the box centre
 * when the head turns); `align: eyes` rolls the crop so the eye line is level. Training crops must come
 * from this same function, or the classifier sees different faces at run time than it learnt from.
 */
export function faceCrop(box: Box, keypoints: Record<string, [number, number]> | undefined, crop: ClassifierSpec['crop']): CropRegion {
  const side = Math.max(box[2] - box[0], box[3] - box[1], 1) * crop.expand;
  let cx = (box[0] + box[2]) / 2;
  let cy = (box[1] + box[3]) / 2;
  const le = keypoints?.left_eye;
  const re = keypoints?.right_eye;
  const mouth = keypoints?.mouth;
  if (crop.keypointCentre && le && re && mouth) {
    cx = ((le[0] + re[0]) / 2 + mouth[0]) / 2;
    cy = ((le[1] + re[1]) / 2 + mouth[1]) / 2;
  }
  // The subject's right eye is on the image's left, so right -> left eye points along +x when upright.
  const angle = crop.align === 'eyes' && le && re ? Math.atan2(le[1] - re[1], le[0] - re[0]) : 0;
  return { cx, cy, side, angle };
}

/**
 * The lower-face crop (manifest `classifier.lower`): square, axis-aligned, centred on the nose-to-mouth
 * line, so the nose tip and the mask's top edge sit at the same place in every crop, at about twice the
 * face crop's resolution.
 */
export function lowerFaceCrop(box: Box, keypoints: Record<string, [number, number]> | undefined, lower: NonNullable<ClassifierSpec['lower']>): CropRegion {
  const side = Math.max(box[2] - box[0], box[3] - box[1], 1) * lower.scale;
  const nose = keypoints?.nose;
  const mouth = keypoints?.mouth;
  if (nose && mouth) return { cx: nose[0] + lower.centre * (mouth[0] - nose[0]), cy: nose[1] + lower.centre * (mouth[1] - nose[1]), side, angle: 0 };
  return { cx: (box[0] + box[2]) / 2, cy: box[1] + 0.7 * (box[3] - box[1]), side, angle: 0 };
}

/** A box given as fractions of the crop, mapped to the frame (the bounding box of its corners). */
export function cropBoxToFrame(c: CropRegion, b: Box): Box {
  const corners = [cropToFrame(c, b[0], b[1]), cropToFrame(c, b[2], b[1]), cropToFrame(c, b[0], b[3]), cropToFrame(c, b[2], b[3])];
  const xs = corners.map((p) => p[0]);
  const ys = corners.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}
