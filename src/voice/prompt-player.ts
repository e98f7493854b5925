import type { PromptId } from '../../machines/gate-events';
import type { Logger } from '../log';
import type { AudioSink } from './audio-sink';
import type { PromptFiles } from './prompt-cache';

/** Higher wins. An escalation chime matters most; a thank-you least. */
export const PROMPT_PRIORITY: Record<PromptId, number> = {
  escalation: 4,
  wear_mask: 3,
  cover_nose: 3,
  temperature: 3,
  override: 2,
  look_at_camera: 2,
  thank_you: 1,
};

/**
 * One speaker, one prompt at a time. The rules, so alerts never pile up:
 * - A clip that started always plays to its end (nothing overlaps it, nothing cuts it mid-word).
 * - Behind the current prompt there is one waiting slot. A new prompt takes the slot if its priority is at
 *   least the waiting one's (the newer news wins a tie), else it is dropped. A repeat of the prompt now
 *   playing is dropped too.
 * - A prompt's languages play in turn (en, then yue); if a higher-priority prompt is waiting, the current
 *   prompt's remaining languages are skipped so the alert is heard sooner.
 */
export class PromptPlayer {
  private current: PromptId | null = null;
  private pending: PromptId | null = null;
  private loop: Promise<void> | null = null;
  private stopped = false;
  /** Counters for logs and the dashboard. */
  readonly stats = { played: 0, dropped: 0, replaced: 0, failed: 0 };

  constructor(
    private readonly sink: AudioSink,
    private readonly files: PromptFiles,
    private readonly log: Logger,
  ) {}

  say(id: PromptId): void {
    if (this.stopped) return;
    if (!this.files.get(id)?.length) {
      this.log.debug('no audio for prompt', { prompt: id });
      return;
    }
    if (this.current === null) {
      this.current = id;
      this.loop = this.run();
      return;
    }
    if (id === this.current && this.pending === null) {
      this.stats.dropped++;
      return;
    }
    if (this.pending === null || PROMPT_PRIORITY[id] >= PROMPT_PRIORITY[this.pending]) {
      if (this.pending !== null) this.stats.replaced++;
      this.pending = id;
    } else {
      this.stats.dropped++;
    }
  }

  /** Drops what is waiting and resolves once the clip now playing has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending = null;
    await this.loop;
  }

  /** Resolves when nothing is playing or waiting (for tests and shutdown). */
  idle(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    while (this.current !== null && !this.stopped) {
      const id = this.current;
      for (const file of this.files.get(id) ?? []) {
        try {
          await this.sink.play(file);
          this.stats.played++;
        } catch (e) {
          this.stats.failed++;
          this.log.warn('prompt playback failed', { prompt: id, error: e });
        }
        if (this.stopped || (this.pending !== null && PROMPT_PRIORITY[this.pending] > PROMPT_PRIORITY[id])) break;
      }
      this.current = this.stopped ? null : this.pending;
      this.pending = null;
    }
    this.current = null;
    this.loop = null;
  }
}
