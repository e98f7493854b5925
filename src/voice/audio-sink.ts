import { execFile, execFileSync } from 'node:child_process';

/** Plays one WAV file to the speaker; resolves when playback has finished (or failed). */
export interface AudioSink {
  readonly name: string;
  play(wavPath: string): Promise<void>;
}

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

  play(wavPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(this.bin, this.args(wavPath), { timeout: this.timeoutMs }, (err, _out, stderr) => {
        if (!err) return resolve();
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${this.bin} is not installed` : String(stderr).trim().split('\n').pop() || err.message;
        reject(new Error(`${this.name} failed on ${wavPath}: ${why}`));
      });
    });
  }
}

export const aplaySink = (bin = 'aplay', device?: string) => new CommandAudioSink('aplay', bin, (wav) => ['-q', ...(device ? ['-D', device] : []), wav]);

export const gstAlsaSink = (bin = 'gst-launch-1.0') =>
  new CommandAudioSink('gstreamer', bin, (wav) => ['-q', 'filesrc', `location=${wav}`, '!', 'wavparse', '!', 'audioconvert', '!', 'audioresample', '!', 'alsasink']);

/** Plays nothing, at once: voice off, or no audio device. */
export class NullAudioSink implements AudioSink {
  readonly name = 'none';
  async play(): Promise<void> {}
}

/** `auto`: GStreamer with alsasink if that element exists, else aplay if installed, else nothing. */
export function createAudioSink(kind: 'auto' | 'alsa' | 'aplay' | 'none'): AudioSink {
  if (kind === 'none') return new NullAudioSink();
  if (kind === 'alsa') return gstAlsaSink();
  if (kind === 'aplay') return aplaySink();
  if (succeeds('gst-inspect-1.0', ['alsasink'])) return gstAlsaSink();
  if (succeeds('aplay', ['--version'])) return aplaySink();
  return new NullAudioSink();
}

function succeeds(bin: string, args: string[]): boolean {
  try {
    execFileSync(bin, args, { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
