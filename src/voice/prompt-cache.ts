import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PromptId } from '../../machines/gate-events';
import type { Logger } from '../log';
import { synthesize } from './espeak';
import type { ConfiguredPromptTexts } from '../config/sections/services';
import { SPOKEN_PROMPTS, promptLinesFor, type PromptLine, type SpokenPromptId } from './prompt-texts';
import { chimeWav, readWavInfo } from './wav';

/** The WAV files of one prompt, in the order they are played (one per language; one chime for escalation). */
export type PromptFiles = Map<PromptId, string[]>;

export interface PromptCacheOptions {
  dir: string;
  languages: readonly string[];
  texts: Readonly<Record<string, ConfiguredPromptTexts>>;
  log: Logger;
  /** espeak-ng binary (tests may point elsewhere). */
  espeak?: string;
  synth?: typeof synthesize;
}

// Bump when the way files are made changes, so stale caches are regenerated.
const CACHE_VERSION = 'v1';

export function cacheKey(...parts: string[]): string {
  return createHash('sha256').update([CACHE_VERSION, ...parts].join('\u0000')).digest('hex').slice(0, 20);
}

/**
 * Makes every prompt's WAV files, reusing cached ones (named by a hash of voice and text). A prompt that
 * cannot be generated in one language is logged and left out for that language; the gate never waits on it.
 */
export async function buildPromptFiles(o: PromptCacheOptions): Promise<PromptFiles> {
  await mkdir(o.dir, { recursive: true });
  const synth = o.synth ?? synthesize;
  const files: PromptFiles = new Map();
  for (const lang of o.languages) {
    let lines: Record<SpokenPromptId, PromptLine>;
    try {
      lines = promptLinesFor(lang, o.texts);
    } catch (e) {
      o.log.error('voice language skipped', { lang, error: e });
      continue;
    }
    for (const id of SPOKEN_PROMPTS) {
      const { text, voice } = lines[id];
      // Named by voice: a prompt that falls back to English is one file, played once, not once per language.
      const file = path.join(o.dir, `${id}-${voice}-${cacheKey('espeak-ng', voice, text)}.wav`);
      if (files.get(id)?.includes(file)) continue;
      try {
        if (!(await isValidWav(file))) {
          // Write beside and rename: a crash mid-write never leaves a truncated file that looks cached.
          const tmp = `${file}.${process.pid}.tmp`;
          await synth(text, voice, tmp, o.espeak);
          readWavInfo(await readFile(tmp));
          await rename(tmp, file);
        }
        files.set(id, [...(files.get(id) ?? []), file]);
      } catch (e) {
        o.log.error('voice prompt not generated', { prompt: id, lang, error: e });
      }
    }
  }
  const chime = path.join(o.dir, `escalation-${cacheKey('chime')}.wav`);
  try {
    if (!(await isValidWav(chime))) await writeFile(chime, chimeWav());
    files.set('escalation', [chime]);
  } catch (e) {
    o.log.error('escalation chime not written', { error: e });
  }
  return files;
}

async function isValidWav(file: string): Promise<boolean> {
  try {
    if ((await stat(file)).size < 44) throw new Error('short');
    return readWavInfo(await readFile(file)).durationMs > 0;
  } catch {
    await unlink(file).catch(() => {});
    return false;
  }
}
