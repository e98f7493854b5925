import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../../hardware/clock';
import { createHardware, type Hardware } from '../../hardware/create-hardware';
import type { FaceLabel, GateEvent } from '../../machines/gate-events';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { DashboardServer } from '../../src/dashboard/dashboard-server';
import { dashboardListener } from '../../src/dashboard/dashboard-listener';
import { healthSource, type HealthSource } from '../../src/dashboard/health';
import { FrameRate } from '../../src/pipeline/frame-rate';
import type { LiveTrack } from '../../src/dashboard/live-view';
import { EventLog } from '../../src/eventlog/event-log';
import { eventLogListener } from '../../src/eventlog/event-log-listener';
import { GateController, type GateListener } from '../../src/gate/gate-controller';
import { gateSettingsFromConfig } from '../../src/gate/settings';
import { memoryLogger } from '../../src/log';

export const W = 640;
export const H = 360;
const FACE: [number, number, number, number] = [250, 70, 390, 250];

/** A synthetic camera frame: a wall, a head, and a blue mask over the lower face when `label` is mask. */
export function sceneFrame(label: FaceLabel | null, seq: number): Buffer {
  const buf = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      buf[i] = 70 + (y >> 3);
      buf[i + 1] = 80 + (x >> 4);
      buf[i + 2] = 95 + ((x + seq * 4) % 40);
    }
  }
  if (!label) return buf;
  const [x1, y1, x2, y2] = FACE;
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  for (let y = y1; y < y2; y++) {
    for (let x = x1; x < x2; x++) {
      const dx = (x - cx) / ((x2 - x1) / 2);
      const dy = (y - cy) / ((y2 - y1) / 2);
      if (dx * dx + dy * dy > 1) continue;
      const i = (y * W + x) * 3;
      const masked = label === 'mask' && y > cy;
      buf[i] = masked ? 60 : 224;
      buf[i + 1] = masked ? 140 : 180;
      buf[i + 2] = masked ? 230 : 150;
    }
  }
  return buf;
}

/** How the tracker reports the scene's face: its height in px (the drawn face is 180 px), or as a picture. */
export interface SceneFace {
  facePx?: number;
  picture?: boolean;
  /** Inside this ignore zone. */
  zone?: string;
}

/**
 * A camera at 25 fps in front of a scripted scene: each frame goes to the gate as PEOPLE (as the tracker
 * would send it) and to the dashboard as FrameStats. The test changes the scene; the frames keep coming.
 */
export class SceneFeeder {
  private label: FaceLabel | null = null;
  private as: SceneFace = {};
  private timer: NodeJS.Timeout | null = null;
  seq = 0;
  last: { rgb: Buffer; boxes: [number, number, number, number][] } | null = null;

  constructor(
    private readonly send: (e: GateEvent) => void,
    private readonly offer: (f: { seq: number; tMs: number; detectMs: number; frame: { data: Buffer; width: number; height: number }; tracks: LiveTrack[] }) => void,
    private readonly rate: FrameRate,
    private readonly intervalMs = 40,
  ) {}

  /** Shows a face with `label` (null: nobody); `as` reports it as the tracker would a far face or a picture. */
  show(label: FaceLabel | null, as: SceneFace = {}): void {
    this.label = label;
    this.as = as;
  }

  private ignoredAs() {
    if (this.as.zone) return { ignored: 'ignore_zone' as const, ignoreZone: this.as.zone };
    return this.as.picture ? { ignored: 'stationary' as const } : {};
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const seq = ++this.seq;
    const label = this.label;
    const rgb = sceneFrame(label, seq);
    const tracks: LiveTrack[] = label ? [{ box: [...FACE], label, confidence: label === 'mask' ? 0.97 : 0.91, missed: 0 }] : [];
    this.last = { rgb, boxes: label ? [[...FACE]] : [] };
    const detectMs = 18 + (seq % 7);
    this.rate.add(detectMs);
    this.send({ type: 'PEOPLE', t: Date.now(), frame: seq, people: tracks.map((t) => ({ id: 't1', label: t.label, confidence: t.confidence, inZone: true, box: t.box, facePx: this.as.facePx ?? t.box[3] - t.box[1], moved: !this.as.picture, ...this.ignoredAs() })) });
    this.offer({ seq, tMs: Date.now(), detectMs, frame: { data: rgb, width: W, height: H }, tracks });
  }
}

