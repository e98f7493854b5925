/**
 * npm run quantize: an int8 (QDQ) copy of a two-stage model folder, calibrated on its training split.
 *
 *   node dist/src/training/quantize-cli.js [--model models/mask-two-stage] [--out models/mask-two-stage-int8]
 *     [--data ../shared/datasets/face-mask-andrewmvd] [--photos 200] [--crops 512] [--quantize-heads] [--no-equalize]
 *     [--percentile 99.99 (clip the rarest values; default) | 100 (min/max)]
 *
 * Writes face.onnx, classifier.onnx (and the faint network, classifier.faint, calibrated on the same rows),
 * the licence file, split/ (bench and eval read split/val.txt from the model folder) and model.json (the
 * float model's decoder, files with sha256 and bytes, provenance; no metrics: measure with `mask-gate eval`
 * and record them). The model card is written by hand.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { rowsPerFace } from '../detector/face-crop';
import { loadModel } from '../detector/model-loader';
import { ortSessionFactory } from '../detector/ort-session';
import { readImageList } from '../eval/voc-dataset';
import { outputHeads, quantizeModel, type QuantizeReport } from './quantize';
import { calibrateRanges, channelMaxima, classifierFeeds, faceFeeds, photoPaths, type Feeds } from './quantize-calibrate';
import { depthwiseOutputs, equalizeDepthwise } from './quantize-equalize';
import { rng, shuffle } from './random';
import { SEED } from './train';

/** Faces (row groups) per classifier calibration run. */
const CROP_BATCH = 16;

function describe(role: string, r: QuantizeReport, floatNodes: string[]): string {
  return `${role}: ${r.weights.length} weighted nodes int8, ${r.activations} activations uint8, ${r.foldedRelus} Relus folded, ${r.moved} data-movement nodes on uint8${floatNodes.length ? `, float: ${floatNodes.join(', ')}` : ''}`;
}

export interface QuantizeFolderOptions {
  model: string;
  out: string;
  /** The VOC folder holding the training photos (images/KEY.jpg). */
  data: string;
  photos: number;
  crops: number;
  /** Range percentile; 100 = min/max. */
  percentile: number;
  quantizeHeads: boolean;
  equalize: boolean;
  /** Progress lines. */
  say: (line: string) => void;
}

