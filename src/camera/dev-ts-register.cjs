// Used only when the camera child is started from TypeScript sources (jest, ts dev runs): compiles .ts
// on require, as @swc/jest does. The built app forks dist/src/camera/gst-child.js and never loads this.
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
