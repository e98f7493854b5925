import path from 'node:path';
import type { ActiveFault } from '../../../machines/gate-context';
import { ConfigSchema, type Config, type ConfigInput } from '../../../src/config/schema';
import type { DecisionReport } from '../../../machines/gate.machine';
import { buildDaemon, type Daemon } from '../../../src/main';
import { memoryLogger } from '../../../src/log';
import { FakeDigitalOutput } from '../../../hardware/fake/digital-output';

/** What the whole daemon did, as its listeners and outputs saw it. */
export interface Rig {
  daemon: Daemon;
  config: Config;
  lines: string[];
  states: string[];
  decisions: DecisionReport[];
  faults: ActiveFault[][];
  frames: number;
  /** Called with each processed frame (tests hold them weakly). */
  frameListeners: ((frame: object) => void)[];
  /** The source ended (a replay without loop) and its last frame was processed. */
  ended: boolean;
  /** Resolves when `ok()` holds; rejects after `ms` with what was seen (a hang fails, never blocks). */
  until(what: string, ok: () => boolean, ms?: number): Promise<void>;
  /** Logical levels of every output now. */
  levels(): Record<string, boolean | null>;
  stop(): Promise<void>;
}

/**
 * Quick timings so a test sees boot, decisions and retries in a second or two. The colour world's face
 * stage reports one fixed box, a face that never moves: to the gate that is a picture, so the picture rule
 * (gate.stationaryAfterMs) is off here; test/gate/fail-safe-door.test.ts tests it.
 */
export const FAST_GATE = { selfTestBlinkMs: 20, personGoneMs: 400, faultRetryMs: 300, relayOpenMs: 300, stationaryAfterMs: 0 };

export function rigConfig(dir: string, model: string, over: Partial<Record<keyof ConfigInput, unknown>> = {}): Config {
  const o = over as Record<string, Record<string, unknown> | undefined>;
  return ConfigSchema.parse({
    ...over,
    camera: { source: 'frames://' + path.join(dir, 'seq'), width: 160, height: 96, paced: true, loop: true, ...o.camera },
    detector: { model, threads: 1, ...o.detector },
    gate: { ...FAST_GATE, ...o.gate },
    hardware: { driver: 'simulated', ...o.hardware },
    eventLog: { path: path.join(dir, 'events.sqlite'), ...o.eventLog },
    voice: { enabled: false },
  });
}

export async function startRig(config: Config, opts: { start?: boolean } = {}): Promise<Rig> {
  const log = memoryLogger();
  const rig: Rig = {
    daemon: null as unknown as Daemon,
    config,
    lines: log.lines,
    states: [],
    decisions: [],
    faults: [],
    frames: 0,
    frameListeners: [],
    ended: false,
    until: (what, ok, ms = 20_000) =>
      new Promise((resolve, reject) => {
        const t0 = Date.now();
        const tick = setInterval(() => {
          if (ok()) {
            clearInterval(tick);
            resolve();
          } else if (Date.now() - t0 > ms) {
            clearInterval(tick);
            reject(new Error(`timed out waiting for ${what}; states ${rig.states.join(' > ')}\n${log.lines.slice(-25).join('')}`));
          }
        }, 10);
      }),
    levels: () => Object.fromEntries(Object.entries(rig.daemon.hardware.outputs).map(([n, o]) => [n, o ? o.level : null])),
    stop: () => rig.daemon.stop(),
  };
  rig.daemon = buildDaemon(config, {
    log,
    listeners: [{ onState: (s) => rig.states.push(s), onDecision: (d) => rig.decisions.push(d), onFaults: (f) => rig.faults.push([...f]) }],
    onFrame: (s) => {
      rig.frames++;
      for (const l of rig.frameListeners) l(s.frame);
    },
    onEnd: () => (rig.ended = true),
    services: { voice: false, mqtt: false, systemd: false, dashboard: false },
  });
  if (opts.start !== false) await rig.daemon.start();
  return rig;
}

/** The fake outputs, for write-failure controls. */
export function fakeOutputs(rig: Rig): Record<string, FakeDigitalOutput> {
  return Object.fromEntries(Object.entries(rig.daemon.hardware.outputs).filter((e): e is [string, FakeDigitalOutput] => e[1] instanceof FakeDigitalOutput));
}
