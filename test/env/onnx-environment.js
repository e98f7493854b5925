/**
 * Jest's node environment gives each test file its own realm, so typed arrays made in a test are not
 * `instanceof` the host's Float32Array that onnxruntime-node's native code checks. This environment
 * hands the test realm the host's binary-data constructors. Select it per file with the docblock
 * `@jest-environment ./test/env/onnx-environment.js`.
 */
'use strict';
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OnnxEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) if (globalThis[name]) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxEnvironment;
