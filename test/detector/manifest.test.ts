import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DetectorError } from '../../src/detector/errors';
import { validateManifest } from '../../src/detector/manifest';
import { loadModel, resolveModelDir } from '../../src/detector/model-loader';
import { detectNetManifest } from './helpers/detectnet-fixture';
import { writeModelFolder } from './helpers/model-folder';

const files = [{ path: 'model.onnx', sha256: '0'.repeat(64) }];
const valid = () => detectNetManifest({ files });

function errors(json: unknown): string[] {
  const r = validateManifest(json);
  return r.ok ? [] : r.errors;
}

test('a minimal DetectNet_v2 manifest validates and gets TAO defaults', () => {
  const r = validateManifest(valid());
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  const d = r.manifest.decoder;
  expect(d.type).toBe('detectnet_v2');
  if (d.type !== 'detectnet_v2') return;
  expect([d.outputs.coverage, d.outputs.bbox, d.bboxNorm, d.offset, d.stride, d.clustering]).toEqual(['output_cov/Sigmoid', 'output_bbox/BiasAdd', 35, 0.5, 16, 'dbscan']);
  expect(d.classes.mask).toEqual({ coverageThreshold: 0.005, eps: 0.3, minSamples: 0.05, confidence: 0.5, minHeight: 20 });
  expect(d.input.resize).toBe('stretch');
  expect(r.manifest.thresholds).toEqual({ floor: 0.01, score: 0.5, minFaceHeight: 0 });
  expect(r.manifest.metrics).toEqual([]);
});

test('mistakes come back as "path: expected X, got Y", all at once', () => {
  const m = valid() as Record<string, any>;
  m.decoder.input.layout = 'CHW';
  m.decoder.input.width = 50;
  m.decoder.classes.mask.eps = 'wide';
  m.decoder.fp16 = true;
  delete m.licence;
  m.labels = ['mask', 'no_mask', 'masked'];
  expect(errors(m)).toEqual([
    'labels[2]: expected one of "mask" | "no_mask" | "incorrect", got "masked"',
    'decoder.input.layout: expected one of "NCHW" | "NHWC", got "CHW"',
    'decoder.classes.mask.eps: expected a number, got "wide"',
    'decoder.fp16: expected no such key, got unknown key "fp16"',
    'licence: expected a mapping, got nothing',
  ]);
});

test('cross-field checks name the field: unlisted file, class settings, grid divisibility, decoder type', () => {
  const m = valid() as Record<string, any>;
  m.decoder.file = 'other.onnx';
  delete m.decoder.classes.no_mask;
  m.decoder.classes.incorrect = { eps: 0.2, confidence: 0.5 };
  m.decoder.input.width = 50;
  expect(errors(m)).toEqual([
    'decoder.file: expected one of files[].path (model.onnx), got "other.onnx"',
    'decoder.classes.no_mask: expected clustering settings for label "no_mask", got none',
    'decoder.classes.incorrect: expected a key from labels (mask, no_mask), got "incorrect"',
    'decoder.input: expected width and height divisible by stride 16, got 50x32',
  ]);
  expect(errors({ ...valid(), decoder: { type: 'yolo' } })).toEqual(['decoder.type: expected one of "detectnet_v2" | "two_stage", got "yolo"']);
  expect(errors({ ...valid(), files: [{ path: '../model.onnx', sha256: 'ABC' }] })).toEqual([
    'files[0].path: expected a relative path inside the model folder, got "../model.onnx"',
    'files[0].sha256: expected 64 lowercase hex digits, got "ABC"',
    'decoder.file: expected one of files[].path (../model.onnx), got "model.onnx"',
  ]);
});

describe('loading a model folder', () => {
  const bytes = Uint8Array.from([1, 2, 3, 4]);

  test('verifies every file and hands back its bytes', async () => {
    const dir = writeModelFolder('good', detectNetManifest(), { 'model.onnx': bytes });
    const m = await loadModel(dir);
    expect(m.id).toBe('test-detectnet@0.0.1');
    expect(Array.from(m.files.get('model.onnx')!)).toEqual([1, 2, 3, 4]);
  });

  test('a hash mismatch names the model, the field and both hashes', async () => {
    const dir = writeModelFolder('tampered', detectNetManifest(), { 'model.onnx': bytes });
    writeFileSync(path.join(dir, 'model.onnx'), Uint8Array.from([1, 2, 3, 5]));
    const err = (await loadModel(dir).catch((e: unknown) => e)) as DetectorError;
    expect(err).toBeInstanceOf(DetectorError);
    expect(err.code).toBe('model-file');
    expect(err.field).toBe('files[0].sha256');
    expect(err.message).toBe(
      'model test-detectnet@0.0.1: files[0].sha256: expected sha256 9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a' +
        ' for model.onnx, got 1571902abec0a45661de965dbe90cb0177b98c49fc58a5aabfa1edb6c678d972',
    );
  });

  test('a missing file and a size mismatch are errors naming the field', async () => {
    const dir = writeModelFolder('short', detectNetManifest(), { 'model.onnx': bytes });
    writeFileSync(path.join(dir, 'model.onnx'), Uint8Array.from([1, 2]));
    await expect(loadModel(dir)).rejects.toThrow('model test-detectnet@0.0.1: files[0].bytes: expected 4 bytes in model.onnx, got 2');
    const gone = writeModelFolder('gone', detectNetManifest(), { 'model.onnx': bytes });
    unlinkSync(path.join(gone, 'model.onnx'));
    await expect(loadModel(gone)).rejects.toThrow(`model test-detectnet@0.0.1: files[0].path: expected file model.onnx in ${gone}, got ENOENT`);
  });

  test('an invalid manifest lists its problems under the model name', async () => {
    const dir = writeModelFolder('bad', detectNetManifest({ version: '' }), { 'model.onnx': bytes });
    await expect(loadModel(dir)).rejects.toThrow('model test-detectnet: model.json is invalid:\n  version: expected text of length >= 1, got ""');
    writeFileSync(path.join(dir, 'model.json'), '{ nope');
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'manifest-invalid', model: 'bad' });
  });

  test('a model is found by path or by name under models/', async () => {
    const dir = writeModelFolder('by-name', detectNetManifest(), { 'model.onnx': bytes });
    const root = path.dirname(dir);
    mkdirSync(path.join(root, 'models'));
    renameSync(dir, path.join(root, 'models', 'by-name'));
    expect(await resolveModelDir('by-name', root)).toBe(path.join(root, 'models', 'by-name'));
    expect(await resolveModelDir('models/by-name', root)).toBe(path.join(root, 'models', 'by-name'));
    await expect(resolveModelDir('nothing', root)).rejects.toThrow(
      `model nothing: expected a folder holding model.json, got none at ${path.join(root, 'nothing')} or ${path.join(root, 'models', 'nothing')}`,
    );
  });
});
