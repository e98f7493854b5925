import { resolve } from 'node:path';
import { SimulatedClock } from 'xstate';
import type { Clock } from '../../hardware/clock';
import { FakeDigitalOutput } from '../../hardware/fake/digital-output';
import { ConfigSchema } from '../config/schema';
import type { GateListener } from '../gate/gate-controller';
import { createLogger, type LogLevel } from '../log';
import { loadSequence } from '../sequence/read';
import { checkExpectations, type ObservedOutcome } from '../sequence/expectations';
import { loadConfigForCommand, parseCommandArgs, usageError } from './args';

const USAGE = `usage: mask-gate replay SEQ [--json] [--config FILE] [--model M]
  Runs a recorded sequence through the whole gate (camera replay, detector, tracker, statechart) with
  simulated hardware, as fast as it can, on the sequence's own clock. --json prints one line per state
  transition, hardware output and decision, each with t_ms (sequence time). Exit 1 when the sequence's
  expectations are not met.`;

/** Simulated time moves in small steps, because the clock only fires timers already due. */
const STEP_MS = 10;

export async function replayCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('replay', USAGE, argv, { json: { type: 'boolean' }, config: { type: 'string', short: 'c' }, model: { type: 'string', short: 'm' } });
  if (typeof args === 'number') return args;
  if (args.positionals.length !== 1) return usageError('replay', USAGE, 'expected one sequence folder');
  const dir = resolve(args.positionals[0]!);
  let seq;
  try {
    seq = await loadSequence(dir);
  } catch (e) {
    process.stderr.write(`mask-gate replay: ${(e as Error).message}\n`);
    return 1;
  }
  const base = loadConfigForCommand(args.values.config ?? process.env.MASK_GATE_CONFIG);
  if (typeof base === 'number') return base;
  // The replay owns the camera and the hardware: a recorded sequence, fast, once, with fake outputs.
  const config = ConfigSchema.parse({
    ...stripSecrets(base),
    camera: { ...base.camera, source: `frames://${dir}`, paced: false, loop: false, width: seq.sequence.width, height: seq.sequence.height },
    detector: { ...base.detector, ...(args.values.model ? { model: args.values.model } : {}) },
    hardware: { ...base.hardware, driver: 'simulated', thermometer: null, display: null },
  });

  const sim = new SimulatedClock();
  const clock: Clock = { now: () => sim.now(), setTimeout: (fn, ms) => sim.setTimeout(fn, ms), clearTimeout: (h) => sim.clearTimeout(h as number) };
  const advanceTo = (t: number) => {
    while (sim.now() + STEP_MS <= t) sim.increment(STEP_MS);
    if (sim.now() < t) sim.set(t);
  };
  let offset = 0; // sequence time 0 on the simulated clock, set once the gate has booted
  const json = args.values.json === true;
  const line = (o: Record<string, unknown>) => json && process.stdout.write(JSON.stringify({ t_ms: sim.now() - offset, ...o }) + '\n');
  const observed: ObservedOutcome[] = [];
  const listener: GateListener = {
    onState: (state) => line({ type: 'state', state }),
    onDecision: (r) => {
      observed.push({ outcome: r.outcome, t_ms: sim.now() - offset, ...(r.reason ? { reason: r.reason } : {}) });
      line({ type: 'decision', outcome: r.outcome, reason: r.reason, people: r.verdict.kind === 'empty' ? [] : r.verdict.people });
    },
    onPrompt: (prompt) => line({ type: 'prompt', prompt }),
    onFaults: (faults) => line({ type: 'faults', faults }),
  };
  const { buildDaemon } = await import('../main.js');
  const log = createLogger('replay', (json ? 'warn' : config.log.level) as LogLevel);
  let ended!: () => void;
  const end = new Promise<void>((r) => (ended = r));
  const daemon = buildDaemon(config, {
    log,
    clock,
    machineClock: sim,
    listeners: [listener],
    services: { voice: false, mqtt: false, systemd: false, eventLog: false, dashboard: false },
    beforeFrame: (tMs) => advanceTo(offset + tMs),
    onEnd: () => ended(),
  });
  for (const [name, out] of Object.entries(daemon.hardware.outputs)) {
    if (out instanceof FakeDigitalOutput) out.watch((level) => line({ type: 'output', name, level: level ? 'on' : 'off' }));
  }
  try {
    await daemon.start();
    // Boot on the simulated clock: the self-test blinks need time to pass; the warm-up is real work.
    let booted = false;
    void daemon.ready.then(() => (booted = true));
    while (!booted) {
      sim.increment(STEP_MS);
      await new Promise((r) => setTimeout(r, 1));
    }
    offset = sim.now();
    await end;
    // Let the doorway empty out: the gate returns to idle after personGoneMs.
    advanceTo(sim.now() + config.gate.personGoneMs + 500);
  } finally {
    await daemon.stop();
  }
  const exp = seq.sequence.expectations;
  const result = exp ? checkExpectations(exp, observed) : null;
  if (json) process.stdout.write(JSON.stringify({ type: 'result', frames: seq.sequence.frames.length, decisions: observed, ok: result?.ok ?? null, failures: result?.failures ?? [] }) + '\n');
  else {
    process.stdout.write(`${seq.sequence.frames.length} frames, ${observed.length} decisions: ${observed.map((o) => `${o.outcome}${o.reason ? `(${o.reason})` : ''}@${o.t_ms}ms`).join(', ') || 'none'}\n`);
    if (result) process.stdout.write(result.ok ? 'expectations met\n' : `expectations NOT met:\n  ${result.failures.join('\n  ')}\n`);
  }
  return result && !result.ok ? 1 : 0;
}

/** ConfigSchema.parse() wants secret references, not resolved Secrets; a replay needs neither. */
function stripSecrets<T extends { mqtt: object; dashboard: object }>(c: T): T {
  return { ...c, mqtt: { ...c.mqtt, enabled: false, password: null }, dashboard: { ...c.dashboard, token: null, host: '127.0.0.1' } };
}
