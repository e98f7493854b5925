// Converts a model's chosen nodes and compares onnxruntime against tfjs (pure JS CPU) on a random input.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const ort = require('/work/main/node_modules/onnxruntime-node');
const { convert } = require('./tfjs2onnx');
const { MODELS } = require('./models');

async function loadTf(jsonPath) {
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  const dir = path.dirname(jsonPath);
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const buf = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const handler = tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy });
  return tf.loadGraphModel(handler);
}

async function main() {
  await tf.setBackend('cpu');
  const names = process.argv.slice(2);
  for (const name of names.length ? names : Object.keys(MODELS)) {
    const m = MODELS[name];
    const outs = [...m.taps.map((t) => t.node), ...(m.final || [])];
    const { bytes, input, rank } = convert(m.json, outs, { size: m.size });
    fs.writeFileSync(`/tmp/probe/onnx/${name}_verify.onnx`, bytes);
    const sess = await ort.InferenceSession.create(Buffer.from(bytes), { intraOpNumThreads: 1 });
    const B = 2;
    const S = m.size;
    const x = new Float32Array(B * S * S * 3);
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < x.length; i++) x[i] = (rnd() * 255 - m.norm.mean) / m.norm.std;
    const res = await sess.run({ [input]: new ort.Tensor('float32', x, [B, S, S, 3]) });
    const model = await loadTf(m.json);
    const tfOut = model.execute(tf.tensor4d(x, [B, S, S, 3]), outs);
    const tfList = Array.isArray(tfOut) ? tfOut : [tfOut];
    for (let i = 0; i < outs.length; i++) {
      let t = tfList[i];
      if (rank[i] === 4) t = tf.transpose(t, [0, 3, 1, 2]);
      const ref = t.dataSync();
      const got = res[outs[i].replace(/:0$/, '')].data;
      let maxd = 0, maxa = 0;
      for (let k = 0; k < ref.length; k++) {
        maxd = Math.max(maxd, Math.abs(ref[k] - got[k]));
        maxa = Math.max(maxa, Math.abs(ref[k]));
      }
      console.log(`${name} ${outs[i]} shape ${t.shape} n=${ref.length}/${got.length} max|diff| ${maxd.toExponential(2)} max|ref| ${maxa.toFixed(3)}`);
    }
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
