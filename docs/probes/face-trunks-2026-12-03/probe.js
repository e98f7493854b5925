// Linear probes on frozen features: 3-class (mask / no_mask / incorrect) and "nose covered" (mask vs no_mask).
// Same faces, same classifier, same settings for every feature set. Usage: node probe.js <set> [...]
// Protocol (fixed before any score was seen):
//  - features: face crop + lower crop concatenated, standardised on the training samples;
//  - training samples: each training face plain and mirrored; evaluation: plain crops only;
//  - multinomial logistic regression, L2 lambda picked from {1e-2, 1e-1, 1, 10} (first grid 1e-3..1e-1 chose its edge on train CV) by 3-fold CV (by image) on the
//    TRAIN split only (lowest weighted log loss), class weights sqrt(N / (K n_c));
//  - (1) the project's split: fit on train, report on val; (2) 5-fold CV by image over all 853 images
//    (seed 7), out-of-fold predictions pooled, for more incorrect faces (79 vs 15 in val).
'use strict';
const fs = require('fs');
const { fit, predict } = require('./logreg');

const FEAT = '/tmp/probe/feat';
const LABELS = ['mask', 'no_mask', 'incorrect'];
const faces = JSON.parse(fs.readFileSync(`${FEAT}/faces.json`, 'utf8'));
const yAll = Int32Array.from(faces.map((f) => LABELS.indexOf(f.label)));

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function loadSet(name) {
  // "<set>#0" / "<set>#1": the face crop / the lower crop only.
  if (name.includes('#')) { const [base, c] = name.split('#'); return { ...loadSet(base), crops: [Number(c)] }; }
  if (name.includes('+')) {
    // Concatenation of sets along the feature axis, per [face][mirror][crop].
    const parts = name.split('+').map(loadSet);
    const D = parts.reduce((s, p) => s + p.D, 0);
    const rows = parts[0].f.length / parts[0].D;
    const f = new Float32Array(rows * D);
    for (let r = 0; r < rows; r++) { let at = r * D; for (const p of parts) { f.set(p.f.subarray(r * p.D, (r + 1) * p.D), at); at += p.D; } }
    return { D, f };
  }
  const meta = JSON.parse(fs.readFileSync(`${FEAT}/${name}.json`, 'utf8'));
  const buf = fs.readFileSync(`${FEAT}/${name}.f32`);
  const f = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return { D: meta.D, f };
}

/** Rows [face, mirror] -> [2D] (face crop then lower crop). */
function matrix(set, idx, mirrors, crops = set.crops || [0, 1]) {
  const D = set.D;
  const W = D * crops.length;
  const rows = [];
  for (const i of idx) for (const m of mirrors) rows.push([i, m]);
  const X = new Float32Array(rows.length * W);
  rows.forEach(([i, m], r) => crops.forEach((c, k) => X.set(set.f.subarray(((i * 2 + m) * 2 + c) * D, ((i * 2 + m) * 2 + c + 1) * D), r * W + k * D)));
  return { X, N: rows.length, W, face: rows.map((r) => r[0]) };
}

function standardise(train, others) {
  const { X, N, W } = train;
  const mean = new Float64Array(W), sq = new Float64Array(W);
  for (let i = 0; i < N; i++) for (let j = 0; j < W; j++) { const v = X[i * W + j]; mean[j] += v; sq[j] += v * v; }
  const sd = new Float64Array(W);
  for (let j = 0; j < W; j++) { mean[j] /= N; const v = sq[j] / N - mean[j] * mean[j]; sd[j] = v > 1e-10 ? Math.sqrt(v) : 1; }
  for (const m of [train, ...others]) for (let i = 0; i < m.N; i++) for (let j = 0; j < W; j++) m.X[i * W + j] = (m.X[i * W + j] - mean[j]) / sd[j];
}

function weights(y, K) {
  const n = new Array(K).fill(0);
  y.forEach((c) => n[c]++);
  const wc = n.map((c) => (c ? Math.sqrt(y.length / (K * c)) : 0));
  return Float32Array.from(y, (c) => wc[c]);
}

/** Fit on faces `tr` (plain + mirrored), predict faces `te` (plain). map: label -> class (or -1 to drop). */
async function fitPredict(set, tr, te, map, K, lambda) {
  const trI = tr.filter((i) => map(yAll[i]) >= 0);
  const A = matrix(set, trI, [0, 1]);
  const B = matrix(set, te, [0]);
  standardise(A, [B]);
  const y = Int32Array.from(A.face, (i) => map(yAll[i]));
  const model = await fit(A.X, A.N, A.W, y, K, weights(y, K), lambda);
  return predict(model, B.X, B.N, B.W, K);
}

