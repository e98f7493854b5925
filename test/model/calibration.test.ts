import { twoStageScores, logit, sigmoid } from '../../src/detector/two-stage-score';
import { fitCalibration, solve3, type CalibrationRow } from '../../src/training/calibrate';
import { leadingColumns, predictFlipped, predictRows, readWithNose, rowColumns, withoutGroup } from '../../src/training/held-out';
import { forward, initHead, softmaxRow } from '../../src/training/mlp';
import { rng } from '../../src/training/random';

describe('score calibration', () => {
  it('solve3 solves a 3x3 system and refuses a singular one', () => {
    // A zero first pivot: solved only with row exchanges.
    const x = solve3([[0, 1, 0], [1, 3, 1], [2, 1, 4]], [1, 7, 15]);
    x.forEach((v, i) => expect(v).toBeCloseTo([1, 1, 3][i]!, 9));
    expect(() => solve3([[1, 2, 3], [2, 4, 6], [0, 0, 1]], [1, 2, 3])).toThrow(/singular/);
  });

  it('recovers the weights of data drawn from a known logistic model', () => {
    const rand = rng(7);
    const truth = { detector: 1.5, classifier: 0.7, bias: -0.4 };
    const rows: CalibrationRow[] = [];
    for (let i = 0; i < 20000; i++) {
      const detScore = 0.02 + 0.96 * rand();
      const pNotFace = 0.02 + 0.96 * rand();
      const p = sigmoid(truth.detector * logit(detScore) + truth.classifier * logit(1 - pNotFace) + truth.bias);
      rows.push({ detScore, pNotFace, face: rand() < p, weight: 1 });
    }
    const c = fitCalibration(rows);
    expect(c.type).toBe('calibrated');
    expect(c.detector).toBeCloseTo(truth.detector, 1);
    expect(c.classifier).toBeCloseTo(truth.classifier, 1);
    expect(c.bias).toBeCloseTo(truth.bias, 1);
  });

  it('a weight counts a row as that many copies (subsampled negatives)', () => {
    const base: CalibrationRow[] = [
      { detScore: 0.9, pNotFace: 0.1, face: true, weight: 1 },
      { detScore: 0.6, pNotFace: 0.5, face: true, weight: 1 },
      { detScore: 0.4, pNotFace: 0.4, face: false, weight: 1 },
      { detScore: 0.2, pNotFace: 0.7, face: false, weight: 1 },
      { detScore: 0.7, pNotFace: 0.3, face: false, weight: 1 },
      { detScore: 0.3, pNotFace: 0.2, face: true, weight: 1 },
    ];
    const weighted = fitCalibration(base.map((r) => (r.face ? r : { ...r, weight: 3 })));
    const copied = fitCalibration(base.flatMap((r) => (r.face ? [r] : [r, r, r])));
    expect(weighted).toEqual(copied);
  });

  it('refuses data with one class only', () => {
    expect(() => fitCalibration([{ detScore: 0.5, pNotFace: 0.5, face: true, weight: 1 }])).toThrow(/both faces and non-faces/);
  });

  it('twoStageScores: calibrated labels share the face confidence by p(label | face); product multiplies', () => {
    const reported = [['mask', 0], ['no_mask', 1], ['incorrect', 2]] as const;
    const probs = [0.5, 0.2, 0.1, 0.2];
    const cal = twoStageScores({ type: 'calibrated', detector: 1, classifier: 1, bias: 0 }, 0.5, probs, reported, 3);
    // logit(0.5) = 0, logit(0.8) = ln 4: face = sigmoid(ln 4) = 0.8.
    expect(cal.face).toBeCloseTo(0.8, 9);
    expect(cal.labels.mask).toBeCloseTo((0.8 * 0.5) / 0.8, 9);
    expect(cal.labels.no_mask).toBeCloseTo((0.8 * 0.2) / 0.8, 9);
    const prod = twoStageScores('product', 0.5, probs, reported, 3);
    expect(prod).toEqual({ face: 0.5 * 0.8, labels: { mask: 0.25, no_mask: 0.1, incorrect: 0.05 } });
  });
});

