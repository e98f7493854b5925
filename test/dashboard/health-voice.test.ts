import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../../hardware/clock';
import { loadConfig } from '../../src/config/load';
import { healthSource } from '../../src/dashboard/health';
import { memoryLogger } from '../../src/log';
import { FakeAudioSink } from '../../src/voice/fake-audio-sink';
import { VoiceService } from '../../src/voice/voice-service';
import { chimeWav } from '../../src/voice/wav';
import { launchChromium } from './browser';
import { http } from './http-client';
import { startRig, type Rig } from './rig';

jest.setTimeout(90_000);

let rig: Rig;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let voiceDir: string;
let voice: VoiceService;

beforeAll(async () => {
  voiceDir = await mkdtemp(path.join(tmpdir(), 'health-voice-'));
  const config = loadConfig({ text: `voice: { languages: [en], cacheDir: ${JSON.stringify(voiceDir)} }`, env: {} });
  // The speaker of a machine without a sound card, wired as the composition root wires the real one.
  voice = new VoiceService({
    config: config.voice,
    log: memoryLogger(),
    sink: new FakeAudioSink(5, systemClock, 'no sound card'),
    synth: (_t, _v, out) => writeFile(out, chimeWav()),
  });
  await voice.start();
  rig = await startRig({
    health: (rate) =>
      healthSource({ rate, camera: () => ({ state: 'online', source: 'test://', reason: null }), detector: () => ({ provider: 'cpu', threads: 2 }), voice: () => voice.health(), startedAt: Date.now() }),
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
  await voice?.stop();
  await rm(voiceDir, { recursive: true, force: true });
});

test('the health panel says "voice: no audio device" with the reason, in the API and on the operator page', async () => {
  const api = JSON.parse((await http(rig.server.url, '/api/health')).text) as { voice: unknown };
  expect(api.voice).toEqual({ status: 'no audio device', sink: 'fake', reason: 'fake: no sound card' });
  const page = await browser.context.newPage();
  await page.goto(`${rig.server.url}/`);
  const dd = page.locator('#health-voice', { hasText: 'no audio device' });
  await dd.waitFor();
  expect(await dd.textContent()).toBe('no audio device — fake: no sound card');
  expect(await dd.getAttribute('class')).toBe('status-offline');
  // The label beside it, so an operator reads "Voice: no audio device".
  expect(await page.locator('dt:has(+ #health-voice)').textContent()).toBe('Voice');
});
