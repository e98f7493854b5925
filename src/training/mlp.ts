import { gauss, rng, shuffle } from './random';
import { Progress } from './progress';

/**
 * The classifier head, trained in plain TypeScript on cached trunk features: one hidden ReLU layer, a
 * class head (softmax cross-entropy, weighted per class) and a box head (Huber loss on x1, y1, x2, y2
 * as crop fractions, faces only). Adam; deterministic for a seed.
 */
export interface HeadData {
  /** [n, d] standardised features. */
  x: Float32Array;
  n: number;
  d: number;
  /** Class index per sample. */
  y: Int32Array;
  /** [n, 4] box targets; NaN where there is none (not_face). */
  box: Float32Array;
}

export interface HeadOptions {
  hidden: number;
  classes: number;
  epochs: number;
  batch: number;
  lr: number;
  weightDecay: number;
  dropout: number;
  classWeights: number[];
  boxWeight: number;
  huber: number;
  seed: number;
}

export interface Head {
  d: number;
  h: number;
  k: number;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
  w3: Float32Array;
  b3: Float32Array;
}

class Adam {
  private m: Float32Array;
  private v: Float32Array;
  private t = 0;
  constructor(private readonly p: Float32Array) {
    this.m = new Float32Array(p.length);
    this.v = new Float32Array(p.length);
  }
  step(g: Float32Array, lr: number, wd: number): void {
    this.t++;
    const b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const c1 = 1 - b1 ** this.t, c2 = 1 - b2 ** this.t;
    const { p, m, v } = this;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]! + wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * gi;
      v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
      p[i] = p[i]! - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
    }
  }
}

export function initHead(d: number, h: number, k: number, seed: number): Head {
  const rand = rng(seed);
  const he = (fanIn: number, n: number) => Float32Array.from({ length: n }, () => gauss(rand) * Math.sqrt(2 / fanIn));
  return {
    d, h, k,
    w1: he(d, d * h), b1: new Float32Array(h),
    w2: he(h, h * k).map((v) => v * 0.1), b2: new Float32Array(k),
    w3: he(h, h * 4).map((v) => v * 0.01), b3: Float32Array.from([0.15, 0.15, 0.85, 0.85]),
  };
}

/** Hidden activations and outputs for rows `rows` of x. */
export function forward(head: Head, x: Float32Array, rows: ArrayLike<number>, mask?: Float32Array, xw1?: Float32Array): { hid: Float32Array; logits: Float32Array; box: Float32Array } {
  const { d, h, k } = head;
  const B = rows.length;
  const hid = new Float32Array(B * h);
  for (let b = 0; b < B; b++) {
    const xo = rows[b]! * d;
    const ho = b * h;
    for (let j = 0; j < h; j++) hid[ho + j] = head.b1[j]! + (xw1 ? xw1[ho + j]! : 0);
    for (let i = 0; !xw1 && i < d; i++) {
      const xv = x[xo + i]!;
      if (xv === 0) continue;
      const wo = i * h;
      for (let j = 0; j < h; j++) hid[ho + j]! += xv * head.w1[wo + j]!;
    }
    for (let j = 0; j < h; j++) {
      const v = hid[ho + j]!;
      hid[ho + j] = v > 0 ? v * (mask ? mask[ho + j]! : 1) : 0;
    }
  }
  const logits = new Float32Array(B * k);
  const box = new Float32Array(B * 4);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < k; c++) {
      let s = head.b2[c]!;
      for (let j = 0; j < h; j++) s += hid[b * h + j]! * head.w2[j * k + c]!;
      logits[b * k + c] = s;
    }
    for (let c = 0; c < 4; c++) {
      let s = head.b3[c]!;
      for (let j = 0; j < h; j++) s += hid[b * h + j]! * head.w3[j * 4 + c]!;
      box[b * 4 + c] = s;
    }
  }
  return { hid, logits, box };
}

export function softmaxRow(logits: Float32Array, b: number, k: number): number[] {
  const row = Array.from(logits.subarray(b * k, b * k + k));
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, c) => a + c, 0);
  return e.map((v) => v / s);
}

