/**
 * Where a photo stands at the door in `sequence make`: as big as fits, unless that leaves its tallest
 * labelled face under the gate's decision size; then the photo is cropped around its labelled faces
 * (with head room and shoulders) and scaled so that face reaches `targetPx`. A gate never decides on a
 * face under decision size, so a sequence whose faces stay smaller could not meet its own expectations.
 */
import type { Box } from '../detector/types';
import type { Placement } from './doorway-render';

/** The share of the frame a person may fill at the door (doorway-render's loadPerson). */
const FIT_W = 0.62;
const FIT_H = 0.95;

export function doorPlacement(faces: readonly Box[], photo: { width: number; height: number }, frame: { width: number; height: number }, minFacePx: number, targetPx: number): { place?: Placement; facePx: number } {
  const tallest = Math.max(0, ...faces.map((f) => f[3] - f[1]));
  const fit = (w: number, h: number) => Math.min((frame.height * FIT_H) / h, (frame.width * FIT_W) / w);
  const whole = fit(photo.width, photo.height) * tallest;
  if (!tallest || whole >= minFacePx) return { facePx: whole };
  // The labelled faces with room around them: a head's height above, shoulders below, one face to each side.
  const x1 = Math.max(0, Math.min(...faces.map((f) => f[0])) - tallest);
  const x2 = Math.min(photo.width, Math.max(...faces.map((f) => f[2])) + tallest);
  const y1 = Math.max(0, Math.min(...faces.map((f) => f[1])) - 0.8 * tallest);
  const y2 = Math.min(photo.height, Math.max(...faces.map((f) => f[3])) + 2.5 * tallest);
  const best = fit(x2 - x1, y2 - y1) * tallest;
  const facePx = Math.min(targetPx, best * 0.999);
  return { place: { crop: [x1, y1, x2, y2], faceAtDoorPx: Math.round(facePx * 10) / 10 }, facePx };
}
