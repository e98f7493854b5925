import type { PromptId } from '../../machines/gate-events';
import { memoryLogger } from '../../src/log';
import { FakeAudioSink } from '../../src/voice/fake-audio-sink';
import { PromptPlayer } from '../../src/voice/prompt-player';
import type { PromptFiles } from '../../src/voice/prompt-cache';

// Two languages per spoken prompt, one chime for escalation, as the service builds them.
const ids: PromptId[] = ['thank_you', 'wear_mask', 'cover_nose', 'temperature', 'override'];
const files: PromptFiles = new Map(ids.map((id) => [id, [`${id}-en.wav`, `${id}-yue.wav`]]));
files.set('escalation', ['escalation.wav']);

function setup(ms = 1000) {
  const sink = new FakeAudioSink(ms);
  const player = new PromptPlayer(sink, files, memoryLogger());
  return { sink, player, played: () => sink.played.map((p) => p.file) };
}

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

test('each language plays in turn, back to back, never overlapping', async () => {
  const { sink, player, played } = setup();
  player.say('thank_you');
  await jest.advanceTimersByTimeAsync(5000);
  expect(played()).toEqual(['thank_you-en.wav', 'thank_you-yue.wav']);
  expect(sink.played.map((p) => [p.start, p.end])).toEqual([
    [0, 1000],
    [1000, 2000],
  ]);
});

test('prompts said in a burst never overlap: each clip starts after the previous one ended', async () => {
  const { sink, player } = setup(700);
  const burst: PromptId[] = ['thank_you', 'wear_mask', 'cover_nose', 'wear_mask', 'escalation', 'temperature'];
  burst.forEach((p, i) => setTimeout(() => player.say(p), i * 300));
  await jest.advanceTimersByTimeAsync(20_000);
  expect(sink.maxConcurrent).toBe(1);
  for (let i = 1; i < sink.played.length; i++) expect(sink.played[i]!.start).toBeGreaterThanOrEqual(sink.played[i - 1]!.end!);
  expect(sink.played.every((p) => p.end !== null)).toBe(true);
});

test('one waiting slot: a later prompt of equal or higher priority replaces the waiting one, lower is dropped', async () => {
  const { player, played } = setup();
  player.say('temperature'); // plays now
  player.say('thank_you'); // waits
  player.say('override'); // higher: replaces thank_you
  player.say('cover_nose'); // higher: replaces override
  player.say('wear_mask'); // equal: the newer news wins
  player.say('thank_you'); // lower than the waiting one: dropped
  await jest.advanceTimersByTimeAsync(10_000);
  // wear_mask does not outrank temperature, so temperature finishes in both languages.
  expect(played()).toEqual(['temperature-en.wav', 'temperature-yue.wav', 'wear_mask-en.wav', 'wear_mask-yue.wav']);
  expect(player.stats).toMatchObject({ played: 4, replaced: 3, dropped: 1 });
});

test('a waiting prompt of higher priority cuts the remaining languages of the current one, never a clip', async () => {
  const { sink, player, played } = setup();
  player.say('thank_you');
  await jest.advanceTimersByTimeAsync(400);
  player.say('escalation');
  await jest.advanceTimersByTimeAsync(5000);
  expect(played()).toEqual(['thank_you-en.wav', 'escalation.wav']);
  // The English clip played whole: the chime started when it ended.
  expect(sink.played[1]!.start).toBe(1000);
});

test('a repeat of the prompt now playing is dropped: alerts do not pile up', async () => {
  const { player, played } = setup();
  for (let i = 0; i < 5; i++) player.say('wear_mask');
  await jest.advanceTimersByTimeAsync(10_000);
  expect(played()).toEqual(['wear_mask-en.wav', 'wear_mask-yue.wav']);
});

test('stop lets the current clip end, drops what waits, and ignores later prompts', async () => {
  const { player, played } = setup();
  player.say('wear_mask');
  player.say('escalation');
  const stopped = player.stop();
  await jest.advanceTimersByTimeAsync(5000);
  await stopped;
  player.say('thank_you');
  await jest.advanceTimersByTimeAsync(5000);
  expect(played()).toEqual(['wear_mask-en.wav']);
});

test('a failing sink is logged and the queue goes on', async () => {
  const log = memoryLogger();
  let n = 0;
  const sink = { name: 'broken', play: async () => { if (n++ === 0) throw new Error('device busy'); }, probe: async () => ({ ok: true as const }) };
  const player = new PromptPlayer(sink, files, log);
  player.say('thank_you');
  await player.idle();
  expect(player.stats).toMatchObject({ failed: 1, played: 1 });
  expect(log.lines.some((l) => l.includes('device busy'))).toBe(true);
});