function groupsOf(idx, k, seed) {
  const imgs = [...new Set(idx.map((i) => faces[i].image))].sort();
  const r = rng(seed);
  for (let i = imgs.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [imgs[i], imgs[j]] = [imgs[j], imgs[i]]; }
  const fold = new Map(imgs.map((im, i) => [im, i % k]));
  return idx.map((i) => fold.get(faces[i].image));
}

async function chooseLambda(set, trainIdx) {
  const folds = groupsOf(trainIdx, 3, 11);
  const grid = [1e-2, 1e-1, 1, 10];
  const scores = [];
  for (const lam of grid) {
    let ll = 0, ws = 0;
    for (let f = 0; f < 3; f++) {
      const tr = trainIdx.filter((_, k) => folds[k] !== f);
      const te = trainIdx.filter((_, k) => folds[k] === f);
      const p = await fitPredict(set, tr, te, (c) => c, 3, lam);
      const cnt = [0, 1, 2].map((c) => trainIdx.filter((i) => yAll[i] === c).length);
      const wc = cnt.map((n) => Math.sqrt(trainIdx.length / (3 * n)));
      te.forEach((i, k) => { ll -= wc[yAll[i]] * Math.log(Math.max(1e-12, p[k * 3 + yAll[i]])); ws += wc[yAll[i]]; });
    }
    scores.push(ll / ws);
  }
  const best = grid[scores.indexOf(Math.min(...scores))];
  return { best, grid, scores };
}

