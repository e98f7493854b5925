#!/usr/bin/env node
'use strict';
/**
 * How much the detector's box moves on a face that does not move: the basis of gate.stationaryTolerance.
 * Each validation photo with one labelled face is placed, still, in a 640x360 frame with its face 50 and
 * 80 px high, and detected in 60 frames, each with fresh sensor noise (as the doorway sequences add it).
 * Per face it prints the largest edge deviation from the first box, and the largest deviation held for 2
 * and 3 frames in a row (a picture counts as moved only when away for 3), each also as a fraction of the
 * face's height. Needs `npm run build` and ../shared/datasets/face-mask-andrewmvd.
 *
 *   node scripts/measure-box-jitter.js [--faces 20] [--model models/mask-two-stage]
 */
const fs = require('node:fs');
const path = require('node:path');
const sharp = require('sharp');
const { createDetector } = require('../dist/src/detector/detector.js');
const { memoryLogger } = require('../dist/src/log.js');

const root = path.resolve(__dirname, '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const MAX_PHOTOS = Number(arg('--faces', '20'));
const MODEL = path.resolve(root, arg('--model', 'models/mask-two-stage'));
const DATA = path.resolve(root, '../shared/datasets/face-mask-andrewmvd');
const W = 640;
const H = 360;
const FRAMES = 60;

function labelledBoxes(xml) {
  const re = /<bndbox>\s*<xmin>(\d+)<\/xmin>\s*<ymin>(\d+)<\/ymin>\s*<xmax>(\d+)<\/xmax>\s*<ymax>(\d+)<\/ymax>/g;
  return [...xml.matchAll(re)].map((m) => m.slice(1).map(Number));
}

/** The largest deviation that lasted `n` frames in a row. */
function held(devs, n) {
  let m = 0;
  for (let i = 0; i + n <= devs.length; i++) m = Math.max(m, Math.min(...devs.slice(i, i + n)));
  return m;
}

async function stillFrame(file, face, heightPx) {
  const k = heightPx / (face[3] - face[1]);
  const img = sharp(file).removeAlpha();
  const meta = await img.metadata();
  const pw = Math.round(meta.width * k);
  const ph = Math.round(meta.height * k);
  if (pw > W || ph > H) return null;
  const photo = await img.resize(pw, ph).raw().toBuffer();
  const base = Buffer.alloc(W * H * 3, 120);
  const ox = Math.round((W - pw) / 2);
  const oy = Math.round((H - ph) / 2);
  for (let y = 0; y < ph; y++) photo.copy(base, ((oy + y) * W + ox) * 3, y * pw * 3, (y + 1) * pw * 3);
  return { base, truth: [ox + face[0] * k, oy + face[1] * k, ox + face[2] * k, oy + face[3] * k] };
}

async function main() {
  const det = createDetector({ config: { model: MODEL, providers: ['cpu'], threads: 1, tensorrt: {} }, log: memoryLogger() });
  await det.start();
  let seed = 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  const names = fs.readFileSync(path.join(MODEL, 'split/val.txt'), 'utf8').split('\n').filter(Boolean);
  const rows = [];
  let photos = 0;
  for (const name of names) {
    if (photos >= MAX_PHOTOS) break;
    const faces = labelledBoxes(fs.readFileSync(path.join(DATA, 'annotations', `${name}.xml`), 'utf8'));
    if (faces.length !== 1 || faces[0][3] - faces[0][1] < 30) continue;
    photos++;
    for (const heightPx of [50, 80]) {
      const still = await stillFrame(path.join(DATA, 'images', `${name}.jpg`), faces[0], heightPx);
      if (!still) continue;
      const devs = [];
      let first = null;
      for (let f = 0; f < FRAMES; f++) {
        const data = Buffer.from(still.base);
        for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, data[i] + Math.round((rand() + rand() + rand() - 1.5) * 5)));
        const dets = await det.detect({ data, width: W, height: H, seq: f, tMs: f * 33 });
        const near = dets
          .map((d) => ({ d, off: Math.abs(d.box[0] - still.truth[0]) + Math.abs(d.box[1] - still.truth[1]) }))
          .sort((a, b) => a.off - b.off)[0];
        if (!near || near.off > heightPx) continue;
        first ??= near.d.box;
        devs.push(Math.max(...near.d.box.map((v, i) => Math.abs(v - first[i]))));
      }
      if (devs.length) rows.push({ name, heightPx, found: devs.length, max: Math.max(...devs), held2: held(devs, 2), held3: held(devs, 3) });
    }
  }
  await det.stop();
  const f = (x) => x.toFixed(2).padStart(6);
  process.stdout.write('photo                face px  found   max px  held2 px  held3 px  held3/height\n');
  for (const r of rows) process.stdout.write(`${r.name.padEnd(20)} ${String(r.heightPx).padStart(7)} ${String(r.found).padStart(6)}   ${f(r.max)}    ${f(r.held2)}    ${f(r.held3)}    ${(r.held3 / r.heightPx).toFixed(3)}\n`);
  const worst = (k) => Math.max(...rows.map((r) => r[k] / r.heightPx)).toFixed(3);
  process.stdout.write(`\n${rows.length} faces: worst fraction of face height, max ${worst('max')}, held 2 frames ${worst('held2')}, held 3 frames ${worst('held3')}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
