import type { FaceCandidate } from './decoders/face-detectors';
import { boxCentre, iou } from './geometry';
import type { Box, Detection } from './types';

/** config detector.reclassify: how often a face the gate has opened for is classified again. */
export interface ReclassifyConfig {
  /** A settled face is classified at least every this many frames (1: every frame, nothing carried). */
  everyFrames: number;
  /** ...and at once when its face box grows, shrinks or moves by more than this fraction of its height. */
  maxChange: number;
}

interface Remembered {
  /** The face network's box when the classifier last read this face. */
  readAt: Box;
  /** What the classifier said then (refined box in frame pixels). */
  read: Detection;
  /** The box reported for this face in the last frame (read or carried): the tracker's box for it. */
  reported: Box;
  /** Frames since the classifier read it. */
  age: number;
}

/** A face box matches a remembered one at this IoU; a reported box matches a settled one at this IoU. */
const SAME_FACE = 0.5;

/**
 * Remembers the classifier's last reading of each face, so that a face the gate has already opened for
 * (a "settled" face, named by the gate through DetectHints) is not classified again every frame while it
 * stays put: its reading is carried over, moved with its face box, and marked `carried`, so the tracker and
 * the gate take it as no new observation. Faces before their decision, and anyone under an alert, are never
 * settled, so every vote the gate counts is a real classifier reading.
 */
export class ClassifyMemory {
  private faces: Remembered[] = [];

  constructor(private readonly cfg: ReclassifyConfig) {}

  /** For each face of this frame, the carried-over detection, or null when the classifier must read it. */
  plan(faces: readonly FaceCandidate[], settled: readonly Box[]): (Detection | null)[] {
    if (this.cfg.everyFrames <= 1 || settled.length === 0) return faces.map(() => null);
    const used = new Set<Remembered>();
    return faces.map((f) => {
      const m = this.match(f.box, used);
      if (!m || m.age + 1 >= this.cfg.everyFrames || !settled.some((s) => iou(s, m.reported) >= SAME_FACE) || this.changed(m.readAt, f.box)) return null;
      used.add(m);
      const d: Detection = { ...m.read, box: follow(m.read.box, m.readAt, f.box), carried: true };
      if (f.keypoints) d.keypoints = f.keypoints;
      return d;
    });
  }

  /**
   * Records this frame: each face with what was reported for it (read now, carried, or null: not a face).
   * Faces not in this frame are forgotten.
   */
  remember(faces: readonly FaceCandidate[], out: readonly (Detection | null)[]): void {
    const used = new Set<Remembered>();
    const next: Remembered[] = [];
    faces.forEach((f, i) => {
      const d = out[i];
      if (!d) return;
      if (!d.carried) return void next.push({ readAt: f.box, read: d, reported: d.box, age: 0 });
      const m = this.match(f.box, used);
      if (!m) return;
      used.add(m);
      next.push({ ...m, reported: d.box, age: m.age + 1 });
    });
    this.faces = next;
  }

  private match(box: Box, used: ReadonlySet<Remembered>): Remembered | null {
    let best: Remembered | null = null;
    let bestIou = SAME_FACE;
    for (const m of this.faces) {
      if (used.has(m)) continue;
      const o = iou(m.readAt, box);
      if (o >= bestIou) [best, bestIou] = [m, o];
    }
    return best;
  }

  private changed(was: Box, now: Box): boolean {
    const h = Math.max(was[3] - was[1], 1e-6);
    const [cx0, cy0] = boxCentre(was);
    const [cx1, cy1] = boxCentre(now);
    return Math.abs((now[3] - now[1]) / h - 1) > this.cfg.maxChange || Math.hypot(cx1 - cx0, cy1 - cy0) > this.cfg.maxChange * h;
  }
}

/** `box` as placed relative to face box `from`, moved and scaled with that face box to `to`. */
function follow(box: Box, from: Box, to: Box): Box {
  const sx = (to[2] - to[0]) / Math.max(from[2] - from[0], 1e-6);
  const sy = (to[3] - to[1]) / Math.max(from[3] - from[1], 1e-6);
  return [to[0] + (box[0] - from[0]) * sx, to[1] + (box[1] - from[1]) * sy, to[0] + (box[2] - from[0]) * sx, to[1] + (box[3] - from[1]) * sy];
}
