#!/usr/bin/env node
'use strict';
// One real inference per model file on one execution provider, for provision.sh. It proves the installed
// onnxruntime-node binding works, builds TensorRT's engine cache on the way, and prints which provider ran the
// model's nodes, read from onnxruntime's own profile (a session asked for tensorrt alone still runs the nodes
// TensorRT cannot take on the CPU, so "the session opened" proves little).
//
// usage: ort-probe.js --app DIR --model DIR|FILE.onnx --provider tensorrt|cuda|cpu [--cache DIR] [--fp16 true|false]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const EP_NAMES = { tensorrt: 'TensorrtExecutionProvider', cuda: 'CUDAExecutionProvider', cpu: 'CPUExecutionProvider' };
const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  float16: Uint16Array, bool: Uint8Array,
};

function fail(message) {
  process.stderr.write(`ort-probe: ${message}\n`);
  process.exit(1);
}

/** The .onnx files of a model folder (its model.json lists them) or the one file given. */
function onnxFiles(model) {
  if (!fs.existsSync(model)) fail(`no model at ${model}`);
  if (!fs.statSync(model).isDirectory()) return [model];
  const manifestPath = path.join(model, 'model.json');
  if (!fs.existsSync(manifestPath)) fail(`${model} has no model.json`);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const files = (manifest.files || []).map((f) => f.path).filter((p) => typeof p === 'string' && p.endsWith('.onnx'));
  if (files.length === 0) fail(`${manifestPath} lists no .onnx file`);
  return files.map((f) => path.join(model, f));
}

/** The same TensorRT settings the app uses (src/detector/ort-session.ts), so the cache serves the service. */
function providerConfig(name, cache, fp16) {
  if (name === 'tensorrt') {
    const env = { ORT_TENSORRT_FP16_ENABLE: fp16 ? '1' : '0', ORT_TENSORRT_ENGINE_CACHE_ENABLE: '1', ORT_TENSORRT_CACHE_PATH: cache };
    for (const [k, v] of Object.entries(env)) if (process.env[k] === undefined) process.env[k] = v;
    return { name, deviceId: 0, trt_fp16_enable: fp16, trt_engine_cache_enable: true, trt_engine_cache_path: cache };
  }
  if (name === 'cuda') return { name, deviceId: 0 };
  return 'cpu';
}

function zeroTensor(ort, meta) {
  if (!meta.isTensor) fail(`input ${meta.name} is not a tensor`);
  const Ctor = ARRAYS[meta.type];
  if (!Ctor) fail(`input ${meta.name} has type ${meta.type}, which this probe does not fill`);
  // Symbolic or unknown dimensions (batch) become 1.
  const dims = meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  return new ort.Tensor(meta.type, new Ctor(dims.reduce((a, b) => a * b, 1)), dims);
}

/** Nodes per execution provider, from a profile file (events named <node>_kernel_time carry the provider). */
function nodesByProvider(profileFile) {
  const events = JSON.parse(fs.readFileSync(profileFile, 'utf8'));
  const seen = new Map();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.args || !e.args.provider || !String(e.name).endsWith('_kernel_time')) continue;
    if (!seen.has(e.args.provider)) seen.set(e.args.provider, new Set());
    seen.get(e.args.provider).add(e.name);
  }
  return new Map([...seen].map(([k, v]) => [k, v.size]));
}

function listFiles(dir) {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

async function probe(ort, file, opts, profileDir) {
  const prefix = path.join(profileDir, `probe-${path.basename(file, '.onnx')}`);
  const session = await ort.InferenceSession.create(file, {
    executionProviders: [providerConfig(opts.provider, opts.cache, opts.fp16)],
    enableProfiling: true,
    profileFilePrefix: prefix,
    logSeverityLevel: 3,
  });
  if (!session.inputMetadata) fail('this onnxruntime-node has no inputMetadata (1.22 or newer is needed by the app)');
  const feeds = {};
  for (const meta of session.inputMetadata) feeds[meta.name] = zeroTensor(ort, meta);
  const started = process.hrtime.bigint();
  await session.run(feeds);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  session.endProfiling();
  await session.release();
  const profiles = listFiles(profileDir).filter((f) => path.join(profileDir, f).startsWith(prefix));
  if (profiles.length === 0) fail(`onnxruntime wrote no profile for ${file}`);
  return { ms, counts: nodesByProvider(path.join(profileDir, profiles.sort().at(-1))) };
}

async function main() {
  const { values } = parseArgs({
    options: {
      app: { type: 'string' }, model: { type: 'string' }, provider: { type: 'string', default: 'tensorrt' },
      cache: { type: 'string', default: '/var/lib/mask-gate/trt-cache' }, fp16: { type: 'string', default: 'true' },
    },
    strict: true,
  });
  if (!values.app || !values.model) fail('usage: ort-probe.js --app DIR --model DIR|FILE --provider tensorrt|cuda|cpu [--cache DIR] [--fp16 true|false]');
  const wanted = EP_NAMES[values.provider];
  if (!wanted) fail(`--provider: expected tensorrt, cuda or cpu, got ${values.provider}`);
  const opts = { provider: values.provider, cache: values.cache, fp16: values.fp16 !== 'false' };
  const ort = require(path.resolve(values.app, 'node_modules', 'onnxruntime-node'));
  const cacheBefore = new Set(listFiles(opts.cache));
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mask-gate-probe-'));
  let ok = true;
  try {
    for (const file of onnxFiles(values.model)) {
      const { ms, counts } = await probe(ort, file, opts, profileDir);
      const ran = [...counts].map(([ep, n]) => `${ep} (${n} node${n === 1 ? '' : 's'})`).join(', ') || 'no node';
      process.stdout.write(`${path.basename(file)}: ran on ${ran}; ${ms.toFixed(1)} ms\n`);
      if (!counts.get(wanted)) {
        process.stderr.write(`ort-probe: ${values.provider} was asked for but ran no node of ${path.basename(file)}\n`);
        ok = false;
      }
    }
  } finally {
    fs.rmSync(profileDir, { recursive: true, force: true });
  }
  if (values.provider === 'tensorrt') {
    const after = listFiles(opts.cache);
    const fresh = after.filter((f) => !cacheBefore.has(f)).length;
    process.stdout.write(`engine cache: ${after.length} file(s) in ${opts.cache} (${fresh} new)\n`);
    if (after.length === 0) {
      process.stdout.write('warning: no engine was cached: this binding ignores trt_engine_cache_* (see README.md, Deploy to a Jetson); each start rebuilds the engine\n');
    }
  }
  if (!ok) process.exit(1);
  process.stdout.write(`provider: ${values.provider}\n`);
}

main().catch((e) => fail(e && e.message ? e.message : String(e)));