describe('held-out predictions', () => {
  it('withoutGroup copies the rows of the other groups only', () => {
    const data = { x: Float32Array.from([1, 1, 2, 2, 3, 3]), n: 3, d: 2, y: Int32Array.from([0, 1, 2]), box: Float32Array.from({ length: 12 }, (_, i) => i) };
    const out = withoutGroup(data, [0, 1, 0], 0);
    expect(out.n).toBe(1);
    expect(Array.from(out.x)).toEqual([2, 2]);
    expect(Array.from(out.y)).toEqual([1]);
    expect(Array.from(out.box)).toEqual([4, 5, 6, 7]);
  });

  it("leadingColumns keeps each row's first k features (the trunk's, without facemesh's after them)", () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(Array.from(leadingColumns(x, 2, 3, 2))).toEqual([1, 2, 4, 5]);
    expect(Array.from(leadingColumns(x, 2, 3, 3))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => leadingColumns(x, 2, 3, 4)).toThrow('expected at most 3 leading columns, got 4');
  });

  it('predictFlipped averages the logits of a row and its mirror row, then softmaxes', () => {
    const head = initHead(3, 4, 2, 1);
    const x = Float32Array.from([1, 0, 0, 0, 1, 0]);
    const mirrored = Float32Array.from([0, 0, 1, 0, 0, 1]);
    const [p] = predictFlipped(head, x, [0], mirrored, [0]);
    const same = predictFlipped(head, x, [0], x, [0])[0]!;
    expect(p!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(p).not.toEqual(same);
    // Averaging a row with itself is the row's own prediction.
    same.forEach((v, i) => expect(v).toBeCloseTo(softmaxRow(forward(head, x, [0]).logits, 0, 2)[i]!, 6));
    // And the pair's is softmax of the mean logits.
    const la = forward(head, x, [0]).logits;
    const lb = forward(head, mirrored, [0]).logits;
    const mean = Float32Array.from(la, (v, i) => (v + lb[i]!) / 2);
    p!.forEach((v, i) => expect(v).toBeCloseTo(softmaxRow(mean, 0, 2)[i]!, 6));
  });

  it('predictFlipped with a flip mask averages only the rows marked (the runtime flips confident faces only)', () => {
    const head = initHead(3, 4, 2, 1);
    const x = Float32Array.from([1, 0, 0, 0, 1, 0]);
    const mirrored = Float32Array.from([0, 0, 1, 0, 0, 1]);
    const [a, b] = predictFlipped(head, x, [0, 1], mirrored, [0, 1], [true, false]);
    expect(a).toEqual(predictFlipped(head, x, [0], mirrored, [0])[0]);
    b!.forEach((v, i) => expect(v).toBeCloseTo(softmaxRow(forward(head, x, [1]).logits, 0, 2)[i]!, 6));
  });

  it('predictFlipped with a mirror head reads the mirror rows, in their own features, by that head (classifier.faint.mirror)', () => {
    const head = initHead(3, 4, 2, 1);
    const light = initHead(2, 4, 2, 7);
    const x = Float32Array.from([1, 0, 0, 0, 1, 0]);
    const lightMirrored = Float32Array.from([0, 1, 1, 0]);
    const [a, b] = predictFlipped(head, x, [0, 1], lightMirrored, [1, 0], [true, false], light);
    const la = forward(head, x, [0]).logits;
    const lb = forward(light, lightMirrored, [1]).logits;
    const mean = Float32Array.from(la, (v, i) => (v + lb[i]!) / 2);
    a!.forEach((v, i) => expect(v).toBeCloseTo(softmaxRow(mean, 0, 2)[i]!, 6));
    b!.forEach((v, i) => expect(v).toBeCloseTo(softmaxRow(forward(head, x, [1]).logits, 0, 2)[i]!, 6));
    expect(() => predictFlipped(head, x, [0], lightMirrored, [0], undefined, initHead(2, 4, 3, 1))).toThrow('expected a mirror head with 2 classes, got 3');
  });

  it('predictRows gives the softmax of each row, in batches', () => {
    const head = initHead(3, 4, 2, 1);
    const x = Float32Array.from({ length: 3 * 1100 }, (_, i) => Math.sin(i));
    const rows = Array.from({ length: 1100 }, (_, i) => 1099 - i);
    const p = predictRows(head, x, rows);
    expect(p).toHaveLength(1100);
    for (const r of [0, 511, 512, 1099]) p[r]!.forEach((v, i) => expect(v).toBeCloseTo(softmaxRow(forward(head, x, [rows[r]!]).logits, 0, 2)[i]!, 6));
  });

  it('readWithNose moves the doubted share of mask to incorrect in each reading, then averages the two readings as the flip does', () => {
    // mask, no_mask, incorrect, not_face; the nose head says covered 0.5: half of mask moves to incorrect.
    const [alone] = readWithNose([[0.6, 0.1, 0.2, 0.1]], [0.5], [null], [null], 0, 2);
    [0.3, 0.1, 0.5, 0.1].forEach((v, i) => expect(alone![i]).toBeCloseTo(v, 6));
    // With a mirror reading (covered 1: unchanged), the log-probabilities are averaged: the normalised
    // geometric mean of the two readings.
    const [both] = readWithNose([[0.6, 0.1, 0.2, 0.1]], [0.5], [[0.2, 0.2, 0.4, 0.2]], [1], 0, 2);
    const g = [0.3 * 0.2, 0.1 * 0.2, 0.5 * 0.4, 0.1 * 0.2].map(Math.sqrt);
    const sum = g.reduce((a, b) => a + b, 0);
    g.forEach((v, i) => expect(both![i]).toBeCloseTo(v / sum, 6));
  });

  it("readWithNose with a mouth head moves each reading's doubted share of mask to no_mask by that reading's own p(mouth covered)", () => {
    // Plain: mouth covered 0.5, nose covered 1: half of mask (0.3) to no_mask. Mirror: mouth covered 1, nose 0.5.
    const mouth = { plain: [0.5], mirror: [1], noMask: 1 };
    const [alone] = readWithNose([[0.6, 0.1, 0.2, 0.1]], [1], [null], [null], 0, 2, { ...mouth, mirror: [null] });
    [0.3, 0.4, 0.2, 0.1].forEach((v, i) => expect(alone![i]).toBeCloseTo(v, 6));
    const [both] = readWithNose([[0.6, 0.1, 0.2, 0.1]], [1], [[0.6, 0.1, 0.2, 0.1]], [0.5], 0, 2, mouth);
    const g = [0.3 * 0.3, 0.4 * 0.1, 0.2 * 0.5, 0.1 * 0.1].map(Math.sqrt);
    const sum = g.reduce((a, b) => a + b, 0);
    g.forEach((v, i) => expect(both![i]).toBeCloseTo(v / sum, 6));
  });

  it("rowColumns copies columns [from, to) of the rows asked for, in the rows' order (the mouth head's lower-face columns)", () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(rowColumns(x, 3, [2, 0], 1, 3))).toEqual([8, 9, 2, 3]);
    expect(() => rowColumns(x, 3, [0], 2, 4)).toThrow('expected columns within 0..3, got 2..4');
  });
});
