import { z } from 'zod';
import { SecretRef } from '../secret';
import { BUILTIN_PROMPT_LANGUAGES } from '../../voice/prompt-texts';

export const EventLogSection = z.strictObject({
  path: z.string().min(1).default('./data/events.sqlite'),
  retentionDays: z.number().int().min(1).max(3650).default(30),
  /**
   * SQLite `synchronous` in WAL mode. `normal`: a committed event survives a crash or kill -9 of the process
   * (the WAL write precedes the commit's return) but a power cut may lose the last commits; `full` also
   * survives power cuts at the price of an fsync per event on the gate's event loop.
   */
  synchronous: z.enum(['normal', 'full']).default('normal'),
  snapshots: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Faces are blurred in stored snapshots unless this is false. */
      blurFaces: z.boolean().default(true),
      dir: z.string().min(1).default('./data/snapshots'),
    })
    .prefault({}),
});

export const DashboardSection = z.strictObject({
  enabled: z.boolean().default(true),
  /** Loopback by default; any other address needs `token`. */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  token: SecretRef.nullable().default(null),
});

export const MqttSection = z.strictObject({
  enabled: z.boolean().default(false),
  url: z.string().regex(/^mqtts?:\/\/|^wss?:\/\//, 'expected an mqtt://, mqtts://, ws:// or wss:// URL').default('mqtt://127.0.0.1:1883'),
  username: z.string().nullable().default(null),
  password: SecretRef.nullable().default(null),
  topicPrefix: z.string().min(1).default('mask-gate'),
  clientId: z.string().min(1).nullable().default(null),
  /** While the broker is down, decision events are queued (up to queueMax) or dropped. */
  offline: z.enum(['queue', 'drop']).default('queue'),
  queueMax: z.number().int().min(0).max(100_000).default(1000),
  homeAssistantDiscovery: z.boolean().default(true),
  /** Topic segment for this gate: `<topicPrefix>/<siteId>/...`; null derives it from site.name. */
  siteId: z.string().regex(/^[a-z0-9_-]+$/i, 'expected letters, digits, - or _ only').nullable().default(null),
  /** Wait between reconnect attempts while the broker is unreachable. */
  reconnectMs: z.number().int().min(100).max(300_000).default(5000),
  /** How often stats (counts, fps, latency) are published. */
  statsIntervalMs: z.number().int().min(1000).max(3_600_000).default(60_000),
});

/**
 * One language's prompt texts. The prompts the gate had before look_at_camera are required; look_at_camera
 * (issue 15) is optional so that a site's existing texts keep loading: left out, it is spoken in the built-in
 * text for that language, or in English (by the English voice) for a language without built-in texts.
 */
export const PromptTexts = z.strictObject({
  thank_you: z.string().min(1),
  wear_mask: z.string().min(1),
  cover_nose: z.string().min(1),
  temperature: z.string().min(1),
  look_at_camera: z.string().min(1).optional(),
  override: z.string().min(1),
});
export type ConfiguredPromptTexts = z.infer<typeof PromptTexts>;

export const VoiceSection = z.strictObject({
  enabled: z.boolean().default(true),
  /** espeak-ng voices, played one after another: e.g. [en, yue]. */
  languages: z.array(z.string().regex(/^[a-z]{2,3}(-[a-z0-9]+)*$/i)).min(1).default(['en']),
  sink: z.enum(['auto', 'alsa', 'aplay', 'none']).default('auto'),
  /** Prompt text per language; languages without an entry use the built-in English/Cantonese texts (PromptTexts). */
  texts: z.record(z.string(), PromptTexts).default({}),
  /** Generated prompt WAVs, cached by a hash of text and voice so a text change regenerates only that file. */
  cacheDir: z.string().min(1).default('./data/voice-cache'),
}).superRefine((v, ctx) => {
  v.languages.forEach((lang, i) => {
    if (!v.texts[lang] && !BUILTIN_PROMPT_LANGUAGES.includes(lang)) {
      ctx.addIssue({ code: 'custom', path: ['languages', i], message: `expected voice.texts.${lang} (built-in texts exist for ${BUILTIN_PROMPT_LANGUAGES.join(', ')}), got none` });
    }
  });
});
