/**
 * Synthetic masks on real photos, for training only (validation stays real):
 * - maskFace: a template warped onto one face from its keypoints, in one of three placements
 *   (worn -> `mask`; below the nose, on the chin -> `incorrect`)
 * - synthesizePhoto: every eligible unmasked face of a photo masked at once, so the face detector later
 *   runs on the whole synthetic photo and its own boxes become the training samples, as at run time
 * - pasteLooseMask: a mask with no face behind it (on the background, at face size, turned, partly held
 *   by a skin-coloured hand): a `not_face` sample
 */
import type { FaceCandidate } from '../../detector/decoders/face-detectors';
import { iou } from '../../detector/geometry';
import type { Box, MaskLabel, RgbFrame } from '../../detector/types';
import type { VocAnnotation, VocObject } from '../../eval/voc-read';
import { gauss } from '../random';
import { onOffTrial } from '../trial-switch';
import { faceAnchors, faceFrame, pickView, PLACEMENT_CYCLE, PLACEMENT_LABEL, randomPlacementJitter, templateShape, type FaceFrame, type Keypoints, type Placement } from './anchors';
import { applyHomography, fitHomography } from './homography';
import { lookForFace, paintTemplate, templateToFrame, type Painted } from './render';
import { ANCHOR_NAMES, type Anchors, type MaskTemplate, type Point } from './templates';

/** Faces smaller than this (box height, px) get no synthetic mask: their keypoints are too rough. */
export const MIN_SYNTH_FACE = 12;

export interface MaskedFace {
  placement: Placement;
  label: 'mask' | 'incorrect';
  template: string;
  painted: Painted;
}

/** The templates grouped by family (front, left, right views together). */
export function families(templates: readonly MaskTemplate[]): MaskTemplate[][] {
  const by = new Map<string, MaskTemplate[]>();
  for (const t of templates) by.set(t.family, [...(by.get(t.family) ?? []), t]);
  return [...by.values()];
}

/** The middle of the face (eyes to mouth, across the nose), where its light and colour are measured. */
function faceMiddle(f: FaceFrame): [number, number, number, number] {
  const xs = [f.eyes[0], f.nose[0], f.mouth[0]];
  const ys = [f.eyes[1], f.nose[1], f.mouth[1]];
  const m = 0.6 * f.s;
  return [Math.min(...xs) - m, Math.min(...ys), Math.max(...xs) + m, Math.max(...ys)];
}

const SKIN_TONES: [number, number, number][] = [
  [236, 188, 160], [224, 172, 140], [198, 145, 110], [170, 120, 90], [141, 95, 65], [105, 70, 48], [80, 55, 40],
];

/** Fabric close to skin that the templates lack: nude and beige masks, pinks. */
const NEAR_SKIN: [number, number, number][] = [...SKIN_TONES, [226, 206, 178], [200, 178, 146], [238, 176, 186], [222, 136, 160], [246, 206, 210]];

/** Share of synthetic masks recoloured (MASK_GATE_TINT=0: none, a trial), and of those, the share in a colour close to skin. */
export const TINTED_SHARE = onOffTrial('MASK_GATE_TINT') ? 0.4 : 0;
const NEAR_SKIN_SHARE = 0.6;

/**
 * A fabric colour for a synthetic mask, or undefined for the template's own. The templates are white, blue,
 * green, black and grey; real masks are also nude, beige, pink and every other colour. A mask the colour of
 * skin teaches the classifier that a covered nose is told by its shape, not by the absence of skin tone.
 */
export function fabricTint(rand: () => number): [number, number, number] | undefined {
  if (rand() >= TINTED_SHARE) return undefined;
  if (rand() < NEAR_SKIN_SHARE) {
    const base = NEAR_SKIN[Math.floor(rand() * NEAR_SKIN.length)]!;
    const k = 0.9 + 0.2 * rand();
    return base.map((v) => Math.min(255, v * k)) as [number, number, number];
  }
  return hsvToRgb(rand() * 360, 0.3 + 0.6 * rand(), 0.35 + 0.6 * rand());
}

