import { readFileSync } from 'node:fs';
import { SimulatedClock } from 'xstate';
import type { Clock } from '../../hardware/clock';
import { ConfigSchema } from '../config/schema';
import type { GateListener } from '../gate/gate-controller';
import { createLogger } from '../log';
import { loadSequence } from '../sequence/read';
import { ortSessionFactory } from '../detector/ort-session';
import { advanceTo, bootOnSimulatedClock } from '../replay/sim-time';
import { judge, type BenchDecision, type BenchNotices, type Judgement } from './judge';
import { percentile } from '../pipeline/frame-rate';
import { threadedSessions } from '../detector/threaded-sessions';
import { detectorThreadProblem, machineCores } from '../detector/thread-budget';
import { round2, StageTimer, timeDecode, timedSessions } from './stage-timer';

export interface BenchOptions {
  seqDir: string;
  /** A model folder (two_stage or detectnet_v2). */
  model: string;
  threads: number;
  width: number;
  height: number;
  /** Overrides of the config's detector.overlap, detector.reclassify.everyFrames, detector.idle.every (for the with/without table). */
  overlap?: boolean;
  reclassifyEvery?: number;
  idleEvery?: number;
}

export interface BenchResult extends Judgement {
  model: string;
  decoder: string;
  provider: string | null;
  threads: number;
  size: string;
  frames: number;
  /** The detector settings measured: overlap, reclassify.everyFrames, idle.every. */
  schedule: { overlap: boolean; reclassifyEvery: number; idleEvery: number };
  /** Frames the face network skipped (an empty doorway), and face readings carried over instead of classified. */
  skippedFrames: number;
  carriedReadings: number;
  /** `mask` readings of faces turned past detector.maskMaxTurn, refused as votes (Detection.turned). */
  turnedReadings: number;
  maskMaxTurn: number | null;
  /** Camera frame in to statechart event out, per frame. */
  frameLatencyMs: { p50: number; p95: number };
  /** Frames by faces detected: { "0": n, "1": n, ... }. */
  facesPerFrame: Record<string, number>;
  seconds: number;
  fps: number;
  /**
   * Per-frame ms by stage: decode (sharp, runs ahead in libuv's pool), face and classifier inference (as the
   * main thread waits for them: with overlap, on their own threads), detector (frame in to detections out,
   * including the wait for the previous frame's stage), tracking, statechart, frame latency (camera frame in
   * to statechart event out).
   */
  stages: Record<string, { p50: number; p95: number; n: number }>;
  /** gate.decideMinFacePx the run used: latency counts from the frame a person's face reaches it. */
  decideMinFacePx: number;
  /** gate.undecidedPromptMs and gate.undecidedStaffMs the run used: when the undecided are told, and staff. */
  undecidedPromptMs: number;
  undecidedStaffMs: number | null;
  peakRssMb: number;
  host: { cpus: number; loadavg1: number };
  /** Why `mask-gate run` refuses these settings on this machine (the bench measures them anyway). */
  refusedByDaemon?: string;
}

/**
 * One bench run: the recorded sequence through the whole daemon (camera replay with JPEG decoding, the
 * detector, the tracker, the statechart; simulated hardware; no voice, MQTT, dashboard or event log) as
 * fast as it goes. Stage times are real; the statechart runs on the sequence's clock, as in a replay, so
 * decisions fall where they would on a live camera that keeps up.
 */
