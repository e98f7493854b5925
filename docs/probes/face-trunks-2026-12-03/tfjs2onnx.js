// A small TensorFlow.js graph-model -> ONNX converter (opset 13) for the ops of a few face nets.
// NHWC input is transposed once to NCHW; every 4-D activation is NCHW inside the graph.
// Only the nodes needed for the requested outputs are converted; outputs are NCHW for 4-D tensors.
'use strict';
const fs = require('fs');
const path = require('path');
const { onnx } = require('/work/main/node_modules/onnx-proto');

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const A = onnx.AttributeProto.AttributeType;

function half2float(h) {
  const s = (h & 0x8000) >> 15, e = (h & 0x7c00) >> 10, f = h & 0x03ff;
  if (e === 0) return (s ? -1 : 1) * Math.pow(2, -14) * (f / 1024);
  if (e === 31) return f ? NaN : (s ? -Infinity : Infinity);
  return (s ? -1 : 1) * Math.pow(2, e - 15) * (1 + f / 1024);
}

/** Reads model.json + shards: { json, weights: Map(name -> {shape, dtype, data}) }. */
function loadTfjs(jsonPath) {
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  const dir = path.dirname(jsonPath);
  const weights = new Map();
  for (const group of json.weightsManifest) {
    const buf = Buffer.concat(group.paths.map((p) => fs.readFileSync(path.join(dir, p))));
    let off = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      let data;
      if (q && q.dtype === 'float16') {
        data = new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = half2float(buf.readUInt16LE(off + 2 * i));
        off += 2 * n;
      } else if (q && (q.dtype === 'uint8' || q.dtype === 'uint16')) {
        const b = q.dtype === 'uint8' ? 1 : 2;
        data = new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = (b === 1 ? buf[off + i] : buf.readUInt16LE(off + 2 * i)) * q.scale + q.min;
        off += b * n;
      } else if (w.dtype === 'float32') {
        data = new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = buf.readFloatLE(off + 4 * i);
        off += 4 * n;
      } else if (w.dtype === 'int32') {
        data = new Int32Array(n);
        for (let i = 0; i < n; i++) data[i] = buf.readInt32LE(off + 4 * i);
        off += 4 * n;
      } else throw new Error(`weight ${w.name}: dtype ${w.dtype} ${JSON.stringify(q)}`);
      weights.set(w.name, { shape: w.shape, dtype: w.dtype, data });
    }
    if (off !== buf.length) throw new Error(`${jsonPath}: read ${off} of ${buf.length} bytes`);
  }
  return { json, weights };
}

function attrs(node) {
  const o = {};
  for (const [k, v] of Object.entries(node.attr || {})) {
    if (v.s !== undefined) o[k] = Buffer.from(v.s, 'base64').toString();
    else if (v.list && v.list.s) o[k] = v.list.s.map((s) => Buffer.from(s, 'base64').toString());
    else if (v.list && v.list.i) o[k] = v.list.i.map(Number);
    else if (v.list) o[k] = [];
    else if (v.i !== undefined) o[k] = Number(v.i);
    else if (v.f !== undefined) o[k] = v.f;
    else if (v.b !== undefined) o[k] = v.b;
  }
  return o;
}

const strip = (s) => s.replace(/:0$/, '');

/**
 * convert(jsonPath, outputs, { size }) -> { bytes, input }: outputs are tfjs node names; size fixes the
 * spatial input size in the declared shape (the graph itself runs at any size its ops allow).
 */
