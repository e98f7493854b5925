/**
 * Speed of the whole two-stage detection on a 640x360 frame, as the gate runs it (operating thresholds,
 * not the eval sweep): a real photo with at least three faces, stretched to 640x360.
 *
 *   node dist/src/training/bench.js [--model models/mask-two-stage] [--image FILE] [--threads 2] [--runs 60]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DetectorSection } from '../config/sections/detector';
import { createDetector } from '../detector/detector';
import { readImageRgb } from '../detector/image-io';
import type { RgbFrame } from '../detector/types';
import { createLogger } from '../log';

/** Bilinear resize of an RGB frame. */
export function resizeFrame(f: RgbFrame, width: number, height: number): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max(((y + 0.5) * f.height) / height - 0.5, 0), f.height - 1);
    const y0 = Math.floor(sy), y1 = Math.min(y0 + 1, f.height - 1), dy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max(((x + 0.5) * f.width) / width - 0.5, 0), f.width - 1);
      const x0 = Math.floor(sx), x1 = Math.min(x0 + 1, f.width - 1), dx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const v =
          f.data[(y0 * f.width + x0) * 3 + c]! * (1 - dx) * (1 - dy) + f.data[(y0 * f.width + x1) * 3 + c]! * dx * (1 - dy) +
          f.data[(y1 * f.width + x0) * 3 + c]! * (1 - dx) * dy + f.data[(y1 * f.width + x1) * 3 + c]! * dx * dy;
        data[(y * width + x) * 3 + c] = Math.round(v);
      }
    }
  }
  return { data, width, height };
}

export async function bench(model: string, image: string, threads: number, runs: number): Promise<{ median: number; p90: number; faces: number }> {
  const config = DetectorSection.parse({ model, threads, providers: ['cpu'] });
  const log = createLogger('mask-gate:bench');
  const det = createDetector({ config, log });
  await det.start();
  try {
    const frame = resizeFrame(await readImageRgb(image), 640, 360);
    let faces = 0;
    for (let i = 0; i < 5; i++) faces = (await det.detect(frame)).length;
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await det.detect(frame);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    return { median: ms[Math.floor(runs / 2)]!, p90: ms[Math.floor(runs * 0.9)]!, faces };
  } finally {
    await det.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, image: { type: 'string' }, threads: { type: 'string' }, runs: { type: 'string' } },
  });
  const model = values.model ?? 'models/mask-two-stage';
  const image = values.image ?? path.join('..', 'shared', 'datasets', 'face-mask-andrewmvd', 'images', 'maksssksksss0.jpg');
  const threads = Number(values.threads ?? 2);
  const r = await bench(model, image, threads, Number(values.runs ?? 60));
  process.stdout.write(`${model} on 640x360 (${path.basename(image)}, ${r.faces} faces found), ${threads} threads: median ${r.median.toFixed(1)} ms (${(1000 / r.median).toFixed(1)} FPS), p90 ${r.p90.toFixed(1)} ms\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
