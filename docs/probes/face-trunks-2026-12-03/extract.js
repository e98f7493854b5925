// Feature extraction for the probe: every labelled face >= 24 px high of the andrewmvd photos (project split),
// two crops (face: square 1.3x the box's larger side, centred; lower: the lower 60% of that square, as a
// square of 0.6x its side at its bottom centre), each also mirrored. Writes feat/<set>.f32 laid out
// [face][mirror 0|1][crop face|lower][D] and feat/faces.json.
// Usage: node extract.js <set> [<set> ...]; sets: A (project trunk), shipped (classifier.onnx output on the
// project's own rows), <model> or <model>@<size> from models.js.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('/work/main/node_modules/onnxruntime-node');
const { onnx } = require('/work/main/node_modules/onnx-proto');
const { loadVocDataset, readImageList } = require('/work/main/dist/src/eval/voc-dataset');
const { readImageRgb } = require('/work/main/dist/src/image/sharp-io');
const { cropToInput, mirrorSlot } = require('/work/main/dist/src/detector/preprocess');
const { classifierRows } = require('/work/main/dist/src/detector/face-crop');
const { convert } = require('./tfjs2onnx');
const { MODELS } = require('./models');

const DATA = '/work/shared/datasets/face-mask-andrewmvd';
const SPLIT = '/work/main/models/mask-two-stage/split';
const CLS = '/work/main/models/mask-two-stage/classifier.onnx';
const OUT = '/tmp/probe/feat';
const MIN_H = 24;

function spec(size, mean, std) {
  return { name: 'x', width: size, height: size, layout: 'NHWC', colour: 'RGB', normalize: { mean: [mean, mean, mean], std: [std, std, std] }, resize: 'stretch' };
}

/** Adaptive average pooling of one [C, H, W] map (NCHW slice) to g x g, written NCHW-flattened. */
function pool(src, off, C, H, W, g, out, at) {
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < g; i++) {
      const y0 = Math.floor((i * H) / g), y1 = Math.ceil(((i + 1) * H) / g);
      for (let j = 0; j < g; j++) {
        const x0 = Math.floor((j * W) / g), x1 = Math.ceil(((j + 1) * W) / g);
        let s = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += src[off + (c * H + y) * W + x];
        out[at++] = s / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  return at;
}

/** classifier.onnx cut after the trunk's `features` (two taps, pooled, [rows, 2944]); raw: the two tap maps themselves. */
const RAW_TAPS = ['StatefulPartitionedCall/functional_1/re_lu_10/Relu:0', 'StatefulPartitionedCall/functional_1/re_lu_15/Relu:0'];
function projectTrunk(raw = false) {
  const m = onnx.ModelProto.decode(fs.readFileSync(CLS));
  const g = m.graph;
  const need = new Set(raw ? RAW_TAPS : ['features']);
  const keep = [];
  for (let i = g.node.length - 1; i >= 0; i--) {
    const n = g.node[i];
    if (n.output.some((o) => need.has(o))) {
      keep.unshift(n);
      n.input.forEach((x) => need.add(x));
    }
  }
  g.node = keep;
  g.initializer = g.initializer.filter((t) => need.has(t.name));
  g.output = (raw ? RAW_TAPS : ['features']).map((name, i) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [0, 1, 2, 3].slice(0, raw ? 4 : 2).map((k) => ({ dimParam: `o${i}_${k}` })) } } } }));
  g.valueInfo = [];
  if (raw) g.input[0].type.tensorType.shape.dim = ['b', 'h', 'w'].map((d) => ({ dimParam: d })).concat([{ dimValue: 3 }]);
  return Buffer.from(onnx.ModelProto.encode(m).finish());
}

async function makeSet(name) {
  if (name === 'A') return { kind: 'project', bytes: projectTrunk(), input: 'crop', size: 64, sp: spec(64, 127.5, 127.5) };
  // A at another input size: the same two taps, pooled to 4x4 here (A@64 equals A).
  if (name.startsWith('A@')) return { kind: 'tfjs', bytes: projectTrunk(true), input: 'crop', size: Number(name.slice(2)), sp: spec(Number(name.slice(2)), 127.5, 127.5), taps: [{ grid: 4 }, { grid: 4 }], outputs: RAW_TAPS };
  if (name === 'shipped') return { kind: 'shipped', bytes: fs.readFileSync(CLS), input: 'crop', size: 64, sp: spec(64, 127.5, 127.5) };
  const [model, s] = name.split('@');
  const m = MODELS[model];
  const size = s ? Number(s) : m.size;
  const conv = convert(m.json, m.taps.map((t) => t.node), { dropDwRelu: m.dropDwRelu });
  fs.writeFileSync(`/tmp/probe/onnx/${model}_taps.onnx`, conv.bytes);
  return { kind: 'tfjs', bytes: Buffer.from(conv.bytes), input: conv.input, size, sp: spec(size, m.norm.mean, m.norm.std), taps: m.taps, outputs: conv.outputs };
}

