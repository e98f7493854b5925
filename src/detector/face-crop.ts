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
 * A crop centred on the nose-to-mouth line (manifest `classifier.lower` and `classifier.nose`): square,
 * axis-aligned, `scale` x max(face width, height), at `centre` along the line (0 the nose tip, 1 the
 * mouth, negative towards the eyes), so the nose tip and a mask's top edge sit at the same place in every
 * crop. Without keypoints, at (55 + 15 centre)% of the box's height (the mouth at about 70%).
 */
export function noseMouthCrop(box: Box, keypoints: Record<string, [number, number]> | undefined, at: NonNullable<ClassifierSpec['lower']>): CropRegion {
  const side = Math.max(box[2] - box[0], box[3] - box[1], 1) * at.scale;
  const nose = keypoints?.nose;
  const mouth = keypoints?.mouth;
  if (nose && mouth) return { cx: nose[0] + at.centre * (mouth[0] - nose[0]), cy: nose[1] + at.centre * (mouth[1] - nose[1]), side, angle: 0 };
  return { cx: (box[0] + box[2]) / 2, cy: box[1] + (0.55 + 0.15 * at.centre) * (box[3] - box[1]), side, angle: 0 };
}

/**
 * The network rows one face takes, in the order the classifier reads them: the face crop, then the
 * lower-face crop and the nose crop when the manifest asks for them. Training, calibration and the
 * runtime all build rows here, so they cannot drift apart.
 */
export function classifierRows(box: Box, keypoints: Record<string, [number, number]> | undefined, cs: Pick<ClassifierSpec, 'crop' | 'lower' | 'nose'>): CropRegion[] {
  const rows = [faceCrop(box, keypoints, cs.crop)];
  if (cs.lower) rows.push(noseMouthCrop(box, keypoints, cs.lower));
  if (cs.nose) rows.push(noseMouthCrop(box, keypoints, cs.nose));
  return rows;
}

/** Rows per face for a classifier spec (see classifierRows). */
export const rowsPerFace = (cs: Pick<ClassifierSpec, 'lower' | 'nose'>): number => 1 + (cs.lower ? 1 : 0) + (cs.nose ? 1 : 0);

/** A box given as fractions of the crop, mapped to the frame (the bounding box of its corners). */
export function cropBoxToFrame(c: CropRegion, b: Box): Box {
  const corners = [cropToFrame(c, b[0], b[1]), cropToFrame(c, b[2], b[1]), cropToFrame(c, b[0], b[3]), cropToFrame(c, b[2], b[3])];
  const xs = corners.map((p) => p[0]);
  const ys = corners.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}