function ap(scores, pos) {
  const o = scores.map((s, i) => [s, pos[i]]).sort((a, b) => b[0] - a[0]);
  let tp = 0, sum = 0;
  const P = pos.filter(Boolean).length;
  o.forEach(([, p], k) => { if (p) { tp++; sum += tp / (k + 1); } });
  return P ? sum / P : NaN;
}
function auc(pos, neg) {
  let s = 0;
  for (const a of pos) for (const b of neg) s += a > b ? 1 : a === b ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

function metrics3(p, idx) {
  const y = idx.map((i) => yAll[i]);
  const cm = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const pred = idx.map((_, k) => [0, 1, 2].reduce((a, c) => (p[k * 3 + c] > p[k * 3 + a] ? c : a), 0));
  y.forEach((t, k) => cm[t][pred[k]]++);
  const n = cm.map((r) => r.reduce((a, b) => a + b, 0));
  const rec = cm.map((r, c) => r[c] / n[c]);
  return {
    n, cm, recall: rec, balancedAcc: rec.reduce((a, b) => a + b, 0) / 3,
    incorrectAsMask: cm[2][0] / n[2], maskedAsNotMask: (cm[0][1] + cm[0][2]) / n[0], unmaskedAsMask: cm[1][0] / n[1],
    ap: LABELS.map((_, c) => ap(idx.map((_, k) => p[k * 3 + c]), y.map((t) => t === c))),
  };
}

function metricsNose(p, idx) {
  // p: [n, 2], class 1 = covered (mask).
  const cov = idx.map((_, k) => p[k * 2 + 1]);
  const by = (c) => cov.filter((_, k) => yAll[idx[k]] === c);
  const m = by(0), u = by(1), inc = by(2);
  return {
    aucMaskVsNoMask: auc(m, u), maskReadCovered: m.filter((v) => v > 0.5).length / m.length, noMaskReadUncovered: u.filter((v) => v <= 0.5).length / u.length,
    incorrectReadCovered: inc.filter((v) => v > 0.5).length / inc.length, incorrectMeanPCovered: inc.reduce((a, b) => a + b, 0) / inc.length,
    aucMaskVsIncorrect: auc(m, inc), nIncorrect: inc.length,
  };
}

/** NOSE_ONLY=1: the pooled-CV nose probe again with the lambda already chosen, saving its predictions. */
async function noseOnly(name) {
  const set = loadSet(name);
  const prev = JSON.parse(fs.readFileSync(`/tmp/probe/results/${name}.json`, 'utf8'));
  const all = faces.map((_, i) => i);
  const noseMap = (c) => (c === 0 ? 1 : c === 1 ? 0 : -1);
  const folds = groupsOf(all, 5, 7);
  const cvn = new Float32Array(all.length * 2);
  for (let f = 0; f < 5; f++) {
    const tr = all.filter((_, k) => folds[k] !== f);
    const te = all.filter((_, k) => folds[k] === f);
    const b = await fitPredict(set, tr, te, noseMap, 2, prev.lambda.best);
    te.forEach((i, k) => cvn.set(b.subarray(k * 2, k * 2 + 2), i * 2));
  }
  fs.writeFileSync(`/tmp/probe/results/${name}.cvn.f32`, Buffer.from(cvn.buffer));
  console.log(name, JSON.stringify(metricsNose(cvn, all)));
}

/** CV_SEED=k: the pooled CV again with other folds (lambda as chosen before), saved as results/<name>~s<k>.*. */
async function otherFolds(name, seed) {
  const set = loadSet(name);
  const prev = JSON.parse(fs.readFileSync(`/tmp/probe/results/${name}.json`, 'utf8'));
  const all = faces.map((_, i) => i);
  const noseMap = (c) => (c === 0 ? 1 : c === 1 ? 0 : -1);
  const folds = groupsOf(all, 5, seed);
  const cv3 = new Float32Array(all.length * 3), cvn = new Float32Array(all.length * 2);
  for (let f = 0; f < 5; f++) {
    const tr = all.filter((_, k) => folds[k] !== f);
    const te = all.filter((_, k) => folds[k] === f);
    const a = await fitPredict(set, tr, te, (c) => c, 3, prev.lambda.best);
    const b = await fitPredict(set, tr, te, noseMap, 2, prev.lambda.best);
    te.forEach((i, k) => { cv3.set(a.subarray(k * 3, k * 3 + 3), i * 3); cvn.set(b.subarray(k * 2, k * 2 + 2), i * 2); });
  }
  const out = { ...prev, cv: { three: metrics3(cv3, all), nose: metricsNose(cvn, all) }, foldSeed: seed };
  const tag = `${name}~s${seed}`;
  fs.writeFileSync(`/tmp/probe/results/${tag}.cv3.f32`, Buffer.from(cv3.buffer));
  fs.writeFileSync(`/tmp/probe/results/${tag}.cvn.f32`, Buffer.from(cvn.buffer));
  fs.writeFileSync(`/tmp/probe/results/${tag}.json`, JSON.stringify(out, null, 1));
  console.log(tag, 'done');
}

async function run(name) {
  if (process.env.NOSE_ONLY === '1') return noseOnly(name);
  if (process.env.CV_SEED) return otherFolds(name, Number(process.env.CV_SEED));
  const set = loadSet(name);
  const all = faces.map((_, i) => i);
  const train = all.filter((i) => faces[i].split === 'train');
  const val = all.filter((i) => faces[i].split === 'val');
  const t0 = Date.now();
  const lam = await chooseLambda(set, train);
  const out = { set: name, D: set.D * (set.crops || [0, 1]).length, lambda: lam };
  const noseMap = (c) => (c === 0 ? 1 : c === 1 ? 0 : -1);
  const p3 = await fitPredict(set, train, val, (c) => c, 3, lam.best);
  const pn = await fitPredict(set, train, val, noseMap, 2, lam.best);
  out.val = { three: metrics3(p3, val), nose: metricsNose(pn, val) };
  // Pooled 5-fold CV by image over all faces.
  const folds = groupsOf(all, 5, 7);
  const cv3 = new Float32Array(all.length * 3), cvn = new Float32Array(all.length * 2);
  for (let f = 0; f < 5; f++) {
    const tr = all.filter((_, k) => folds[k] !== f);
    const te = all.filter((_, k) => folds[k] === f);
    const a = await fitPredict(set, tr, te, (c) => c, 3, lam.best);
    const b = await fitPredict(set, tr, te, noseMap, 2, lam.best);
    te.forEach((i, k) => { cv3.set(a.subarray(k * 3, k * 3 + 3), i * 3); cvn.set(b.subarray(k * 2, k * 2 + 2), i * 2); });
  }
  out.cv = { three: metrics3(cv3, all), nose: metricsNose(cvn, all) };
  fs.writeFileSync(`/tmp/probe/results/${name}.cv3.f32`, Buffer.from(cv3.buffer));
  fs.writeFileSync(`/tmp/probe/results/${name}.cvn.f32`, Buffer.from(cvn.buffer));
  out.seconds = (Date.now() - t0) / 1000;
  fs.writeFileSync(`/tmp/probe/results/${name}.json`, JSON.stringify(out, null, 1));
  console.log(JSON.stringify(out));
}

async function main() {
  fs.mkdirSync('/tmp/probe/results', { recursive: true });
  for (const name of process.argv.slice(2)) await run(name);
}
main().catch((e) => { console.error(e); process.exit(1); });