// personGoneMs 1 s: the feeder ticks every 40 ms on a wall-clock timer, and on a loaded machine a tick can come
// several hundred ms late; at 300 ms that read as the person leaving and coming back, and counted a second clear.
export const GATE_TIMINGS = 'gate: { personGoneMs: 1000, selfTestBlinkMs: 20, relayOpenMs: 300, escalateAfterMs: 1500, faultRetryMs: 1000 }';

export interface Rig {
  config: Config;
  dir: string;
  gate: GateController;
  /** Every event the dashboard sent to the gate. */
  commands: GateEvent[];
  eventLog: EventLog;
  server: DashboardServer;
  hardware: Hardware;
  feeder: SceneFeeder;
  log: ReturnType<typeof memoryLogger>;
  stop(): Promise<void>;
}

/**
 * The composition root in miniature: simulated hardware, a real GateController, a real EventLog on a temp
 * file with its listener, and the dashboard on 127.0.0.1:0 with its listener, frame feed and health source.
 */
export async function startRig(opts: { extraConfig?: string; dashboard?: string; env?: NodeJS.ProcessEnv; health?: (rate: FrameRate) => HealthSource } = {}): Promise<Rig> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dashboard-'));
  const text = [
    GATE_TIMINGS,
    `eventLog: { path: ${JSON.stringify(path.join(dir, 'events.sqlite'))}, snapshots: { enabled: true, dir: ${JSON.stringify(path.join(dir, 'snaps'))} } }`,
    `dashboard: ${opts.dashboard ?? '{ host: 127.0.0.1, port: 0 }'}`,
    opts.extraConfig ?? '',
  ].join('\n');
  const config = loadConfig({ text, env: opts.env ?? {} });
  const log = memoryLogger();
  const hardware = createHardware(config.hardware, { logger: log.child('hardware') });
  await hardware.open();
  const listeners: GateListener[] = [];
  const gate = new GateController({
    settings: gateSettingsFromConfig(config),
    hardware,
    clock: systemClock,
    log: log.child('gate'),
    warmUp: async () => {},
    indication: { blinkMs: 500, buzzer: config.gate.buzzer },
    listeners,
  });
  let feeder: SceneFeeder | null = null;
  const eventLog = new EventLog({
    config: config.eventLog,
    log: log.child('eventlog'),
    snapshotFrame: () => (feeder?.last ? { rgb: feeder.last.rgb, width: W, height: H, boxes: feeder.last.boxes } : null),
  });
  const commands: GateEvent[] = [];
  const rate = new FrameRate(systemClock);
  // As the daemon builds it; the camera and detector stand-ins report what the supervisor and runtime would.
  const health: HealthSource =
    opts.health?.(rate) ??
    healthSource({
      rate,
      camera: () => ({ state: 'online', source: config.camera.source, reason: null }),
      detector: () => ({ provider: 'cpu', threads: 2 }),
      startedAt: Date.now(),
    });
  const server = new DashboardServer({
    config: config.dashboard,
    gate: {
      get state() {
        return gate.state;
      },
      get snapshot() {
        return gate.snapshot;
      },
      send: (e) => {
        commands.push(e);
        gate.send(e);
      },
    },
    eventLog,
    health,
    log: log.child('dashboard'),
    healthPushMs: 500,
  });
  listeners.push(eventLogListener(eventLog), dashboardListener(server));
  feeder = new SceneFeeder((e) => gate.send(e), (f) => server.offerFrame(f), rate);
  await eventLog.start();
  await gate.start();
  await server.start();
  await until(() => gate.state === 'idle', 5000, 'gate idle after boot');
  return {
    config,
    dir,
    gate,
    commands,
    eventLog,
    server,
    hardware,
    feeder,
    log,
    async stop() {
      feeder?.stop();
      await server.stop();
      await gate.stop();
      await eventLog.stop();
      await hardware.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits for a condition on real timers; fails with `what` if it does not come. */
export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
