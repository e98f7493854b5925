/**
 * A small TensorFlow.js graph-model -> ONNX converter for the ops of MediaPipe's facemesh trunk (fused and
 * depthwise convolutions, PReLU, Pad, MaxPool, Add), so training can use weights published only as tfjs.
 * Activations are NCHW inside the ONNX graph: the tfjs input is NHWC and is read through one Transpose
 * (or bound straight to an NCHW tensor of the caller's graph). Only the nodes the requested outputs need
 * are converted; anything else is refused by name, never guessed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { floatTensor, int64Tensor } from '../detector/onnx-tensor';

type Node = onnx.INodeProto;
const A = onnx.AttributeProto.AttributeType;

/** The parts of a tfjs model.json this converter reads. */
export interface TfjsModelJson {
  modelTopology: { node: TfjsNode[] };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string; quantization?: { dtype: string } }[] }[];
}

export interface TfjsNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { s?: string; i?: string | number; f?: number; b?: boolean; list?: { s?: string[]; i?: (string | number)[] } }>;
}

export interface TfjsWeight {
  shape: number[];
  data: Float32Array;
}

export interface TfjsModel {
  json: TfjsModelJson;
  weights: Map<string, TfjsWeight>;
}

/** IEEE 754 half precision to a number (tfjs stores float16-quantized weights this way). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h & 0x7c00) >> 10;
  const f = h & 0x03ff;
  if (e === 0) return sign * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (e - 15) * (1 + f / 1024);
}

/** model.json and its weight shards. Float32, float16-quantized and int32 weights are read; others are refused. */
export function loadTfjsModel(jsonFile: string): TfjsModel {
  const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as TfjsModelJson;
  const weights = new Map<string, TfjsWeight>();
  for (const group of json.weightsManifest) {
    const buf = Buffer.concat(group.paths.map((p) => readFileSync(path.join(path.dirname(jsonFile), p))));
    let off = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      if (w.quantization?.dtype === 'float16') {
        for (let i = 0; i < n; i++) data[i] = halfToFloat(buf.readUInt16LE(off + 2 * i));
        off += 2 * n;
      } else if (!w.quantization && w.dtype === 'float32') {
        for (let i = 0; i < n; i++) data[i] = buf.readFloatLE(off + 4 * i);
        off += 4 * n;
      } else if (!w.quantization && w.dtype === 'int32') {
        // Shapes and paddings: small whole numbers, exact in float32.
        for (let i = 0; i < n; i++) data[i] = buf.readInt32LE(off + 4 * i);
        off += 4 * n;
      } else {
        throw new Error(`${jsonFile}: weight ${w.name}: ${w.quantization ? `${w.quantization.dtype}-quantized` : w.dtype} weights are not supported (float32, float16 or int32 only)`);
      }
      weights.set(w.name, { shape: w.shape, data });
    }
    if (off !== buf.length) throw new Error(`${jsonFile}: the weights manifest describes ${off} bytes, the shards hold ${buf.length}`);
  }
  return { json, weights };
}

type Attr = string | number | boolean | string[] | number[];

function attrs(n: TfjsNode): Record<string, Attr> {
  const o: Record<string, Attr> = {};
  for (const [k, v] of Object.entries(n.attr ?? {})) {
    if (v.s !== undefined) o[k] = Buffer.from(v.s, 'base64').toString();
    else if (v.list?.s) o[k] = v.list.s.map((s) => Buffer.from(s, 'base64').toString());
    else if (v.list?.i) o[k] = v.list.i.map(Number);
    else if (v.list) o[k] = [];
    else if (v.i !== undefined) o[k] = Number(v.i);
    else if (v.f !== undefined) o[k] = v.f;
    else if (v.b !== undefined) o[k] = v.b;
  }
  return o;
}

const strip = (s: string) => s.replace(/:0$/, '');

