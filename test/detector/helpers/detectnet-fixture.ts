import { constantModel } from './onnx-builder';
import { TEST_LICENCE, TEST_PROVENANCE, writeModelFolder } from './model-folder';

/**
 * A DetectNet_v2-shaped network on a 48x32 input (grid 3x2, stride 16, bbox_norm 35, offset 0.5) with
 * classes mask and no_mask, whose outputs place the cells below. Each cell's bbox values are derived
 * from the box it should decode to (in input pixels), by inverting the TAO formulas.
 */
export interface Cell {
  c: number;
  row: number;
  col: number;
  cov: number;
  box: [number, number, number, number];
}

export const GRID = { w: 3, h: 2, stride: 16, norm: 35, offset: 0.5 };

/** The cells the DetectNet tests reason about (boxes in 48x32 input pixels). */
export const CELLS: Cell[] = [
  { c: 0, row: 0, col: 0, cov: 0.6, box: [2, 2, 14, 18] }, // A
  { c: 0, row: 0, col: 1, cov: 0.3, box: [4, 2, 16, 18] }, // B, overlaps A
  { c: 0, row: 1, col: 2, cov: 0.2, box: [30, 14, 46, 30] }, // C, alone and weak
  { c: 0, row: 1, col: 0, cov: 0.004, box: [0, 0, 10, 10] }, // D, under the coverage threshold
  { c: 1, row: 1, col: 1, cov: 0.8, box: [18, 16, 30, 32] }, // E
  { c: 1, row: 0, col: 2, cov: 0.7, box: [34, 2, 44, 8] }, // F, 6 px high in the input
  { c: 1, row: 0, col: 0, cov: 0.55, box: [2, 2, 14, 18] }, // G, no_mask on A's face
];

export function detectNetTensors(cells: Cell[], classes = 2): { cov: Float32Array; bbox: Float32Array } {
  const plane = GRID.w * GRID.h;
  const cov = new Float32Array(classes * plane);
  const bbox = new Float32Array(4 * classes * plane);
  for (const { c, row, col, cov: v, box } of cells) {
    const k = row * GRID.w + col;
    cov[c * plane + k] = v;
    const cx = col * GRID.stride + GRID.offset;
    const cy = row * GRID.stride + GRID.offset;
    const o = [(cx - box[0]) / GRID.norm, (cy - box[1]) / GRID.norm, (box[2] - cx) / GRID.norm, (box[3] - cy) / GRID.norm];
    o.forEach((val, j) => (bbox[(4 * c + j) * plane + k] = val));
  }
  return { cov, bbox };
}

export function detectNetOnnx(cells: Cell[] = CELLS, opts: { covDims?: number[] } = {}): Uint8Array {
  const { cov, bbox } = detectNetTensors(cells);
  return constantModel(
    { name: 'input_1', dims: [1, 3, 32, 48] },
    {
      'output_cov/Sigmoid': { dims: opts.covDims ?? [1, 2, GRID.h, GRID.w], data: cov },
      'output_bbox/BiasAdd': { dims: [1, 8, GRID.h, GRID.w], data: bbox },
    },
  );
}

export function detectNetManifest(over: Record<string, unknown> = {}, decoderOver: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    name: 'test-detectnet',
    version: '0.0.1',
    labels: ['mask', 'no_mask'],
    decoder: {
      type: 'detectnet_v2',
      file: 'model.onnx',
      input: { name: 'input_1', width: 48, height: 32, layout: 'NCHW', colour: 'RGB', normalize: { mean: [0, 0, 0], std: [255, 255, 255] } },
      classes: {
        mask: { eps: 0.3, confidence: 0.5, minHeight: 20 },
        no_mask: { eps: 0.3, confidence: 0.5, minHeight: 20 },
      },
      ...decoderOver,
    },
    licence: TEST_LICENCE,
    provenance: TEST_PROVENANCE,
    ...over,
  };
}

export function detectNetFolder(cells: Cell[] = CELLS, decoderOver: Record<string, unknown> = {}, onnxOpts: Parameters<typeof detectNetOnnx>[1] = {}): string {
  return writeModelFolder('test-detectnet', detectNetManifest({}, decoderOver), { 'model.onnx': detectNetOnnx(cells, onnxOpts) });
}
