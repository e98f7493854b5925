/** @jest-environment ./test/env/onnx-environment.js */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Progress } from '../../src/progress';
import { colourModelFolder, tempDirs } from '../faults/helpers/colour-world';

jest.setTimeout(120_000);
const tmp = tempDirs();
const BIN = path.join(__dirname, '../../bin/mask-gate.js');
const DATA = path.join(__dirname, '../../../shared/datasets/face-mask-andrewmvd');
const KEYS = ['maksssksksss0', 'maksssksksss1', 'maksssksksss10', 'maksssksksss100', 'maksssksksss101', 'maksssksksss102', 'maksssksksss103'];
const IMAGES = KEYS.map((k) => path.join(DATA, 'images', `${k}.jpg`));

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { out: { isTTY, write: (s: string) => writes.push(s) }, writes };
}

describe('the shared progress bar', () => {
  test('on a terminal: redrawn in place, with the rate; off one, silent mode writes nothing at all', () => {
    const tty = sink(true);
    const quiet = sink(false);
    const a = new Progress('detect', 200, { out: tty.out, notTty: 'silent', unit: 'images' });
    const b = new Progress('detect', 200, { out: quiet.out, notTty: 'silent', unit: 'images' });
    for (let i = 1; i <= 200; i++) {
      a.tick(i);
      b.tick(i);
    }
    a.done();
    b.done();
    expect(quiet.writes).toEqual([]);
    // One redraw per percent (and the final one), each starting with \r; the line ends once.
    expect(tty.writes.length).toBeGreaterThanOrEqual(100);
    expect(tty.writes.length).toBeLessThanOrEqual(103);
    expect(tty.writes.slice(0, -1).every((w) => w.startsWith('\r') && w.endsWith('\x1b[K'))).toBe(true);
    expect(tty.writes.at(-2)).toMatch(/^\rdetect \[#{28}\] 100% 200\/200 \d+s eta 0s [\d.]+ images\/s /);
    expect(tty.writes.at(-1)).toBe('\n');
  });

  test("training's default is unchanged: the first step, then a line per 10% when not on a terminal", () => {
    const log = sink(false);
    const bar = new Progress('train head', 50, { out: log.out });
    for (let i = 1; i <= 50; i++) bar.tick(i);
    bar.done();
    expect(log.writes.map((w) => w.match(/\] +(\d+)%/)![1])).toEqual(['2', '10', '20', '30', '40', '50', '60', '70', '80', '90', '100', '100']);
    expect(log.writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
  });
});

describe('mask-gate detect and eval show progress on a terminal only', () => {
  const model = colourModelFolder();
  const shell = (args: string[]) => args.map((a) => `'${a}'`).join(' ');
  /** The command under a pseudo-terminal (util-linux script): everything it writes to the terminal. */
  const underTty = (args: string[], redirect: string) =>
    execFileSync('script', ['-q', '-e', '-c', `${shell([process.execPath, BIN, ...args])} ${redirect}`, '/dev/null'], { encoding: 'utf8', env: { PATH: process.env.PATH, TERM: 'dumb' } });
  const piped = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });

  test('detect: a bar on the terminal, none when piped; images per second at the end either way', () => {
    const dir = tmp();
    const args = ['detect', '--model', model, '--threads', '1', '--json', path.join(dir, 'out.json'), ...IMAGES];
    const term = underTty(args, '');
    expect(term).toMatch(/\rdetect \[#{28}\] 100% 7\/7 .* images\/s/);
    expect(term).toMatch(/7 images in [\d.]+ s, [\d.]+ images\/s/);

    const p = piped(args);
    expect(p.status).toBe(0);
    expect(p.stderr).not.toMatch(/\r|\[#|\[\./);
    expect(p.stderr).toMatch(/^7 images in [\d.]+ s, [\d.]+ images\/s$/m);
    expect(JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8'))).toEqual(expect.any(Array));
  });

  test('eval --json: the bar goes to the terminal while stdout, redirected, stays clean JSON with the rate in `speed`', () => {
    const dir = tmp();
    const list = path.join(dir, 'list.txt');
    writeFileSync(list, KEYS.join('\n') + '\n');
    const args = ['eval', '--data', DATA, '--images', list, '--model', model, '--threads', '1', '--json'];
    const out = path.join(dir, 'report.json');
    const term = underTty(args, `> '${out}'`);
    expect(term).toMatch(/\reval \[#{28}\] 100% 7\/7 /);
    expect(JSON.parse(readFileSync(out, 'utf8')).speed).toMatch(/; 7 images in [\d.]+ s, [\d.]+ images\/s$/);

    const p = piped(args);
    expect(p.status).toBe(0);
    expect(p.stderr).not.toMatch(/\r|\[#|\[\./);
    expect(JSON.parse(p.stdout).speed).toMatch(/images\/s$/);
  });
});