export interface ConvertOptions {
  /** Prefix for every ONNX name made, so the result can join another graph without collisions. */
  prefix: string;
  /** Name of the NCHW float tensor the tfjs input is bound to (no Transpose is added). */
  nchwInput: string;
}

export interface Converted {
  nodes: Node[];
  initializers: onnx.ITensorProto[];
  /** ONNX names of the requested outputs (NCHW), in the order asked. */
  outputs: string[];
}

/** The tfjs nodes `outputs` depend on, dependencies first. */
function needed(nodes: Map<string, TfjsNode>, outputs: string[]): TfjsNode[] {
  const order: TfjsNode[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    const key = strip(name);
    if (seen.has(key)) return;
    seen.add(key);
    const n = nodes.get(key);
    if (!n) throw new Error(`tfjs graph: no node "${key}"`);
    for (const i of n.input ?? []) if (!i.startsWith('^')) visit(i);
    order.push(n);
  };
  outputs.forEach(visit);
  return order;
}

/**
 * Converts the subgraph that computes `outputs` (tfjs node names, 4-D activations) into ONNX nodes and
 * initializers (opset 11 or later), bound to `opts.nchwInput`.
 */
export function convertTfjs(model: TfjsModel, outputs: string[], opts: ConvertOptions): Converted {
  const { weights } = model;
  const nodes = new Map(model.json.modelTopology.node.map((n) => [n.name, n]));
  const out: Node[] = [];
  const inits: onnx.ITensorProto[] = [];
  const p = (name: string) => `${opts.prefix}${name}`;
  const names = new Map<string, string>();
  const ref = (tfName: string) => {
    const r = names.get(strip(tfName));
    if (!r) throw new Error(`tfjs graph: "${tfName}" is used as an activation but is not one`);
    return r;
  };
  const weight = (name: string, user: string): TfjsWeight => {
    const w = weights.get(strip(name));
    if (!w) throw new Error(`tfjs graph: ${user} reads "${name}", which is not a weight`);
    return w;
  };
  /** A per-channel constant ([C], [1,1,C] or [1,1,1,C]) as [C,1,1] for NCHW, a scalar as []. */
  const channelConst = (name: string, user: string): string => {
    const key = p(`${strip(name)}__nchw`);
    if (!inits.some((t) => t.name === key)) {
      const w = weight(name, user);
      inits.push(floatTensor(key, w.data.length === 1 ? [] : [w.data.length, 1, 1], w.data));
    }
    return key;
  };
  const node = (opType: string, input: string[], output: string, attribute: onnx.IAttributeProto[] = []) => out.push({ opType, name: output, input, output: [output], attribute });
  const ints = (name: string, v: number[]): onnx.IAttributeProto => ({ name, type: A.INTS, ints: v });
  const str = (name: string, v: string): onnx.IAttributeProto => ({ name, type: A.STRING, s: new TextEncoder().encode(v) });

  for (const n of needed(nodes, outputs)) {
    const a = attrs(n);
    const ins = (n.input ?? []).filter((i) => !i.startsWith('^'));
    const o = p(n.name);
    switch (n.op) {
      case 'Const':
        break;
      case 'Placeholder':
        names.set(n.name, opts.nchwInput);
        continue;
      case '_FusedConv2D':
      case 'Conv2D':
      case 'DepthwiseConv2dNative': {
        const depthwise = n.op === 'DepthwiseConv2dNative';
        const w = weight(ins[1]!, n.name);
        const [kh, kw, ci, co] = w.shape as [number, number, number, number]; // HWIO; depthwise: H W C multiplier
        const outC = depthwise ? ci * co : co;
        const W = new Float32Array(w.data.length);
        for (let y = 0; y < kh; y++) {
          for (let x = 0; x < kw; x++) {
            for (let c = 0; c < ci; c++) {
              for (let m = 0; m < co; m++) {
                const to = depthwise ? ((c * co + m) * kh + y) * kw + x : ((m * ci + c) * kh + y) * kw + x;
                W[to] = w.data[((y * kw + x) * ci + c) * co + m]!;
              }
            }
          }
        }
        inits.push(floatTensor(`${o}__W`, [outC, depthwise ? 1 : ci, kh, kw], W));
        const convIn = [ref(ins[0]!), `${o}__W`];
        const fused = (a.fused_ops as string[] | undefined) ?? [];
        let k = 2;
        if (fused[0] === 'BiasAdd') {
          inits.push(floatTensor(`${o}__B`, [outC], weight(ins[k++]!, n.name).data));
          convIn.push(`${o}__B`);
        } else if (fused.length) throw new Error(`tfjs graph: ${n.name}: fused ops ${fused.join('+')} are not supported`);
        const act = fused.slice(1);
        if (act.length > 1 || (act.length === 1 && act[0] !== 'Relu' && act[0] !== 'Prelu')) throw new Error(`tfjs graph: ${n.name}: fused ops ${fused.join('+')} are not supported`);
        const convOut = act.length ? `${o}__conv` : o;
        const strides = a.strides as number[];
        const dil = (a.dilations as number[] | undefined) ?? [];
        const at = [ints('strides', [strides[1]!, strides[2]!]), ints('kernel_shape', [kh, kw])];
        if (dil.length) at.push(ints('dilations', [dil[1]!, dil[2]!]));
        if (depthwise) at.push({ name: 'group', type: A.INT, i: ci });
        at.push(padding(n.name, a));
        node('Conv', convIn, convOut, at);
        if (act[0] === 'Relu') node('Relu', [convOut], o);
        if (act[0] === 'Prelu') node('PRelu', [convOut, channelConst(ins[k]!, n.name)], o);
        break;
      }
      case 'Prelu':
        node('PRelu', [ref(ins[0]!), channelConst(ins[1]!, n.name)], o);
        break;
      case 'Relu':
        node('Relu', [ref(ins[0]!)], o);
        break;
      case 'Add':
      case 'AddV2':
        node('Add', ins.map((i) => (weights.has(strip(i)) ? channelConst(i, n.name) : ref(i))), o);
        break;
      case 'Pad': {
        // tfjs: [[n0, n1], [h0, h1], [w0, w1], [c0, c1]] for NHWC; ONNX: all begins (N C H W), then all ends.
        const v = Array.from(weight(ins[1]!, n.name).data);
        if (v.length !== 8) throw new Error(`tfjs graph: ${n.name}: Pad on a rank ${v.length / 2} tensor is not supported`);
        inits.push(int64Tensor(`${o}__pads`, [v[0]!, v[6]!, v[2]!, v[4]!, v[1]!, v[7]!, v[3]!, v[5]!]));
        node('Pad', [ref(ins[0]!), `${o}__pads`], o, [str('mode', 'constant')]);
        break;
      }
      case 'MaxPool': {
        const k = a.ksize as number[];
        const s = a.strides as number[];
        node('MaxPool', [ref(ins[0]!)], o, [ints('kernel_shape', [k[1]!, k[2]!]), ints('strides', [s[1]!, s[2]!]), padding(n.name, a)]);
        break;
      }
      default:
        throw new Error(`tfjs graph: ${n.name}: op ${n.op} is not supported by this converter`);
    }
    if (n.op !== 'Const') names.set(n.name, o);
  }
  return { nodes: out, initializers: inits, outputs: outputs.map(ref) };
}

/** tfjs SAME / VALID padding as ONNX attributes. SAME pads the extra pixel at the end, as SAME_UPPER does. */
function padding(name: string, a: Record<string, Attr>): onnx.IAttributeProto {
  if (a.padding === 'SAME') return { name: 'auto_pad', type: A.STRING, s: new TextEncoder().encode('SAME_UPPER') };
  if (a.padding === 'VALID') return { name: 'pads', type: A.INTS, ints: [0, 0, 0, 0] };
  throw new Error(`tfjs graph: ${name}: padding ${String(a.padding)} is not supported`);
}