function convert(jsonPath, outputs, opts = {}) {
  const { json, weights } = loadTfjs(jsonPath);
  const nodes = new Map(json.modelTopology.node.map((n) => [n.name, n]));
  // Needed nodes, in dependency order.
  const order = [];
  const seen = new Set();
  const visit = (name) => {
    name = strip(name);
    if (seen.has(name)) return;
    seen.add(name);
    const n = nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    for (const i of n.input || []) if (!i.startsWith('^')) visit(i);
    order.push(n);
  };
  outputs.forEach(visit);

  const onnxNodes = [];
  const inits = [];
  const rank = new Map(); // tensor -> rank (4 means NCHW in the graph)
  const constVal = new Map(); // const name -> weight
  let inputName = null;
  let uid = 0;
  const fresh = (base) => `${base}__${uid++}`;
  const addInit = (name, dims, data, type = FLOAT) => {
    if (type === FLOAT) {
      const f = Float32Array.from(data);
      inits.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(f.buffer) });
    } else {
      const b = new BigInt64Array(Array.from(data, (v) => BigInt(v)));
      inits.push({ name, dims, dataType: INT64, rawData: new Uint8Array(b.buffer) });
    }
    return name;
  };
  const node = (opType, input, output, attribute = []) => onnxNodes.push({ opType, name: output[0], input, output, attribute });
  const ai = (name, i) => ({ name, type: A.INT, i });
  const ais = (name, ints) => ({ name, type: A.INTS, ints });
  const as = (name, s) => ({ name, type: A.STRING, s: new TextEncoder().encode(s) });

  // A const used against a 4-D activation: [C] / [1,1,C] / [1,1,1,C] -> [C,1,1]; scalars stay.
  const constFor = (cname, otherRank) => {
    const w = weights.get(cname);
    const n = w.data.length;
    const key = `${cname}__r${otherRank}`;
    if (inits.some((t) => t.name === key)) return key;
    if (otherRank === 4 && n > 1) return addInit(key, [n, 1, 1], w.data);
    if (n === 1) return addInit(key, [], w.data);
    return addInit(key, w.shape, w.data);
  };
  const isConst = (name) => weights.has(strip(name)) && nodes.get(strip(name)).op === 'Const';
  const convAttrs = (a, kh, kw, group) => {
    const [, sh, sw] = a.strides;
    const at = [ais('strides', [sh, sw]), ais('kernel_shape', [kh, kw])];
    if (a.dilations && a.dilations.length) at.push(ais('dilations', [a.dilations[1], a.dilations[2]]));
    if (group > 1) at.push(ai('group', group));
    if (a.padding === 'SAME') at.push(as('auto_pad', 'SAME_UPPER'));
    else if (a.padding === 'VALID') at.push(ais('pads', [0, 0, 0, 0]));
    else if (a.padding === 'EXPLICIT') {
      const p = a.explicit_paddings; // NHWC pairs
      at.push(ais('pads', [p[2], p[4], p[3], p[5]]));
    } else throw new Error(`padding ${a.padding}`);
    return at;
  };
  const elementwise = { Add: 'Add', AddV2: 'Add', Sub: 'Sub', Mul: 'Mul', Maximum: 'Max', Minimum: 'Min', RealDiv: 'Div' };
  const unary = { Relu: 'Relu', Abs: 'Abs', Sigmoid: 'Sigmoid', Neg: 'Neg', Identity: 'Identity', Tanh: 'Tanh' };

  for (const n of order) {
    const a = attrs(n);
    const ins = (n.input || []).filter((i) => !i.startsWith('^')).map(strip);
    const out = n.name;
    switch (n.op) {
      case 'Const':
        constVal.set(out, weights.get(out));
        break;
      case 'Placeholder': {
        inputName = out;
        node('Transpose', [`${out}_nhwc`], [out], [ais('perm', [0, 3, 1, 2])]);
        rank.set(out, 4);
        break;
      }
      case 'Conv2D':
      case '_FusedConv2D':
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative': {
        const w = weights.get(ins[1]);
        const [kh, kw, ci, co] = w.shape; // conv: HWIO; depthwise: H W C M
        const dw = n.op.includes('Depthwise');
        const outC = dw ? ci * co : co;
        const W = new Float32Array(outC * (dw ? 1 : ci) * kh * kw);
        if (dw) {
          for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let c = 0; c < ci; c++) for (let m = 0; m < co; m++) W[((c * co + m) * kh + y) * kw + x] = w.data[((y * kw + x) * ci + c) * co + m];
        } else {
          for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) W[((o * ci + c) * kh + y) * kw + x] = w.data[((y * kw + x) * ci + c) * co + o];
        }
        const wn = addInit(`${out}__W`, [outC, dw ? 1 : ci, kh, kw], W);
        const fused = a.fused_ops || [];
        const convIn = [ins[0], wn];
        let k = 2;
        if (fused[0] === 'BiasAdd') convIn.push(addInit(`${out}__B`, [outC], weights.get(ins[k++]).data));
        else if (fused.length) throw new Error(`${out}: fused ${fused}`);
        // opts.dropDwRelu: mobilefacenet.json fuses a Relu into depthwise convs whose output also feeds a PReLU
        // decomposition (relu(x) + alpha (x - |x|) / 2); with the Relu the PReLU's negative branch is always 0.
        // Dropping it restores the PReLU (an experiment: tfjs runs the graph with the Relu).
        const rest = fused.slice(1).filter((f) => !(opts.dropDwRelu && dw && f === 'Relu'));
        const convOut = rest.length ? `${out}__conv` : out;
        node('Conv', convIn, [convOut], convAttrs(a, kh, kw, dw ? ci : 1));
        if (rest.length === 1 && rest[0] === 'Relu') node('Relu', [convOut], [out]);
        else if (rest.length === 1 && rest[0] === 'Relu6') node('Clip', [convOut, addInit(fresh('zero'), [], [0]), addInit(fresh('six'), [], [6])], [out]);
        else if (rest.length === 1 && rest[0] === 'Prelu') node('PRelu', [convOut, constFor(ins[k++], 4)], [out]);
        else if (rest.length) throw new Error(`${out}: fused ${fused}`);
        rank.set(out, 4);
        break;
      }
      case 'Prelu':
        node('PRelu', [ins[0], constFor(ins[1], rank.get(ins[0]))], [out]);
        rank.set(out, rank.get(ins[0]));
        break;
      case 'Pad': {
        const p = Array.from(weights.get(ins[1]).data); // [[n0,n1],[h0,h1],[w0,w1],[c0,c1]]
        const pads = addInit(`${out}__pads`, [8], [p[0], p[6], p[2], p[4], p[1], p[7], p[3], p[5]], INT64);
        node('Pad', [ins[0], pads], [out], [as('mode', 'constant')]);
        rank.set(out, 4);
        break;
      }
      case 'MaxPool': {
        const at = [ais('kernel_shape', [a.ksize[1], a.ksize[2]]), ais('strides', [a.strides[1], a.strides[2]])];
        at.push(a.padding === 'SAME' ? as('auto_pad', 'SAME_UPPER') : ais('pads', [0, 0, 0, 0]));
        node('MaxPool', [ins[0]], [out], at);
        rank.set(out, 4);
        break;
      }
      case 'Mean': {
        const ax = Array.from(weights.get(ins[1]).data);
        if (rank.get(ins[0]) !== 4 || ax.join() !== '1,2') throw new Error(`${out}: Mean over ${ax}`);
        node('ReduceMean', [ins[0]], [out], [ais('axes', [2, 3]), ai('keepdims', a.keep_dims ? 1 : 0)]);
        rank.set(out, a.keep_dims ? 4 : 2);
        break;
      }
      case 'Squeeze': {
        if (rank.get(ins[0]) !== 4 || a.squeeze_dims.join() !== '1,2') throw new Error(`${out}: Squeeze ${a.squeeze_dims}`);
        node('Flatten', [ins[0]], [out], [ai('axis', 1)]);
        rank.set(out, 2);
        break;
      }
      case 'Reshape': {
        const shape = Array.from(weights.get(ins[1]).data);
        let x = ins[0];
        if (rank.get(x) === 4) {
          node('Transpose', [x], [`${out}__nhwc`], [ais('perm', [0, 2, 3, 1])]);
          x = `${out}__nhwc`;
        }
        node('Reshape', [x, addInit(`${out}__shape`, [shape.length], shape, INT64)], [out]);
        rank.set(out, shape.length);
        break;
      }
      case 'MatMul':
      case '_FusedMatMul': {
        if (a.transpose_a || a.transpose_b) throw new Error(`${out}: transposed MatMul`);
        const w = weights.get(ins[1]);
        const fused = a.fused_ops || [];
        const wn = addInit(`${out}__W`, w.shape, w.data);
        const mm = fused.length > 1 ? `${out}__mm` : out;
        if (fused[0] === 'BiasAdd') node('Gemm', [ins[0], wn, addInit(`${out}__B`, [w.shape[1]], weights.get(ins[2]).data)], [mm]);
        else node('MatMul', [ins[0], wn], [mm]);
        if (fused[1] === 'Relu') node('Relu', [mm], [out]);
        else if (fused.length > 1) throw new Error(`${out}: fused ${fused}`);
        rank.set(out, 2);
        break;
      }
      case 'Square':
        node('Mul', [ins[0], ins[0]], [out]);
        rank.set(out, rank.get(ins[0]));
        break;
      case 'Rsqrt':
        node('Sqrt', [ins[0]], [`${out}__sqrt`]);
        node('Reciprocal', [`${out}__sqrt`], [out]);
        rank.set(out, rank.get(ins[0]));
        break;
      case 'Sum': {
        const ax = Array.from(weights.get(ins[1]).data);
        if (rank.get(ins[0]) !== 2) throw new Error(`${out}: Sum on rank ${rank.get(ins[0])}`);
        node('ReduceSum', [ins[0], addInit(`${out}__axes`, [ax.length], ax, INT64)], [out], [ai('keepdims', a.keep_dims ? 1 : 0)]);
        rank.set(out, a.keep_dims ? 2 : 1);
        break;
      }
      case 'Softmax':
        node('Softmax', [ins[0]], [out], [ai('axis', -1)]);
        rank.set(out, rank.get(ins[0]));
        break;
      default:
        if (elementwise[n.op]) {
          const r = Math.max(...ins.map((i) => (isConst(i) ? 0 : rank.get(i))));
          node(elementwise[n.op], ins.map((i) => (isConst(i) ? constFor(i, r) : i)), [out]);
          rank.set(out, r);
        } else if (unary[n.op]) {
          node(unary[n.op], [ins[0]], [out]);
          rank.set(out, rank.get(ins[0]));
        } else throw new Error(`unsupported op ${n.op} (${out})`);
    }
  }
  const vi = (name, dims) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } });
  const S = opts.size;
  const model = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'probe tfjs2onnx',
    graph: {
      name: path.basename(jsonPath),
      node: onnxNodes,
      initializer: inits,
      input: [vi(`${inputName}_nhwc`, ['batch', S || 'h', S || 'w', 3])],
      output: outputs.map((o, i) => vi(strip(o), Array.from({ length: rank.get(strip(o)) }, (_, k) => `d${i}_${k}`))),
    },
  };
  return { bytes: onnx.ModelProto.encode(model).finish(), input: `${inputName}_nhwc`, outputs: outputs.map(strip), rank: outputs.map((o) => rank.get(strip(o))) };
}

module.exports = { convert, loadTfjs };
