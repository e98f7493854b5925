import { onnx } from 'onnx-proto';

/**
 * Small ONNX models built at test time, so decoder tests run real onnxruntime sessions on tensors whose
 * every value the test chose.
 */
export type DimSpec = number | string;

export interface TensorValue {
  dims: number[];
  data: ArrayLike<number>;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;

function valueInfo(name: string, dims: DimSpec[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

function tensor(name: string, v: TensorValue): onnx.ITensorProto {
  return { name, dims: v.dims, dataType: FLOAT, floatData: Array.from(v.data) };
}

function encode(graph: onnx.IGraphProto): Uint8Array {
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], producerName: 'mask-gate-tests', graph });
  return onnx.ModelProto.encode(model).finish();
}

/** A network that takes `input` and emits fixed tensors. */
export function constantModel(input: { name: string; dims: DimSpec[] }, outputs: Record<string, TensorValue>): Uint8Array {
  const names = Object.keys(outputs);
  return encode({
    name: 'constant',
    node: names.map((n, i) => ({
      opType: 'Constant',
      name: `const${i}`,
      output: [n],
      attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: tensor(`${n}_value`, outputs[n]!) }],
    })),
    input: [valueInfo(input.name, input.dims)],
    output: names.map((n) => valueInfo(n, outputs[n]!.dims)),
  });
}

/**
 * A classifier over NCHW crops [batch, 3, h, w]: scores = mean colour per channel (GlobalAveragePool)
 * times `weights` [3, labels]; optionally a box output [batch, 4] that is `box` on every row.
 */
export function poolClassifierModel(
  input: { name: string; height: number; width: number },
  scoresName: string,
  weights: number[][],
  box?: { name: string; value: [number, number, number, number] },
  batch: DimSpec = 'batch',
  /** Rows come in groups of this many per face (face crop, lower-face crop, nose crop): `weights` is then [3 group, labels], one output row per group. */
  group = 1,
): Uint8Array {
  const labels = weights[0]!.length;
  const width = 3 * group;
  const node: onnx.INodeProto[] = [
    { opType: 'GlobalAveragePool', input: [input.name], output: ['pooled'] },
    { opType: 'Flatten', input: ['pooled'], output: [group > 1 ? 'rowMeans' : 'means'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
    { opType: 'MatMul', input: ['means', 'W'], output: [scoresName] },
  ];
  const initializer = [tensor('W', { dims: [width, labels], data: weights.flat() })];
  const output = [valueInfo(scoresName, [batch, labels])];
  if (group > 1) {
    node.splice(2, 0, { opType: 'Reshape', input: ['rowMeans', 'groupShape'], output: ['means'] });
    initializer.push({ name: 'groupShape', dims: [2], dataType: onnx.TensorProto.DataType.INT64, int64Data: [-1, width] });
  }
  if (box) {
    node.push({ opType: 'MatMul', input: ['means', 'Wz'], output: ['zero4'] }, { opType: 'Add', input: ['zero4', 'B'], output: [box.name] });
    initializer.push(tensor('Wz', { dims: [width, 4], data: new Array(width * 4).fill(0) }), tensor('B', { dims: [4], data: box.value }));
    output.push(valueInfo(box.name, [batch, 4]));
  }
  return encode({ name: 'pool-classifier', node, initializer, input: [valueInfo(input.name, [batch, 3, input.height, input.width])], output });
}