/** HSV (hue in degrees, saturation and value 0..1) to 0..255 RGB. */
export function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h / 60) % 6;
    return Math.round(255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

/** Paints a mask of `family` onto the face with these keypoints; null when the keypoints do not make a face frame. */
export function maskFace(frame: RgbFrame, keypoints: Keypoints, placement: Placement, family: readonly MaskTemplate[], rand: () => number): MaskedFace | null {
  const f = faceFrame(keypoints);
  if (!f) return null;
  const view = pickView(family, f.turn);
  const anchors = faceAnchors(f, placement, templateShape(view.anchors), randomPlacementJitter(rand, placement));
  const look = lookForFace(frame, faceMiddle(f), rand);
  look.tint = fabricTint(rand);
  const painted = paintTemplate(frame, view, templateToFrame(view, anchors), look, rand);
  return { placement, label: PLACEMENT_LABEL[placement], template: view.name, painted };
}

/** The best candidate (IoU >= 0.3) for a labelled face, as the training matcher pairs them. */
export function candidateFor(o: VocObject, candidates: readonly FaceCandidate[]): FaceCandidate | undefined {
  let best: FaceCandidate | undefined;
  let bestIou = 0.3;
  for (const c of candidates) {
    const v = iou(c.box, o.box);
    if (v >= bestIou && c.keypoints) {
      best = c;
      bestIou = v;
    }
  }
  return best;
}

export interface SynthPhoto {
  frame: RgbFrame;
  /** The photo's objects with the masked faces relabelled. */
  annotation: VocAnnotation;
  /** Indices into annotation.objects of the faces that now wear a synthetic mask. */
  synthetic: number[];
  masked: MaskedFace[];
}

/**
 * Variant `variant` of a photo: every unmasked face of at least MIN_SYNTH_FACE px with a keypointed
 * candidate gets a mask, PLACEMENT_CYCLE[(face index + variant) mod 4], so that four variants give each
 * face every placement (worn twice). Families and jitter are drawn from `rand`.
 */
export function synthesizePhoto(src: RgbFrame, ann: VocAnnotation, candidates: readonly FaceCandidate[], templates: readonly MaskTemplate[], variant: number, rand: () => number): SynthPhoto {
  const frame: RgbFrame = { data: Uint8Array.from(src.data), width: src.width, height: src.height };
  const fams = families(templates);
  const objects = ann.objects.map((o) => ({ ...o }));
  const synthetic: number[] = [];
  const masked: MaskedFace[] = [];
  let k = 0;
  objects.forEach((o, i) => {
    if (o.label !== 'no_mask' || o.box[3] - o.box[1] < MIN_SYNTH_FACE) return;
    const c = candidateFor(o, candidates);
    if (!c?.keypoints) return;
    const placement = PLACEMENT_CYCLE[(k++ + variant) % PLACEMENT_CYCLE.length]!;
    const m = maskFace(frame, c.keypoints, placement, fams[Math.floor(rand() * fams.length)]!, rand);
    if (!m || m.painted.coverage === 0) return;
    o.label = m.label as MaskLabel;
    synthetic.push(i);
    masked.push(m);
  });
  return { frame, annotation: { ...ann, objects }, synthetic, masked };
}

/* ---------- Masks with no face behind them ---------- */

/** A soft-edged capsule (segment p-q, radius r) painted in `colour`, darker towards its rim. */
function paintCapsule(frame: RgbFrame, p: Point, q: Point, r: number, colour: [number, number, number], rand: () => number): void {
  const x1 = Math.max(0, Math.floor(Math.min(p[0], q[0]) - r - 1)), x2 = Math.min(frame.width, Math.ceil(Math.max(p[0], q[0]) + r + 1));
  const y1 = Math.max(0, Math.floor(Math.min(p[1], q[1]) - r - 1)), y2 = Math.min(frame.height, Math.ceil(Math.max(p[1], q[1]) + r + 1));
  const dx = q[0] - p[0], dy = q[1] - p[1];
  const len2 = dx * dx + dy * dy || 1;
  for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) {
    const t = Math.min(1, Math.max(0, ((x + 0.5 - p[0]) * dx + (y + 0.5 - p[1]) * dy) / len2));
    const d = Math.hypot(x + 0.5 - p[0] - t * dx, y + 0.5 - p[1] - t * dy);
    const a = Math.min(1, Math.max(0, r + 0.5 - d));
    if (a <= 0) continue;
    const rim = 1 - 0.35 * (d / r) ** 2;
    const n = 3 * gauss(rand);
    const o = (y * frame.width + x) * 3;
    for (let c = 0; c < 3; c++) frame.data[o + c] = Math.round(frame.data[o + c]! * (1 - a) + Math.min(255, Math.max(0, colour[c]! * rim + n)) * a);
  }
}

