import { iou } from './geometry';
import type { Box, Detection, MaskLabel } from './types';

export interface LabelledBox {
  label: MaskLabel;
  box: Box;
  score: number;
}

/**
 * Per-class detectors (DetectNet_v2) box a face once per class they see in it. This joins boxes of
 * different labels that overlap by IoU >= `minIou` into one face, best score first, at most one box
 * per label per face, so the tracker and the gate see one person, with a score for each label.
 */
export function groupFaces(boxes: readonly LabelledBox[], minIou = 0.5): Detection[] {
  const faces: Detection[] = [];
  for (const b of [...boxes].sort((p, q) => q.score - p.score)) {
    let best: Detection | undefined;
    let bestIou = minIou;
    for (const f of faces) {
      if (f.scores[b.label] !== undefined) continue;
      const o = iou(f.box, b.box);
      if (o >= bestIou) {
        best = f;
        bestIou = o;
      }
    }
    if (best) {
      best.scores[b.label] = b.score;
      best.labelBoxes![b.label] = b.box;
      best.faceScore = Math.min(1, best.faceScore + b.score);
    } else {
      faces.push({ box: b.box, label: b.label, score: b.score, scores: { [b.label]: b.score }, labelBoxes: { [b.label]: b.box }, faceScore: Math.min(1, b.score) });
    }
  }
  return faces;
}
