import { createHardware, type Hardware } from '../hardware/create-hardware';
import { installSafeState } from '../hardware/safe-state';
import type { Config } from './config/schema';
import { GateController } from './gate/gate-controller';
import { gateSettingsFromConfig } from './gate/settings';
import { ServiceStack, type Service } from './lifecycle';
import { createLogger, type Logger } from './log';
import { systemClock } from '../hardware/clock';

/** How long a graceful stop may take before the process leaves anyway (outputs are already safe). */
const STOP_TIMEOUT_MS = 8000;

export interface Daemon {
  readonly hardware: Hardware;
  readonly gate: GateController;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The composition root: builds config -> hardware -> gate in that order, starts them in order and stops
 * them in reverse. Constructors only store dependencies; everything with I/O happens in start().
 */
export function buildDaemon(config: Config, log: Logger = createLogger('mask-gate', config.log.level)): Daemon {
  const hardware = createHardware(config.hardware, { logger: log.child('hardware') });
  const gate = new GateController({
    settings: gateSettingsFromConfig(config),
    hardware,
    clock: systemClock,
    log: log.child('gate'),
    // The detector runtime plugs in here; until it is configured, there is nothing to warm up.
    warmUp: async () => {},
    indication: { blinkMs: 500, buzzer: config.gate.buzzer },
  });
  const services: Service[] = [
    { name: 'hardware', start: () => hardware.open(), stop: () => hardware.close() },
    { name: 'gate', start: () => gate.start(), stop: () => gate.stop() },
  ];
  const stack = new ServiceStack(services, log);
  return { hardware, gate, start: () => stack.start(), stop: () => stack.stop() };
}

/** `mask-gate run`: starts the daemon and runs until SIGTERM/SIGINT. Resolves with the exit code. */
export async function runDaemon(config: Config): Promise<number> {
  const log = createLogger('mask-gate', config.log.level);
  const daemon = buildDaemon(config, log);
  // Crashes drive the outputs safe synchronously; signals are handled below, gracefully.
  const uninstall = installSafeState(daemon.hardware, log, process, { signals: false });
  try {
    await daemon.start();
  } catch (e) {
    log.error('start failed', { error: e });
    daemon.hardware.exitSync();
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
