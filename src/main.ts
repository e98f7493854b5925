import { systemClock, type Clock } from '../hardware/clock';
import { createHardware, type Hardware } from '../hardware/create-hardware';
import { installSafeState } from '../hardware/safe-state';
import { openCamera } from './camera/open';
import { forwardCameraFaults } from './camera/status-events';
import type { CameraStatus, CameraSupervisor } from './camera/supervisor';
import type { Config } from './config/schema';
import { createDetector } from './detector/detector';
import { createTracker } from './detector/tracker';
import type { SessionFactory } from './detector/runtime';
import { detectorThreadProblem, machineCores, ThreadBudgetError } from './detector/thread-budget';
import type { Detector } from './detector/types';
import { EventLog } from './eventlog/event-log';
import { eventLogListener } from './eventlog/event-log-listener';
import { GateController, type GateListener } from './gate/gate-controller';
import { gateSettingsFromConfig } from './gate/settings';
import { ServiceStack, type Service } from './lifecycle';
import { createLogger, type Logger } from './log';
import { DashboardServer } from './dashboard/dashboard-server';
import { dashboardListener } from './dashboard/dashboard-listener';
import { healthSource } from './dashboard/health';
import { MqttBridge } from './mqtt/mqtt-bridge';
import { mqttListener } from './mqtt/mqtt-listener';
import { FrameLoop, type FrameStats } from './pipeline/frame-loop';
import { settledBoxes } from './pipeline/settled-faces';
import { FrameRate } from './pipeline/frame-rate';
import { SystemdNotifier } from './systemd/notify';
import { VoiceService, voiceListener } from './voice/voice-service';

/** How long a graceful stop may take before the process leaves anyway (outputs are already safe). */
const STOP_TIMEOUT_MS = 8000;

export interface DaemonOptions {
  log?: Logger;
  /** Time for the hardware layer, output patterns and the frame loop; a simulated clock in fast replays. */
  clock?: Clock;
  /** The statechart's timer clock (see GateControllerDeps.machineClock). */
  machineClock?: ConstructorParameters<typeof GateController>[0]['machineClock'];
  /** Extra listeners (replay output, the dashboard). */
  listeners?: GateListener[];
  onFrame?(stats: FrameStats): void;
  /** The source ended (a replay without loop). */
  onEnd?(): void;
  /** Replays hold each frame until the statechart has had it; live runs don't wait. */
  beforeFrame?(tMs: number, takenAt: number): void;
  cwd?: string;
  /** The detector's inference sessions (onnxruntime by default); the benchmark wraps them to time each network. */
  sessions?: SessionFactory;
  /** Cores this process may use; defaults to os.availableParallelism() (tests inject it). */
  cores?: number;
  /**
   * The bench only: run even when detector.threads does not fit the cores (the daemon refuses that), so the
   * measured reason for the refusal can be measured again.
   */
  allowThreadOvercommit?: boolean;
  /** Off for `replay` and tests: no systemd, no voice, no MQTT. */
  services?: { voice?: boolean; mqtt?: boolean; systemd?: boolean; eventLog?: boolean; dashboard?: boolean };
}

