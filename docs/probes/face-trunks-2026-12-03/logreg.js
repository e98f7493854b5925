// Weighted multinomial logistic regression with L2 (not on the bias), fitted by L-BFGS; the big products
// run in onnxruntime (two 1-node Gemm graphs), everything else in JS. Deterministic: zero init.
'use strict';
const ort = require('/work/main/node_modules/onnxruntime-node');
const { onnx } = require('/work/main/node_modules/onnx-proto');

function gemmModel(transA) {
  const vi = (name, dims) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimParam: d })) } } } });
  return Buffer.from(onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'g', node: [{ opType: 'Gemm', input: ['A', 'B'], output: ['Y'], attribute: [{ name: 'transA', type: 2, i: transA ? 1 : 0 }] }],
      input: [vi('A', ['m', 'k']), vi('B', ['k2', 'n'])], output: [vi('Y', ['r', 'n'])] },
  }).finish());
}

let sessions = null;
async function init() {
  if (!sessions) {
    const o = { intraOpNumThreads: 1, interOpNumThreads: 1 };
    sessions = [await ort.InferenceSession.create(gemmModel(false), o), await ort.InferenceSession.create(gemmModel(true), o)];
  }
}
async function mm(A, m, k, B, n, transA = false) {
  // A is [m, k]; B is [k, n] (A B), or [m, n] with transA (A^T B).
  const r = await sessions[transA ? 1 : 0].run({ A: new ort.Tensor('float32', A, [m, k]), B: new ort.Tensor('float32', B, [transA ? m : k, n]) });
  return r.Y.data;
}

/**
 * X: Float32Array [N, D] (standardised), y: Int32Array labels 0..K-1, w: sample weights.
 * Returns { W [D, K], b [K] }.
 */
async function fit(X, N, D, y, K, w, lambda, maxIter = 150) {
  await init();
  const P = D * K + K;
  const theta = new Float64Array(P);
  const wsum = w.reduce((a, b) => a + b, 0);
  const lossGrad = async (th) => {
    const W = new Float32Array(D * K);
    for (let i = 0; i < D * K; i++) W[i] = th[i];
    const Z = await mm(X, N, D, W, K);
    const G = new Float32Array(N * K);
    let loss = 0;
    const gb = new Float64Array(K);
    for (let i = 0; i < N; i++) {
      let mx = -Infinity;
      for (let c = 0; c < K; c++) mx = Math.max(mx, Z[i * K + c] + th[D * K + c]);
      let s = 0;
      for (let c = 0; c < K; c++) s += Math.exp(Z[i * K + c] + th[D * K + c] - mx);
      const lse = mx + Math.log(s);
      loss += w[i] * (lse - Z[i * K + y[i]] - th[D * K + y[i]]);
      for (let c = 0; c < K; c++) {
        const p = Math.exp(Z[i * K + c] + th[D * K + c] - lse);
        const g = (w[i] * (p - (c === y[i] ? 1 : 0))) / wsum;
        G[i * K + c] = g;
        gb[c] += g;
      }
    }
    loss /= wsum;
    const GW = await mm(X, N, D, G, K, true); // X^T G: [D, K]
    const grad = new Float64Array(P);
    let reg = 0;
    for (let i = 0; i < D * K; i++) {
      grad[i] = GW[i] + lambda * th[i];
      reg += th[i] * th[i];
    }
    for (let c = 0; c < K; c++) grad[D * K + c] = gb[c];
    return { loss: loss + 0.5 * lambda * reg, grad };
  };
  const dot = (a, b) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };
  const S = [], Y = [], R = [];
  let { loss, grad } = await lossGrad(theta);
  for (let it = 0; it < maxIter; it++) {
    // Two-loop recursion.
    const q = Float64Array.from(grad);
    const al = [];
    for (let j = S.length - 1; j >= 0; j--) {
      const a = R[j] * dot(S[j], q);
      al[j] = a;
      for (let i = 0; i < P; i++) q[i] -= a * Y[j][i];
    }
    const gamma = S.length ? dot(S[S.length - 1], Y[Y.length - 1]) / dot(Y[Y.length - 1], Y[Y.length - 1]) : 1 / Math.sqrt(dot(grad, grad));
    for (let i = 0; i < P; i++) q[i] *= gamma;
    for (let j = 0; j < S.length; j++) {
      const bta = R[j] * dot(Y[j], q);
      for (let i = 0; i < P; i++) q[i] += S[j][i] * (al[j] - bta);
    }
    const dir = q.map((v) => -v);
    const gd = dot(grad, dir);
    if (gd >= 0) break;
    let step = 1;
    let next = null;
    const cand = new Float64Array(P);
    for (let ls = 0; ls < 20; ls++) {
      for (let i = 0; i < P; i++) cand[i] = theta[i] + step * dir[i];
      next = await lossGrad(cand);
      if (next.loss <= loss + 1e-4 * step * gd) break;
      step *= 0.5;
    }
    const s = new Float64Array(P), yv = new Float64Array(P);
    for (let i = 0; i < P; i++) { s[i] = cand[i] - theta[i]; yv[i] = next.grad[i] - grad[i]; }
    const sy = dot(s, yv);
    if (sy > 1e-12) { S.push(s); Y.push(yv); R.push(1 / sy); if (S.length > 10) { S.shift(); Y.shift(); R.shift(); } }
    const rel = (loss - next.loss) / Math.max(1e-12, Math.abs(loss));
    theta.set(cand);
    loss = next.loss;
    grad = next.grad;
    if (rel < 1e-7 && it > 5) break;
  }
  const W = new Float32Array(D * K);
  for (let i = 0; i < D * K; i++) W[i] = theta[i];
  return { W, b: Float32Array.from(theta.subarray(D * K)), loss };
}

async function predict(model, X, N, D, K) {
  await init();
  const Z = await mm(X, N, D, model.W, K);
  const out = new Float32Array(N * K);
  for (let i = 0; i < N; i++) {
    let mx = -Infinity;
    for (let c = 0; c < K; c++) mx = Math.max(mx, Z[i * K + c] + model.b[c]);
    let s = 0;
    for (let c = 0; c < K; c++) s += (out[i * K + c] = Math.exp(Z[i * K + c] + model.b[c] - mx));
    for (let c = 0; c < K; c++) out[i * K + c] /= s;
  }
  return out;
}

module.exports = { fit, predict };
