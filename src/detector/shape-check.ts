import { DetectorError } from './errors';
import type { InputSpec } from './manifest';
import type { TensorMeta } from './runtime';

/** A dimension we expect: a number, or null for "any" (a dynamic batch, a count the decoder reads). */
export type Dim = number | null;

export function fmtDims(dims: readonly (number | string | null)[]): string {
  return `[${dims.map((d) => (d === null ? '?' : typeof d === 'string' ? d : String(d))).join(', ')}]`;
}

/** Checks the network's declared input against the manifest before anything runs. */
export function checkInputMeta(inputs: TensorMeta[], spec: InputSpec, modelId: string, field: string): TensorMeta {
  const meta = inputs.find((i) => i.name === spec.name);
  if (!meta) {
    throw new DetectorError('model-shape', modelId, `expected an input named "${spec.name}", got ${inputs.map((i) => `"${i.name}"`).join(', ') || 'none'}`, `${field}.name`);
  }
  if (inputs.length !== 1) {
    throw new DetectorError('model-shape', modelId, `expected one input, got ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`, `${field}.name`);
  }
  if (meta.type !== 'float32') throw new DetectorError('model-shape', modelId, `expected a float32 input, got ${meta.type}`, `${field}.name`);
  const want: Dim[] = spec.layout === 'NCHW' ? [null, 3, spec.height, spec.width] : [null, spec.height, spec.width, 3];
  if (!compatible(meta.dims, want)) {
    throw new DetectorError('model-shape', modelId, `expected input ${spec.name} shaped ${fmtDims(want)} (${spec.layout}, ${spec.width}x${spec.height}), got ${fmtDims(meta.dims)}`, `${field}.layout`);
  }
  return meta;
}

/** The batch size the network fixes, or null where it is dynamic. */
export function fixedBatch(meta: TensorMeta): number | null {
  const b = meta.dims[0];
  return typeof b === 'number' && b > 0 ? b : null;
}

/** Checks that each named output exists and that its declared fixed dims agree with `want` (if given). */
export function checkOutputMeta(outputs: TensorMeta[], name: string, want: Dim[] | null, modelId: string, field: string): void {
  const meta = outputs.find((o) => o.name === name);
  if (!meta) {
    throw new DetectorError('model-shape', modelId, `expected an output named "${name}", got ${outputs.map((o) => `"${o.name}"`).join(', ') || 'none'}`, field);
  }
  if (meta.type !== 'float32') throw new DetectorError('model-shape', modelId, `expected output ${name} to be float32, got ${meta.type}`, field);
  if (want && !compatible(meta.dims, want)) {
    throw new DetectorError('model-shape', modelId, `expected output ${name} shaped ${fmtDims(want)}, got ${fmtDims(meta.dims)}`, field);
  }
}

/** Checks a tensor that came back from a run; a garbage shape becomes an error, never a wrong read. */
export function checkOutputDims(name: string, dims: number[] | undefined, want: Dim[], modelId: string, field: string): void {
  if (!dims) throw new DetectorError('output-shape', modelId, `expected output ${name}, got none`, field);
  if (dims.length !== want.length || want.some((w, i) => w !== null && w !== dims[i])) {
    throw new DetectorError('output-shape', modelId, `expected output ${name} shaped ${fmtDims(want)}, got ${fmtDims(dims)}`, field);
  }
}

function compatible(dims: (number | string)[], want: Dim[]): boolean {
  // A network exported without shapes declares none; the run-time check still applies.
  if (dims.length === 0) return true;
  return dims.length === want.length && want.every((w, i) => w === null || typeof dims[i] !== 'number' || dims[i] === w || dims[i]! < 0);
}
