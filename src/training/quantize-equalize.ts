/**
 * Cross-layer equalization of depthwise -> pointwise convolution pairs, before quantization. BlazeFace's
 * depthwise outputs differ by orders of magnitude from channel to channel (one channel up to thousands,
 * most near 1), and one uint8 scale per tensor then leaves the small channels a few levels. Between a
 * depthwise convolution and the convolution reading it there is no nonlinearity, so dividing depthwise
 * channel c (weights and bias) by s_c and multiplying the reader's input channel c by s_c computes the
 * same function. s_c = sqrt(a_c / w_c), a_c the channel's calibrated largest |value| and w_c the reader's
 * largest |weight| on that channel, makes the two equal: the activation range and the weight range
 * share the spread between them.
 */
import { onnx } from 'onnx-proto';
import { floatTensor, floatValues, toNum } from '../detector/onnx-tensor';
import { decodeModel, encodeModel } from './onnx-graph';

type Node = onnx.INodeProto;

export interface DepthwisePair {
  depthwise: Node;
  reader: Node;
  /** The depthwise convolution's output tensor. */
  tensor: string;
}

const groupOf = (n: Node) => toNum(n.attribute!.find((a) => a.name === 'group')?.i ?? 1);

function pairsIn(g: onnx.IGraphProto): DepthwisePair[] {
  const inits = new Map(g.initializer!.map((t) => [t.name!, t]));
  const consumers = new Map<string, Node[]>();
  for (const n of g.node!) for (const i of n.input!) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const outputs = new Set(g.output!.map((o) => o.name!));
  const pairs: DepthwisePair[] = [];
  for (const d of g.node!) {
    if (d.opType !== 'Conv' || groupOf(d) === 1) continue;
    const w = inits.get(d.input![1]!);
    const t = d.output![0]!;
    const readers = consumers.get(t) ?? [];
    const r = readers[0];
    if (!w || toNum(w.dims![1]) !== 1 || toNum(w.dims![0]) !== groupOf(d) || outputs.has(t) || readers.length !== 1) continue;
    if (r!.opType !== 'Conv' || groupOf(r!) !== 1 || r!.input![0] !== t) continue;
    const rw = inits.get(r!.input![1]!);
    if (!rw || toNum(rw.dims![1]) !== toNum(w.dims![0])) continue;
    // A weight shared with another node would be rescaled for both.
    const shared = [d.input![1], d.input![2], r!.input![1]].some((x) => x && (consumers.get(x) ?? []).length !== 1);
    if (!shared) pairs.push({ depthwise: d, reader: r!, tensor: t });
  }
  return pairs;
}

/** The depthwise output tensors equalizeDepthwise rescales (calibrate their channel maxima first). */
export function depthwiseOutputs(bytes: Uint8Array): string[] {
  return pairsIn(decodeModel(bytes).graph!).map((p) => p.tensor);
}

/** The network with every depthwise -> convolution pair equalized, given each depthwise output's channel maxima. */
export function equalizeDepthwise(bytes: Uint8Array, channelMax: ReadonlyMap<string, Float32Array>): { bytes: Uint8Array; pairs: number } {
  const m = decodeModel(bytes);
  const g = m.graph!;
  const index = new Map(g.initializer!.map((t, i) => [t.name!, i]));
  const get = (name: string) => g.initializer![index.get(name)!]!;
  const put = (t: onnx.ITensorProto) => (g.initializer![index.get(t.name!)!] = t);
  let done = 0;
  for (const { depthwise: d, reader: r, tensor } of pairsIn(g)) {
    const a = channelMax.get(tensor);
    if (!a) continue;
    const dw = get(d.input![1]!);
    const rw = get(r.input![1]!);
    const c = toNum(dw.dims![0]);
    const dDims = dw.dims!.map(toNum);
    const rDims = rw.dims!.map(toNum);
    const dv = floatValues(dw);
    const rv = floatValues(rw);
    const rk = rDims[2]! * rDims[3]!;
    const wMax = new Float64Array(c);
    for (let o = 0; o < rDims[0]!; o++) for (let k = 0; k < c; k++) for (let j = 0; j < rk; j++) wMax[k] = Math.max(wMax[k]!, Math.abs(rv[(o * c + k) * rk + j]!));
    const s = Array.from({ length: c }, (_, k) => (a[k]! > 0 && wMax[k]! > 0 ? Math.sqrt(a[k]! / wMax[k]!) : 1));
    // Scale-free: only ratios between channels matter, so centre them on 1 (geometric mean).
    const mean = Math.exp(s.reduce((x, v) => x + Math.log(v), 0) / c);
    for (let k = 0; k < c; k++) s[k] = s[k]! / mean;
    const dk = dDims[2]! * dDims[3]!;
    for (let k = 0; k < c; k++) for (let j = 0; j < dk; j++) dv[k * dk + j]! /= s[k]!;
    for (let o = 0; o < rDims[0]!; o++) for (let k = 0; k < c; k++) for (let j = 0; j < rk; j++) rv[(o * c + k) * rk + j]! *= s[k]!;
    put(floatTensor(dw.name!, dDims, dv));
    put(floatTensor(rw.name!, rDims, rv));
    if (d.input![2]) {
      const b = get(d.input![2]);
      put(floatTensor(b.name!, b.dims!.map(toNum), floatValues(b).map((v, k) => v / s[k]!)));
    }
    done++;
  }
  return { bytes: encodeModel(m), pairs: done };
}