/** Writes the int8 copy of the `model` folder into `out` (see the header); returns the written folder's manifest path. */
export async function quantizeFolder(o: QuantizeFolderOptions): Promise<string> {
  const src = path.resolve(o.model);
  const out = path.resolve(o.out);
  const data = path.resolve(o.data);
  if (!existsSync(path.join(data, 'images'))) throw new Error(`expected the training photos in ${path.join(data, 'images')}, got no such folder (--data)`);
  const percentile = o.percentile;
  if (!(percentile > 50 && percentile <= 100)) throw new Error(`expected a percentile in (50, 100], got ${percentile}`);
  const model = await loadModel(src);
  const m = model.manifest;
  if (m.decoder.type !== 'two_stage') throw new Error(`expected a two_stage model, got ${m.decoder.type}`);
  const dec = m.decoder;
  // Calibration photos: a seeded sample of the TRAINING split only.
  const keys = shuffle(await readImageList(path.join(src, 'split', 'train.txt')), rng(SEED)).slice(0, o.photos);
  const photos = photoPaths(data, keys);
  const faceBytes = model.files.get(dec.face.file)!;
  const clsBytes = model.files.get(dec.classifier.file)!;

  const floatHeads = (bytes: Uint8Array) => (o.quantizeHeads ? [] : outputHeads(bytes));
  /** Equalize (unless --no-equalize), calibrate, quantize; `feeds` is called once per calibration pass. */
  async function quantizeNetwork(role: string, bytes: Uint8Array, feeds: () => AsyncIterable<Feeds>): Promise<QuantizeReport> {
    const t = Date.now();
    let eq = bytes;
    let pairs = 0;
    const dw = depthwiseOutputs(bytes);
    if (o.equalize && dw.length) ({ bytes: eq, pairs } = equalizeDepthwise(bytes, await channelMaxima(ortSessionFactory, bytes, dw, feeds)));
    const floatNodes = floatHeads(eq);
    const r = quantizeModel(eq, await calibrateRanges(ortSessionFactory, eq, feeds, { percentile }), { floatNodes });
    o.say(`${describe(role, r, floatNodes)}, ${pairs} depthwise pairs equalized (${((Date.now() - t) / 1000).toFixed(0)} s)`);
    return r;
  }

  const face = await quantizeNetwork('face', faceBytes, () => faceFeeds(dec, photos));
  let crops = 0;
  async function* counted(): AsyncGenerator<Feeds> {
    crops = 0;
    for await (const f of classifierFeeds(ortSessionFactory, faceBytes, dec, photos, CROP_BATCH, o.crops)) {
      crops += f[dec.classifier.input.name]!.dims[0]! / rowsPerFace(dec.classifier);
      yield f;
    }
  }
  const cls = await quantizeNetwork('classifier', clsBytes, counted);
  const faintFile = dec.classifier.faint?.file;
  const faint = faintFile ? await quantizeNetwork('faint classifier', model.files.get(faintFile)!, counted) : undefined;
  o.say(`calibration: ${photos.length} training photos, ${crops} classifier rows (faces and mirrored faces)`);

  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, dec.face.file), face.bytes);
  writeFileSync(path.join(out, dec.classifier.file), cls.bytes);
  if (faint) writeFileSync(path.join(out, faintFile!), faint.bytes);
  const written = [dec.face.file, dec.classifier.file, faintFile];
  for (const f of m.files) if (!written.includes(f.path)) cpSync(path.join(src, f.path), path.join(out, f.path));
  if (existsSync(path.join(src, 'split'))) cpSync(path.join(src, 'split'), path.join(out, 'split'), { recursive: true });

  const json = JSON.parse(readFileSync(path.join(src, 'model.json'), 'utf8'));
  json.name = `${m.name}-int8`;
  json.description = `int8 copy (static QDQ quantization by npm run quantize) of ${m.name}@${m.version}: ${m.description ?? ''}`;
  json.files = m.files.map((f) => {
    const bytes = readFileSync(path.join(out, f.path));
    return { path: f.path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  });
  json.provenance = {
    ...json.provenance,
    source: `${json.provenance.source}; quantized from ${m.name}@${m.version} (face.onnx sha256 ${m.files.find((f) => f.path === dec.face.file)!.sha256.slice(0, 12)}, classifier.onnx ${m.files.find((f) => f.path === dec.classifier.file)!.sha256.slice(0, 12)})`,
    exportedWith: 'src/training/quantize.ts (npm run quantize)',
    date: new Date().toISOString().slice(0, 10),
    notes:
      `Static QDQ int8: Conv/Gemm weights int8 symmetric per output channel, biases int32, activations uint8 from ${percentile >= 100 ? 'min/max' : `the ${percentile}th-percentile range (histogram)`} over calibration runs ` +
      `(${photos.length} training photos seeded ${SEED} through frameToInput for the face network; ${crops} classifier rows from the faces the float face stage found on them, ` +
      `cropped as at run time, face + lower-face pairs, confident faces also mirrored, for the classifier). ` +
      (o.quantizeHeads ? '' : 'Kept float: the output layers (the nodes writing boxes and scores). ') +
      (!o.equalize ? '' : 'Depthwise -> pointwise convolution pairs equalized per channel first (quantize-equalize.ts). ') +
      `Calibrated on the training split only. The float model: ${json.provenance.notes ?? ''}`,
  };
  json.metrics = [];
  writeFileSync(path.join(out, 'model.json'), JSON.stringify(json, null, 2) + '\n');
  // The written folder must load as the runtime loads it.
  await loadModel(out);
  return path.join(out, 'model.json');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'models/mask-two-stage' },
      out: { type: 'string', default: 'models/mask-two-stage-int8' },
      data: { type: 'string', default: path.join('..', 'shared', 'datasets', 'face-mask-andrewmvd') },
      photos: { type: 'string', default: '200' },
      crops: { type: 'string', default: '512' },
      'quantize-heads': { type: 'boolean', default: false },
      'no-equalize': { type: 'boolean', default: false },
      // min/max (100) let rare extremes stretch every uint8 step: 2-class mAP 0.032 against 0.521 with 99.99.
      percentile: { type: 'string', default: '99.99' },
    },
  });
  const file = await quantizeFolder({
    model: values.model,
    out: values.out,
    data: values.data,
    photos: Number(values.photos),
    crops: Number(values.crops),
    percentile: Number(values.percentile),
    quantizeHeads: values['quantize-heads'],
    equalize: !values['no-equalize'],
    say: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`wrote ${file}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
