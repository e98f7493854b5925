import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CameraError } from '../../src/camera/errors';
import type { Frame, FrameWarning } from '../../src/camera/frame';
import { openCamera } from '../../src/camera/open';
import { PacedSource } from '../../src/camera/pacer';
import { sequenceCommand } from '../../src/cli/sequence';
import { CameraSection } from '../../src/config/sections/camera';
import { memoryLogger } from '../../src/log';
import { SequenceSource } from '../../src/sequence/source';
import { SequenceWriter } from '../../src/sequence/writer';
import { ManualClock } from '../fixtures/camera-clock';
import { makeJpegFrames, tempDir, within } from '../fixtures/camera-media';

const tmp = tempDir('seqsrc');
afterAll(() => tmp.cleanup());

/** A sequence of solid frames whose red channel encodes the frame number (i * 20). */
async function solidSequence(name: string, n: number, times?: number[]): Promise<string> {
  const dir = path.join(tmp.dir, name);
  const w = new SequenceWriter(dir, { fps: 10, width: 80, height: 60, source: { kind: 'recorded', tool: 'test', created: 'now' } });
  await w.open();
  for (let i = 0; i < n; i++) {
    const data = Buffer.alloc(80 * 60 * 3);
    for (let p = 0; p < data.length; p += 3) [data[p], data[p + 1], data[p + 2]] = [i * 20, 100, 200];
    await w.add({ data, width: 80, height: 60 }, times?.[i] ?? i * 100);
  }
  await w.finish();
  return dir;
}

function source(dir: string, loop = false) {
  return new SequenceSource({ dir, uri: `frames://${dir}`, width: 40, height: 30, loop, logger: memoryLogger() });
}

async function all(src: { next(): Promise<Frame | null> }): Promise<Frame[]> {
  const out: Frame[] = [];
  for (let f = await src.next(); f; f = await src.next()) out.push(f);
  return out;
}

describe('frames:// sequences', () => {
  it('replays every frame in order, resized to the working size, with its t_ms', async () => {
    const dir = await solidSequence('plain', 5, [0, 70, 130, 210, 260]);
    const src = source(dir);
    await src.start();
    const frames = await all(src);
    expect(frames.map((f) => [f.seq, f.index, f.tMs, f.file])).toEqual([
      [0, 0, 0, 'frame-000000.jpg'],
      [1, 1, 70, 'frame-000001.jpg'],
      [2, 2, 130, 'frame-000002.jpg'],
      [3, 3, 210, 'frame-000003.jpg'],
      [4, 4, 260, 'frame-000004.jpg'],
    ]);
    expect(frames.map((f) => Math.round(f.data[0]! / 20))).toEqual([0, 1, 2, 3, 4]);
    expect(frames[0]!.data.length).toBe(40 * 30 * 3);
    expect([...frames[2]!.data.subarray(0, 3)].map((v, i) => Math.abs(v - [40, 100, 200][i]!) < 8)).toEqual([true, true, true]);
  });

  it('reports a corrupt or missing frame with its index and file, skips it, and goes on', async () => {
    const dir = await solidSequence('bad', 6);
    const jpeg = readFileSync(path.join(dir, 'frame-000002.jpg'));
    writeFileSync(path.join(dir, 'frame-000002.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2))); // truncated
    unlinkSync(path.join(dir, 'frame-000004.jpg'));
    const src = source(dir);
    const warnings: FrameWarning[] = [];
    src.on('warning', (w) => warnings.push(w));
    await src.start();
    const frames = await all(src);
    expect(frames.map((f) => f.index)).toEqual([0, 1, 3, 5]);
    expect(frames.map((f) => f.seq)).toEqual([0, 1, 2, 3]);
    expect(src.badFrames).toBe(2);
    expect(warnings.map((w) => [w.index, w.file])).toEqual([
      [2, 'frame-000002.jpg'],
      [4, 'frame-000004.jpg'],
    ]);
    expect(warnings[0]!.message).toContain(`${dir}/frame-000002.jpg: frame 2 skipped`);
    expect(warnings[1]!.message).toMatch(/frame 4 skipped: .*no such file/i);
  });

  it('fails clearly when no frame at all can be read', async () => {
    const dir = await solidSequence('allbad', 2);
    for (const f of ['frame-000000.jpg', 'frame-000001.jpg']) writeFileSync(path.join(dir, f), 'not a jpeg');
    const src = source(dir, true);
    await src.start();
    await expect(src.next()).rejects.toThrow(new CameraError('unreadable', `${dir}: none of the 2 frames could be read`));
  });

  it('loops with time still increasing', async () => {
    const dir = await solidSequence('loop', 3);
    const src = source(dir, true);
    await src.start();
    const frames: Frame[] = [];
    for (let i = 0; i < 7; i++) frames.push((await src.next())!);
    await src.stop();
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(frames.map((f) => f.tMs)).toEqual([0, 100, 200, 300, 400, 500, 600]);
    expect(await src.next()).toBeNull();
  });

  it('paces a replay by its timestamps, or runs as fast as asked', async () => {
    const dir = await solidSequence('paced', 4, [0, 100, 350, 400]);
    const clock = new ManualClock();
    const paced = new PacedSource(source(dir), clock);
    await paced.start();
    const got: number[] = [];
    const run = (async () => {
      for (let f = await paced.next(); f; f = await paced.next()) got.push(clock.now());
    })();
    const t0 = clock.now();
    await clock.advance(0);
    await within(5000, (async () => { while (got.length < 1) await new Promise((r) => setTimeout(r, 5)); })());
    for (const step of [99, 1, 249, 1, 50]) {
      await clock.advance(step);
      await new Promise((r) => setTimeout(r, 30)); // let sharp decode the next frame
    }
    await run;
    expect(got.map((t) => t - t0)).toEqual([0, 100, 350, 400]);
  });

  it('opens frames://./relative through the camera config, unpaced', async () => {
    await solidSequence('rel', 3);
    const cam = await openCamera(CameraSection.parse({ source: 'frames://./rel', width: 48, height: 36, loop: false, paced: false }), { logger: memoryLogger(), cwd: tmp.dir });
    await cam.start();
    const frames = await all(cam);
    expect(frames).toHaveLength(3);
    expect(cam.status.state).toBe('ended');
  });

  it('a missing sequence is a clear error', async () => {
    const cam = await openCamera(CameraSection.parse({ source: `frames://${tmp.dir}/none` }), { logger: memoryLogger() });
    await expect(cam.start()).rejects.toThrow(`${tmp.dir}/none: sequence directory does not exist`);
    expect(cam.status).toMatchObject({ state: 'failed', code: 'not-found' });
  });

  it('replays a JPEG sequence made with gst-launch once `sequence index` describes it', async () => {
    const dir = path.join(tmp.dir, 'gst');
    require('node:fs').mkdirSync(dir);
    await makeJpegFrames(dir, { frames: 9, width: 64, height: 48, pattern: 'pattern=smpte' });
    const err: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      expect(await sequenceCommand(['index', dir, '--fps', '12'])).toBe(0);
      expect(await sequenceCommand(['index', dir])).toBe(1); // does not overwrite
    } finally {
      spy.mockRestore();
    }
    expect(err.join('')).toContain('already exists (use --force to replace it)');
    const src = source(dir);
    await src.start();
    const frames = await all(src);
    expect(frames.map((f) => f.tMs)).toEqual([0, 83, 167, 250, 333, 417, 500, 583, 667]);
    expect(src.sequence).toMatchObject({ fps: 12, width: 64, height: 48, source: { kind: 'imported' } });
  });
});
