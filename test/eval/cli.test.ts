/** @jest-environment ./test/env/onnx-environment.js */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { readImageRgb, writeImageRgb } from '../../src/detector/image-io';
import { detectNetFolder } from '../detector/helpers/detectnet-fixture';

/*
 * The DetectNet test network ignores its input, so every image yields the same grid; boxes scale with
 * each image. img-a is 96x64 (2x the 48x32 input), img-b 192x128 (4x): there the 6 px cell F becomes
 * 24 px high and passes the 20 px minimum.
 */
const root = mkdtempSync(path.join(tmpdir(), 'mask-gate-cli-'));
const model = detectNetFolder();
const images = path.join(root, 'data', 'images');
const annotations = path.join(root, 'data', 'annotations');
mkdirSync(images, { recursive: true });
mkdirSync(annotations, { recursive: true });

const voc = (file: string, w: number, h: number, objects: [string, number[]][]) =>
  `<annotation><filename>${file}</filename><size><width>${w}</width><height>${h}</height><depth>3</depth></size>` +
  objects.map(([n, b]) => `<object><name>${n}</name><bndbox><xmin>${b[0]}</xmin><ymin>${b[1]}</ymin><xmax>${b[2]}</xmax><ymax>${b[3]}</ymax></bndbox></object>`).join('') +
  '</annotation>';

afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  await writeImageRgb(path.join(images, 'img-a.png'), { data: new Uint8Array(96 * 64 * 3), width: 96, height: 64 });
  await writeImageRgb(path.join(images, 'img-b.png'), { data: new Uint8Array(192 * 128 * 3), width: 192, height: 128 });
  writeFileSync(path.join(annotations, 'img-a.xml'), voc('img-a.png', 96, 64, [['with_mask', [5, 4, 29, 36]], ['without_mask', [36, 32, 60, 64]], ['without_mask', [70, 0, 94, 30]]]));
  writeFileSync(path.join(annotations, 'img-b.xml'), voc('img-b.png', 192, 128, [['with_mask', [10, 8, 58, 72]], ['without_mask', [72, 64, 120, 128]], ['without_mask', [136, 8, 176, 32]]]));
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const detections = path.join(root, 'detections.json');

test('detect writes one entry per face per label above the floor, in original image pixels', async () => {
  const r = await cli('detect', '--model', model, '--json', detections, '--threads', '1', '--providers', 'cpu', images);
  expect(r.err).toContain('2 images, 7 faces, 9 entries');
  expect(r.code).toBe(0);
  const s1 = 0.59343; // 1 - e^-0.9, A + B
  const g = 0.42305; // 1 - e^-0.55
  const e = 0.550671; // 1 - e^-0.8
  const c = 0.181269; // 1 - e^-0.2
  const f = 0.503415; // 1 - e^-0.7
  const got = JSON.parse(readFileSync(detections, 'utf8')) as { image: string; label: string; score: number; box: number[] }[];
  expect(got.map((d) => ({ ...d, score: +d.score.toFixed(5) }))).toEqual([
    { image: 'img-a', label: 'mask', score: +s1.toFixed(5), box: [5.33, 4, 29.33, 36] },
    { image: 'img-a', label: 'no_mask', score: +g.toFixed(5), box: [4, 4, 28, 36] },
    { image: 'img-a', label: 'no_mask', score: +e.toFixed(5), box: [36, 32, 60, 64] },
    { image: 'img-a', label: 'mask', score: +c.toFixed(5), box: [60, 28, 92, 60] },
    { image: 'img-b', label: 'mask', score: +s1.toFixed(5), box: [10.67, 8, 58.67, 72] },
    { image: 'img-b', label: 'no_mask', score: +g.toFixed(5), box: [8, 8, 56, 72] },
    { image: 'img-b', label: 'no_mask', score: +e.toFixed(5), box: [72, 64, 120, 128] },
    { image: 'img-b', label: 'no_mask', score: +f.toFixed(5), box: [136, 8, 176, 32] },
    { image: 'img-b', label: 'mask', score: +c.toFixed(5), box: [120, 56, 184, 120] },
  ]);
});

