import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHardware } from '../../hardware/create-hardware';
import { nodeGpiodSystem } from '../../hardware/drivers/gpiod-system';
import { FakeDigitalOutput } from '../../hardware/fake/digital-output';
import { enterSafeState, installSafeState } from '../../hardware/safe-state';
import { HardwareSection } from '../../src/config/sections/hardware';
import { memoryLogger } from '../../src/log';

const ROOT = resolve(__dirname, '../..');
const FIXTURE = join(ROOT, 'test/fixtures/hardware/safe-state-child.ts');
const REGISTER = join(ROOT, 'src/camera/dev-ts-register.cjs');

interface ChildResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** The state file when the child said "ready" (every output away from its safe level). */
  before: string | null;
}

/** Runs the fixture; once it prints "ready", sends `signal` (if any); resolves when it has exited. */
function runChild(mode: string, driver: string, stateFile: string, signal: NodeJS.Signals | null, env: NodeJS.ProcessEnv = process.env): Promise<ChildResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-r', REGISTER, FIXTURE, mode, driver, stateFile], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (signal && stdout.includes('ready\n')) child.kill(signal);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', fail);
    child.on('exit', (code, sig) => {
      const before = stateFile && existsSync(`${stateFile}.ready`) ? readFileSync(`${stateFile}.ready`, 'utf8') : null;
      done({ code, signal: sig, stdout, stderr, before });
    });
  });
}

