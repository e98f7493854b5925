/**
 * Static int8 quantization of a float ONNX network, as a QDQ graph that onnxruntime's CPU provider fuses
 * into integer kernels (QLinearConv, QLinearAdd, QGemm, ...):
 *
 * - Weights of Conv, Gemm and MatMul: int8, symmetric (zero point 0, range -127..127), one scale per
 *   output channel, stored as int8 initializers read through DequantizeLinear (axis = the output channel).
 *   Biases: int32 at scale input scale x weight scale (what the integer kernels add), when the input is
 *   quantized; otherwise float.
 * - Activations: uint8, asymmetric, scale and zero point from a calibrated range (min/max, or a
 *   percentile: quantize-calibrate.ts) widened to hold 0 (so zero padding is exact). Every output of Conv, Gemm, MatMul, Add, AveragePool and Concat goes
 *   through QuantizeLinear, and its readers take the DequantizeLinear of it.
 * - A Relu whose input comes only from such an op is folded away: the op's output is quantized with the
 *   Relu's range, whose zero point is then 0, and uint8 saturation at 0 is the Relu.
 * - Data movement (Transpose, Reshape, Flatten, MaxPool, zero Pad) runs on the uint8 tensor itself with
 *   the same scale and zero point, which is exact (MaxPool is monotonic; a Pad's 0 is the zero point).
 * - Graph outputs stay float, and so do `floatNodes` (whole nodes kept as they were; their inputs are
 *   read dequantized).
 *
 * Calibration (which tensors to measure, and a copy of the graph that outputs them) is here too; running
 * it is quantize-calibrate.ts.
 */
import { onnx } from 'onnx-proto';
import { floatValues, toNum } from '../detector/onnx-tensor';
import { decodeModel, encodeModel } from './onnx-graph';

type Node = onnx.INodeProto;
const DT = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

/** Ops whose output is requantized from its own calibrated range. */
const COMPUTE = new Set(['Conv', 'Gemm', 'MatMul', 'Add', 'AveragePool', 'Concat']);
/** Ops with a weight input (index 1) quantized per output channel. */
const WEIGHTED = new Set(['Conv', 'Gemm', 'MatMul']);
/** Ops that move or select values without changing them: run on uint8 with their input's parameters. */
const MOVE = new Set(['Transpose', 'Reshape', 'Flatten', 'MaxPool', 'Pad']);

export interface Range {
  min: number;
  max: number;
}

export interface QParams {
  scale: number;
  zeroPoint: number;
}

/** uint8 parameters for a calibrated range, widened to hold 0 so that 0 is exact. */
export function activationParams(r: Range): QParams {
  const lo = Math.min(0, r.min);
  let hi = Math.max(0, r.max);
  if (!(hi - lo > 1e-12)) hi = lo + 1e-6;
  const scale = (hi - lo) / 255;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, zeroPoint };
}

/**
 * Symmetric int8 per-channel quantization of a weight tensor along `axis`: scale = max |w| / 127 per
 * channel (1 for an all-zero channel), values rounded and clamped to -127..127.
 */
export function quantizeWeights(w: Float32Array, dims: number[], axis: number): { q: Int8Array; scales: Float32Array } {
  const channels = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < w.length; i++) maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)]!, Math.abs(w[i]!));
  const scales = Float32Array.from(maxAbs, (m) => (m > 0 ? m / 127 : 1));
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(w[i]! / scales[channelOf(i)]!)));
  return { q, scales };
}

/** Tensors whose range calibration needs: the outputs of COMPUTE ops and of Relus (graph inputs are read from the feeds). */
export function calibrationTensors(bytes: Uint8Array): string[] {
  const g = decodeModel(bytes).graph!;
  const outputs = new Set(g.output!.map((o) => o.name!));
  return g.node!.filter((n) => COMPUTE.has(n.opType!) || n.opType === 'Relu').map((n) => n.output![0]!).filter((t) => !outputs.has(t));
}

