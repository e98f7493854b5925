/**
 * ONNX initializers to and from numbers, shared by the runtime's channel widening and the training
 * converter (onnx-proto is pure JavaScript, so this is not a native driver).
 */
import { onnx } from 'onnx-proto';

export function floatTensor(name: string, dims: number[], data: ArrayLike<number>): onnx.ITensorProto {
  const f = Float32Array.from(data);
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(f.buffer, f.byteOffset, f.byteLength) };
}

export function int64Tensor(name: string, values: number[]): onnx.ITensorProto {
  const b = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(b.buffer) };
}

/** A float graph input or output of these dims: numbers are fixed sizes, strings named (dynamic) ones. */
export function valueInfo(name: string, dims: (number | string)[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } };
}

/** A protobuf number that may arrive as a Long. */
export function toNum(v: unknown): number {
  return typeof v === 'number' ? v : Number((v as { toString(): string }).toString());
}

/** int64 values of an initializer, stored either as int64Data or as raw little-endian bytes. */
export function int64Values(t: onnx.ITensorProto): number[] {
  if (t.int64Data && t.int64Data.length) return t.int64Data.map(toNum);
  const raw = t.rawData!;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.byteLength / 8 }, (_, i) => Number(view.getBigInt64(8 * i, true)));
}

/** float values of an initializer, stored either as floatData or as raw little-endian bytes (copied). */
export function floatValues(t: onnx.ITensorProto): Float32Array {
  if (t.floatData && t.floatData.length) return Float32Array.from(t.floatData);
  return new Float32Array(new Uint8Array(t.rawData!).buffer);
}
