import type { MaskLabel } from '../detector/types';
import type { ClassResult, EvalReport, Rate } from './evaluate';

const pct = (v: number | null) => (v === null ? '   n/a' : (v * 100).toFixed(2).padStart(6));

/** The evaluation as a plain-text table for a terminal. */
export function formatReport(r: EvalReport): string {
  const o = r.options;
  const row = (name: string, c: ClassResult) => `  ${name.padEnd(10)} ${pct(c.ap)}  ${String(c.positives).padStart(6)}  ${String(c.detections).padStart(7)}`;
  const lines = [
    `images ${r.images}, faces ${r.faces} (ignored ${r.ignoredFaces}: under ${o.minHeight} px high${o.minWidth ? ` or ${o.minWidth} px wide` : ''}, or difficult)`,
    `IoU > ${o.iou}, VOC all-point AP (%)`,
    '',
    '  3 classes      AP   faces  scored',
    ...(['mask', 'no_mask', 'incorrect'] as MaskLabel[]).map((l) => row(l, r.classes[l])),
    `  ${'mAP'.padEnd(10)} ${pct(r.map3)}`,
    '',
    '  2 classes (incorrect as no_mask)',
    row('mask', r.twoClass.mask),
    row('no_mask', r.twoClass.no_mask),
    `  ${'mAP'.padEnd(10)} ${pct(r.twoClass.map)}`,
    '',
    `  face AP ${pct(r.face.ap)}   face recall at score >= ${o.recallScore}: ${pct(r.face.recall)}` +
      `  (mask ${pct(r.face.recallByClass.mask)}, no_mask ${pct(r.face.recallByClass.no_mask)}, incorrect ${pct(r.face.recallByClass.incorrect)})`,
    '',
    `  confusion of matched faces at score >= ${o.recallScore} (rows: annotated, columns: predicted)`,
    `  ${''.padEnd(10)} ${r.confusion.labels.map((l) => l.padStart(9)).join(' ')}   missed`,
    ...r.confusion.labels.map((l, i) => `  ${l.padEnd(10)} ${r.confusion.matrix[i]!.map((n) => String(n).padStart(9)).join(' ')}   ${String(r.confusion.missed[i]).padStart(6)}`),
  ];
  const cell = (x: Rate) => `${pct(x.rate)} ${`(${x.n}/${x.of})`.padEnd(9)}`;
  const range = (min: number, max: number | null) => (max === null ? `${min}+ px` : min === 0 ? `< ${max} px` : `${min}-${max} px`);
  lines.push(
    '',
    `  at the door: faces found (score >= ${o.recallScore}) called wrongly, by annotated face height (%, n/of)`,
    `  ${'height'.padEnd(10)} ${'unmasked as mask'.padEnd(17)} ${'incorrect as mask'.padEnd(17)} masked as unmasked`,
    ...[...r.door.rows, r.door.all].map((d, i) => `  ${(i === r.door.rows.length ? 'all' : range(d.min, d.max)).padEnd(10)} ${cell(d.unmaskedAsMask)}  ${cell(d.incorrectAsMask)}  ${cell(d.maskedAsUnmasked)}`),
    `  fail-open rate (unmasked or incorrect faces called mask): ${pct(r.door.failOpen.rate)} (${r.door.failOpen.n}/${r.door.failOpen.of})`,
  );
  if (r.strayDetections) lines.push('', `  ${r.strayDetections} detections name images outside the data set and were not scored`);
  return lines.join('\n');
}
