import { groupFaces } from '../detector/faces';
import { boxHeight, iou } from '../detector/geometry';
import { MASK_LABELS, type Box, type Detection, type MaskLabel } from '../detector/types';
import { vocAp } from './ap';
import type { DetectionEntry } from './detections-json';

/**
 * Scores detections against ground truth, VOC style: per class, detections in descending score each
 * take the ground-truth box they overlap most; IoU > `iou` on a box not yet taken is a true positive,
 * on a taken one a false positive (a duplicate).
 *
 * Small faces are handled as TAO's evaluation does: ground truth under `minHeight` (or `minWidth`)
 * pixels, and VOC `difficult` objects, are ignored; a detection that lands on one counts neither way,
 * nor does an unmatched detection under the same size (TAO drops those predictions too).
 */
export interface GroundTruthImage {
  image: string;
  objects: { label: MaskLabel; box: Box; difficult?: boolean }[];
}

export interface EvalOptions {
  iou: number;
  minHeight: number;
  minWidth: number;
  /** Face recall and the confusion matrix count faces scored at least this. */
  recallScore: number;
}

export const DEFAULT_EVAL_OPTIONS: EvalOptions = { iou: 0.5, minHeight: 20, minWidth: 0, recallScore: 0.3 };

export interface ClassResult {
  ap: number | null;
  /** Ground-truth boxes that count. */
  positives: number;
  /** Detections that counted (not ignored). */
  detections: number;
}

export interface EvalReport {
  images: number;
  /** Ground-truth faces that count, and those ignored as too small or difficult. */
  faces: number;
  ignoredFaces: number;
  /** Three classes as annotated. */
  classes: Record<MaskLabel, ClassResult>;
  /** Mean AP over the classes that have ground truth. */
  map3: number | null;
  /** The paper's two classes: incorrect merged into no_mask, in the ground truth and the detections. */
  twoClass: { mask: ClassResult; no_mask: ClassResult; map: number | null };
  /** Class-agnostic: is there a face at all. */
  face: {
    ap: number | null;
    recall: number | null;
    /** Recall per ground-truth class (masked, unmasked, incorrect faces). */
    recallByClass: Record<MaskLabel, number | null>;
  };
  /** Matched faces at recallScore: rows are the annotated label, columns the predicted one. */
  confusion: { labels: MaskLabel[]; matrix: number[][]; missed: number[] };
  /** Detections naming images that are not in the ground truth (not scored). */
  strayDetections: number;
  /** What goes wrong at a door, by face height, for the faces a detection finds (matched at recallScore). */
  door: DoorReport;
  options: EvalOptions;
}

/** n of the faces counted (`of`), and the rate n / of (null when none were counted). */
export interface Rate {
  n: number;
  of: number;
  rate: number | null;
}

export interface DoorRow {
  /** Face height range in px, [min, max) (max null: open). */
  min: number;
  max: number | null;
  /** Unmasked faces called `mask`: the gate would clear them. */
  unmaskedAsMask: Rate;
  /** Faces with the mask below the nose or on the chin called `mask`: also a wrong clear. */
  incorrectAsMask: Rate;
  /** Masked faces called `no_mask` or `incorrect`: a wrong alert. */
  maskedAsUnmasked: Rate;
}

export interface DoorReport {
  rows: DoorRow[];
  all: DoorRow;
  /** Unmasked or incorrect faces called `mask`, over all of them: the rate at which the gate would open wrongly. */
  failOpen: Rate;
}

/** The face heights the door table splits by (px): under 30, 30-40, 40-60, 60-100, 100 and more. */
export const DOOR_HEIGHTS = [30, 40, 60, 100];

const rate = (n: number, of: number): Rate => ({ n, of, rate: of ? n / of : null });

/** The door table from matched faces (annotated label, predicted label, annotated box height). */
export function doorReport(found: readonly { truth: MaskLabel; predicted: MaskLabel; height: number }[]): DoorReport {
  const row = (min: number, max: number | null): DoorRow => {
    const inRow = found.filter((f) => f.height >= min && (max === null || f.height < max));
    const of = (l: MaskLabel) => inRow.filter((f) => f.truth === l);
    const called = (l: MaskLabel, p: (x: MaskLabel) => boolean) => { const t = of(l); return rate(t.filter((f) => p(f.predicted)).length, t.length); };
    return {
      min,
      max,
      unmaskedAsMask: called('no_mask', (x) => x === 'mask'),
      incorrectAsMask: called('incorrect', (x) => x === 'mask'),
      maskedAsUnmasked: called('mask', (x) => x !== 'mask'),
    };
  };
  const edges = [0, ...DOOR_HEIGHTS];
  const all = row(0, null);
  return {
    rows: edges.map((min, i) => row(min, edges[i + 1] ?? null)),
    all,
    failOpen: rate(all.unmaskedAsMask.n + all.incorrectAsMask.n, all.unmaskedAsMask.of + all.incorrectAsMask.of),
  };
}

interface GtBox {
  box: Box;
  label: MaskLabel;
  ignore: boolean;
}

interface Scorable {
  image: string;
  box: Box;
  score: number;
}

interface Hit<T> {
  det: T;
  score: number;
  tp: boolean;
  /** The ground-truth box a true positive took. */
  gt?: GtBox;
}