test('eval scores a detections file against VOC XML: per-class AP, 2/3-class mAP, face recall, confusion', async () => {
  const r = await cli('eval', '--data', path.join(root, 'data'), '--detections', detections, '--json');
  expect(r.code).toBe(0);
  const report = JSON.parse(r.out);
  // mask: both A+B clusters match (TP, TP), both C clusters miss (FP, FP) -> AP 1.
  expect(report.classes.mask).toEqual({ ap: 1, positives: 2, detections: 4 });
  // no_mask: E, E, F match; both G boxes sit on masked faces; one unmasked face is never found: AP 3/4.
  expect(report.classes.no_mask).toEqual({ ap: 0.75, positives: 4, detections: 5 });
  expect(report.classes.incorrect).toEqual({ ap: null, positives: 0, detections: 0 });
  expect(report.map3).toBeCloseTo(0.875, 10);
  expect(report.twoClass.map).toBeCloseTo(0.875, 10);
  // Faces: 5 of 6 found before any false one.
  expect(report.face.ap).toBeCloseTo(5 / 6, 10);
  expect(report.face.recall).toBeCloseTo(5 / 6, 10);
  expect(report.confusion.matrix).toEqual([[2, 0, 0], [0, 3, 0], [0, 0, 0]]);
  expect(report.confusion.missed).toEqual([0, 1, 0]);
  const text = await cli('eval', '--data', path.join(root, 'data'), '--detections', detections);
  expect(text.out).toContain('  mAP         87.50');
});

test('eval --model runs the model over the data set and reports the same numbers, plus its speed', async () => {
  const fromFile = JSON.parse((await cli('eval', '--data', path.join(root, 'data'), '--detections', detections, '--json')).out);
  const list = path.join(root, 'list.txt');
  writeFileSync(list, '# both images\nimg-a.png\nimg-b\n');
  const r = await cli('eval', '--data', path.join(root, 'data'), '--images', list, '--model', model, '--providers', 'cpu', '--json');
  expect(r.code).toBe(0);
  const { speed, ...report } = JSON.parse(r.out);
  expect(report).toEqual(fromFile);
  expect(speed).toMatch(/^test-detectnet@0\.0\.1 on cpu: [\d.]+ ms median/);
});

test('annotate draws each face in its label colour', async () => {
  const out = path.join(root, 'annotated');
  const r = await cli('annotate', path.join(images, 'img-a.png'), '--out', out, '--detections', detections);
  expect(r.code).toBe(0);
  const img = await readImageRgb(path.join(out, 'img-a.png'));
  const px = (x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
  expect([img.width, img.height]).toEqual([96, 64]);
  expect(px(5, 30)).toEqual([0, 200, 0]); // left edge of the mask face (x1 5.33 rounds to 5)
  expect(px(36, 50)).toEqual([230, 0, 0]); // left edge of the unmasked face
  expect(px(70, 50)).toEqual([0, 0, 0]); // C scores 0.18, under the default 0.5
  const viaModel = await cli('annotate', images, '--out', path.join(root, 'annotated-model'), '--model', model, '--providers', 'cpu');
  expect(viaModel.code).toBe(0);
  expect(viaModel.err).toContain('img-b.png: 3 faces');
});

test('usage errors exit 2 and say what is wrong; a missing model exits 1 naming it', async () => {
  expect((await cli('detect', '--json', 'x.json', images)).err).toContain('mask-gate detect: --model is required');
  expect((await cli('detect', '--model', model, '--json', 'x.json', '--threads', 'many', images)).code).toBe(2);
  expect((await cli('eval', '--data', root, '--model', model, '--detections', detections)).err).toContain('give exactly one of --detections FILE and --model M');
  expect((await cli('eval', '--data', root, '--detections', detections, '--iou', '2')).err).toContain('--iou: expected a number from 0 to 1, got "2"');
  expect((await cli('annotate', images)).code).toBe(2);
  expect((await cli('detect', '--model', model, '--json', 'x.json', '--colour', images)).code).toBe(2);
  const missing = await cli('detect', '--model', path.join(root, 'no-such-model'), '--json', path.join(root, 'x.json'), images);
  expect(missing.code).toBe(1);
  expect(missing.err).toContain(`mask-gate detect: model ${path.join(root, 'no-such-model')}: expected a folder holding model.json`);
  expect((await cli('eval', '--data', path.join(root, 'nowhere'), '--detections', detections)).code).toBe(1);
});

test('bad flag values are reported as the config would report them', async () => {
  expect((await cli('detect', '--model', model, '--json', 'x.json', '--threads', 'many', images)).err).toContain('mask-gate detect: --threads: expected a number, got "many"');
  expect((await cli('detect', '--model', model, '--json', 'x.json', '--providers', 'cpu,gpu', images)).err).toContain(
    'mask-gate detect: --providers[1]: expected one of "tensorrt" | "cuda" | "cpu", got "gpu"',
  );
  const bad = path.join(root, 'bad.json');
  writeFileSync(bad, JSON.stringify([{ image: 'img-a', label: 'mask', score: 1.5, box: [0, 0, 1, 1] }]));
  expect((await cli('eval', '--data', path.join(root, 'data'), '--detections', bad)).err).toContain(`mask-gate eval: ${bad}: [0].score: expected a number <= 1, got 1.5`);
});
