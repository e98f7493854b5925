/**
 * Widens a convolutional network's channel counts to a multiple of onnxruntime's NCHWc block with
 * zero filters, so the CPU provider's blocked layout covers every layer. onnxruntime (MLAS) converts a
 * convolution to NCHWc only when its channels fill whole blocks (16 floats with AVX-512, 8 with AVX2);
 * BlazeFace-back's 24-channel stage at full resolution otherwise runs in plain NCHW between layout
 * reorders. Measured on an AVX-512 machine: face network 18.0 -> 15.0 ms per 512x288 frame.
 *
 * The result computes the same function: padded channels hold exact zeros (zero weights, zero bias,
 * ReLU(0) = 0, PReLU(0) = 0 with a zero slope, max of zeros, zero + zero) and every convolution ignores them
 * (zero input columns). Only channel groups whose every consumer passes channels through untouched are
 * widened (Conv, Relu, PRelu, Add, MaxPool, a channel Pad); a group read by anything else, or a graph
 * output, keeps its width.
 */
import { onnx } from 'onnx-proto';
import { floatTensor, floatValues, int64Tensor, int64Values } from './onnx-tensor';

type Tensor = onnx.ITensorProto;

export interface AlignResult {
  bytes: Uint8Array;
  /** Widened channel groups as "from->to", in graph order. */
  widened: string[];
}

const PASS = new Set(['Relu', 'Add', 'MaxPool']);

