import { SimulatedClock } from 'xstate';
import type { Clock } from '../../hardware/clock';
import { FakeDigitalOutput } from '../../hardware/fake/digital-output';
import { ConfigSchema, type Config } from '../config/schema';
import type { GateListener } from '../gate/gate-controller';
import type { Logger } from '../log';
import type { Daemon } from '../main';
import type { ObservedOutcome } from '../sequence/expectations';
import { advanceTo, bootOnSimulatedClock } from './sim-time';

/** One line of a replay's timeline; t_ms is sequence time (negative while the gate boots). */
export type ReplayLine = { t_ms: number } & ReplayEvent;
type ReplayEvent =
  | { type: 'state'; state: string }
  | { type: 'output'; name: string; level: 'on' | 'off' }
  | { type: 'decision'; outcome: 'cleared' | 'alert'; reason: string | null; people: readonly unknown[] }
  | { type: 'prompt'; prompt: string }
  | { type: 'faults'; faults: readonly unknown[] };

export interface ReplayOptions {
  /** A config whose camera is the recording (see replayConfig). */
  config: Config;
  log: Logger;
  /** Each timeline line as it happens. */
  emit?(line: ReplayLine): void;
  /** Services beyond the pipeline: the end-to-end tests turn on the event log and the dashboard. */
  services?: { eventLog?: boolean; dashboard?: boolean };
  /** Called after the run, before the daemon stops (to read its event log or dashboard). */
  inspect?(daemon: Daemon): Promise<void>;
}

export interface ReplayResult {
  lines: ReplayLine[];
  decisions: ObservedOutcome[];
}

/**
 * Replays a recording through the whole gate (camera, detector, tracker, statechart) with simulated
 * hardware, as fast as the pipeline allows, on the recording's own clock: every frame is processed, and the
 * statechart's timers see media time, so the timeline is the same on a fast or a slow machine.
 */
export async function runReplay(opts: ReplayOptions): Promise<ReplayResult> {
  const { config } = opts;
  const sim = new SimulatedClock();
  const clock: Clock = { now: () => sim.now(), setTimeout: (fn, ms) => sim.setTimeout(fn, ms), clearTimeout: (h) => sim.clearTimeout(h as number) };
  // Sequence time 0 on the simulated clock, known once the gate has booted; lines from the boot are held
  // until then, so they carry negative times.
  let offset: number | null = null;
  const lines: ReplayLine[] = [];
  const held: { raw: number; event: ReplayEvent }[] = [];
  const decisions: ObservedOutcome[] = [];
  const emit = (line: ReplayLine) => {
    lines.push(line);
    opts.emit?.(line);
  };
  const add = (event: ReplayEvent) => {
    if (offset === null) held.push({ raw: sim.now(), event });
    else emit({ t_ms: sim.now() - offset, ...event });
  };
  const listener: GateListener = {
    onState: (state) => add({ type: 'state', state }),
    onDecision: (r) => {
      decisions.push({ outcome: r.outcome, t_ms: sim.now() - (offset ?? 0), ...(r.reason ? { reason: r.reason } : {}) });
      add({ type: 'decision', outcome: r.outcome, reason: r.reason, people: r.verdict.kind === 'empty' ? [] : r.verdict.people });
    },
    onPrompt: (prompt) => add({ type: 'prompt', prompt }),
    onFaults: (faults) => add({ type: 'faults', faults }),
  };
  const { buildDaemon } = await import('../main.js');
  let ended!: () => void;
  const end = new Promise<void>((r) => (ended = r));
  const daemon = buildDaemon(config, {
    log: opts.log,
    clock,
    machineClock: sim,
    listeners: [listener],
    services: { voice: false, mqtt: false, systemd: false, eventLog: opts.services?.eventLog ?? false, dashboard: opts.services?.dashboard ?? false },
    beforeFrame: (tMs) => advanceTo(sim, (offset ?? 0) + tMs),
    onEnd: () => ended(),
  });
  for (const [name, out] of Object.entries(daemon.hardware.outputs)) {
    if (out instanceof FakeDigitalOutput) out.watch((level) => add({ type: 'output', name, level: level ? 'on' : 'off' }));
  }
  try {
    await daemon.start();
    await bootOnSimulatedClock(sim, daemon.ready);
    offset = sim.now();
    for (const h of held.splice(0)) emit({ t_ms: h.raw - offset, ...h.event });
    await end;
    // Let the doorway empty out: the gate returns to idle after personGoneMs.
    advanceTo(sim, sim.now() + config.gate.personGoneMs + 500);
    await opts.inspect?.(daemon);
  } finally {
    await daemon.stop();
  }
  return { lines, decisions };
}

/**
 * The config a replay runs with: the site's own gate, detector and tracker settings, the recording as a
 * camera read once and unpaced, simulated hardware, and no secrets, MQTT or LAN dashboard.
 */
export function replayConfig(base: Config, source: string, size: { width: number; height: number }, over: { model?: string; eventLogPath?: string } = {}): Config {
  return ConfigSchema.parse({
    ...base,
    camera: { ...base.camera, source, paced: false, loop: false, width: size.width, height: size.height },
    detector: { ...base.detector, ...(over.model ? { model: over.model } : {}) },
    hardware: { ...base.hardware, driver: 'simulated', thermometer: null, display: null },
    mqtt: { ...base.mqtt, enabled: false, password: null },
    dashboard: { ...base.dashboard, token: null, host: '127.0.0.1', port: 0 },
    eventLog: { ...base.eventLog, ...(over.eventLogPath ? { path: over.eventLogPath } : {}) },
  });
}
