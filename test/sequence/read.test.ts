import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSequence, SequenceError } from '../../src/sequence/read';
import { SEQUENCE_FORMAT } from '../../src/sequence/schema';
import { tempDir } from '../fixtures/camera-media';

const tmp = tempDir('seqread');
afterAll(() => tmp.cleanup());

const valid = () => ({
  format: SEQUENCE_FORMAT,
  version: 1,
  fps: 10,
  width: 64,
  height: 48,
  source: { kind: 'recorded', uri: 'test://', tool: 'test', created: '2026-01-01T00:00:00Z' },
  frames: [
    { file: 'a.jpg', t_ms: 0 },
    { file: 'b.jpg', t_ms: 100 },
    { file: 'c.jpg', t_ms: 200 },
  ],
  expectations: { tolerance_ms: 100, outcomes: [{ outcome: 'alert', reason: 'no_mask', t_ms: 100, earliest_ms: 0, latest_ms: 200 }] },
});

let n = 0;
function write(content: unknown): string {
  const dir = path.join(tmp.dir, `s${n++}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'sequence.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

async function errorOf(dir: string): Promise<SequenceError> {
  try {
    await loadSequence(dir);
  } catch (e) {
    if (e instanceof SequenceError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('sequence.json', () => {
  it('loads a valid sequence', async () => {
    const { sequence } = await loadSequence(write(valid()));
    expect(sequence.frames).toHaveLength(3);
    expect(sequence.expectations?.outcomes[0]).toMatchObject({ outcome: 'alert', t_ms: 100 });
  });

  it('names the directory when it or its sequence.json is missing', async () => {
    expect((await errorOf(path.join(tmp.dir, 'nope'))).message).toBe(`${path.join(tmp.dir, 'nope')}: sequence directory does not exist`);
    const empty = path.join(tmp.dir, 'empty');
    mkdirSync(empty);
    const e = await errorOf(empty);
    expect(e.code).toBe('not-found');
    expect(e.message).toContain(`${empty}/sequence.json: missing`);
    expect(e.message).toContain('mask-gate sequence index');
  });

  it.each([
    ['not JSON', '{"format": ', /expected JSON/],
    ['times not increasing', { ...valid(), frames: [{ file: 'a.jpg', t_ms: 0 }, { file: 'b.jpg', t_ms: 100 }, { file: 'c.jpg', t_ms: 100 }] }, /frames\[2\]\.t_ms: expected more than the previous frame's 100, got 100/],
    ['a frame outside the directory', { ...valid(), frames: [{ file: '../x.jpg', t_ms: 0 }] }, /frames\[0\]\.file: expected a path inside the sequence directory/],
    ['a frame that is not a JPEG', { ...valid(), frames: [{ file: 'x.png', t_ms: 0 }] }, /frames\[0\]\.file: expected a .jpg or .jpeg file/],
    ['an unknown key', { ...valid(), colour: true }, /colour/],
    ['a wrong format', { ...valid(), format: 'other' }, /format/],
    [
      'an expectation window turned around',
      { ...valid(), expectations: { tolerance_ms: 0, outcomes: [{ outcome: 'cleared', t_ms: 100, earliest_ms: 150, latest_ms: 200 }] } },
      /expectations\.outcomes\[0\]: expected earliest_ms <= t_ms <= latest_ms/,
    ],
    [
      'an expectation after the last frame',
      { ...valid(), expectations: { tolerance_ms: 0, outcomes: [{ outcome: 'cleared', t_ms: 100, earliest_ms: 0, latest_ms: 900 }] } },
      /latest_ms: expected at most the last frame's t_ms 200, got 900/,
    ],
    [
      'a reason on a cleared outcome',
      { ...valid(), expectations: { tolerance_ms: 0, outcomes: [{ outcome: 'cleared', reason: 'no_mask', t_ms: 100, earliest_ms: 0, latest_ms: 200 }] } },
      /expected no reason for a cleared outcome/,
    ],
  ])('rejects %s, naming the file and field', async (_what, content, pattern) => {
    const dir = write(content);
    const e = await errorOf(dir);
    expect(e.code).toBe('invalid');
    expect(e.message.startsWith(`${dir}/sequence.json: `)).toBe(true);
    expect(e.message).toMatch(pattern);
  });
});