/** Returns the widened model, or null when nothing needs widening or the graph is not one it can widen. */
export function alignChannels(bytes: Uint8Array, block: number): AlignResult | null {
  if (block <= 1) return null;
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch {
    return null;
  }
  if (!model.graph) return null;
  // Decoded messages carry every repeated field as an array.
  const g = model.graph as onnx.GraphProto;
  const inits = new Map<string, number>();
  g.initializer.forEach((t, i) => inits.set(t.name ?? '', i));
  const init = (name: string | undefined) => (name !== undefined && inits.has(name) ? g.initializer[inits.get(name)!]! : undefined);
  const consumers = new Map<string, onnx.INodeProto[]>();
  for (const n of g.node) for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const outputs = new Set(g.output.map((o) => o.name ?? ''));
  // A weight shared by two nodes would be widened twice.
  const uses = new Map<string, number>();
  for (const n of g.node) for (const i of n.input ?? []) if (inits.has(i)) uses.set(i, (uses.get(i) ?? 0) + 1);
  if ([...uses.values()].some((u) => u > 1)) return null;

  // Channel count of each convolution-produced tensor, carried through pass-through ops.
  const channels = new Map<string, number>();
  // Union-find over tensors that must share one width (linked by pass-through ops and depthwise convs).
  const parent = new Map<string, string>();
  const find = (t: string): string => {
    let r = t;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const join = (a: string, b: string) => parent.set(find(a), find(b));
  for (const n of g.node) {
    const out = n.output?.[0];
    if (!out) continue;
    if (n.opType === 'Conv') {
      const w = init(n.input?.[1]);
      if (!w || w.dims?.length !== 4) return null;
      const o = Number(w.dims[0]);
      channels.set(out, o);
      parent.set(out, out);
      if (group(n) > 1) {
        if (group(n) !== o || channels.get(n.input![0]!) !== o) return null;
        join(out, n.input![0]!);
      }
    } else if (PASS.has(n.opType ?? '') && channels.has(n.input?.[0] ?? '')) {
      const c = channels.get(n.input![0]!)!;
      for (const i of n.input ?? []) if (channels.get(i) !== c) return null;
      channels.set(out, c);
      parent.set(out, out);
      for (const i of n.input ?? []) join(out, i);
    } else if (n.opType === 'PRelu' && channels.has(n.input?.[0] ?? '')) {
      // PRelu(x, slope): the slope is one number or one per channel ([C, 1, 1]); anything else is not widened.
      const c = channels.get(n.input![0]!)!;
      const slope = init(n.input?.[1]);
      const size = slope?.dims?.reduce((a, d) => a * Number(d), 1);
      if (!slope || !(size === 1 || (slope.dims!.length === 3 && size === c && Number(slope.dims![0]) === c))) return null;
      channels.set(out, c);
      parent.set(out, out);
      join(out, n.input![0]!);
    } else if (n.opType === 'Pad' && channels.has(n.input?.[0] ?? '')) {
      const pads = channelPad(init(n.input?.[1]));
      const mode = n.attribute?.find((a) => a.name === 'mode')?.s;
      const fill = init(n.input?.[2]);
      if (!pads || (mode && mode.length && new TextDecoder().decode(mode) !== 'constant') || (fill && floatValues(fill).some((v) => v !== 0))) return null;
      channels.set(out, channels.get(n.input![0]!)! + pads.after);
      parent.set(out, out);
    }
  }
  // A group may widen only when every tensor in it is read by convolutions, pass-through ops or channel
  // Pads (and is not a graph output).
  const blocked = new Set<string>();
  for (const t of channels.keys()) {
    const ok = !outputs.has(t) && (consumers.get(t) ?? []).every((n) => (n.opType === 'Conv' || n.opType === 'PRelu' || n.opType === 'Pad' ? n.input?.[0] === t : PASS.has(n.opType ?? '')));
    if (!ok) blocked.add(find(t));
  }
  const width = (t: string): number => {
    const c = channels.get(t);
    if (c === undefined) return -1;
    return blocked.has(find(t)) || c % block === 0 ? c : Math.ceil(c / block) * block;
  };

  const widened: string[] = [];
  for (const n of g.node) {
    const out = n.output?.[0];
    if (!out || !channels.has(out)) continue;
    const inW = width(n.input?.[0] ?? '');
    if (n.opType === 'Conv') {
      const w = init(n.input![1])!;
      const [o, i, kh, kw] = w.dims!.map(Number) as [number, number, number, number];
      const dw = group(n) > 1;
      const no = width(out);
      const ni = dw ? 1 : inW < 0 ? i : inW;
      if (no === o && ni === i) continue;
      if (dw) setGroup(n, no);
      replace(g, inits, floatTensor(w.name!, [no, ni, kh, kw], pad4(floatValues(w), [o, i, kh, kw], [no, ni])));
      const b = init(n.input?.[2]);
      if (b && no !== o) replace(g, inits, floatTensor(b.name!, [no], padded(floatValues(b), no)));
      if (no !== o && !widened.includes(`${o}->${no}`)) widened.push(`${o}->${no}`);
    } else if (n.opType === 'PRelu') {
      const slope = init(n.input![1])!;
      const no = width(out);
      if (no !== inW) return null;
      if (slope.dims!.length === 3 && Number(slope.dims![0]) !== no) replace(g, inits, floatTensor(slope.name!, [no, 1, 1], padded(floatValues(slope), no)));
    } else if (n.opType === 'Pad') {
      const t = init(n.input![1])!;
      const pads = channelPad(t)!;
      const after = width(out) - inW;
      if (after < 0) return null;
      if (after !== pads.after) replace(g, inits, int64Tensor(t.name!, pads.values.map((v, k) => (k === pads.index ? after : v))));
    } else {
      for (const i of n.input ?? []) if (width(i) !== width(out)) return null;
    }
  }
  if (widened.length === 0) return null;
  // Recorded intermediate shapes would now be wrong; onnxruntime infers them again.
  g.valueInfo = [];
  return { bytes: onnx.ModelProto.encode(model).finish(), widened };
}

function group(n: onnx.INodeProto): number {
  const a = n.attribute?.find((x) => x.name === 'group');
  return a ? Number(a.i) : 1;
}

function setGroup(n: onnx.INodeProto, v: number): void {
  n.attribute!.find((x) => x.name === 'group')!.i = v;
}

/** A Pad (NCHW, constant zeros) that adds channels at the end only: its pads values and where. */
function channelPad(t: Tensor | undefined): { values: number[]; index: number; after: number } | null {
  if (!t || t.dims?.length !== 1 || Number(t.dims[0]) !== 8) return null;
  const values = int64Values(t);
  // [n0, c0, h0, w0, n1, c1, h1, w1]: only c1 may be non-zero.
  if (values.some((v, k) => k !== 5 && v !== 0)) return null;
  return { values, index: 5, after: values[5]! };
}

function padded(src: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n);
  out.set(src);
  return out;
}

/** [o, i, kh, kw] weights into [no, ni, kh, kw], the new rows and columns zero. */
function pad4(src: Float32Array, [o, i, kh, kw]: number[], [no, ni]: number[]): Float32Array {
  const k = kh! * kw!;
  const out = new Float32Array(no! * ni! * k);
  for (let a = 0; a < o!; a++) for (let b = 0; b < i!; b++) out.set(src.subarray((a * i! + b) * k, (a * i! + b + 1) * k), (a * ni! + b) * k);
  return out;
}

function replace(g: onnx.IGraphProto, inits: Map<string, number>, t: Tensor): void {
  g.initializer![inits.get(t.name!)!] = t;
}

/**
 * onnxruntime's NCHWc block for this CPU, from /proc/cpuinfo's flags: 16 floats with AVX-512, 8 with
 * AVX2; 0 (leave the network as shipped) elsewhere, including Arm, where no gain was measured.
 */
export function nchwcBlock(cpuinfo: string): number {
  const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '').trim().split(/\s+/));
  return flags.has('avx512f') ? 16 : flags.has('avx2') ? 8 : 0;
}
