import type { PromptId } from '../../machines/gate-events';
import type { ConfiguredPromptTexts } from '../config/sections/services';

/** Prompts that are spoken; `escalation` is a chime, the same in every language. */
export type SpokenPromptId = Exclude<PromptId, 'escalation'>;
export type PromptTextSet = Record<SpokenPromptId, string>;

/** Built-in texts. Cantonese is written as spoken (written-Cantonese forms), which espeak-ng `yue` reads in Jyutping. */
const BUILTIN: Record<string, PromptTextSet> = {
  en: {
    thank_you: 'Thank you',
    wear_mask: 'Please wear your mask',
    cover_nose: 'Please cover your nose',
    temperature: 'Your temperature is too high. Please contact staff.',
    look_at_camera: 'Please look at the camera',
    override: 'Staff override. Please go ahead.',
  },
  yue: {
    thank_you: '多謝',
    wear_mask: '請戴上口罩',
    cover_nose: '請遮住鼻子',
    temperature: '體溫過高，請聯絡職員',
    look_at_camera: '請望住鏡頭',
    override: '職員已批准，請通過',
  },
};

export const BUILTIN_PROMPT_LANGUAGES: readonly string[] = Object.keys(BUILTIN);
export const SPOKEN_PROMPTS: readonly SpokenPromptId[] = ['thank_you', 'wear_mask', 'cover_nose', 'temperature', 'look_at_camera', 'override'];

/** One prompt as spoken: its text and the espeak-ng voice that reads it. */
export interface PromptLine {
  text: string;
  voice: string;
}

/**
 * What each prompt says in one language: config first, then the built-in set. A prompt added after a site
 * wrote its own texts (voice.texts.<lang> may leave it out) takes the built-in text of that language, or
 * else the English text read by the English voice (another language's voice would garble English words).
 * Throws for a language with neither configured nor built-in texts.
 */
export function promptLinesFor(lang: string, configured: Readonly<Record<string, ConfiguredPromptTexts>>): Record<SpokenPromptId, PromptLine> {
  const own = configured[lang];
  const builtin = BUILTIN[lang];
  if (!own && !builtin) throw new Error(`no prompt texts for language "${lang}": expected voice.texts.${lang} in config`);
  const lines = {} as Record<SpokenPromptId, PromptLine>;
  for (const id of SPOKEN_PROMPTS) {
    const text = own ? own[id] : builtin![id];
    if (text !== undefined) lines[id] = { text, voice: lang };
    else if (builtin) lines[id] = { text: builtin[id], voice: lang };
    else lines[id] = { text: BUILTIN.en![id], voice: 'en' };
  }
  return lines;
}
