import { openCamera, type OpenCameraDeps } from '../camera/open';
import { CameraSection, type CameraConfig } from '../config/sections/camera';
import { createLogger } from '../log';
import { recordSequence } from '../sequence/record';
import { loadConfigForCommand, parseCommandArgs, usageError } from './args';

const USAGE = `usage: mask-gate record --source URI --seconds N OUT [--config FILE] [--width W --height H --fps F] [--quality Q] [--force]
  Records N seconds from any camera source into OUT: JPEG frames and sequence.json (a frames:// sequence).
  Live sources record N seconds of wall time; files and sequences N seconds of their own time, every frame.
  The camera settings (size, rate, timeouts) come from --config (or the defaults); flags override them.`;

/** Injected by tests; the command builds its own otherwise. */
export type RecordDeps = Partial<Pick<OpenCameraDeps, 'probe' | 'childEntry' | 'logger'>>;

/** `mask-gate record`: exit 0 when recorded, 1 when the camera or disk failed, 2 on a usage error. */
export async function recordCommand(argv: string[], deps: RecordDeps = {}): Promise<number> {
  const args = parseCommandArgs('record', USAGE, argv, {
    source: { type: 'string', short: 's' },
    seconds: { type: 'string', short: 't' },
    config: { type: 'string', short: 'c' },
    width: { type: 'string' },
    height: { type: 'string' },
    fps: { type: 'string' },
    quality: { type: 'string' },
    force: { type: 'boolean' },
  });
  if (typeof args === 'number') return args;
  const { values, positionals } = args;
  const bad = (m: string) => usageError('record', USAGE, m);
  if (positionals.length !== 1) return bad(positionals.length ? `expected one OUT directory, got ${positionals.length}: ${positionals.join(' ')}` : 'expected an OUT directory');
  const seconds = Number(values.seconds);
  if (values.seconds === undefined) return bad('--seconds is required');
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) return bad(`--seconds: expected a number of seconds above 0, got "${values.seconds}"`);
  const quality = values.quality === undefined ? 90 : Number(values.quality);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) return bad(`--quality: expected an integer 1..100, got "${values.quality}"`);

  let base: CameraConfig;
  if (values.config !== undefined) {
    const config = loadConfigForCommand(values.config);
    if (typeof config === 'number') return config;
    base = config.camera;
  } else {
    base = CameraSection.parse({});
  }
  const overrides: Record<string, unknown> = { ...base, loop: false, paced: false };
  if (values.source !== undefined) overrides.source = values.source;
  else if (values.config === undefined) return bad('--source is required (or --config FILE with camera.source)');
  for (const k of ['width', 'height', 'fps'] as const) if (values[k] !== undefined) overrides[k] = Number(values[k]);
  const parsed = CameraSection.safeParse(overrides);
  if (!parsed.success) return bad(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; '));

  const logger = deps.logger ?? createLogger('mask-gate:record');
  const out = positionals[0]!;
  let camera;
  try {
    camera = await openCamera(parsed.data, { logger, ...(deps.probe ? { probe: deps.probe } : {}), ...(deps.childEntry ? { childEntry: deps.childEntry } : {}) });
  } catch (e) {
    process.stderr.write(`mask-gate record: ${(e as Error).message}\n`);
    return e instanceof Error && 'code' in e && e.code === 'bad-uri' ? 2 : 1;
  }
  const interrupted = new AbortController();
  const onSigint = () => interrupted.abort();
  process.once('SIGINT', onSigint);
  try {
    await camera.start();
    const seq = await recordSequence(camera, { seconds, outDir: out, quality, force: values.force ?? false, tool: 'mask-gate record', logger, signal: interrupted.signal });
    const last = seq.frames[seq.frames.length - 1]!.t_ms;
    process.stderr.write(`recorded ${seq.frames.length} frames, ${(last / 1000).toFixed(1)} s at ${seq.fps} fps, to ${out}${interrupted.signal.aborted ? ' (interrupted)' : ''}\n`);
    return 0;
  } catch (e) {
    const status = camera.status;
    const why = status.reason && status.state !== 'online' ? ` (camera ${status.state}: ${status.reason})` : '';
    process.stderr.write(`mask-gate record: ${(e as Error).message}${why}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await camera.stop();
  }
}
