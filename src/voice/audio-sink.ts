import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../log';
import { silenceWav } from './wav';

/** What a sink's probe found: it can play, or why it cannot. */
export type SinkProbe = { ok: true } | { ok: false; reason: string };

/** Plays one WAV file to the speaker; resolves when playback has finished (or failed). */
export interface AudioSink {
  readonly name: string;
  play(wavPath: string): Promise<void>;
  /**
   * Checks, once at start, that this sink can play at all, so a missing audio device is reported once
   * rather than as a failure on every prompt.
   */
  probe(): Promise<SinkProbe>;
}

/** A probe waits at most this long: a device that hangs on a moment of silence is no speaker for a door. */
const PROBE_TIMEOUT_MS = 5000;

/**
 * Plays through a child process: aplay, or GStreamer's gst-launch-1.0 into alsasink. A child per clip
 * keeps a stuck audio device from blocking the gate (it is killed after `timeoutMs`).
 */
export class CommandAudioSink implements AudioSink {
  constructor(
    readonly name: string,
    private readonly bin: string,
    private readonly args: (wav: string) => string[],
    private readonly timeoutMs = 15_000,
  ) {}

  async play(wavPath: string): Promise<void> {
    const why = await this.run(wavPath, this.timeoutMs);
    if (why !== null) throw new Error(`${this.name} failed on ${wavPath}: ${why}`);
  }

  /** Plays 50 ms of silence through the same command the prompts will use. */
  async probe(): Promise<SinkProbe> {
    const dir = await mkdtemp(path.join(tmpdir(), 'mask-gate-audio-probe-'));
    try {
      const file = path.join(dir, 'silence.wav');
      await writeFile(file, silenceWav());
      const why = await this.run(file, Math.min(this.timeoutMs, PROBE_TIMEOUT_MS));
      return why === null ? { ok: true } : { ok: false, reason: `${this.name}: ${why}` };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Resolves null when the player exits 0, else the reason in its own words. */
  private run(wavPath: string, timeoutMs: number): Promise<string | null> {
    return new Promise((resolve) => {
      execFile(this.bin, this.args(wavPath), { timeout: timeoutMs }, (err, _out, stderr) => {
        if (!err) return resolve(null);
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return resolve(`${this.bin} is not installed`);
        if (err.killed) return resolve(`no answer within ${timeoutMs} ms`);
        resolve(playerReason(String(stderr)) || err.message);
      });
    });
  }
}

/** GStreamer ends with generic lines ("Failed to set pipeline to PAUSED."); its ERROR line says what failed. */
function playerReason(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const gst = lines.find((l) => l.startsWith('ERROR: from element'));
  return gst ? gst.replace(/^ERROR: from element [^ ]*: /, '') : (lines.pop() ?? '');
}

export const aplaySink = (bin = 'aplay', device?: string) => new CommandAudioSink('aplay', bin, (wav) => ['-q', ...(device ? ['-D', device] : []), wav]);

export const gstAlsaSink = (bin = 'gst-launch-1.0') =>
  new CommandAudioSink('gstreamer', bin, (wav) => ['-q', 'filesrc', `location=${wav}`, '!', 'wavparse', '!', 'audioconvert', '!', 'audioresample', '!', 'alsasink']);

/** Plays nothing, at once: voice off, or (with `missing`) no player to play with. */
export class NullAudioSink implements AudioSink {
  readonly name = 'none';
  constructor(private readonly missing?: string) {}
  async play(): Promise<void> {}
  async probe(): Promise<SinkProbe> {
    return this.missing ? { ok: false, reason: this.missing } : { ok: true };
  }
}

/** Where prompts go when the probe found no audio device: one log line per clip, never a failure. */
export class LogAudioSink implements AudioSink {
  readonly name = 'log';
  constructor(private readonly log: Logger) {}
  async play(wavPath: string): Promise<void> {
    this.log.info(`prompt not played (no audio device): ${path.basename(wavPath)}`);
  }
  async probe(): Promise<SinkProbe> {
    return { ok: true };
  }
}

/** `auto`: GStreamer with alsasink if that element exists, else aplay if installed, else nothing. */
export function createAudioSink(kind: 'auto' | 'alsa' | 'aplay' | 'none'): AudioSink {
  if (kind === 'none') return new NullAudioSink();
  if (kind === 'alsa') return gstAlsaSink();
  if (kind === 'aplay') return aplaySink();
  if (succeeds('gst-inspect-1.0', ['alsasink'])) return gstAlsaSink();
  if (succeeds('aplay', ['--version'])) return aplaySink();
  return new NullAudioSink("no audio player: neither GStreamer's alsasink nor aplay is installed");
}

function succeeds(bin: string, args: string[]): boolean {
  try {
    execFileSync(bin, args, { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
