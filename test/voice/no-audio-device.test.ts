/** @jest-environment ./test/env/onnx-environment.js */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../../hardware/clock';
import { loadConfig } from '../../src/config/load';
import { memoryLogger } from '../../src/log';
import { aplaySink, createAudioSink, gstAlsaSink, NullAudioSink } from '../../src/voice/audio-sink';
import { FakeAudioSink } from '../../src/voice/fake-audio-sink';
import { PromptPlayer } from '../../src/voice/prompt-player';
import { VoiceService } from '../../src/voice/voice-service';
import { chimeWav } from '../../src/voice/wav';
import { cliConfig, startCli } from '../faults/helpers/cli-daemon';
import { colourModelFolder, colourSequence, tempDirs } from '../faults/helpers/colour-world';

jest.setTimeout(60_000);
const tmp = tempDirs();

/** What ALSA itself says about this machine: /proc/asound/cards lists the sound cards, if there are any. */
function hasSoundCard(): boolean {
  return existsSync('/proc/asound/cards') && !/no soundcards/.test(readFileSync('/proc/asound/cards', 'utf8'));
}

const NO_DEVICE_WARNING = /no audio device: voice prompts are logged, not played/;
const count = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l)).length;

async function voiceWith(sink?: FakeAudioSink, more = '') {
  const dir = await mkdtemp(path.join(tmpdir(), 'voice-probe-'));
  const config = loadConfig({ text: `voice: { languages: [en], cacheDir: ${JSON.stringify(dir)}${more} }`, env: {} });
  const log = memoryLogger();
  // A stand-in for espeak-ng (its own tests are in prompt-generation): any valid WAV will do here.
  const synth = (_text: string, _voice: string, out: string) => writeFile(out, chimeWav());
  const voice = new VoiceService({ config: config.voice, log, ...(sink ? { sink } : {}), synth });
  return { voice, log, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

describe('the probe decides once, at start', () => {
  test('a sink with no audio device: said once, prompts go to the log, none "fails", health says so', async () => {
    const sink = new FakeAudioSink(5, systemClock, 'no sound card');
    const { voice, log, cleanup } = await voiceWith(sink);
    try {
      await voice.start();
      for (const p of ['wear_mask', 'escalation', 'thank_you', 'wear_mask', 'escalation'] as const) {
        voice.say(p);
        await voice.idle();
      }
      expect(sink.probes).toBe(1);
      expect(voice.health()).toEqual({ status: 'no audio device', sink: 'fake', reason: 'fake: no sound card' });
      expect(count(log.lines, NO_DEVICE_WARNING)).toBe(1);
      expect(count(log.lines, /prompt playback failed/)).toBe(0);
      expect(count(log.lines, /prompt not played \(no audio device\): escalation-/)).toBe(2);
      expect(voice.stats.failed).toBe(0);
      expect(sink.played).toEqual([]);
    } finally {
      await voice.stop();
      await cleanup();
    }
  });

  test('a sink that can play: no warning, the prompts reach it, health says ok', async () => {
    const sink = new FakeAudioSink(5);
    const { voice, log, cleanup } = await voiceWith(sink);
    try {
      await voice.start();
      voice.say('escalation');
      await voice.idle();
      expect(voice.health()).toEqual({ status: 'ok', sink: 'fake', reason: null });
      expect(count(log.lines, /no audio device/)).toBe(0);
      expect(sink.played.map((p) => path.basename(p.file))).toEqual([expect.stringMatching(/^escalation-/)]);
    } finally {
      await voice.stop();
      await cleanup();
    }
  });

  test('the fake without a device fails every play, as aplay does: what the probe spares the log', async () => {
    const log = memoryLogger();
    const player = new PromptPlayer(new FakeAudioSink(5, systemClock, 'no sound card'), new Map([['wear_mask', ['a.wav']]]), log);
    player.say('wear_mask');
    await player.idle();
    expect(count(log.lines, /prompt playback failed.*no sound card/)).toBe(1);
  });

  test('voice.sink none is off, not a missing device', async () => {
    const { voice, log, cleanup } = await voiceWith(undefined, ', sink: none');
    try {
      await voice.start();
      expect(voice.health()).toEqual({ status: 'off', sink: 'none', reason: 'voice.sink is none' });
      expect(count(log.lines, /no audio device/)).toBe(0);
    } finally {
      await voice.stop();
      await cleanup();
    }
  });
});

describe('the real players on this machine', () => {
  test("each player's probe agrees with ALSA's list of sound cards, and says why in the player's words", async () => {
    const card = hasSoundCard();
    for (const sink of [aplaySink(), gstAlsaSink(), createAudioSink('auto')]) {
      const probe = await sink.probe();
      expect([sink.name, probe.ok]).toEqual([sink.name, card]);
      if (!probe.ok) expect(probe.reason).toMatch(new RegExp(`^${sink.name}: .*(audio open error|Could not open audio device)`));
    }
  });

  test('a player that is not installed, or no player at all, is a probe failure with the reason', async () => {
    expect(await aplaySink('/nonexistent/aplay').probe()).toEqual({ ok: false, reason: 'aplay: /nonexistent/aplay is not installed' });
    expect(await new NullAudioSink('no audio player').probe()).toEqual({ ok: false, reason: 'no audio player' });
    expect(await new NullAudioSink().probe()).toEqual({ ok: true });
  });

  test('`mask-gate run` with voice on: one line about the device, no failure per decision, the health API says it', async () => {
    const dir = tmp();
    const model = colourModelFolder();
    await colourSequence(path.join(dir, 'seq'), [['empty', 10], ['no_mask', 30], ['empty', 20], ['mask', 30]]);
    const config = {
      ...cliConfig(dir, model, { dashboard: { enabled: true, host: '127.0.0.1', port: 0 } }),
      voice: { enabled: true, languages: ['en'], cacheDir: path.join(dir, 'voice') },
    };
    const d = startCli(dir, config);
    try {
      await d.waitFor(/dashboard listening on http:\/\/127\.0\.0\.1:\d+/);
      const url = d.output().match(/dashboard listening on (http:\/\/127\.0\.0\.1:\d+)/)![1]!;
      // Two loops of the clip: decisions both ways, twice.
      await d.until('two alerts and two clears', (o) => count(o.split('\n'), /-> alert\.active/) >= 2 && count(o.split('\n'), /-> cleared/) >= 2, 40_000);
      const health = (await (await fetch(`${url}/api/health`)).json()) as { voice: { status: string; sink: string; reason: string | null } };
      const lines = d.output().split('\n');
      if (hasSoundCard()) {
        expect(health.voice).toMatchObject({ status: 'ok', reason: null });
        expect(count(lines, /no audio device/)).toBe(0);
      } else {
        expect(health.voice).toMatchObject({ status: 'no audio device', sink: 'gstreamer', reason: expect.stringMatching(/Could not open audio device/) });
        expect(count(lines, NO_DEVICE_WARNING)).toBe(1);
        expect(count(lines, /prompt not played \(no audio device\): wear_mask-en-/)).toBeGreaterThanOrEqual(2);
      }
      expect(count(lines, /prompt playback failed/)).toBe(0);
    } finally {
      d.child.kill('SIGTERM');
    }
    expect((await d.exited).code).toBe(0);
  });
});
