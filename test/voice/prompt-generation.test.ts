import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryLogger } from '../../src/log';
import { synthesize } from '../../src/voice/espeak';
import { FakeAudioSink } from '../../src/voice/fake-audio-sink';
import { buildPromptFiles } from '../../src/voice/prompt-cache';
import { promptLinesFor } from '../../src/voice/prompt-texts';
import { chimeWav, readWavInfo } from '../../src/voice/wav';
import { VoiceService, voiceListener } from '../../src/voice/voice-service';
import { loadConfig } from '../../src/config/load';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'voice-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function speak(text: string, voice: string) {
  const file = path.join(dir, `${voice}-${Buffer.from(text).toString('hex').slice(0, 16)}.wav`);
  await synthesize(text, voice, file);
  const buf = await readFile(file);
  return { buf, info: readWavInfo(buf) };
}

test.each([
  ['en', 'Please wear your mask', 'Thank you'],
  ['yue', '請戴上口罩', '多謝'],
])('espeak-ng %s makes a PCM WAV with speech, and different texts give different audio', async (voice, a, b) => {
  const x = await speak(a, voice);
  const y = await speak(b, voice);
  for (const w of [x, y]) {
    expect(w.buf.toString('ascii', 0, 4)).toBe('RIFF');
    expect(w.info.bitsPerSample).toBe(16);
    expect(w.info.sampleRate).toBeGreaterThan(8000);
    expect(w.info.durationMs).toBeGreaterThan(200);
  }
  // Not silence: some samples are loud.
  const peak = Math.max(...Array.from({ length: x.info.dataBytes / 2 }, (_, i) => Math.abs(x.buf.readInt16LE(44 + i * 2))));
  expect(peak).toBeGreaterThan(1000);
  expect(x.buf.equals(y.buf)).toBe(false);
  expect(x.info.durationMs).not.toBe(y.info.durationMs);
});

test('Cantonese is read as Cantonese, not spelled out: the yue voice speaks the characters', async () => {
  // A voice that cannot read Han characters names them one by one ("Chinese letter ..."), which is far longer.
  const yue = await speak('多謝', 'yue');
  const en = await speak('多謝', 'en');
  expect(yue.info.durationMs).toBeLessThan(1500);
  expect(yue.info.durationMs).toBeLessThan(en.info.durationMs);
});

test('a text that looks like an option is spoken, not parsed as one', async () => {
  const w = await speak('-w /etc/passwd', 'en');
  expect(w.info.durationMs).toBeGreaterThan(200);
});

test('the chime is a valid WAV of about a second', () => {
  const info = readWavInfo(chimeWav());
  expect(info.durationMs).toBeGreaterThan(500);
  expect(info.durationMs).toBeLessThan(1500);
});

test('prompt files are cached by text and voice: a second build makes nothing, a changed text remakes one file', async () => {
  const calls: string[] = [];
  const synth: typeof synthesize = async (text, voice, out) => {
    calls.push(`${voice}:${text}`);
    return synthesize(text, voice, out);
  };
  const texts = {};
  const first = await buildPromptFiles({ dir, languages: ['en', 'yue'], texts, log: memoryLogger(), synth });
  // Six spoken prompts in two languages.
  expect(calls).toHaveLength(12);
  expect(first.get('wear_mask')![0]).toContain('-en-');
  expect(first.get('wear_mask')![1]).toContain('-yue-');
  expect(first.get('escalation')).toHaveLength(1);
  const mtime = (await stat(first.get('thank_you')![0]!)).mtimeMs;

  calls.length = 0;
  const custom = { en: { thank_you: 'Thanks, come in', wear_mask: 'Please wear your mask', cover_nose: 'Please cover your nose', temperature: 'Your temperature is too high. Please contact staff.', override: 'Staff override. Please go ahead.' } };
  const second = await buildPromptFiles({ dir, languages: ['en', 'yue'], texts: custom, log: memoryLogger(), synth });
  expect(calls).toEqual(['en:Thanks, come in']);
  expect(second.get('thank_you')![0]).not.toBe(first.get('thank_you')![0]);
  expect(second.get('wear_mask')).toEqual(first.get('wear_mask'));
  expect((await stat(first.get('thank_you')![0]!)).mtimeMs).toBe(mtime);
});