export interface Daemon {
  readonly hardware: Hardware;
  readonly gate: GateController;
  readonly detector: Detector;
  readonly eventLog: EventLog | null;
  readonly dashboard: DashboardServer | null;
  readonly rate: FrameRate;
  /** Resolves once the gate has booted for the first time. */
  readonly ready: Promise<void>;
  cameraStatus(): CameraStatus | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The composition root. Builds config -> hardware -> camera -> detector -> tracker -> statechart -> event
 * log -> dashboard -> MQTT in that order; constructors only store dependencies. Start order differs in one
 * place: the event log opens right after the hardware, so the gate's first transitions and the last fault
 * are recorded; stop is the exact reverse of start. Throws ThreadBudgetError, before building anything, when
 * detector.threads asks for more cores than the machine has (thread-budget.ts).
 */
export function buildDaemon(config: Config, opts: DaemonOptions = {}): Daemon {
  const overcommit = detectorThreadProblem(config.detector, opts.cores ?? machineCores());
  if (overcommit && !opts.allowThreadOvercommit) throw new ThreadBudgetError(overcommit);
  const log = opts.log ?? createLogger('mask-gate', config.log.level);
  const clock = opts.clock ?? systemClock;
  const on = { voice: true, mqtt: config.mqtt.enabled, systemd: true, eventLog: true, dashboard: config.dashboard.enabled, ...opts.services };

  const hardware = createHardware(config.hardware, { logger: log.child('hardware'), clock });
  let camera: CameraSupervisor | null = null;
  const detector = createDetector({ config: config.detector, log: log.child('detector'), ...(opts.cwd ? { cwd: opts.cwd } : {}), ...(opts.sessions ? { sessions: opts.sessions } : {}) });
  const tracker = createTracker(config.detector.tracker, config.gate);
  const rate = new FrameRate(clock);
  let lastFrame: FrameStats | null = null;

  const eventLog = on.eventLog
    ? new EventLog({
        config: config.eventLog,
        log: log.child('events'),
        clock,
        snapshotFrame: () => (lastFrame ? { rgb: lastFrame.frame.data, width: lastFrame.frame.width, height: lastFrame.frame.height, boxes: lastFrame.tracks.map((t) => t.box) } : null),
      })
    : null;
  const voice = on.voice && config.voice.enabled ? new VoiceService({ config: config.voice, log: log.child('voice') }) : null;
  // The gate is created below; commands from MQTT reach it through this late-bound send.
  let gateRef: GateController | null = null;
  const send = (e: Parameters<GateController['send']>[0]) => gateRef?.send(e);
  const mqtt = on.mqtt
    ? new MqttBridge({
        config: config.mqtt,
        siteName: config.site.name,
        log: log.child('mqtt'),
        send,
        clock,
        stats: () => {
          const c = eventLog?.isOpen ? eventLog.countsToday() : null;
          return { fps: round1(rate.fps()), latencyMs: round1(rate.latencyP95()), cleared: c?.cleared ?? null, alerts: c?.alert ?? null, escalations: c?.escalations ?? null };
        },
      })
    : null;

  const listeners: GateListener[] = [...(voice ? [voiceListener(voice)] : []), ...(eventLog ? [eventLogListener(eventLog)] : []), ...(mqtt ? [mqttListener(mqtt)] : []), ...(opts.listeners ?? [])];
  const notifier = on.systemd ? new SystemdNotifier({ log: log.child('systemd') }) : null;
  // Frames are taken once the gate has booted (self-test done, detector warm) for the first time.
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  listeners.push({ onState: () => gateRef?.snapshot?.context.ready && markReady() });
  const gate = new GateController({
    settings: gateSettingsFromConfig(config),
    hardware,
    clock,
    log: log.child('gate'),
    warmUp: async () => {
      await detector.start();
      const info = detector.info();
      log.info(`detector ready: ${info.model} on ${info.provider}, ${info.threads} threads`);
      notifier?.ready(`detector warm on ${info.provider}`);
    },
    indication: { blinkMs: 500, buzzer: config.gate.buzzer },
    listeners,
    ...(opts.machineClock ? { machineClock: opts.machineClock } : {}),
  });
  gateRef = gate;

  // The dashboard reads the event log, so it exists only with one.
  const dashboard =
    on.dashboard && eventLog
      ? new DashboardServer({
          config: config.dashboard,
          gate,
          eventLog,
          health: healthSource({ rate, camera: () => camera?.status ?? null, detector: () => detector.info(), voice: () => voice?.health() ?? null, startedAt: clock.now() }),
          log: log.child('dashboard'),
        })
      : null;
  // The controller reads its listeners at start(), so this one can join after construction.
  if (dashboard) listeners.push(dashboardListener(dashboard));

  const frameLoop = new FrameLoop({
    frames: { next: () => (camera ? camera.next() : Promise.resolve(null)) },
    detector,
    tracker,
    send,
    clock,
    log: log.child('frames'),
    depth: config.detector.overlap ? 2 : 1,
    hints: () => ({ settled: settledBoxes(gate.snapshot?.context.tracks, lastFrame?.tracks ?? []) }),
    idle: config.detector.idle,
    onFrame: (s) => {
      lastFrame = s;
      rate.add(s.latencyMs);
      notifier?.watchdog();
      dashboard?.offerFrame(s);
      opts.onFrame?.(s);
    },
    onZone: (events) => events.forEach((z) => log.debug(`${z.type} ${z.id} ${z.label} ${z.confidence.toFixed(2)}${z.reason ? ` (${z.reason})` : ''}`)),
    ...(opts.onEnd ? { onEnd: opts.onEnd } : {}),
    ...(opts.beforeFrame ? { beforeFrame: opts.beforeFrame } : {}),
    ready: () => ready,
  });

  let unforward: (() => void) | null = null;
  const services: Service[] = [
    { name: 'hardware', start: () => hardware.open(), stop: () => hardware.close() },
    ...(eventLog ? [eventLog] : []),
    {
      name: 'camera',
      start: async () => {
        camera ??= await openCamera(config.camera, { logger: log, clock, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
        unforward = forwardCameraFaults(camera, send);
        await camera.start();
      },
      stop: async () => {
        unforward?.();
        await camera?.stop();
      },
    },
    // Started (loaded and warmed) by the gate's boot; stopped here, after the gate.
    { name: 'detector', start: async () => {}, stop: () => detector.stop() },
    ...(voice ? [voice] : []),
    { name: 'gate', start: () => gate.start(), stop: () => gate.stop() },
    ...(dashboard ? [dashboard] : []),
    ...(mqtt ? [mqtt] : []),
    frameLoop,
    ...(notifier ? [{ name: 'systemd', start: async () => {}, stop: async () => notifier.stopping() }] : []),
  ];
  const stack = new ServiceStack(services, log);
  return {
    hardware,
    gate,
    detector,
    eventLog,
    dashboard,
    rate,
    ready,
    cameraStatus: () => camera?.status ?? null,
    start: () => stack.start(),
    stop: () => stack.stop(),
  };
}

/** `mask-gate run`: starts the daemon and runs until SIGTERM/SIGINT. Resolves with the exit code. */
export async function runDaemon(config: Config): Promise<number> {
  const log = createLogger('mask-gate', config.log.level);
  let daemon: Daemon;
  try {
    daemon = buildDaemon(config, { log });
  } catch (e) {
    if (!(e instanceof ThreadBudgetError)) throw e;
    log.error(`start refused: ${e.message}`);
    return 1;
  }
  // Crashes drive the outputs safe synchronously; signals are handled below, gracefully.
  const uninstall = installSafeState(daemon.hardware, log, process, { signals: false });
  try {
    await daemon.start();
  } catch (e) {
    log.error('start failed', { error: e });
    daemon.hardware.exitSync();
    await daemon.stop();
    uninstall();
    return 1;
  }
  // The daemon runs until told to stop, even while nothing else is scheduled.
  const keepAlive = setInterval(() => {}, 60_000);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(s, () => resolve(s));
  });
  clearInterval(keepAlive);
  log.info(`${signal}: stopping`);
  // Safe first, then the orderly stop: a hung service must not hold the relay released.
  daemon.hardware.safeState();
  const timer = setTimeout(() => {
    log.error(`stop took longer than ${STOP_TIMEOUT_MS} ms; leaving`);
    daemon.hardware.exitSync();
    process.exit(1);
  }, STOP_TIMEOUT_MS);
  await daemon.stop();
  clearTimeout(timer);
  uninstall();
  return 0;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