/** The float network with `tensors` added as graph outputs, for calibration runs. */
export function withOutputs(bytes: Uint8Array, tensors: readonly string[]): Uint8Array {
  const m = decodeModel(bytes);
  const g = m.graph!;
  const have = new Set(g.output!.map((o) => o.name!));
  for (const t of tensors) if (!have.has(t)) g.output!.push({ name: t, type: { tensorType: { elemType: DT.FLOAT } } });
  return encodeModel(m);
}

/**
 * The nodes that write a graph output through data movement and Concat only (BlazeFace's regressor and
 * score convolutions, a classifier's last Gemms): candidates to keep float, since their outputs are the
 * boxes and scores themselves.
 */
export function outputHeads(bytes: Uint8Array): string[] {
  const g = decodeModel(bytes).graph!;
  const producer = new Map<string, Node>();
  for (const n of g.node!) for (const o of n.output!) producer.set(o, n);
  const heads = new Set<string>();
  const visit = (t: string) => {
    const p = producer.get(t);
    if (!p) return;
    if (WEIGHTED.has(p.opType!)) heads.add(p.name!);
    else if (MOVE.has(p.opType!) || p.opType === 'Concat') for (const i of p.input!) visit(i);
  };
  for (const o of g.output!) visit(o.name!);
  return [...heads];
}

export interface QuantizeOptions {
  /** Node names kept float (weights and output). */
  floatNodes?: readonly string[];
}

export interface QuantizeReport {
  bytes: Uint8Array;
  /** Weighted nodes given int8 weights. */
  weights: string[];
  /** Activation tensors given a QuantizeLinear. */
  activations: number;
  /** Relus folded into the quantization of their input. */
  foldedRelus: number;
  /** Data movement nodes run on uint8. */
  moved: number;
}

