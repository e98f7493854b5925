#!/usr/bin/env node
'use strict';
// For provision.sh: validates a config with the app's own CLI (the code behind
// `mask-gate run --validate-config FILE`, run in-process to save a second Node start), then prints what the
// later steps need from it, as parsed by the app's loader with every default filled in: the pins for the
// pinmux check, the model and engine cache for the TensorRT check, the dashboard port for the kiosk, the
// camera scheme for the unit. Those lines start with "@ "; the CLI's own output passes through.
// usage: config-check.js APP_DIR CONFIG_FILE
const path = require('node:path');

async function main() {
  const [app, file] = process.argv.slice(2);
  if (!app || !file) {
    process.stderr.write('usage: config-check.js APP_DIR CONFIG_FILE\n');
    return 2;
  }
  const cli = require(path.resolve(app, 'dist/src/cli/main.js'));
  const code = await cli.main(['run', '--validate-config', file]);
  if (code !== 0) return code;
  const c = require(path.resolve(app, 'dist/src/config/load.js')).loadConfig({ file });
  const lines = [
    `model ${c.detector.model}`,
    `engine_cache ${c.detector.tensorrt.engineCachePath}`,
    `fp16 ${c.detector.tensorrt.fp16}`,
    `camera_scheme ${c.camera.source.split(':')[0]}`,
    `dashboard ${c.dashboard.enabled} ${c.dashboard.port}`,
  ];
  for (const [name, p] of Object.entries(c.hardware.outputs)) if (p) lines.push(`output ${name} ${p.pin}`);
  for (const [name, p] of Object.entries(c.hardware.inputs)) if (p) lines.push(`input ${name} ${p.pin}`);
  for (const name of ['thermometer', 'display']) {
    const d = c.hardware[name];
    if (d) lines.push(`i2c ${name} ${d.bus} 0x${d.address.toString(16)}`);
  }
  process.stdout.write(lines.map((l) => `@ ${l}\n`).join(''));
  return 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (e) => { process.stderr.write(`${e && e.message ? e.message : e}\n`); process.exitCode = 1; },
);
