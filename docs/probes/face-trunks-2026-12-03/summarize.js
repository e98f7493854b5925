// Table of probe results (results/*.json) and a paired bootstrap by image of the pooled-CV differences vs A.
'use strict';
const fs = require('fs');
const faces = require('./feat/faces.json');
const LABELS = ['mask', 'no_mask', 'incorrect'];
const y = faces.map((f) => LABELS.indexOf(f.label));
const sets = process.argv.slice(2);
const R = Object.fromEntries(sets.map((s) => [s, JSON.parse(fs.readFileSync(`results/${s}.json`, 'utf8'))]));
const pct = (v) => (100 * v).toFixed(1);
for (const part of ['val', 'cv']) {
  console.log(`\n### ${part === 'val' ? 'Project split: train -> val' : 'Pooled 5-fold CV by image (all 853 images)'}\n`);
  console.log('| features | D | lambda | acc mask | acc no_mask | acc incorrect | bal. acc | incorrect->mask | masked->not mask | unmasked->mask | AP no_mask | AP incorrect | nose AUC m/u | incorrect read covered | nose AUC mask vs incorrect |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of sets) {
    const r = R[s][part]; const t = r.three; const n = r.nose;
    console.log(`| ${s} | ${R[s].D} | ${R[s].lambda.best} | ${pct(t.recall[0])} | ${pct(t.recall[1])} | ${pct(t.recall[2])} (${t.cm[2][2]}/${t.n[2]}) | ${pct(t.balancedAcc)} | ${pct(t.incorrectAsMask)} | ${pct(t.maskedAsNotMask)} | ${pct(t.unmaskedAsMask)} | ${t.ap[1].toFixed(3)} | ${t.ap[2].toFixed(3)} | ${n.aucMaskVsNoMask.toFixed(3)} | ${pct(n.incorrectReadCovered)} | ${n.aucMaskVsIncorrect.toFixed(3)} |`);
  }
  for (const s of sets) console.log(`${s} ${part} confusion (rows true mask/no_mask/incorrect, cols predicted): ${JSON.stringify(R[s][part].three.cm)}`);
}
// Paired bootstrap by image on pooled CV predictions: B - A.
const imgs = [...new Set(faces.map((f) => f.image))];
const byImg = new Map(imgs.map((im) => [im, []]));
faces.forEach((f, i) => byImg.get(f.image).push(i));
const load = (s) => { const b = fs.readFileSync(`results/${s}.cv3.f32`); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
function stats(p, idx) {
  const pred = (i) => [0, 1, 2].reduce((a, c) => (p[i * 3 + c] > p[i * 3 + a] ? c : a), 0);
  const rec = [0, 1, 2].map((c) => { const m = idx.filter((i) => y[i] === c); return m.filter((i) => pred(i) === c).length / m.length; });
  const o = idx.map((i) => [p[i * 3 + 2], y[i] === 2]).sort((a, b) => b[0] - a[0]);
  let tp = 0, sum = 0; o.forEach(([, q], k) => { if (q) { tp++; sum += tp / (k + 1); } });
  return { inc: rec[2], nom: rec[1], bal: (rec[0] + rec[1] + rec[2]) / 3, apInc: sum / Math.max(1, tp) };
}
let seed = 99; const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const base = sets[0]; const pa = load(base);
console.log(`\n### Pooled CV, paired bootstrap by image (1000 resamples): difference vs ${base}, mean [2.5%, 97.5%] in points\n`);
for (const s of sets.slice(1)) {
  const pb = load(s); const acc = { inc: [], nom: [], bal: [], apInc: [] };
  for (let b = 0; b < 1000; b++) {
    const idx = []; for (let k = 0; k < imgs.length; k++) idx.push(...byImg.get(imgs[Math.floor(rnd() * imgs.length)]));
    const A = stats(pa, idx), B = stats(pb, idx); for (const k of Object.keys(acc)) acc[k].push(100 * (B[k] - A[k]));
  }
  const ci = (v) => { v.sort((a, b) => a - b); const m = v.reduce((a, b) => a + b, 0) / v.length; return `${m >= 0 ? '+' : ''}${m.toFixed(1)} [${v[25].toFixed(1)}, ${v[974].toFixed(1)}]`; };
  console.log(`- ${s}: acc incorrect ${ci(acc.inc)}, acc no_mask ${ci(acc.nom)}, balanced acc ${ci(acc.bal)}, AP incorrect ${ci(acc.apInc)}`);
}
// Nose probe: AUC of P(covered) for masked vs incorrect faces (pooled CV), paired bootstrap by image vs the first set.
const loadN = (s) => { try { const b = fs.readFileSync(`results/${s}.cvn.f32`); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); } catch { return null; } };
const na = loadN(base);
if (na) {
  const aucOf = (p, idx) => { const m = idx.filter((i) => y[i] === 0).map((i) => p[i * 2 + 1]).sort((a, b) => a - b); const inc = idx.filter((i) => y[i] === 2).map((i) => p[i * 2 + 1]);
    // P(mask score > incorrect score) with ties as 1/2, by binary search over the sorted mask scores.
    let s = 0; for (const v of inc) { let lo = 0, hi = m.length; while (lo < hi) { const mid = (lo + hi) >> 1; if (m[mid] <= v) lo = mid + 1; else hi = mid; } let eq = 0; for (let k = lo - 1; k >= 0 && m[k] === v; k--) eq++; s += m.length - lo + eq / 2; } return s / (m.length * inc.length); };
  console.log(`\n### Nose probe (pooled CV): AUC mask vs incorrect on P(covered), paired bootstrap difference vs ${base}\n`);
  for (const s of sets.slice(1)) {
    const nb = loadN(s); if (!nb) continue; const d = [];
    for (let b = 0; b < 1000; b++) { const idx = []; for (let k = 0; k < imgs.length; k++) idx.push(...byImg.get(imgs[Math.floor(rnd() * imgs.length)])); d.push(100 * (aucOf(nb, idx) - aucOf(na, idx))); }
    d.sort((a, b) => a - b); const m = d.reduce((a, b) => a + b, 0) / d.length;
    console.log(`- ${s}: ${m >= 0 ? '+' : ''}${m.toFixed(1)} [${d[25].toFixed(1)}, ${d[974].toFixed(1)}] points of AUC`);
  }
}