async function faces() {
  const split = {};
  for (const s of ['train', 'val']) for (const k of await readImageList(path.join(SPLIT, `${s}.txt`))) split[k] = s;
  const imgs = await loadVocDataset(DATA, Object.keys(split));
  const list = [];
  for (const im of imgs) {
    for (const o of im.annotation.objects) {
      const [x1, y1, x2, y2] = o.box;
      if (y2 - y1 < MIN_H) continue;
      list.push({ image: im.key, path: im.imagePath, split: split[im.key], label: o.label, box: o.box, h: y2 - y1, difficult: o.difficult });
    }
  }
  return list;
}

function regions(f) {
  const [x1, y1, x2, y2] = f.box;
  const S = 1.3 * Math.max(x2 - x1, y2 - y1);
  const cx = (x1 + x2) / 2, cy = (y1 + y2) / 2;
  return [{ cx, cy, side: S, angle: 0 }, { cx, cy: cy + 0.2 * S, side: 0.6 * S, angle: 0 }];
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const list = await faces();
  if (!fs.existsSync(`${OUT}/faces.json`)) fs.writeFileSync(`${OUT}/faces.json`, JSON.stringify(list.map(({ path: _p, ...f }) => f)));
  const byImage = new Map();
  list.forEach((f, i) => { if (!byImage.has(f.path)) byImage.set(f.path, []); byImage.get(f.path).push(i); });
  for (const name of process.argv.slice(2)) {
    const set = await makeSet(name);
    const sess = await ort.InferenceSession.create(set.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const t0 = Date.now();
    let D = 0;
    let feats = null;
    let done = 0;
    for (const [file, idx] of byImage) {
      const img = await readImageRgb(file);
      const S = set.size;
      const per = S * S * 3;
      if (set.kind === 'shipped') {
        // The shipped classifier on its own rows (face 1.6x, lower, nose; box-only geometry, no keypoints), no flip.
        const rowsPer = 3;
        const x = new Float32Array(idx.length * rowsPer * per);
        idx.forEach((fi, k) => {
          const rows = classifierRows(list[fi].box, undefined, { crop: { expand: 1.6, align: 'none', keypointCentre: true }, lower: { scale: 0.8, centre: 1 }, nose: { scale: 0.35, centre: -0.3 } });
          rows.forEach((r, j) => cropToInput(img, r, set.sp, x, k * rowsPer + j));
        });
        const res = await sess.run({ crop: new ort.Tensor('float32', x, [idx.length * rowsPer, S, S, 3]) });
        const lg = res.logits.data;
        D = 4;
        if (!feats) feats = new Float32Array(list.length * D);
        idx.forEach((fi, k) => { for (let d = 0; d < D; d++) feats[fi * D + d] = lg[k * D + d]; });
      } else {
        const n = idx.length * 4;
        const x = new Float32Array(n * per);
        idx.forEach((fi, k) => {
          const rg = regions(list[fi]);
          for (let m = 0; m < 2; m++) for (let c = 0; c < 2; c++) {
            const slot = k * 4 + m * 2 + c;
            cropToInput(img, rg[c], set.sp, x, slot);
            if (m) mirrorSlot(set.sp, x, slot);
          }
        });
        const res = await sess.run({ [set.input]: new ort.Tensor('float32', x, [n, S, S, 3]) });
        if (set.kind === 'project') {
          const t = res.features;
          D = t.dims[1];
          if (!feats) feats = new Float32Array(list.length * 4 * D);
          idx.forEach((fi, k) => feats.set(t.data.subarray(k * 4 * D, (k + 1) * 4 * D), fi * 4 * D));
        } else {
          const outs = set.outputs.map((o) => res[o]);
          if (!D) D = outs.reduce((s, t, i) => s + t.dims[1] * set.taps[i].grid ** 2, 0);
          if (!feats) feats = new Float32Array(list.length * 4 * D);
          idx.forEach((fi, k) => {
            for (let r = 0; r < 4; r++) {
              let at = (fi * 4 + r) * D;
              outs.forEach((t, i) => {
                const [, C, H, W] = t.dims;
                at = pool(t.data, (k * 4 + r) * C * H * W, C, H, W, set.taps[i].grid, feats, at);
              });
            }
          });
        }
      }
      done += idx.length;
      if ((done / list.length * 20 | 0) !== ((done - idx.length) / list.length * 20 | 0)) process.stderr.write(`${name} ${done}/${list.length} ${((Date.now() - t0) / 1000).toFixed(0)}s\n`);
    }
    fs.writeFileSync(`${OUT}/${name}.f32`, Buffer.from(feats.buffer));
    fs.writeFileSync(`${OUT}/${name}.json`, JSON.stringify({ name, D, faces: list.length, layout: set.kind === 'shipped' ? '[face][logit4]' : '[face][mirror][crop][D]', seconds: (Date.now() - t0) / 1000 }));
    console.log(`${name}: D=${D} faces=${list.length} ${(Date.now() - t0) / 1000}s`);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
