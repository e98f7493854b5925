/**
 * Where a mask's six anchors go on a face, from BlazeFace's six keypoints (right_eye, left_eye, nose,
 * mouth, right_ear, left_ear; the subject's right is the image's left).
 *
 * The face frame: `u` along the eye line (image left to right), `v` perpendicular to it, pointing down
 * the face; `s` = the nose-to-mouth distance along v, the unit of vertical placement.
 * - bridge of the nose: between the eyes' midpoint and the nose tip (45% of the way)
 * - chin: below the mouth by `chinRatio` x s (the template's bottom edge sits under the chin)
 * - cheek line: the ear points, pulled in towards the face's centre line (the mask wraps the face)
 * - turn: where the nose tip falls between the ears, 0 (image left) .. 1 (image right), 0.5 frontal
 */
import { rangeTrial } from '../trial-switch';
import type { Anchors, Point } from './templates';

export type Keypoints = Record<string, [number, number]>;
export const REQUIRED_KEYPOINTS = ['right_eye', 'left_eye', 'nose', 'mouth', 'right_ear', 'left_ear'] as const;

export interface FaceFrame {
  /** Unit vector along the eye line, image left to right. */
  u: Point;
  /** Unit vector down the face. */
  v: Point;
  eyes: Point;
  nose: Point;
  mouth: Point;
  /** The nose-to-mouth distance along v, px. */
  s: number;
  /** The ears' offsets along u from the nose's foot on the eye line (left side negative). */
  earLeft: number;
  earRight: number;
  /** The nose tip's place between the ears, 0..1 (0.5 frontal). */
  turn: number;
}

const add = (a: Point, b: Point, k = 1): Point => [a[0] + k * b[0], a[1] + k * b[1]];
const sub = (a: Point, b: Point): Point => [a[0] - b[0], a[1] - b[1]];
const dot = (a: Point, b: Point) => a[0] * b[0] + a[1] * b[1];
const mid = (a: Point, b: Point): Point => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];

/** The face frame, or null when a keypoint is missing or the geometry is implausible (eyes on top of each other). */
export function faceFrame(k: Keypoints): FaceFrame | null {
  if (!REQUIRED_KEYPOINTS.every((n) => k[n])) return null;
  const re = k.right_eye!, le = k.left_eye!, nose = k.nose!, mouth = k.mouth!, rear = k.right_ear!, lear = k.left_ear!;
  const eyeVec = sub(le, re);
  const eyeDist = Math.hypot(eyeVec[0], eyeVec[1]);
  if (eyeDist < 1) return null;
  const u: Point = [eyeVec[0] / eyeDist, eyeVec[1] / eyeDist];
  const v: Point = [-u[1], u[0]];
  const eyes = mid(re, le);
  const s = dot(sub(mouth, nose), v);
  if (!(s > 0.05 * eyeDist)) return null;
  const earLeft = dot(sub(rear, nose), u);
  const earRight = dot(sub(lear, nose), u);
  const span = earRight - earLeft;
  if (!(span > eyeDist * 0.8)) return null;
  return { u, v, eyes, nose, mouth, s, earLeft, earRight, turn: Math.min(1, Math.max(0, -earLeft / span)) };
}

export type Placement = 'worn' | 'below_nose' | 'on_chin';
export const PLACEMENTS: readonly Placement[] = ['worn', 'below_nose', 'on_chin'];
/**
 * The order faces go through the placements over a photo's synthetic copies: worn as often as worn
 * wrongly, so that a synthetic mask's look (its template, its blending) says nothing about the label;
 * only where it sits does.
 */
export const PLACEMENT_CYCLE: readonly Placement[] = ['worn', 'below_nose', 'worn', 'on_chin'];
/** What a face wearing a mask this way is labelled. */
export const PLACEMENT_LABEL: Record<Placement, 'mask' | 'incorrect'> = { worn: 'mask', below_nose: 'incorrect', on_chin: 'incorrect' };

export interface PlacementJitter {
  /** Top edge offset, in units of s, added to the placement's own. */
  top: number;
  /** Bottom edge offset, in units of s. */
  bottom: number;
  /** Width scale of the mask across the face. */
  width: number;
  /** Sideways shift, in units of s. */
  shift: number;
}
export const NO_JITTER: PlacementJitter = { top: 0, bottom: 0, width: 1, shift: 0 };

/** The top edge's jitter, in s, of every placement. */
export const TOP_JITTER: readonly [number, number] = [-0.12, 0.12];
/**
 * The top edge's jitter of a mask below the nose (MASK_GATE_BELOW_NOSE_TOP, a trial): by default as the others',
 * 0.08-0.32 s under the nose tip; "-0.2,0.12" reaches the tip itself, where the real misread masks sit.
 */