/** The QDQ copy of a float network, given the calibrated range of every tensor calibrationTensors names (and of each graph input). */
export function quantizeModel(bytes: Uint8Array, ranges: ReadonlyMap<string, Range>, opts: QuantizeOptions = {}): QuantizeReport {
  const m = decodeModel(bytes);
  const g = m.graph!;
  // Per-channel DequantizeLinear (the axis attribute) needs opset 13; the ops these networks use mean
  // the same at 12 and 13.
  const def = m.opsetImport!.find((o) => !o.domain);
  if (!def) throw new Error('quantize: the model has no default-domain opset');
  if (toNum(def.version) < 13) def.version = 13;
  if (toNum(def.version) > 20) throw new Error(`quantize: opset ${toNum(def.version)} not checked`);

  const floatNodes = new Set(opts.floatNodes ?? []);
  const inits = new Map(g.initializer!.map((t) => [t.name!, t]));
  const graphOutputs = new Set(g.output!.map((o) => o.name!));
  const consumers = new Map<string, Node[]>();
  for (const n of g.node!) for (const i of n.input!) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const producers = new Map<string, Node>();
  for (const n of g.node!) for (const o of n.output!) producers.set(o, n);

  // Fold Relus into the quantization of the op before them.
  let nodes = g.node!;
  const rangeOf = new Map(ranges);
  let foldedRelus = 0;
  const drop = new Set<Node>();
  for (const r of nodes) {
    if (r.opType !== 'Relu') continue;
    const u = r.input![0]!;
    const p = producers.get(u);
    const out = r.output![0]!;
    if (!p || !COMPUTE.has(p.opType!) || floatNodes.has(p.name!) || graphOutputs.has(u) || graphOutputs.has(out) || (consumers.get(u) ?? []).length !== 1) continue;
    const rr = ranges.get(out);
    if (!rr) continue;
    p.output![0] = out;
    rangeOf.set(out, { min: 0, max: rr.max });
    drop.add(r);
    foldedRelus++;
  }
  nodes = nodes.filter((n) => !drop.has(n));

  /** Quantized tensors: their parameters and the initializers holding them (shared along data movement). */
  const params = new Map<string, QParams & { scaleName: string; zeroName: string }>();
  const qName = (t: string) => `${t}_q`;
  const dqName = (t: string) => `${t}_dq`;
  const out: Node[] = [];
  const newInits: onnx.ITensorProto[] = [];
  const dqDone = new Set<string>();
  const weights: string[] = [];
  let activations = 0;
  let moved = 0;

  const scalar = (name: string, type: number, v: number): string => {
    newInits.push(type === DT.FLOAT ? { name, dims: [], dataType: type, floatData: [v] } : { name, dims: [], dataType: type, rawData: Uint8Array.of(v) });
    return name;
  };
  /** QuantizeLinear of float tensor `t` (written under the name `src`) into qName(t). */
  const quantizeTensor = (t: string, src: string, p: QParams): Node => {
    activations++;
    const s = scalar(`${t}_scale`, DT.FLOAT, p.scale);
    const z = scalar(`${t}_zero_point`, DT.UINT8, p.zeroPoint);
    params.set(t, { ...p, scaleName: s, zeroName: z });
    return { opType: 'QuantizeLinear', name: `${t}_QuantizeLinear`, input: [src, s, z], output: [qName(t)] };
  };
  /** The float reading of a quantized tensor, emitting its DequantizeLinear once. */
  const dequantized = (t: string): string => {
    if (!dqDone.has(t)) {
      dqDone.add(t);
      const p = params.get(t)!;
      out.push({ opType: 'DequantizeLinear', name: `${t}_DequantizeLinear`, input: [qName(t), p.scaleName, p.zeroName], output: [dqName(t)] });
    }
    return dqName(t);
  };

  for (const inp of g.input!) {
    const t = inp.name!;
    const r = rangeOf.get(t);
    if (inits.has(t) || !r || inp.type?.tensorType?.elemType !== DT.FLOAT) continue;
    out.push(quantizeTensor(t, t, activationParams(r)));
  }

  for (const n of nodes) {
    const op = n.opType!;
    const o = n.output![0]!;
    if (!floatNodes.has(n.name!) && MOVE.has(op) && params.has(n.input![0]!) && !graphOutputs.has(o) && movable(n, inits)) {
      const p = params.get(n.input![0]!)!;
      n.input![0] = qName(n.input![0]!);
      if (op === 'Pad') n.input![2] = scalar(`${o}_pad_value`, DT.UINT8, p.zeroPoint);
      n.output![0] = qName(o);
      params.set(o, p);
      out.push(n);
      moved++;
      continue;
    }
    // Every other node reads its quantized inputs dequantized.
    const xIn = n.input![0]!;
    const xParams = params.get(xIn);
    n.input = n.input!.map((i) => (params.has(i) ? dequantized(i) : i));
    const quantizable = !floatNodes.has(n.name!) && COMPUTE.has(op);
    if (quantizable && WEIGHTED.has(op)) {
      const dq = quantizeWeightInput(n, inits, xParams, newInits);
      if (dq) {
        out.push(...dq);
        weights.push(n.name!);
      }
    }
    out.push(n);
    const r = rangeOf.get(o);
    if (quantizable && r && !graphOutputs.has(o)) {
      // The op writes a private float name; its readers see the quantized tensor under qName(o).
      n.output![0] = `${o}_float`;
      out.push(quantizeTensor(o, `${o}_float`, activationParams(r)));
    }
  }
  // Readers were rewritten as they came; a tensor read before its producer cannot happen in a sorted graph.
  g.node = out;
  g.initializer = [...g.initializer!, ...newInits];
  const used = new Set(out.flatMap((x) => x.input!));
  g.initializer = g.initializer.filter((t) => used.has(t.name!));
  g.valueInfo = [];
  m.producerName = 'mask-gate quantize';
  return { bytes: encodeModel(m), weights, activations, foldedRelus, moved };
}