test('a missing espeak-ng is logged, the chime still works, and start does not fail', async () => {
  const log = memoryLogger();
  const files = await buildPromptFiles({ dir, languages: ['en'], texts: {}, log, espeak: '/nonexistent/espeak-ng' });
  expect(files.get('wear_mask')).toBeUndefined();
  expect(files.get('escalation')).toHaveLength(1);
  expect(log.lines.some((l) => l.includes('not installed'))).toBe(true);
});

test('the service speaks a gate prompt in English then Cantonese through its sink', async () => {
  const config = loadConfig({ text: `voice: { languages: [en, yue], cacheDir: ${JSON.stringify(dir)} }`, env: {} });
  const sink = new FakeAudioSink(10);
  const voice = new VoiceService({ config: config.voice, log: memoryLogger(), sink });
  await voice.start();
  await voice.start(); // idempotent
  voiceListener(voice).onPrompt!('cover_nose');
  await voice.idle();
  expect(sink.played.map((p) => p.file)).toEqual(voice.files.get('cover_nose'));
  expect(sink.played.map((p) => path.basename(p.file))).toEqual([expect.stringMatching(/^cover_nose-en-/), expect.stringMatching(/^cover_nose-yue-/)]);
  await voice.stop();
  await voice.stop();
});

test('config: a language without built-in or configured texts is a config error', () => {
  expect(() => loadConfig({ text: 'voice: { languages: [en, fr] }', env: {} })).toThrow(/voice\.texts\.fr/);
});

describe('look_at_camera, a prompt added after sites wrote their own texts', () => {
  // A site's texts from before look_at_camera existed.
  const older = { thank_you: 'Thanks, come in', wear_mask: 'Mask on, please', cover_nose: 'Nose too, please', temperature: 'Please see staff', override: 'Go ahead' };

  test('built in for English and Cantonese', () => {
    expect(promptLinesFor('en', {}).look_at_camera).toEqual({ text: 'Please look at the camera', voice: 'en' });
    expect(promptLinesFor('yue', {}).look_at_camera).toEqual({ text: '請望住鏡頭', voice: 'yue' });
  });

  test('a config without it still loads; the prompt falls back to the built-in text of the language, else English read in English', () => {
    const c = loadConfig({ text: `voice:\n  languages: [en, yue, fr]\n  texts:\n    en: ${JSON.stringify(older)}\n    fr: ${JSON.stringify(older)}\n`, env: {} });
    expect(c.voice.texts.en).toEqual(older);
    const en = promptLinesFor('en', c.voice.texts);
    expect(en.thank_you).toEqual({ text: 'Thanks, come in', voice: 'en' });
    expect(en.look_at_camera).toEqual({ text: 'Please look at the camera', voice: 'en' });
    expect(promptLinesFor('fr', c.voice.texts).look_at_camera).toEqual({ text: 'Please look at the camera', voice: 'en' });
    expect(promptLinesFor('fr', c.voice.texts).wear_mask).toEqual({ text: 'Mask on, please', voice: 'fr' });
  });

  test('a configured text is used; an empty one is refused', () => {
    const own = { ...older, look_at_camera: 'Face the camera, please' };
    expect(promptLinesFor('en', loadConfig({ text: `voice: { texts: { en: ${JSON.stringify(own)} } }`, env: {} }).voice.texts).look_at_camera.text).toBe('Face the camera, please');
    expect(() => loadConfig({ text: `voice: { texts: { en: ${JSON.stringify({ ...older, look_at_camera: '' })} } }`, env: {} })).toThrow(/voice\.texts\.en\.look_at_camera: expected text of length >= 1/);
  });

  test('generated for every language; an English fallback is one file, played once', async () => {
    const calls: string[] = [];
    const synth: typeof synthesize = async (text, voice, out) => {
      calls.push(`${voice}:${text}`);
      return synthesize(text, voice, out);
    };
    const both = await buildPromptFiles({ dir, languages: ['en', 'yue'], texts: { en: older }, log: memoryLogger(), synth });
    expect(both.get('look_at_camera')!.map((f) => path.basename(f))).toEqual([expect.stringMatching(/^look_at_camera-en-/), expect.stringMatching(/^look_at_camera-yue-/)]);
    expect(calls).toEqual(expect.arrayContaining(['en:Please look at the camera', 'yue:請望住鏡頭']));
    const withFr = await buildPromptFiles({ dir, languages: ['en', 'fr'], texts: { fr: older }, log: memoryLogger(), synth });
    expect(withFr.get('look_at_camera')).toEqual([both.get('look_at_camera')![0]]);
    expect(withFr.get('wear_mask')).toHaveLength(2);
  });
});
