import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rng } from '../sequence/doorway-plan';

/**
 * A DetectNet_v2-FORMAT model with SYNTHETIC weights, for the bench's decoder comparison only: one 16x16
 * stride-16 convolution per head (coverage with a sigmoid, bbox) over a 736x416 input, the TAO FaceDetect
 * size. It exercises the real detectnet_v2 path (preprocessing, onnxruntime, coverage decoding, DBSCAN) at a
 * real grid size (46x26, 3 classes), but it is not a real backbone (a TAO ResNet-18 costs far more) and
 * detects nothing: its numbers are pipeline and decoder overhead, never accuracy or a real model's speed.
 * No DetectNet_v2 model ships with mask-gate; this is built at bench time (onnx-proto, a dev dependency).
 */
export const SYNTHETIC_INPUT = { width: 736, height: 416, stride: 16 };
const LABELS = ['mask', 'no_mask', 'incorrect'] as const;

export function writeSyntheticDetectNet(dir: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const rand = rng(20261127);
  const c = LABELS.length;
  const { width: w, height: h, stride: s } = SYNTHETIC_INPUT;
  const weights = (n: number, scale: number) => Array.from({ length: n }, () => (rand() - 0.5) * scale);
  const tensor = (name: string, dims: number[], data: number[]) => ({ name, dims, dataType: FLOAT, floatData: data });
  const info = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const conv = (x: string, wName: string, bName: string, out: string) => ({
    opType: 'Conv',
    input: [x, wName, bName],
    output: [out],
    attribute: [
      { name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [s, s] },
      { name: 'strides', type: onnx.AttributeProto.AttributeType.INTS, ints: [s, s] },
    ],
  });
  const graph = {
    name: 'synthetic-detectnet',
    node: [conv('input_1', 'Wc', 'Bc', 'cov_logits'), { opType: 'Sigmoid', input: ['cov_logits'], output: ['output_cov/Sigmoid'] }, conv('input_1', 'Wb', 'Bb', 'output_bbox/BiasAdd')],
    // Coverage biased just under TAO's 0.005 candidate threshold: about 5% of the 3,588 cells pass (170 on
    // the bench frames), a clustering load of the kind a real frame gives,
    // rather than all of them (an O(n^2) DBSCAN worst case no real model produces).
    initializer: [
      tensor('Wc', [c, 3, s, s], weights(c * 3 * s * s, 0.02)),
      tensor('Bc', [c], new Array(c).fill(-5.6)),
      tensor('Wb', [4 * c, 3, s, s], weights(4 * c * 3 * s * s, 0.01)),
      tensor('Bb', [4 * c], new Array(4 * c).fill(0.5)),
    ],
    input: [info('input_1', [1, 3, h, w])],
    output: [info('output_cov/Sigmoid', [1, c, h / s, w / s]), info('output_bbox/BiasAdd', [1, 4 * c, h / s, w / s])],
  };
  const bytes = onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], producerName: 'mask-gate bench', graph })).finish();
  const folder = path.join(dir, 'synthetic-detectnet');
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'model.onnx'), bytes);
  const cls = { eps: 0.3, confidence: 0.5, minHeight: 20 };
  const manifest = {
    schemaVersion: 1,
    name: 'synthetic-detectnet',
    version: '0.0.0',
    description: 'SYNTHETIC WEIGHTS: a DetectNet_v2-format speed fixture built by the bench. Detects nothing.',
    labels: [...LABELS],
    files: [{ path: 'model.onnx', sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length }],
    decoder: {
      type: 'detectnet_v2',
      file: 'model.onnx',
      input: { name: 'input_1', width: w, height: h, layout: 'NCHW', colour: 'RGB', normalize: { mean: [0, 0, 0], std: [255, 255, 255] } },
      classes: Object.fromEntries(LABELS.map((l) => [l, cls])),
    },
    licence: { spdx: 'MIT', holder: 'mask-gate bench (synthetic weights)' },
    provenance: { source: 'src/bench/synthetic-detectnet.ts, random weights, seed 20261127' },
  };
  writeFileSync(path.join(folder, 'model.json'), JSON.stringify(manifest, null, 2));
  return folder;
}