/** Pad only with constant zeros (the zero point then stands for 0); MaxPool only without indices. */
function movable(n: Node, inits: Map<string, onnx.ITensorProto>): boolean {
  if (n.opType === 'MaxPool') return n.output!.length === 1;
  if (n.opType !== 'Pad') return true;
  const mode = n.attribute!.find((a) => a.name === 'mode')?.s;
  if (mode && mode.length && new TextDecoder().decode(mode) !== 'constant') return false;
  const fill = n.input![2] ? inits.get(n.input![2]!) : undefined;
  if (n.input![2] && !fill) return false;
  return !fill || floatValues(fill).every((v) => v === 0);
}

/**
 * Points a Conv, Gemm or MatMul at int8 weights (and an int32 bias when its input is quantized) read
 * through per-channel DequantizeLinear nodes: the new initializers go into `newInits`, the nodes are
 * returned for the caller to place before `n`. Null (node left float) when the weight is no float
 * initializer or the Gemm is not a plain product.
 */
function quantizeWeightInput(n: Node, inits: Map<string, onnx.ITensorProto>, xParams: QParams | undefined, newInits: onnx.ITensorProto[]): Node[] | null {
  const wName = n.input![1]!;
  const w = inits.get(wName);
  // A weight shared by two nodes stays float for the second (its int8 copy is already named).
  if (!w || w.dataType !== DT.FLOAT || newInits.some((t) => t.name === `${wName}_int8`)) return null;
  const dims = w.dims!.map(toNum);
  const attr = (k: string, d: number) => {
    const a = n.attribute!.find((x) => x.name === k);
    return a ? (a.type === A.FLOAT ? a.f! : toNum(a.i)) : d;
  };
  let axis: number;
  if (n.opType === 'Conv') axis = 0;
  else if (n.opType === 'Gemm') {
    if (attr('alpha', 1) !== 1 || attr('beta', 1) !== 1 || attr('transA', 0) !== 0 || dims.length !== 2) return null;
    axis = attr('transB', 0) ? 0 : 1;
  } else {
    if (dims.length !== 2) return null;
    axis = 1;
  }
  const { q, scales } = quantizeWeights(floatValues(w), dims, axis);
  const base = n.name || wName;
  newInits.push(
    { name: `${wName}_int8`, dims, dataType: DT.INT8, rawData: new Uint8Array(q.buffer) },
    { name: `${wName}_scale`, dims: [scales.length], dataType: DT.FLOAT, rawData: new Uint8Array(scales.buffer) },
    { name: `${wName}_zero_point`, dims: [scales.length], dataType: DT.INT8, rawData: new Uint8Array(scales.length) },
  );
  const dq: Node[] = [{ opType: 'DequantizeLinear', name: `${base}_weight_DequantizeLinear`, input: [`${wName}_int8`, `${wName}_scale`, `${wName}_zero_point`], output: [`${wName}_dq`], attribute: [{ name: 'axis', type: A.INT, i: axis }] }];
  n.input![1] = `${wName}_dq`;
  const bName = n.input![2];
  const b = bName ? inits.get(bName) : undefined;
  if (b && xParams && b.dataType === DT.FLOAT && toNum(b.dims!.length) === 1 && toNum(b.dims![0]) === scales.length) {
    const bv = floatValues(b);
    const bScales = Float32Array.from(scales, (s) => s * xParams.scale);
    const bq = Int32Array.from(bv, (v, i) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(v / bScales[i]!))));
    newInits.push(
      { name: `${bName}_int32`, dims: [bv.length], dataType: DT.INT32, rawData: new Uint8Array(bq.buffer) },
      { name: `${bName}_scale`, dims: [bv.length], dataType: DT.FLOAT, rawData: new Uint8Array(bScales.buffer) },
      { name: `${bName}_zero_point`, dims: [bv.length], dataType: DT.INT32, rawData: new Uint8Array(4 * bv.length) },
    );
    dq.push({ opType: 'DequantizeLinear', name: `${base}_bias_DequantizeLinear`, input: [`${bName}_int32`, `${bName}_scale`, `${bName}_zero_point`], output: [`${bName}_dq`], attribute: [{ name: 'axis', type: A.INT, i: 0 }] });
    n.input![2] = `${bName}_dq`;
  }
  return dq;
}
