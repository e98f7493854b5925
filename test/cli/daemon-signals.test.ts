import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(__dirname, '../../bin/mask-gate.js');

/** Starts the real daemon with simulated hardware; resolves once the gate is idle. */
function startDaemon(configText: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mask-gate-daemon-'));
  const file = join(dir, 'site.yaml');
  writeFileSync(file, configText);
  const child = spawn(process.execPath, [bin, 'run', '--config', file], { env: { PATH: process.env.PATH, MASK_GATE_LOG_LEVEL: 'info' } });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  child.stdout.on('data', (d) => (log += d));
  const idle = new Promise<void>((resolve, reject) => {
    const t = setInterval(() => {
      // Booted: idle with a detector model, fault (boot) without one; either way the gate runs.
      if (/gate booting -> (idle|fault)/.test(log)) {
        clearInterval(t);
        resolve();
      }
    }, 20);
    child.once('exit', () => {
      clearInterval(t);
      reject(new Error(`daemon exited early:\n${log}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, idle, exited, log: () => log };
}

test.each(['SIGTERM', 'SIGINT'] as const)('%s: outputs to their configured safe levels, then an orderly stop in reverse order', async (sig) => {
  // A fail-open door: the relay's safe level is released ("on").
  const d = startDaemon('camera: { source: "test://" }\ngate: { failMode: open, selfTestBlinkMs: 50 }\neventLog: { path: ' + JSON.stringify(join(mkdtempSync(join(tmpdir(), 'mg-ev-')), 'events.sqlite')) + ' }\nvoice: { enabled: false }\ndashboard: { port: 0 }\n');
  await d.idle;
  d.child.kill(sig);
  expect(await d.exited).toBe(0);
  const lines = d.log().split('\n');
  const stopAt = lines.findIndex((l) => l.includes(`${sig}: stopping`));
  expect(stopAt).toBeGreaterThan(0);
  const after = lines.slice(stopAt);
  const last = (name: string) => after.filter((l) => new RegExp(`\\] ${name} (on|off)$`).test(l)).at(-1);
  expect(last('relay')).toMatch(/relay on$/);
  for (const led of ['greenLed', 'redLed', 'amberLed', 'buzzer']) expect(last(led)).toMatch(new RegExp(`${led} off$`));
  const gateStop = after.findIndex((l) => l.includes('stopping gate'));
  const hwStop = after.findIndex((l) => l.includes('stopping hardware'));
  expect(gateStop).toBeGreaterThan(-1);
  expect(hwStop).toBeGreaterThan(gateStop);
});

test('a config that cannot start is refused with every problem, before any output is touched', async () => {
  const d = startDaemon('gate: { failMode: maybe }\nhardware: { outputs: { relay: { pin: 99 } } }\n');
  await expect(d.idle).rejects.toThrow(/daemon exited early/);
  expect(await d.exited).toBe(1);
  expect(d.log()).toContain('gate.failMode: expected one of "secure" | "open", got "maybe"');
  expect(d.log()).toContain('hardware.outputs.relay.pin: expected a number <= 40, got 99');
  expect(d.log()).not.toMatch(/relay (on|off)/);
});
