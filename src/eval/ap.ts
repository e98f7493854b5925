/**
 * Pascal VOC all-point average precision (VOC 2010 onwards): the area under the precision-recall
 * curve after making precision monotonically non-increasing. `hits` are the scored detections that
 * count (ignored ones removed), in any order; ties keep their given order. Null when there is nothing
 * to find.
 */
export function vocAp(hits: readonly { score: number; tp: boolean }[], positives: number): number | null {
  if (positives <= 0) return null;
  const sorted = [...hits].sort((a, b) => b.score - a.score);
  const recall = [0];
  const precision = [0];
  let tp = 0;
  sorted.forEach((h, i) => {
    if (h.tp) tp++;
    recall.push(tp / positives);
    precision.push(tp / (i + 1));
  });
  recall.push(1);
  precision.push(0);
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i]!, precision[i + 1]!);
  let ap = 0;
  for (let i = 1; i < recall.length; i++) if (recall[i] !== recall[i - 1]) ap += (recall[i]! - recall[i - 1]!) * precision[i]!;
  return ap;
}
