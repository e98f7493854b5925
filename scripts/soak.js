#!/usr/bin/env node
'use strict';
// `npm run soak -- --minutes N`: the soak lives in src/bench/soak.ts (compiled by npm run build).
require('../dist/src/bench/soak.js')
  .soakMain(process.argv.slice(2))
  .then((code) => { process.exitCode = code; }, (err) => { console.error(err && err.message ? err.message : err); process.exitCode = 1; });
