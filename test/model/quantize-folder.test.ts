/** @jest-environment ./test/env/onnx-environment.js */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rowsPerFace } from '../../src/detector/face-crop';
import { createFaceStage } from '../../src/detector/face-stage';
import { loadModel } from '../../src/detector/model-loader';
import type { TwoStageDecoder } from '../../src/detector/manifest';
import { ortSessionFactory } from '../../src/detector/ort-session';
import { cropToInput, inputDims, tensorSize } from '../../src/detector/preprocess';
import { openSession } from '../../src/detector/session-open';
import { readImageRgb } from '../../src/image/sharp-io';
import { memoryLogger } from '../../src/log';
import { quantizeFolder } from '../../src/training/quantize-cli';

const MODEL = path.resolve(__dirname, '../../models/mask-two-stage');
const DATA = path.resolve(__dirname, '../../../shared/datasets/face-mask-andrewmvd');
if (!existsSync(path.join(DATA, 'images'))) throw new Error(`test/model/quantize-folder needs the face-mask photos at ${DATA} (../shared/datasets/face-mask-andrewmvd); they are missing`);
const tensorrt = { fp16: false, engineCachePath: '/nonexistent' };
const VAL = readFileSync(path.join(MODEL, 'split', 'val.txt'), 'utf8').split('\n').filter(Boolean).slice(0, 3);

let tmp: string;
let out: string;
const said: string[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mask-gate-int8-'));
  out = path.join(tmp, 'int8');
  // A small calibration (3 training photos): this checks the folder and its plumbing, not accuracy.
  await quantizeFolder({ model: MODEL, out, data: DATA, photos: 3, crops: 12, percentile: 99.99, quantizeHeads: false, equalize: true, say: (l) => said.push(l) });
}, 600_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('the int8 folder loads with the float model decoder, its own hashes, the licence and the split', async () => {
  const [f, q] = [await loadModel(MODEL), await loadModel(out)];
  expect(q.manifest.name).toBe(`${f.manifest.name}-int8`);
  expect(q.manifest.version).toBe(f.manifest.version);
  expect(q.manifest.decoder).toEqual(f.manifest.decoder);
  expect(q.manifest.metrics).toEqual([]);
  expect(q.manifest.provenance.exportedWith).toMatch(/quantize/);
  const networks = ['face.onnx', 'classifier.onnx', ...((f.manifest.decoder as TwoStageDecoder).classifier.faint ? ['classifier-faint.onnx'] : [])];
  for (const file of networks) expect(q.manifest.files.find((x) => x.path === file)!.sha256).not.toBe(f.manifest.files.find((x) => x.path === file)!.sha256);
  expect(Buffer.from(q.files.get('LICENSE-blazeface')!)).toEqual(Buffer.from(f.files.get('LICENSE-blazeface')!));
  expect(readFileSync(path.join(out, 'split', 'val.txt'), 'utf8')).toBe(readFileSync(path.join(MODEL, 'split', 'val.txt'), 'utf8'));
  expect(said.some((l) => l.startsWith('face: ') && l.includes('depthwise pairs equalized'))).toBe(true);
});

test('the runtime opens the int8 networks unwidened and they give what the decoder reads on validation photos', async () => {
  const q = await loadModel(out);
  const dec = q.manifest.decoder as TwoStageDecoder;
  const log = memoryLogger();
  const open = (file: string, role: string) => openSession(ortSessionFactory, q.files.get(file)!, { order: ['cpu'], threads: 1, tensorrt, channelBlock: 16 }, log, 'int8@test', role);
  const face = await open('face.onnx', 'face');
  const cls = await open('classifier.onnx', 'classifier');
  const faint = dec.classifier.faint ? await open(dec.classifier.faint.file, 'faint-classifier') : undefined;
  try {
    expect(log.lines.some((l) => l.includes('channels widened'))).toBe(false);
    const stage = createFaceStage(face.session, dec.face, 'int8@test');
    const cs = dec.classifier;
    for (const key of VAL) {
      const frame = await readImageRgb(path.join(DATA, 'images', `${key.replace(/\.\w+$/, '')}.jpg`));
      const faces = await stage.detect(frame);
      for (const f of faces) expect(f.box.every(Number.isFinite) && f.score >= 0 && f.score <= 1).toBe(true);
      // Two faces' row groups (face, lower, nose crops; squares of the frame's centre): one output row per group.
      const side = Math.min(frame.width, frame.height) / 2;
      const rows = 2 * rowsPerFace(cs);
      const data = new Float32Array(rows * tensorSize(cs.input));
      for (let i = 0; i < rows; i++) cropToInput(frame, { cx: frame.width / 2, cy: frame.height / 2, side: side / (1 + i), angle: 0 }, cs.input, data, i);
      for (const net of [cls, faint]) {
        if (!net) continue;
        const r = await net.session.run({ [cs.input.name]: { data, dims: inputDims(cs.input, rows) } });
        expect(r[cs.outputs.scores]!.dims).toEqual([2, cs.labels.length]);
        expect(r[cs.outputs.box!]!.dims).toEqual([2, 4]);
        expect([...r[cs.outputs.scores]!.data].every(Number.isFinite)).toBe(true);
      }
    }
  } finally {
    await face.session.close();
    await cls.session.close();
    await faint?.session.close();
  }
});
