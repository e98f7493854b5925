import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadConfig } from '../../src/config/load';
import { Secret } from '../../src/config/secret';
import { memoryLogger } from '../../src/log';
import { problemsOf } from './problems';


describe('defaults', () => {
  test('no config file gives the demo: simulated hardware and a recorded sequence', () => {
    const c = loadConfig({ env: {} });
    expect(c.hardware.driver).toBe('simulated');
    expect(c.camera.source).toMatch(/^frames:\/\//);
    expect(c.mqtt.enabled).toBe(false);
    expect(c.dashboard.host).toBe('127.0.0.1');
    expect(c.gate.failMode).toBe('secure');
    // The relay's crash level follows the fail mode.
    expect(c.hardware.outputs.relay?.safe).toBe('off');
    expect(loadConfig({ env: {}, text: 'gate: { failMode: open }' }).hardware.outputs.relay?.safe).toBe('on');
  });

  test('an empty file is the same as no file', () => {
    expect(loadConfig({ text: '', env: {} })).toEqual(loadConfig({ env: {} }));
  });
});

describe('problems are reported as "path: expected X, got Y" with the line', () => {
  test('a config with three mistakes lists all three', () => {
    const text = ['gate:', '  relayOpenMs: soon', '  failMode: sometimes', 'camera:', '  fps: 30', '  colour: true', ''].join('\n');
    expect(problemsOf(text)).toEqual([
      'gate.relayOpenMs: expected a number, got "soon" (site.yaml:2)',
      'gate.failMode: expected one of "secure" | "open", got "sometimes" (site.yaml:3)',
      'camera.colour: expected no such key (known: source, width, height, fps, noFrameTimeoutMs, loop, paced), got unknown key "colour" (site.yaml:6)',
    ]);
  });

  test('numbers out of range, wrong types in lists, and nested unknown keys', () => {
    const text = ['hardware:', '  outputs:', '    relay: { pin: 41 }', '    greenLed: { pin: 11, blink: yes }', 'voice:', '  languages: [en, 7]'].join('\n');
    const problems = problemsOf(text);
    expect(problems.map(order)).toEqual([3, 4, 6]);
    expect(problems).toContain('hardware.outputs.relay.pin: expected a number <= 40, got 41 (site.yaml:3)');
    expect(problems).toContain('hardware.outputs.greenLed.blink: expected no such key (known: pin, activeLow, safe), got unknown key "blink" (site.yaml:4)');
    expect(problems).toContain('voice.languages[1]: expected a string, got 7 (site.yaml:6)');
    expect(problems).toHaveLength(3);
  });

  test('YAML syntax errors name the line', () => {
    const [p] = problemsOf('gate:\n  relayOpenMs: 3000\n   failMode: open\n');
    expect(p).toMatch(/^\(root\): expected valid YAML, got .*\(site\.yaml:2\)$/);
  });

  test('duplicate keys are refused', () => {
    expect(problemsOf('gate:\n  relayOpenMs: 1\n  relayOpenMs: 2\n')[0]).toMatch(/DUPLICATE_KEY.*site\.yaml:3/);
  });

  test('cross-field rules: K of N, pins used twice, hold without a sensor, LAN without a token', () => {
    const text = [
      'gate:',
      '  evidence: { windowFrames: 10, agreeFrames: 5 }',
      '  relayMode: hold',
      'hardware:',
      '  outputs:',
      '    buzzer: { pin: 11 }',
      'dashboard:',
      '  host: 0.0.0.0',
    ].join('\n');
    const problems = problemsOf(text);
    expect(problems).toEqual(
      expect.arrayContaining([
        'gate.evidence.agreeFrames: expected more than half of windowFrames (> 5), got 5 (site.yaml:2)',
        'hardware.outputs.buzzer.pin: expected a pin not used elsewhere, got 11 (also hardware.outputs.greenLed.pin) (site.yaml:6)',
        'gate.relayMode: expected "pulse" when no hardware.inputs.passageSensor is wired, got "hold" (site.yaml:3)',
        'dashboard.token: expected a token when the dashboard binds beyond loopback (host 0.0.0.0), got null (site.yaml:7)',
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  test('a top level that is not a mapping', () => {
    expect(problemsOf('- a\n- b\n')).toEqual(['(root): expected a mapping at the top level, got a list of 2 (site.yaml:1)']);
  });

  test('a missing file is one clear problem', () => {
    expect(() => loadConfig({ file: '/nonexistent/mask-gate.yaml', env: {} })).toThrow(/\/nonexistent\/mask-gate.yaml: 1 problem\n {2}\(root\): expected a readable config file, got ENOENT/);
  });
});

describe('environment overrides', () => {
  test('MASK_GATE__SECTION__KEY sets a value, parsed as YAML', () => {
    const c = loadConfig({
      text: 'gate:\n  relayOpenMs: 1000\n',
      env: { MASK_GATE__GATE__RELAY_OPEN_MS: '5000', MASK_GATE__VOICE__LANGUAGES: '[en, yue]', MASK_GATE__HARDWARE__OUTPUTS__RELAY__ACTIVE_LOW: 'true' },
    });
    expect(c.gate.relayOpenMs).toBe(5000);
    expect(c.voice.languages).toEqual(['en', 'yue']);
    expect(c.hardware.outputs.relay?.activeLow).toBe(true);
  });

  test('a bad override names the variable, not a line', () => {
    expect(problemsOf('', { MASK_GATE__GATE__RELAY_OPEN_MS: 'later', MASK_GATE__GATE__RELAY_OPENING: '1' })).toEqual([
      'gate: expected a config key (known: zone, decideMinFacePx, stationaryAfterMs, stationaryTolerance, ignoreZones, evidence, clearAfterAlert, personGoneMs, relayMode, relayOpenMs, holdMaxMs, escalateAfterMs, undecidedPromptMs, undecidedStaffMs, failMode, maintenanceRelay, selfTestBlinkMs, faultRetryMs, feverThresholdC, buzzer), got "RELAY_OPENING" (env MASK_GATE__GATE__RELAY_OPENING)',
      'gate.relayOpenMs: expected a number, got "later" (env MASK_GATE__GATE__RELAY_OPEN_MS)',
    ]);
  });
});

describe('secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mask-gate-secret-'));
  const file = join(dir, 'mqtt.pass');
  writeFileSync(file, 'file-pass-9876\n');

  test('literal, env and file references resolve; none of them ever prints', () => {
    const c = loadConfig({
      text: `mqtt:\n  enabled: true\n  username: gate1\n  password: { file: ${file} }\ndashboard:\n  host: 0.0.0.0\n  token: { env: GATE_TOKEN }\n`,
      env: { GATE_TOKEN: 'tok-secret-1234' },
    });
    expect(c.mqtt.password).toBeInstanceOf(Secret);
    expect(c.mqtt.password?.reveal()).toBe('file-pass-9876');
    expect(c.dashboard.token?.reveal()).toBe('tok-secret-1234');
    const printed = [JSON.stringify(c), inspect(c, { depth: 10 }), String(c.mqtt.password), `${c.dashboard.token}`].join('\n');
    expect(printed).not.toContain('file-pass-9876');
    expect(printed).not.toContain('tok-secret-1234');
    const log = memoryLogger();
    log.info(`connecting with ${c.mqtt.password?.reveal()}`, { token: c.dashboard.token?.reveal() });
    expect(log.lines.join('\n')).not.toMatch(/file-pass-9876|tok-secret-1234/);
    expect(log.lines[0]).toContain('connecting with ***');
  });

  test('a missing env secret or unreadable file is a problem, not a crash', () => {
    const problems = problemsOf('mqtt:\n  username: u\n  password: { env: NOPE_UNSET }\ndashboard:\n  token: { file: /nonexistent/token }\n');
    expect(problems).toEqual([
      'mqtt.password: expected environment variable NOPE_UNSET to be set, got nothing (site.yaml:3)',
      'dashboard.token: expected a readable secret file, got ENOENT for /nonexistent/token (site.yaml:5)',
    ]);
  });

  test('a secret of the wrong shape says what forms are allowed', () => {
    expect(problemsOf('mqtt:\n  username: u\n  password: 1234\n')).toEqual(['mqtt.password: expected a secret: text, { env: NAME } or { file: PATH }, got 1234 (site.yaml:3)']);
  });
});

function order(line: string): number {
  return Number(/:(\d+)\)$/.exec(line)?.[1] ?? 0);
}

test('a buzzer pattern must be on/off pairs', () => {
  expect(problemsOf('gate:\n  buzzer:\n    alert: [100, 200, 300]\n')).toEqual(['gate.buzzer.alert: expected on/off pairs (an even number of durations), got a list of 3 (site.yaml:3)']);
});

test('the Jetson example config in provisioning/examples is valid', () => {
  const file = join(__dirname, '../../provisioning/examples/jetson-orin.yaml');
  const c = loadConfig({ file, env: {} });
  expect(c.camera.source).toBe('v4l2:///dev/video0');
  expect(c.hardware).toMatchObject({ driver: 'gpiod', board: 'jetson-orin', thermometer: { type: 'mlx90614', bus: 7, address: 0x5a } });
  expect(c.hardware.outputs.relay).toMatchObject({ pin: 18, activeLow: true, safe: 'off' });
});
