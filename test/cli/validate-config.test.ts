import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The real CLI, as an operator runs it: the compiled bin (npm test builds it first).
const bin = join(__dirname, '../../bin/mask-gate.js');
const dir = mkdtempSync(join(tmpdir(), 'mask-gate-cli-'));

function run(...args: string[]) {
  // The timeout only bounds a daemon that starts when it should not.
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 20_000 });
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

test('--validate-config refuses detector.threads that the machine has no cores for, and says why (exit 1)', () => {
  // 64 threads x 2 networks: more cores than any machine these tests run on (the rule itself is tested with
  // injected core counts in test/detector/thread-budget).
  const file = join(dir, 'threads.yaml');
  writeFileSync(file, 'detector:\n  threads: 64\n');
  const r = run('run', '--validate-config', file);
  expect(r.code).toBe(1);
  expect(r.err).toContain(`${file}: refused on this machine`);
  expect(r.err).toMatch(/detector\.threads 64 x 2 networks running at once \(detector\.overlap\) needs 128 cores, this machine has \d+/);
  expect(r.out).not.toContain('OK');
});

test('run refuses to start with the same reason (exit 1)', () => {
  const file = join(dir, 'threads-run.yaml');
  writeFileSync(file, 'detector:\n  threads: 64\nhardware:\n  driver: simulated\nvoice:\n  enabled: false\n');
  const r = run('run', '--config', file);
  expect(r.code).toBe(1);
  expect(r.out + r.err).toMatch(/start refused: detector\.threads 64 x 2 networks running at once .* this machine has \d+/);
});

test('unknown commands and options are usage errors (exit 2)', () => {
  expect(run('fly').code).toBe(2);
  expect(run('run', '--colour').code).toBe(2);
  expect(run().code).toBe(2);
});
