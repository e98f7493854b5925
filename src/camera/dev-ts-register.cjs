// Lets a child `node` process run the TypeScript sources directly, compiled on require as @swc/jest does:
// the camera child under jest, and the test fixtures that must be real processes (safe state, kill -9).
// The built app forks dist/src/camera/gst-child.js and never loads this.
'use strict';
const fs = require('fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
