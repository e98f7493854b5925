import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The real CLI, as an operator runs it: the compiled bin (npm test builds it first).
const bin = join(__dirname, '../../bin/mask-gate.js');
const dir = mkdtempSync(join(tmpdir(), 'mask-gate-cli-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('--validate-config lists all three mistakes with their paths and lines, and exits 1', () => {
  const file = join(dir, 'three-mistakes.yaml');
  writeFileSync(file, ['camera:', '  source: v4l2:///dev/video0', '  fps: fast', 'gate:', '  relayOpenMs: -5', 'hardware:', '  outputs:', '    relay: { pin: 18, actve_low: true }', ''].join('\n'));
  const r = run('run', '--validate-config', file);
  expect(r.code).toBe(1);
  const lines = r.err.split('\n').filter((l) => l.startsWith('  '));
  expect(lines).toEqual([
    `  camera.fps: expected a number, got "fast" (${file}:3)`,
    `  gate.relayOpenMs: expected a number >= 0, got -5 (${file}:5)`,
    `  hardware.outputs.relay.actve_low: expected no such key (known: pin, activeLow, safe), got unknown key "actve_low" (${file}:8)`,
  ]);
  expect(r.err).toContain(`${file}: 3 problems`);
});

test('--validate-config on a good file says OK, exits 0 and starts nothing', () => {
  const file = join(dir, 'good.yaml');
  writeFileSync(file, 'camera:\n  source: rtsp://admin:hunter22@10.0.0.5/stream\nhardware:\n  driver: gpiod\n');
  const r = run('run', '--validate-config', file);
  expect(r.code).toBe(0);
  expect(r.out).toContain('OK');
  // The RTSP password never reaches the terminal.
  expect(r.out + r.err).not.toContain('hunter22');
});

test('unknown commands and options are usage errors (exit 2)', () => {
  expect(run('fly').code).toBe(2);
  expect(run('run', '--colour').code).toBe(2);
  expect(run().code).toBe(2);
});
