import type { PromptId } from '../../machines/gate-events';
import type { Config } from '../config/schema';
import type { Service } from '../lifecycle';
import type { Logger } from '../log';
import type { GateListener } from '../gate/gate-controller';
import { createAudioSink, LogAudioSink, NullAudioSink, type AudioSink } from './audio-sink';
import { buildPromptFiles, type PromptFiles } from './prompt-cache';
import { PromptPlayer } from './prompt-player';
import type { synthesize } from './espeak';

export interface VoiceServiceDeps {
  config: Config['voice'];
  log: Logger;
  /** Defaults to the sink config.sink names. */
  sink?: AudioSink;
  /** For tests: a stand-in for espeak-ng. */
  synth?: typeof synthesize;
}

/** What the dashboard's health panel says about the speaker. */
export interface VoiceHealth {
  status: 'starting' | 'ok' | 'off' | 'no audio device';
  /** The sink that was configured or chosen (aplay, gstreamer, ...), even when it could not play. */
  sink: string;
  reason: string | null;
}

/**
 * The speaker. start() generates (or finds cached) prompt WAVs for every configured language, then
 * `say()` plays them through one PromptPlayer. Voice problems are logged; they never stop the gate.
 * The sink is probed once at start: with no audio device that is said once, and prompts go to the log.
 */
export class VoiceService implements Service {
  readonly name = 'voice';
  private player: PromptPlayer | null = null;
  private starting: Promise<void> | null = null;
  private _files: PromptFiles = new Map();
  private _health: VoiceHealth = { status: 'starting', sink: 'none', reason: null };

  constructor(private readonly deps: VoiceServiceDeps) {}

  get files(): ReadonlyMap<PromptId, readonly string[]> {
    return this._files;
  }
  get stats() {
    return this.player?.stats ?? { played: 0, dropped: 0, replaced: 0, failed: 0 };
  }
  health(): VoiceHealth {
    return this._health;
  }

  start(): Promise<void> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const { config, log } = this.deps;
    let sink = this.deps.sink ?? (config.enabled ? createAudioSink(config.sink) : new NullAudioSink());
    if (config.enabled) {
      this._files = await buildPromptFiles({ dir: config.cacheDir, languages: config.languages, texts: config.texts, log, synth: this.deps.synth });
    }
    const off = !config.enabled ? 'voice.enabled is false' : !this.deps.sink && config.sink === 'none' ? 'voice.sink is none' : null;
    if (off) {
      this._health = { status: 'off', sink: sink.name, reason: off };
    } else {
      const probe = await sink.probe();
      if (probe.ok) {
        this._health = { status: 'ok', sink: sink.name, reason: null };
      } else {
        this._health = { status: 'no audio device', sink: sink.name, reason: probe.reason };
        log.warn(`no audio device: voice prompts are logged, not played (${probe.reason})`);
        sink = new LogAudioSink(log);
      }
    }
    this.player = new PromptPlayer(sink, this._files, log);
    log.info('voice ready', { sink: sink.name, languages: config.languages, prompts: [...this._files.keys()] });
  }

  say(prompt: PromptId): void {
    this.player?.say(prompt);
  }

  /** Resolves when nothing is playing or waiting. */
  idle(): Promise<void> {
    return this.player?.idle() ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => {});
    this.starting = null;
    const p = this.player;
    this.player = null;
    await p?.stop();
  }
}

/** The gate's prompts (and escalations, as the chime) go to the speaker. */
export function voiceListener(voice: Pick<VoiceService, 'say'>): GateListener {
  return { onPrompt: (p) => voice.say(p) };
}