export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const seq = (await loadSequence(o.seqDir)).sequence;
  const timer = new StageTimer();
  const config = ConfigSchema.parse({
    camera: { source: `frames://${o.seqDir}`, paced: false, loop: false, width: o.width, height: o.height },
    detector: {
      model: o.model,
      threads: o.threads,
      ...(o.overlap !== undefined ? { overlap: o.overlap } : {}),
      ...(o.reclassifyEvery !== undefined ? { reclassify: { everyFrames: o.reclassifyEvery } } : {}),
      ...(o.idleEvery !== undefined ? { idle: { every: o.idleEvery } } : {}),
    },
    hardware: { driver: 'simulated', thermometer: null, display: null },
    voice: { enabled: false },
    dashboard: { enabled: false },
    log: { level: 'warn' },
  });
  const manifest = JSON.parse(readFileSync(`${o.model}/model.json`, 'utf8')) as { decoder: { type: string; file?: string; input?: { name: string }; face?: { input: { name: string } }; classifier?: { input: { name: string } } } };
  const dec = manifest.decoder;
  const stageFor: Record<string, string> = dec.type === 'two_stage' ? { [dec.face!.input.name]: 'face net', [dec.classifier!.input.name]: 'classifier net' } : { [dec.input!.name]: 'detectnet' };
  const undo = [timeDecode(timer)];
  // The sessions the daemon would open (threaded with overlap), each run timed.
  const sessions = timedSessions(config.detector.overlap ? threadedSessions() : ortSessionFactory, timer, stageFor);

  const sim = new SimulatedClock();
  const origin = Date.now() - performance.now();
  const clock: Clock = { now: () => origin + performance.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  let offset: number | null = null;
  let frameTakenAt = 0;
  let firstFrame = 0;
  let skippedFrames = 0;
  let carriedReadings = 0;
  let turnedReadings = 0;
  const latencies: number[] = [];
  let peakRss = 0;
  let frames = 0;
  const facesPerFrame: Record<string, number> = {};
  const decisions: BenchDecision[] = [];
  const notices = { lookAtCameraMs: [] as number[], staffUndecidedMs: [] as number[] } satisfies BenchNotices;
  /** Now on the sequence's clock, where the judgement places decisions and notices. */
  const sequenceMs = () => sim.now() - (offset ?? 0);
  const listener: GateListener = {
    onDecision: (r) => decisions.push({ tMs: sequenceMs(), lagMs: clock.now() - frameTakenAt, outcome: r.outcome, reason: r.reason }),
    onPrompt: (p) => {
      if (p === 'look_at_camera') notices.lookAtCameraMs.push(sequenceMs());
    },
    onEscalation: (reason) => {
      if (reason === 'undecided') notices.staffUndecidedMs.push(sequenceMs());
    },
  };
  let ended!: () => void;
  const end = new Promise<void>((r) => (ended = r));
  const { buildDaemon } = await import('../main.js');
  // Measured even where the daemon refuses it (detector.threads over the cores): the refusal quotes this.
  const refused = detectorThreadProblem(config.detector, machineCores());
  const daemon = buildDaemon(config, {
    allowThreadOvercommit: true,
    sessions,
    log: createLogger('bench', 'warn'),
    clock,
    machineClock: sim,
    listeners: [listener],
    services: { voice: false, mqtt: false, systemd: false, eventLog: false, dashboard: false },
    beforeFrame: (tMs, takenAt) => {
      offset ??= sim.now() - tMs;
      advanceTo(sim, offset + tMs);
      frameTakenAt = takenAt;
      firstFrame ||= takenAt;
    },
    onFrame: (s) => {
      frames++;
      const k = String(Math.min(s.faces, 4)).replace('4', '4+');
      facesPerFrame[k] = (facesPerFrame[k] ?? 0) + 1;
      if (s.skipped) skippedFrames++;
      carriedReadings += s.detections.filter((d) => d.carried).length;
      turnedReadings += s.detections.filter((d) => d.turned).length;
      latencies.push(s.latencyMs);
      timer.add('detector', s.detectMs);
      timer.add('tracking', s.trackMs);
      timer.add('frame latency', s.latencyMs);
      timer.frame();
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    },
    onEnd: () => ended(),
  });
  // The statechart's share: the tracker's event into the gate (transitions, listeners, output writes).
  const gate = daemon.gate;
  const send = gate.send.bind(gate);
  gate.send = (e) => {
    const t0 = performance.now();
    send(e);
    if (e.type === 'PEOPLE') timer.add('statechart', performance.now() - t0);
  };
  let info: ReturnType<typeof daemon.detector.info> | null = null;
  try {
    await daemon.start();
    await bootOnSimulatedClock(sim, daemon.ready);
    await end;
    info = daemon.detector.info();
  } finally {
    await daemon.stop();
    undo.forEach((u) => u());
  }
  const seconds = (clock.now() - firstFrame) / 1000;
  if (!info) throw new Error('the bench run did not finish');
  return {
    model: info.model,
    decoder: dec.type,
    provider: info.provider,
    threads: info.threads,
    size: `${o.width}x${o.height}`,
    frames,
    schedule: { overlap: config.detector.overlap, reclassifyEvery: config.detector.reclassify.everyFrames, idleEvery: config.detector.idle.every },
    skippedFrames,
    carriedReadings,
    turnedReadings,
    maskMaxTurn: config.detector.maskMaxTurn,
    frameLatencyMs: { p50: round2(percentile(latencies, 0.5)), p95: round2(percentile(latencies, 0.95)) },
    facesPerFrame,
    seconds: round2(seconds),
    fps: round2(frames / seconds),
    stages: timer.summary(),
    decideMinFacePx: config.gate.decideMinFacePx,
    undecidedPromptMs: config.gate.undecidedPromptMs,
    undecidedStaffMs: config.gate.undecidedStaffMs,
    ...judge(seq, decisions, config.gate.decideMinFacePx, notices),
    peakRssMb: round2(Math.max(peakRss, vmHwm()) / 2 ** 20),
    host: { cpus: (await import('node:os')).cpus().length, loadavg1: round2((await import('node:os')).loadavg()[0]!) },
    ...(refused ? { refusedByDaemon: refused } : {}),
  };
}

/** The kernel's peak resident set for this process (bytes), or 0 off Linux. */
function vmHwm(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
