#!/usr/bin/env node
'use strict';
// `npm ci` runs this. It compiles the TypeScript when the dev tools are installed; a production install
// (`npm ci --omit=dev`, as from an offline bundle that already holds dist/) has no compiler and skips it.
const { execFileSync } = require('node:child_process');
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  console.log('mask-gate: no TypeScript compiler (production install); using the prebuilt dist/');
  process.exit(0);
}
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