export const BELOW_NOSE_TOP = rangeTrial('MASK_GATE_BELOW_NOSE_TOP', TOP_JITTER);

/** Draws a placement's jitter from `rand` (uniform 0..1); the ranges keep each placement's meaning. */
export function randomPlacementJitter(rand: () => number, placement?: Placement, belowNoseTop: readonly [number, number] = BELOW_NOSE_TOP): PlacementJitter {
  const u = (lo: number, hi: number) => lo + (hi - lo) * rand();
  const [tlo, thi] = placement === 'below_nose' ? belowNoseTop : TOP_JITTER;
  return { top: u(tlo, thi), bottom: u(-0.2, 0.25), width: u(0.9, 1.08), shift: u(-0.1, 0.1) };
}

/** Chin below the mouth, in units of s (the mouth-to-chin-bottom distance is a little over the nose-to-mouth). */
const CHIN = 1.45;

/**
 * Along v, measured from the nose tip in units of s, where the top edge (a, b, c) and the bottom edge
 * (d, e, f) of the mask sit for each placement:
 * - worn: top on the bridge of the nose, bottom under the chin
 * - below_nose: top just under the nose tip (the nostrils show), bottom under the chin
 * - on_chin: top below the mouth, bottom well under the chin (pulled down on the throat)
 */
export function placementEdges(f: FaceFrame, p: Placement): { top: number; bottom: number } {
  const bridge = dot(sub(add(f.eyes, sub(f.nose, f.eyes), 0.45), f.nose), f.v) / f.s;
  const chin = 1 + CHIN;
  if (p === 'worn') return { top: bridge, bottom: chin };
  if (p === 'below_nose') return { top: 0.2, bottom: chin + 0.2 };
  return { top: 1.35, bottom: chin + 0.75 };
}

/** A template's outline in its own terms: how far its corners sit from its middle line, as fractions. */
export interface TemplateShape {
  /** Top corners below the top middle, as a fraction of the top-to-bottom height. */
  drop: number;
  /** Bottom corners above the bottom middle, same unit. */
  rise: number;
  /** Bottom width over top width. */
  taper: number;
}

export function templateShape(a: Anchors): TemplateShape {
  const h = a.e[1] - a.b[1];
  return { drop: ((a.a[1] + a.c[1]) / 2 - a.b[1]) / h, rise: (a.e[1] - (a.d[1] + a.f[1]) / 2) / h, taper: (a.f[0] - a.d[0]) / (a.c[0] - a.a[0]) };
}

/**
 * The six anchors on the face for a placement, in frame pixels. b and e lie on the face's centre line
 * (through the nose tip, along v); a / c at 85% of the way from the centre line to each ear (a mask
 * wraps round the face, so its corners stop short of the ears), d / f as wide as the template's
 * taper says. The corners' heights follow the template's own outline (`shape`), so the six points
 * agree with one perspective warp instead of bending the mask.
 */
export function faceAnchors(f: FaceFrame, p: Placement, shape: TemplateShape, j: PlacementJitter = NO_JITTER): Anchors {
  const e = placementEdges(f, p);
  const top = (e.top + j.top) * f.s;
  const bottom = (e.bottom + j.bottom) * f.s;
  const h = bottom - top;
  const centre = add(f.nose, f.u, j.shift * f.s);
  const at = (along: number, down: number): Point => add(add(centre, f.u, along), f.v, down);
  const w = 0.85 * j.width;
  return {
    a: at(f.earLeft * w, top + shape.drop * h),
    b: at(0, top),
    c: at(f.earRight * w, top + shape.drop * h),
    d: at(f.earLeft * w * shape.taper, bottom - shape.rise * h),
    e: at(0, bottom),
    f: at(f.earRight * w * shape.taper, bottom - shape.rise * h),
  };
}

/** The template's own turn: where its top-middle anchor falls between its top corners, 0..1. */
export function templateTurn(a: Anchors): number {
  return (a.b[0] - a.a[0]) / (a.c[0] - a.a[0]);
}

/** The view (of one family) whose turn is nearest the face's; ties go to the earlier view. */
export function pickView<T extends { anchors: Anchors }>(views: readonly T[], turn: number): T {
  if (!views.length) throw new Error('pickView: no views');
  return views.reduce((best, t) => (Math.abs(templateTurn(t.anchors) - turn) < Math.abs(templateTurn(best.anchors) - turn) ? t : best));
}
