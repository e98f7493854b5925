import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main, usage } from '../../src/cli/main';
import { recordCommand } from '../../src/cli/record';
import { sequenceCommand } from '../../src/cli/sequence';
import { memoryLogger } from '../../src/log';
import { loadSequence } from '../../src/sequence/read';
import { makeVp8Mkv, tempDir } from '../fixtures/camera-media';

const tmp = tempDir('seq-cli');
afterAll(() => tmp.cleanup());

async function run(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const a = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const b = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  try {
    return { code: await fn(), out: out.join(''), err: err.join('') };
  } finally {
    a.mockRestore();
    b.mockRestore();
  }
}
const record = (...argv: string[]) => run(() => recordCommand(argv, { logger: memoryLogger() }));

describe('mask-gate record', () => {
  it('is in the command table', () => {
    expect(usage()).toMatch(/record .*--source URI --seconds N OUT/);
    expect(usage()).toMatch(/sequence .*make --from-images DIR --out OUT/);
  });

  it('records a live source for N seconds of wall time, into a sequence that replays', async () => {
    const out = path.join(tmp.dir, 'live');
    const t0 = Date.now();
    const r = await record('--source', 'test://', '--seconds', '1', '--width', '64', '--height', '48', '--fps', '20', out);
    expect(r.err).toContain('recorded');
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    const { sequence } = await loadSequence(out);
    expect(sequence).toMatchObject({ width: 64, height: 48, source: { kind: 'recorded', uri: 'test://', tool: 'mask-gate record' } });
    expect(sequence.frames.length).toBeGreaterThanOrEqual(8);
    expect(sequence.frames[0]!.t_ms).toBe(0);
    expect(sequence.frames[sequence.frames.length - 1]!.t_ms).toBeLessThan(1000);
    expect(sequence.fps).toBeGreaterThan(5);
    expect((await run(() => sequenceCommand(['check', out]))).code).toBe(0);
  });

  it('records N seconds of a file’s own time, every frame, as fast as it reads', async () => {
    const clip = await makeVp8Mkv(path.join(tmp.dir, 'clip.mkv'), { frames: 40, fps: 10 }); // 4 s of video
    const out = path.join(tmp.dir, 'file');
    const t0 = Date.now();
    const r = await record('--source', `file://${clip}`, '--seconds', '2', '--width', '64', '--height', '48', out);
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2000 + 8000); // not paced; generous for a loaded CI box
    const { sequence } = await loadSequence(out);
    expect(sequence.frames.map((f) => f.t_ms)).toEqual([...Array(20).keys()].map((i) => i * 100));
    expect(sequence.fps).toBe(10);
  });

  it.each([
    [['--source', 'test://', 'out'], 2, '--seconds is required'],
    [['--source', 'test://', '--seconds', 'soon', 'out'], 2, '--seconds: expected a number of seconds above 0, got "soon"'],
    [['--seconds', '1', 'out'], 2, '--source is required'],
    [['--source', 'test://', '--seconds', '1'], 2, 'expected an OUT directory'],
    [['--source', 'test://', '--seconds', '1', '--colour', 'out'], 2, "Unknown option '--colour'"],
    [['--source', 'webcam0', '--seconds', '1', 'out'], 2, 'expected one of:'],
    [['--source', 'test://', '--seconds', '1', '--width', '7', 'out'], 2, '--width: '],
  ])('rejects %j with exit %i', async (argv, code, message) => {
    const r = await record(...(argv as string[]));
    expect(r.code).toBe(code);
    expect(r.err).toContain(message);
  });

  it('refuses to mix a recording into a directory that has files, and fails clearly on a bad source', async () => {
    const busy = path.join(tmp.dir, 'busy');
    mkdirSync(busy);
    writeFileSync(path.join(busy, 'notes.txt'), 'keep');
    const r = await record('--source', 'test://', '--seconds', '1', busy);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${busy}: expected an empty or new directory for the sequence, got 1 file(s) in it (use --force to write into it)`);
    const missing = await record('--source', `file://${tmp.dir}/none.avi`, '--seconds', '1', path.join(tmp.dir, 'x'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('none.avi does not exist');
    const unplugged = await record('--source', 'v4l2:///dev/video97', '--seconds', '0.5', path.join(tmp.dir, 'y'));
    expect(unplugged.code).toBe(1);
    expect(unplugged.err).toContain('v4l2:///dev/video97: no frame was recorded (camera reconnecting: v4l2:///dev/video97: camera device /dev/video97 does not exist');
    expect(existsSync(path.join(tmp.dir, 'y'))).toBe(false);
  });
});

describe('mask-gate sequence', () => {
  it('explains its usage and rejects what it does not know', async () => {
    expect((await run(() => sequenceCommand([]))).code).toBe(2);
    const bad = await run(() => sequenceCommand(['play']));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown subcommand "play"');
    expect((await run(() => sequenceCommand(['make', '--out', 'x']))).err).toContain('--from-images DIR is required');
    expect((await run(() => sequenceCommand(['make', '--from-images', 'x', '--out', 'y', '--fps', '0']))).err).toContain('--fps: expected an integer 1..60, got "0"');
    const help = await run(() => main(['sequence', '--help']));
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: mask-gate sequence');
  });

  it('makes a sequence without annotations (no expectations) and reports a missing folder', async () => {
    const photos = path.join(tmp.dir, 'photos');
    mkdirSync(photos);
    const sharp = (await import('sharp')).default;
    await sharp({ create: { width: 120, height: 160, channels: 3, background: '#a08070' } }).jpeg().toFile(path.join(photos, 'a.jpg'));
    const out = path.join(tmp.dir, 'made');
    const r = await run(() =>
      sequenceCommand(['make', '--from-images', photos, '--out', out, '--width', '96', '--height', '64', '--fps', '5', '--empty-ms', '1600', '--hold-ms', '1000'], { logger: memoryLogger() }),
    );
    expect(r.err).toContain('expected outcomes: none (no --annotations)');
    expect(r.code).toBe(0);
    const { sequence } = await loadSequence(out);
    expect(sequence.expectations).toBeUndefined();
    expect(sequence.source.settings).toMatchObject({ seed: 1, emptyMs: 1600, holdMs: 1000 });
    const missing = await run(() => sequenceCommand(['make', '--from-images', path.join(tmp.dir, 'nope'), '--out', out]));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`--from-images ${path.join(tmp.dir, 'nope')}: directory does not exist`);
  });

  it('check reports a corrupt frame by index and file, with exit 1', async () => {
    const out = path.join(tmp.dir, 'checkme');
    await record('--source', 'test://', '--seconds', '0.5', '--width', '64', '--height', '48', out);
    writeFileSync(path.join(out, 'frame-000001.jpg'), 'garbage');
    const r = await run(() => sequenceCommand(['check', out]));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${out}/frame-000001.jpg: frame 1 skipped`);
  });
});
