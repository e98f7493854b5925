/** Just enough RIFF/WAVE for PCM prompts: reading a header (to know a clip's length) and writing tones. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  dataBytes: number;
  durationMs: number;
}

/** Parses a PCM WAV header; throws with what was wrong. */
export function readWavInfo(buf: Buffer): WavInfo {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('expected a RIFF/WAVE file, got something else');
  }
  let fmt: Omit<WavInfo, 'dataBytes' | 'durationMs'> | null = null;
  for (let off = 12; off + 8 <= buf.length; ) {
    const id = buf.toString('ascii', off, off + 4);
    let size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      if (buf.readUInt16LE(off + 8) !== 1) throw new Error('expected PCM audio (format 1)');
      fmt = { channels: buf.readUInt16LE(off + 10), sampleRate: buf.readUInt32LE(off + 12), bitsPerSample: buf.readUInt16LE(off + 22) };
    } else if (id === 'data') {
      if (!fmt) throw new Error('expected the fmt chunk before data');
      // espeak-ng writing to a pipe leaves the size as 0x7fffffff; the file length is the truth then.
      size = Math.min(size, buf.length - off - 8);
      const bytesPerSecond = fmt.sampleRate * fmt.channels * (fmt.bitsPerSample / 8);
      return { ...fmt, dataBytes: size, durationMs: (size / bytesPerSecond) * 1000 };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error('expected a data chunk, found none');
}

/** 16-bit mono PCM samples (-1..1) to a WAV file's bytes. */
export function encodeWav(samples: Float32Array, sampleRate: number): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, s)) * 32767), i * 2));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** A moment of silence, for probing that a sink can play at all. */
export function silenceWav(ms = 50, sampleRate = 22050): Buffer {
  return encodeWav(new Float32Array(Math.round((sampleRate * ms) / 1000)), sampleRate);
}

/** The escalation chime: three rising tones with soft edges (no clicks), clearly not speech. */
export function chimeWav(sampleRate = 22050): Buffer {
  const notes = [660, 880, 1100];
  const noteMs = 220;
  const gapMs = 60;
  const per = Math.round((sampleRate * (noteMs + gapMs)) / 1000);
  const on = Math.round((sampleRate * noteMs) / 1000);
  const fade = Math.round(sampleRate * 0.01);
  const out = new Float32Array(per * notes.length);
  notes.forEach((f, n) => {
    for (let i = 0; i < on; i++) {
      const env = Math.min(1, i / fade, (on - i) / fade);
      out[n * per + i] = 0.5 * env * Math.sin((2 * Math.PI * f * i) / sampleRate);
    }
  });
  return encodeWav(out, sampleRate);
}