/** A hand: a palm and four fingers, `size` px long, pointing along `angle`, its palm centred at `at`. */
export function paintHand(frame: RgbFrame, at: Point, size: number, angle: number, rand: () => number): void {
  const base = SKIN_TONES[Math.floor(rand() * SKIN_TONES.length)]!;
  const light = 0.8 + 0.35 * rand();
  const colour = base.map((v) => Math.min(255, v * light)) as [number, number, number];
  const dir: Point = [Math.cos(angle), Math.sin(angle)];
  const side: Point = [-dir[1], dir[0]];
  const pt = (a: number, s: number): Point => [at[0] + dir[0] * a * size + side[0] * s * size, at[1] + dir[1] * a * size + side[1] * s * size];
  paintCapsule(frame, pt(-0.15, 0), pt(0.1, 0), 0.22 * size, colour, rand);
  const spread = 0.5 + 0.3 * rand();
  for (let f = 0; f < 4; f++) {
    const s = (f - 1.5) * 0.11;
    paintCapsule(frame, pt(0.15, s), pt(0.55 + 0.1 * Math.cos(f), s * (1 + spread)), 0.055 * size, colour, rand);
  }
}

/** Whether box a, grown by `margin` of its size, overlaps box b. */
function near(a: Box, b: Box, margin: number): boolean {
  const mx = (a[2] - a[0]) * margin, my = (a[3] - a[1]) * margin;
  return a[0] - mx < b[2] && b[0] < a[2] + mx && a[1] - my < b[3] && b[1] < a[3] + my;
}

export interface LooseMask {
  /** The painted mask's box (its template's outline warped), frame pixels. */
  box: Box;
  template: string;
}

/**
 * Pastes one mask with no face behind it into `frame` (in place), on the background: `size` px wide
 * (face-sized), turned up to 35 degrees, in a mild perspective, clear of every box in `avoid` (grown by
 * half), with a hand holding it from one side. Returns null when no free spot was found in 30 tries.
 */
export function pasteLooseMask(frame: RgbFrame, avoid: readonly Box[], templates: readonly MaskTemplate[], size: number, rand: () => number): LooseMask | null {
  const t = templates[Math.floor(rand() * templates.length)]!;
  const tw = t.anchors.c[0] - t.anchors.a[0];
  const th = t.anchors.e[1] - t.anchors.b[1];
  const w = size, h = (size * th) / tw;
  for (let attempt = 0; attempt < 30; attempt++) {
    const cx = w / 2 + rand() * (frame.width - w);
    const cy = h / 2 + rand() * (frame.height - h);
    const guess: Box = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
    if (guess[0] < 0 || guess[1] < 0 || guess[2] > frame.width || guess[3] > frame.height) continue;
    if (avoid.some((b) => near(b, guess, 0.5))) continue;
    const angle = (rand() - 0.5) * (70 * Math.PI) / 180;
    const cos = Math.cos(angle), sin = Math.sin(angle);
    const tcx = (t.anchors.a[0] + t.anchors.c[0]) / 2, tcy = (t.anchors.b[1] + t.anchors.e[1]) / 2;
    const k = w / tw;
    // A similarity (scale, turn, move), then each anchor nudged by up to 8% of the size: a mild perspective.
    const to = Object.fromEntries(
      ANCHOR_NAMES.map((n) => {
        const [x, y] = t.anchors[n];
        const dx = (x - tcx) * k, dy = (y - tcy) * k;
        return [n, [cx + cos * dx - sin * dy + (rand() - 0.5) * 0.16 * w, cy + sin * dx + cos * dy + (rand() - 0.5) * 0.16 * w] as Point];
      }),
    ) as Anchors;
    const hm = fitHomography(ANCHOR_NAMES.map((n) => t.anchors[n]), ANCHOR_NAMES.map((n) => to[n]));
    const corners = [[0, 0], [t.width, 0], [0, t.height], [t.width, t.height]].map((p) => applyHomography(hm, p as Point));
    const box: Box = [Math.min(...corners.map((p) => p[0])), Math.min(...corners.map((p) => p[1])), Math.max(...corners.map((p) => p[0])), Math.max(...corners.map((p) => p[1]))];
    const look = lookForFace(frame, box, rand);
    // Loose masks are lit by the room, not the face: keep more of the template's own brightness.
    look.gain = Math.min(1.1, Math.max(0.5, look.gain * 1.2));
    look.tint = fabricTint(rand);
    paintTemplate(frame, t, templateToFrame(t, to), look, rand);
    // The hand grips one side or the bottom edge, covering part of the mask.
    const grip = Math.floor(rand() * 3);
    const gripAngle = grip === 0 ? angle : grip === 1 ? angle + Math.PI : angle + Math.PI / 2;
    const edge: Point = [cx - Math.cos(gripAngle) * w * 0.5, cy - Math.sin(gripAngle) * w * 0.5];
    paintHand(frame, edge, w * (0.6 + 0.3 * rand()), gripAngle, rand);
    return { box: box.map((v, i) => Math.min(Math.max(v, 0), i % 2 ? frame.height : frame.width)) as Box, template: t.name };
  }
  return null;
}
