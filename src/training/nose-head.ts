/**
 * The nose head (manifest `classifier.nose`; ../shared/notes/incorrect-masks.md, hint 2): a small head on
 * the trunk's features of a crop around the nose tip that answers one question, is the nose covered? Every
 * labelled face teaches it, not only the few incorrect-mask ones: a masked face shows a covered nose, an
 * unmasked face an uncovered one, and a mask below the nose (real or synthetic) an uncovered one too.
 *
 * The exported classifier then moves the share of `mask` that the nose head doubts to `incorrect`:
 * p'(mask) = p(mask) c, p'(incorrect) = p(incorrect) + p(mask) (1 - c), c = p(nose covered). A face reads
 * `mask` only when both heads agree, which is the door's fail-safe side: when in doubt, do not open.
 */

/** One trunk tap in the flattened features: `channels` maps of `grid` x `grid`, channel-major (NCHW). */
export interface NoseTap {
  channels: number;
  grid: number;
  /** The head pools this tap's grid by this factor (NOSE_POOL when absent; 1 keeps the full grid). */
  pool?: number;
}

/** A tap's default pooling for the nose head (4x4 -> 2x2, 2.1.0 and 2.2.0); a tap's `pool` overrides it (2.3.0: 1, the full grid). */
export const NOSE_POOL = 2;

/** The head's classes. */
export const NOSE_CLASSES = ['covered', 'uncovered'] as const;

/** A tap's pooling factor. */
export const tapPool = (t: NoseTap): number => t.pool ?? NOSE_POOL;

/** Features of the trunk's taps as the graph pools them for the nose head (AveragePool by each tap's tapPool, then flattened). */
export function poolNoseFeatures(x: Float32Array, n: number, d: number, taps: readonly NoseTap[]): { x: Float32Array; d: number } {
  const size = taps.reduce((s, t) => s + t.channels * t.grid * t.grid, 0);
  if (size !== d) throw new Error(`nose head: the taps ${JSON.stringify(taps)} hold ${size} features, the trunk gives ${d}`);
  const out = taps.reduce((s, t) => s + t.channels * (t.grid / tapPool(t)) ** 2, 0);
  const y = new Float32Array(n * out);
  for (let r = 0; r < n; r++) {
    let src = r * d;
    let dst = r * out;
    for (const t of taps) {
      const g = t.grid;
      const k = tapPool(t);
      const h = g / k;
      for (let c = 0; c < t.channels; c++) {
        for (let py = 0; py < h; py++) {
          for (let px = 0; px < h; px++) {
            let s = 0;
            for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) s += x[src + c * g * g + (py * k + dy) * g + px * k + dx]!;
            y[dst++] = s / (k * k);
          }
        }
      }
      src += t.channels * g * g;
    }
  }
  return { x: y, d: out };
}

/** The nose head's class for a classifier class (mask, no_mask, incorrect): only a worn mask covers the nose. */
export const noseClass = (cls: number, maskIndex: number): number => (cls === maskIndex ? 0 : 1);

/**
 * The mouth head's reading of a face, where the model has one (MASK_GATE_MOUTH): p(mouth covered) and the class
 * its doubted share of `mask` goes to.
 */
export interface MouthReading {
  covered: number;
  /** The class index of `no_mask`: a face whose mouth shows wears no mask over it. */
  noMask: number;
}

/**
 * The exported graph's combination, in plain numbers: class probabilities `p` and the nose head's p(covered)
 * give the log-probabilities the classifier outputs as its logits (softmax of them gives back p').
 *
 * With a mouth head (hint 2's second question, "is the mouth covered?"), `mask` keeps only the share both
 * heads confirm: p(mask) (1 - m) goes to `no_mask` and p(mask) m (1 - c) to `incorrect`, m = p(mouth
 * covered). Without one (m = 1) this is the nose head's combination exactly.
 */
export function combineNose(p: readonly number[], covered: number, mask: number, incorrect: number, mouth?: MouthReading): number[] {
  const m = mouth?.covered ?? 1;
  const toNoMask = mouth ? p[mask]! * (1 - m) : 0;
  const moved = mouth ? p[mask]! * m * (1 - covered) : p[mask]! * (1 - covered);
  return p.map((v, i) => Math.log(Math.max(i === mask ? v - moved - toNoMask : i === incorrect ? v + moved : mouth && i === mouth.noMask ? v + toNoMask : v, NOSE_EPS)));
}

/** The mouth head's class for a classifier class: `mask` covers the mouth, `no_mask` does not; `incorrect` (a mask below the nose or on the chin) teaches it nothing (-1). */
export const mouthClass = (cls: number, maskIndex: number, noMaskIndex: number): number => (cls === maskIndex ? 0 : cls === noMaskIndex ? 1 : -1);

/** The least probability before the log, so that a class at probability 0 (or rounded below it) gives a finite logit. */
export const NOSE_EPS = 1e-6;
