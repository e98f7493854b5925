import type { PromptId } from '../../machines/gate-events';

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
    override: 'Staff override. Please go ahead.',
  },
  yue: {
    thank_you: '多謝',
    wear_mask: '請戴上口罩',
    cover_nose: '請遮住鼻子',
    temperature: '體溫過高，請聯絡職員',
    override: '職員已批准，請通過',
  },
};

export const BUILTIN_PROMPT_LANGUAGES: readonly string[] = Object.keys(BUILTIN);
export const SPOKEN_PROMPTS: readonly SpokenPromptId[] = ['thank_you', 'wear_mask', 'cover_nose', 'temperature', 'override'];

/** The texts for one language: config first, then the built-in set. Throws for a language with neither. */
export function promptTextsFor(lang: string, configured: Record<string, PromptTextSet>): PromptTextSet {
  const t = configured[lang] ?? BUILTIN[lang];
  if (!t) throw new Error(`no prompt texts for language "${lang}": expected voice.texts.${lang} in config`);
  return t;
}