export function evaluate(truth: readonly GroundTruthImage[], entries: readonly DetectionEntry[], options: Partial<EvalOptions> = {}): EvalReport {
  const opts = { ...DEFAULT_EVAL_OPTIONS, ...options };
  const tooSmall = (b: Box) => boxHeight(b) < opts.minHeight || b[2] - b[0] < opts.minWidth;
  const gt = new Map<string, GtBox[]>();
  let faces = 0;
  for (const img of truth) {
    const boxes = img.objects.map((o) => ({ box: o.box, label: o.label, ignore: !!o.difficult || tooSmall(o.box) }));
    faces += boxes.filter((b) => !b.ignore).length;
    gt.set(img.image, boxes);
  }
  const total = [...gt.values()].reduce((n, l) => n + l.length, 0);
  const dets = entries.filter((e) => gt.has(e.image));

  const match = <T extends Scorable>(candidates: readonly T[], gtOf: (image: string) => GtBox[]): { hits: Hit<T>[]; positives: number } => {
    const taken = new Set<GtBox>();
    const hits: Hit<T>[] = [];
    for (const d of [...candidates].sort((a, b) => b.score - a.score)) {
      let best: GtBox | undefined;
      let bestIou = -1;
      for (const g of gtOf(d.image)) {
        const o = iou(d.box, g.box);
        if (o > bestIou) {
          bestIou = o;
          best = g;
        }
      }
      if (best && bestIou > opts.iou) {
        if (best.ignore) continue;
        const tp = !taken.has(best);
        if (tp) taken.add(best);
        hits.push({ det: d, score: d.score, tp, ...(tp ? { gt: best } : {}) });
      } else if (!tooSmall(d.box)) {
        hits.push({ det: d, score: d.score, tp: false });
      }
    }
    let positives = 0;
    for (const img of truth) positives += gtOf(img.image).filter((g) => !g.ignore).length;
    return { hits, positives };
  };
  const classResult = (list: readonly Scorable[], gtOf: (image: string) => GtBox[]): ClassResult => {
    const { hits, positives } = match(list, gtOf);
    return { ap: vocAp(hits, positives), positives, detections: hits.length };
  };
  const mean = (rs: ClassResult[]) => {
    const aps = rs.map((r) => r.ap).filter((a): a is number => a !== null);
    return aps.length ? aps.reduce((a, b) => a + b, 0) / aps.length : null;
  };

  const classes = Object.fromEntries(
    MASK_LABELS.map((l) => [l, classResult(dets.filter((d) => d.label === l), (im) => (gt.get(im) ?? []).filter((g) => g.label === l))]),
  ) as Record<MaskLabel, ClassResult>;

  // Faces: one per box the model drew, whatever labels it scored it with.
  const facesByImage = new Map<string, Detection[]>();
  for (const [image, list] of groupBy(dets, (d) => d.image)) facesByImage.set(image, groupFaces(list));
  const faceDets = [...facesByImage].flatMap(([image, fs]) => fs.map((f) => ({ image, box: f.box, score: f.faceScore, face: f })));

  // Two classes: incorrect joins no_mask, its probability added to the face's no_mask score.
  const two = faceDets.flatMap(({ image, face }) => {
    const out: (Scorable & { label: 'mask' | 'no_mask' })[] = [];
    const m = face.scores.mask;
    if (m !== undefined) out.push({ image, label: 'mask', score: m, box: face.labelBoxes?.mask ?? face.box });
    const n = face.scores.no_mask;
    const i = face.scores.incorrect;
    if (n !== undefined || i !== undefined) {
      const box = (n ?? -1) >= (i ?? -1) ? face.labelBoxes?.no_mask : face.labelBoxes?.incorrect;
      out.push({ image, label: 'no_mask', score: Math.min(1, (n ?? 0) + (i ?? 0)), box: box ?? face.box });
    }
    return out;
  });
  const gt2 = (label: 'mask' | 'no_mask') => (im: string) => (gt.get(im) ?? []).filter((g) => (g.label === 'incorrect' ? 'no_mask' : g.label) === label);
  const mask2 = classResult(two.filter((d) => d.label === 'mask'), gt2('mask'));
  const noMask2 = classResult(two.filter((d) => d.label === 'no_mask'), gt2('no_mask'));

  const faceMatch = match(faceDets, (im) => gt.get(im) ?? []);
  const atScore = faceMatch.hits.filter((h) => h.tp && h.score >= opts.recallScore);
  const positivesOf = (l: MaskLabel) => [...gt.values()].flat().filter((g) => !g.ignore && g.label === l).length;
  const recallByClass = Object.fromEntries(
    MASK_LABELS.map((l) => {
      const p = positivesOf(l);
      return [l, p ? atScore.filter((h) => h.gt!.label === l).length / p : null];
    }),
  ) as Record<MaskLabel, number | null>;
  const labels = [...MASK_LABELS];
  const matrix = labels.map(() => labels.map(() => 0));
  for (const h of atScore) matrix[labels.indexOf(h.gt!.label)]![labels.indexOf(h.det.face.label)]!++;
  const missed = labels.map((l, r) => positivesOf(l) - matrix[r]!.reduce((a, b) => a + b, 0));

  return {
    images: truth.length,
    faces,
    ignoredFaces: total - faces,
    classes,
    map3: mean(MASK_LABELS.map((l) => classes[l])),
    twoClass: { mask: mask2, no_mask: noMask2, map: mean([mask2, noMask2]) },
    face: { ap: vocAp(faceMatch.hits, faceMatch.positives), recall: faces ? atScore.length / faces : null, recallByClass },
    confusion: { labels, matrix, missed },
    strayDetections: entries.length - dets.length,
    door: doorReport(atScore.map((h) => ({ truth: h.gt!.label, predicted: h.det.face.label, height: boxHeight(h.gt!.box) }))),
    options: opts,
  };
}

function groupBy<T>(list: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of list) {
    const k = key(t);
    const l = m.get(k);
    if (l) l.push(t);
    else m.set(k, [t]);
  }
  return m;
}
