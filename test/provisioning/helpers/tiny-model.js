'use strict';
// Writes a two-node ONNX model (Relu, GlobalAveragePool; input x [N,3,8,8]) for the ort-probe tests.
const { onnx } = require('onnx-proto');

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const info = (name, dims) => ({
  name,
  type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
});
const graph = {
  name: 'probe-test',
  node: [
    { opType: 'Relu', name: 'relu', input: ['x'], output: ['r'] },
    { opType: 'GlobalAveragePool', name: 'pool', input: ['r'], output: ['y'] },
  ],
  input: [info('x', ['N', 3, 8, 8])],
  output: [info('y', ['N', 3, 1, 1])],
};
const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], producerName: 'mask-gate-tests', graph });
require('node:fs').writeFileSync(process.argv[2], onnx.ModelProto.encode(model).finish());
