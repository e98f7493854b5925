// ms per batch of 6 crops, 1 thread, onnxruntime-node CPU, median of 100 runs after 10 warm-up runs.
// Run under: flock -x /tmp/team/cpu.lock node bench.js
'use strict';
const fs = require('fs');
const ort = require('/work/main/node_modules/onnxruntime-node');
const { onnx } = require('/work/main/node_modules/onnx-proto');
const { convert } = require('./tfjs2onnx');
const { MODELS } = require('./models');

const RAW_TAPS = ['StatefulPartitionedCall/functional_1/re_lu_10/Relu:0', 'StatefulPartitionedCall/functional_1/re_lu_15/Relu:0'];
function projectTrunk(raw = false) {
  const m = onnx.ModelProto.decode(fs.readFileSync('/work/main/models/mask-two-stage/classifier.onnx'));
  const g = m.graph; const need = new Set(raw ? RAW_TAPS : ['features']); const keep = [];
  for (let i = g.node.length - 1; i >= 0; i--) { const n = g.node[i]; if (n.output.some((o) => need.has(o))) { keep.unshift(n); n.input.forEach((x) => need.add(x)); } }
  g.node = keep; g.initializer = g.initializer.filter((t) => need.has(t.name));
  g.output = (raw ? RAW_TAPS : ['features']).map((name, i) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [0, 1, 2, 3].slice(0, raw ? 4 : 2).map((k) => ({ dimParam: `o${i}_${k}` })) } } } }));
  g.valueInfo = [];
  if (raw) g.input[0].type.tensorType.shape.dim = ['b', 'h', 'w'].map((d) => ({ dimParam: d })).concat([{ dimValue: 3 }]);
  return Buffer.from(onnx.ModelProto.encode(m).finish());
}

async function time(bytes, input, size, label, batch = 6) {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  const x = new Float32Array(batch * size * size * 3).map((_, i) => ((i * 7919) % 255) / 127.5 - 1);
  const feeds = { [input]: new ort.Tensor('float32', x, [batch, size, size, 3]) };
  for (let i = 0; i < 10; i++) await s.run(feeds);
  const t = [];
  for (let i = 0; i < 100; i++) { const t0 = process.hrtime.bigint(); await s.run(feeds); t.push(Number(process.hrtime.bigint() - t0) / 1e6); }
  t.sort((a, b) => a - b);
  const med = t[50];
  console.log(`${label.padEnd(44)} batch ${batch} @${size}: median ${med.toFixed(2)} ms (${(med / batch).toFixed(2)} ms/crop), p10 ${t[10].toFixed(2)} p90 ${t[90].toFixed(2)}`);
}

async function main() {
  await time(fs.readFileSync('/work/main/models/mask-two-stage/classifier.onnx'), 'crop', 64, 'classifier.onnx (shipped, 3 rows/face)');
  await time(projectTrunk(), 'crop', 64, 'A: BlazeFace-front trunk (2 taps)');
  for (const sz of [128, 224]) await time(projectTrunk(true), 'crop', sz, 'A: BlazeFace-front trunk, raw taps');
  for (const [name, m] of Object.entries(MODELS)) {
    if (name === 'mfnfix') continue; // same graph and cost as mobilefacenet
    const c = convert(m.json, m.taps.map((t) => t.node), { dropDwRelu: m.dropDwRelu });
    const sizes = name === 'faceres' ? [224, 112, 64] : name === 'facemesh' ? [192, 96] : [112, 64, 56];
    for (const sz of sizes) await time(Buffer.from(c.bytes), c.input, sz, `${name} taps`);
  }
}
main();