/** Matrix products done elsewhere (onnxruntime): A B and A^T B, row-major. */
export interface MatMul {
  ab(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Promise<Float32Array>;
  atb(a: Float32Array, k: number, m: number, b: Float32Array, n: number): Promise<Float32Array>;
}

export async function trainHead(data: HeadData, o: HeadOptions, mm: MatMul, onEpoch?: (epoch: number, head: Head, loss: number) => void): Promise<Head> {
  const head = initHead(data.d, o.hidden, o.classes, o.seed);
  const rand = rng(o.seed + 1);
  const { d, h, k } = head;
  const opt = [head.w1, head.b1, head.w2, head.b2, head.w3, head.b3].map((p) => new Adam(p));
  const order = Array.from({ length: data.n }, (_, i) => i);
  const steps = Math.ceil(data.n / o.batch) * o.epochs;
  let step = 0;
  const bar = new Progress('train head', steps);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    shuffle(order, rand);
    let lossSum = 0;
    for (let start = 0; start < data.n; start += o.batch) {
      const rows = order.slice(start, start + o.batch);
      const B = rows.length;
      const mask = new Float32Array(B * h);
      for (let i = 0; i < mask.length; i++) mask[i] = rand() < o.dropout ? 0 : 1 / (1 - o.dropout);
      const xb = new Float32Array(B * d);
      rows.forEach((r, b) => xb.set(data.x.subarray(r * d, r * d + d), b * d));
      const xw1 = await mm.ab(xb, B, d, head.w1, h);
      const { hid, logits, box } = forward(head, data.x, rows, mask, xw1);
      // Gradients of the mean weighted loss.
      const dl = new Float32Array(B * k);
      const db = new Float32Array(B * 4);
      let wsum = 0;
      for (let b = 0; b < B; b++) wsum += o.classWeights[data.y[rows[b]!]!]!;
      for (let b = 0; b < B; b++) {
        const r = rows[b]!;
        const y = data.y[r]!;
        const w = o.classWeights[y]! / wsum;
        const p = softmaxRow(logits, b, k);
        lossSum += -Math.log(Math.max(p[y]!, 1e-9)) * w;
        for (let c = 0; c < k; c++) dl[b * k + c] = (p[c]! - (c === y ? 1 : 0)) * w;
        if (!Number.isNaN(data.box[r * 4]!)) {
          for (let c = 0; c < 4; c++) {
            const e = box[b * 4 + c]! - data.box[r * 4 + c]!;
            const g = Math.abs(e) <= o.huber ? e : Math.sign(e) * o.huber;
            db[b * 4 + c] = (o.boxWeight * g) / B;
            lossSum += (o.boxWeight * (Math.abs(e) <= o.huber ? 0.5 * e * e : o.huber * (Math.abs(e) - 0.5 * o.huber))) / B;
          }
        }
      }
      const gw2 = new Float32Array(h * k), gb2 = new Float32Array(k), gw3 = new Float32Array(h * 4), gb3 = new Float32Array(4);
      const dh = new Float32Array(B * h);
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < h; j++) {
          const hv = hid[b * h + j]!;
          let g = 0;
          for (let c = 0; c < k; c++) {
            gw2[j * k + c]! += hv * dl[b * k + c]!;
            g += head.w2[j * k + c]! * dl[b * k + c]!;
          }
          for (let c = 0; c < 4; c++) {
            gw3[j * 4 + c]! += hv * db[b * 4 + c]!;
            g += head.w3[j * 4 + c]! * db[b * 4 + c]!;
          }
          // ReLU and dropout: hid is zero where either cut the unit; the mask scale carries through.
          dh[b * h + j] = hv > 0 ? g * mask[b * h + j]! : 0;
        }
        for (let c = 0; c < k; c++) gb2[c]! += dl[b * k + c]!;
        for (let c = 0; c < 4; c++) gb3[c]! += db[b * 4 + c]!;
      }
      const gb1 = new Float32Array(h);
      for (let b = 0; b < B; b++) for (let j = 0; j < h; j++) gb1[j]! += dh[b * h + j]!;
      const gw1 = await mm.atb(xb, B, d, dh, h);
      const lr = o.lr * 0.5 * (1 + Math.cos((Math.PI * step) / steps));
      [gw1, gb1, gw2, gb2, gw3, gb3].forEach((g, i) => opt[i]!.step(g, lr, i % 2 === 0 ? o.weightDecay : 0));
      step++;
      bar.tick(step, `epoch ${epoch + 1}/${o.epochs}`);
    }
    onEpoch?.(epoch, head, lossSum / Math.ceil(data.n / o.batch));
  }
  bar.done();
  return head;
}

/**
 * Heads of the same inputs averaged into one head: their hidden layers side by side, the outputs (logits
 * and boxes) the mean of theirs. Exactly the ensemble's average, exported as one wider layer.
 */
export function ensembleHeads(heads: readonly Head[]): Head {
  const e = heads.length;
  const { d, k } = heads[0]!;
  const h = heads.reduce((n, x) => n + x.h, 0);
  const w1 = new Float32Array(d * h);
  const b1 = new Float32Array(h);
  const w2 = new Float32Array(h * k);
  const b2 = new Float32Array(k);
  const w3 = new Float32Array(h * 4);
  const b3 = new Float32Array(4);
  let off = 0;
  for (const x of heads) {
    if (x.d !== d || x.k !== k) throw new Error(`ensembleHeads: expected heads of ${d} inputs and ${k} classes, got ${x.d} and ${x.k}`);
    for (let i = 0; i < d; i++) for (let j = 0; j < x.h; j++) w1[i * h + off + j] = x.w1[i * x.h + j]!;
    for (let j = 0; j < x.h; j++) {
      b1[off + j] = x.b1[j]!;
      for (let c = 0; c < k; c++) w2[(off + j) * k + c] = x.w2[j * k + c]! / e;
      for (let c = 0; c < 4; c++) w3[(off + j) * 4 + c] = x.w3[j * 4 + c]! / e;
    }
    for (let c = 0; c < k; c++) b2[c]! += x.b2[c]! / e;
    for (let c = 0; c < 4; c++) b3[c]! += x.b3[c]! / e;
    off += x.h;
  }
  return { d, h, k, w1, b1, w2, b2, w3, b3 };
}
