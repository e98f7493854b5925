import { faceTurn } from './face-turn';
import type { Detection } from './types';

/** What makes a detection a person to the gate (config detector.minScore, detector.maskMaxTurn; the manifest). */
export interface OperatingPoint {
  /** Faces shorter than this (px) are dropped: the model's thresholds.minFaceHeight. */
  minHeight: number;
  /** The label score a reading needs to be a vote. */
  minScore: number;
  /** The turn (face-turn.ts) past which a `mask` reading is no vote; null: any turn. */
  maskMaxTurn: number | null;
}

/**
 * The gate's view of a frame's faces. A face counts on its label's score: face confidence alone let
 * background faces the classifier is unsure of (a poster, a face far behind) become people who alerted.
 * But a face that does not read `mask` and is a face by its confidence is kept as `unsure`, a person
 * without a vote: one whose reading splits between `mask` and an unmasked label (a mask below the nose
 * that the model doubts) then holds the gate, undecided, instead of vanishing while a companion is
 * cleared. A face turned past maskMaxTurn that reads `mask` is such a person too (`turned`): from the
 * side, the nose is not seen. When in doubt, the gate must not open.
 */
export function atOperatingPoint(faces: readonly Detection[], op: OperatingPoint): Detection[] {
  return faces
    .filter((f) => f.box[3] - f.box[1] >= op.minHeight && (f.score >= op.minScore || (f.label !== 'mask' && f.faceScore >= op.minScore)))
    .map((f) => {
      if (f.score < op.minScore) return { ...f, unsure: true };
      if (f.label === 'mask' && op.maskMaxTurn !== null && (faceTurn(f.keypoints) ?? 0) > op.maskMaxTurn) return { ...f, unsure: true, turned: true };
      return f;
    });
}