describe('safe state in a real child process', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mask-gate-safe-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const readState = () => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Record<string, { level: boolean; physical: boolean }>;
  // Defaults: greenLed 11, redLed 13, buzzer 16 (safe off); amberLed safe on; relay active low, safe off.
  const SAFE = {
    greenLed: { level: false, physical: false },
    redLed: { level: false, physical: false },
    amberLed: { level: true, physical: true },
    buzzer: { level: false, physical: false },
    relay: { level: false, physical: true },
  };
  const UNSAFE = Object.fromEntries(Object.entries(SAFE).map(([k, v]) => [k, { level: !v.level, physical: !v.physical }]));

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)('%s: every output at its safe level, exit code %i', async (signal, code) => {
    const r = await runChild('wait', 'simulated', join(dir, 'state.json'), signal);
    expect(r.stdout).toBe('ready\n');
    expect(JSON.parse(r.before ?? '{}')).toEqual(UNSAFE);
    expect({ code: r.code, signal: r.signal }).toEqual({ code, signal: null });
    expect(readState()).toEqual(SAFE);
    expect(r.stderr).toMatch(new RegExp(`safe state \\(signal ${signal}\\): greenLed=off redLed=off amberLed=on buzzer=off relay=off`));
  });

  it.each([
    ['throw', /uncaught exception: boom/],
    ['reject', /unhandled rejection: async boom/],
  ] as const)('a crash (%s): every output at its safe level, exit code 1', async (mode, logged) => {
    const r = await runChild(mode, 'simulated', join(dir, 'state.json'), null);
    expect(JSON.parse(r.before ?? '{}')).toEqual(UNSAFE);
    expect(r.code).toBe(1);
    expect(readState()).toEqual(SAFE);
    expect(r.stderr).toMatch(logged);
  });

  it('process.exit() elsewhere: still safe, with that exit code', async () => {
    const r = await runChild('exit', 'simulated', join(dir, 'state.json'), null);
    expect(r.code).toBe(3);
    expect(readState()).toEqual(SAFE);
  });

  it('gpiod (fake libgpiod v1 tools on PATH): SIGTERM leaves detached gpioset holders at the safe levels', async () => {
    const log = join(dir, 'gpio.log');
    const tool = (name: string, body: string) => {
      writeFileSync(join(dir, name), body);
      chmodSync(join(dir, name), 0o755);
    };
    // gpioset: a node script so its argv stays visible in /proc; logs "<pid> start <args>".
    tool(
      'gpioset',
      `#!${process.execPath}\n` +
        `const a = process.argv.slice(2);\n` +
        `if (a[0] === '--version') { console.log('gpioset (libgpiod) v1.6.3'); process.exit(0); }\n` +
        `require('fs').appendFileSync(${JSON.stringify(log)}, process.pid + ' start ' + a.join(' ') + '\\n');\n` +
        `process.on('SIGTERM', () => process.exit(0));\n` +
        `setInterval(() => {}, 1000);\n`,
    );
    tool('gpiodetect', '#!/bin/sh\necho "gpiochip0 [tegra234-gpio] (164 lines)"\necho "gpiochip1 [tegra234-gpio-aon] (32 lines)"\n');
    tool('gpioget', '#!/bin/sh\necho 1\n');
    tool('gpiomon', `#!/bin/sh\necho "$$ monitor $*" >> ${JSON.stringify(log)}\nexec sleep 1000\n`);
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
    let pids: number[] = [];
    try {
      const r = await runChild('wait', 'gpiod', '', 'SIGTERM', env);
      expect(r.stderr).not.toMatch(/incomplete|failed/);
      expect(r.code).toBe(143);
      // The safe holders were started synchronously; give them time to log their own start.
      const lines = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
      // Orin: 11 -> line 112, 13 -> 122, 15 -> 85, 16 -> 126, 18 -> 125. Up to three holders per line:
      // open (safe), the write away from safe (may be killed before it logs), the one writeSafeSync left.
      let entries: string[][] = [];
      let monitors: string[][] = [];
      const last = new Map<string, { pid: number; value: string }>();
      const collect = () => {
        const all = lines().map((l) => l.split(' '));
        pids = all.map((e) => Number(e[0]));
        monitors = all.filter((e) => e[1] === 'monitor');
        entries = all.filter((e) => e[1] === 'start');
        last.clear();
        for (const [pid, , , chip, arg] of entries) {
          const [line, value] = (arg ?? '').split('=');
          last.set(`${chip}:${line}`, { pid: Number(pid), value: value ?? '' });
        }
        return Object.fromEntries([...last].map(([k, v]) => [k, v.value]));
      };
      // Zombies count as gone (the container's PID 1 may never reap them); their lines are released.
      const alive = (pid: number) => nodeGpiodSystem.isAlive(pid);
      const expected: Record<string, string> = {
        'gpiochip0:112': '0', // greenLed off
        'gpiochip0:122': '0', // redLed off
        'gpiochip0:85': '1', // amberLed safe on
        'gpiochip0:126': '0', // buzzer off
        'gpiochip0:125': '1', // relay off, active low: high
      };
      // What is held now: the holders still alive, exactly one per line, each at its safe level; every
      // holder of another level is gone. (Not "the last one logged": under load a superseded holder can
      // start, and log, after its successor.)
      const held = () => {
        collect();
        return entries.filter(([pid]) => alive(Number(pid))).map(([, , , chip, arg]) => `${chip}:${arg}`).sort();
      };
      const want = Object.entries(expected).map(([k, v]) => `${k}=${v}`).sort();
      for (let i = 0; i < 200 && JSON.stringify(held()) !== JSON.stringify(want); i++) await new Promise((r2) => setTimeout(r2, 50));
      expect(held()).toEqual(want);
      expect(entries.length).toBeGreaterThanOrEqual(10);
      // exitSync() killed both gpiomon monitors (staffButton 29 -> line 105, fireAlarm 31 -> line 106).
      expect(monitors.map((m) => m.slice(2).join(' ')).sort()).toEqual([
        '--line-buffered --format=%e %s %n gpiochip0 105',
        '--line-buffered --format=%e %s %n gpiochip0 106',
      ]);
      expect(monitors.map((m) => Number(m[0])).filter(alive)).toEqual([]);
    } finally {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
});

describe('installSafeState / enterSafeState in process', () => {
  function setup() {
    const hw = createHardware(HardwareSection.parse({ outputs: { relay: { pin: 18, safe: 'on' } } }), { logger: memoryLogger(), readFile: () => null });
    const proc = Object.assign(new EventEmitter(), { exit: jest.fn() });
    const logger = memoryLogger();
    return { hw, proc, logger };
  }

  it('registers the handlers and removes them again', () => {
    const { hw, proc, logger } = setup();
    const off = installSafeState(hw, logger, proc);
    for (const e of ['SIGTERM', 'SIGINT', 'SIGHUP', 'uncaughtException', 'unhandledRejection', 'exit']) expect(proc.listenerCount(e)).toBe(1);
    off();
    expect(proc.eventNames()).toEqual([]);
  });

  it('drives the safe state once, even when a second signal follows', async () => {
    const { hw, proc, logger } = setup();
    await hw.open();
    await hw.outputs.relay!.write(false);
    const relay = hw.outputs.relay as FakeDigitalOutput;
    installSafeState(hw, logger, proc);
    proc.emit('SIGTERM');
    proc.emit('SIGINT');
    expect(proc.exit.mock.calls).toEqual([[143], [130]]);
    expect(relay.history.filter((e) => e.op === 'safe')).toHaveLength(1);
    expect(relay.level).toBe(true);
  });

  it('enterSafeState: the fault path drives outputs, logs, and leaves the process and inputs alone', async () => {
    const { hw, logger } = setup();
    await hw.open();
    await hw.outputs.relay!.write(false);
    await hw.outputs.buzzer!.write(true);
    const report = enterSafeState(hw, logger, 'FAULT camera');
    expect(report.find((r) => r.name === 'relay')).toEqual({ name: 'relay', level: true, result: 'driven' });
    expect(hw.outputs.buzzer!.level).toBe(false);
    expect(hw.inputs.staffButton!.isOpen).toBe(true);
    expect(logger.lines.join('')).toMatch(/safe state \(FAULT camera\): greenLed=off redLed=off amberLed=off buzzer=off relay=on/);
    await hw.outputs.relay!.write(false); // outputs stay usable after the fault clears
    expect(hw.outputs.relay!.level).toBe(false);
  });
});
