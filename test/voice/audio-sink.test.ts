import { aplaySink, CommandAudioSink, createAudioSink, gstAlsaSink } from '../../src/voice/audio-sink';

test('a command sink resolves when the player exits 0, and a missing player is a clear error', async () => {
  await expect(new CommandAudioSink('ok', 'true', () => []).play('x.wav')).resolves.toBeUndefined();
  await expect(aplaySink('/nonexistent/aplay').play('x.wav')).rejects.toThrow('aplay failed on x.wav: /nonexistent/aplay is not installed');
  await expect(new CommandAudioSink('bad', 'sh', () => ['-c', 'echo "no such device" >&2; exit 1']).play('x.wav')).rejects.toThrow(/no such device/);
});

test('a player that hangs is killed after its timeout, so the prompt queue moves on', async () => {
  const t0 = Date.now();
  await expect(new CommandAudioSink('stuck', 'sleep', () => ['10'], 300).play('x.wav')).rejects.toThrow(/stuck failed/);
  expect(Date.now() - t0).toBeLessThan(3000);
});

test('sink kinds map to players; none plays nothing', async () => {
  expect(createAudioSink('none').name).toBe('none');
  expect(createAudioSink('aplay').name).toBe('aplay');
  expect(createAudioSink('alsa').name).toBe('gstreamer');
  expect(['gstreamer', 'aplay', 'none']).toContain(createAudioSink('auto').name);
  expect(gstAlsaSink().name).toBe('gstreamer');
});
