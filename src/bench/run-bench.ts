import { readFileSync } from 'node:fs';
import { SimulatedClock } from 'xstate';
import type { Clock } from '../../hardware/clock';
import { ConfigSchema } from '../config/schema';
import type { GateListener } from '../gate/gate-controller';
import { createLogger } from '../log';
import { percentile } from '../pipeline/frame-rate';
import { loadSequence } from '../sequence/read';
import { ortSessionFactory } from '../detector/ort-session';
import { advanceTo, bootOnSimulatedClock } from '../replay/sim-time';
import { round2, StageTimer, timeDecode, timedSessions } from './stage-timer';

export interface BenchOptions {
  seqDir: string;
  /** A model folder (two_stage or detectnet_v2). */
  model: string;
  threads: number;
  width: number;
  height: number;
}

export interface PersonLatency {
  person: number;
  appearMs: number;
  /** When one of the person's faces first reached 20 px high (sequence time); appearMs when unknown. */
  faceVisibleMs: number;
  /** First decision while this person was in view, sequence time; null: none came. */
  decisionMs: number | null;
  outcome: string | null;
}

export interface BenchResult {
  model: string;
  decoder: string;
  provider: string | null;
  threads: number;
  size: string;
  frames: number;
  /** Frames by faces detected: { "0": n, "1": n, ... }. */
  facesPerFrame: Record<string, number>;
  seconds: number;
  fps: number;
  /** Per-frame ms by stage: decode (sharp, runs ahead in libuv's pool), face and classifier inference, pre/post-processing, tracking, statechart, the whole frame. */
  stages: Record<string, { p50: number; p95: number; n: number }>;
  /** Sequence clock: first visible frame to the gate's decision, over people decided. */
  decisionLatencyMs: { p50: number; p95: number; decided: number; people: number };
  /** The same plus the real time the deciding frame took: what a live camera would add. */
  decisionLatencyLiveMs: { p50: number; p95: number };
  /**
   * Sequence clock from a face first being 20 px high (the smallest the detector is specified for) to the
   * decision; a person approaching from afar shows a smaller face first. 0 when decided before that.
   */
  decisionLatencyFromFaceMs: { p50: number; p95: number };
  people: PersonLatency[];
  peakRssMb: number;
  host: { cpus: number; loadavg1: number };
}

/**
 * One bench run: the recorded sequence through the whole daemon (camera replay with JPEG decoding, the
 * detector, the tracker, the statechart; simulated hardware; no voice, MQTT, dashboard or event log) as
 * fast as it goes. Stage times are real; the statechart runs on the sequence's clock, as in a replay, so
 * decisions fall where they would on a live camera that keeps up.
 */
export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const seq = (await loadSequence(o.seqDir)).sequence;
  const people = personWindows(seq.source.timeline ?? [], seq.frames.at(-1)!.t_ms);
  const timer = new StageTimer();
  const config = ConfigSchema.parse({
    camera: { source: `frames://${o.seqDir}`, paced: false, loop: false, width: o.width, height: o.height },
    detector: { model: o.model, threads: o.threads },
    hardware: { driver: 'simulated', thermometer: null, display: null },
    voice: { enabled: false },
    dashboard: { enabled: false },
    log: { level: 'warn' },
  });
  const manifest = JSON.parse(readFileSync(`${o.model}/model.json`, 'utf8')) as { decoder: { type: string; file?: string; input?: { name: string }; face?: { input: { name: string } }; classifier?: { input: { name: string } } } };
  const dec = manifest.decoder;
  const stageFor: Record<string, string> = dec.type === 'two_stage' ? { [dec.face!.input.name]: 'face net', [dec.classifier!.input.name]: 'classifier net' } : { [dec.input!.name]: 'detectnet' };
  const undo = [timeDecode(timer)];
  const sessions = timedSessions(ortSessionFactory, timer, stageFor);

  const sim = new SimulatedClock();
  const origin = Date.now() - performance.now();
  const clock: Clock = { now: () => origin + performance.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  let offset: number | null = null;
  let frameStart = 0;
  let firstFrame = 0;
  let peakRss = 0;
  let frames = 0;
  const facesPerFrame: Record<string, number> = {};
  const decisions: { tMs: number; lagMs: number; outcome: string }[] = [];
  const listener: GateListener = {
    onDecision: (r) => decisions.push({ tMs: sim.now() - (offset ?? 0), lagMs: performance.now() - frameStart, outcome: r.outcome }),
  };
  let ended!: () => void;
  const end = new Promise<void>((r) => (ended = r));
  const { buildDaemon } = await import('../main.js');
  const daemon = buildDaemon(config, {
    sessions,
    log: createLogger('bench', 'warn'),
    clock,
    machineClock: sim,
    listeners: [listener],
    services: { voice: false, mqtt: false, systemd: false, eventLog: false, dashboard: false },
    beforeFrame: (tMs) => {
      offset ??= sim.now() - tMs;
      advanceTo(sim, offset + tMs);
      frameStart = performance.now();
      firstFrame ||= frameStart;
    },
    onFrame: (s) => {
      frames++;
      const k = String(Math.min(s.faces, 4)).replace('4', '4+');
      facesPerFrame[k] = (facesPerFrame[k] ?? 0) + 1;
      const inference = ['face net', 'classifier net', 'detectnet'].reduce((a, k) => a + timer.peek(k), 0);
      timer.add('pre/post-processing', s.detectMs - inference);
      timer.add('tracking', s.trackMs);
      timer.add('frame total', performance.now() - frameStart);
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
  const seconds = (performance.now() - firstFrame) / 1000;
  if (!info) throw new Error('the bench run did not finish');
  const latencies: PersonLatency[] = people.map((p, i) => {
    const d = decisions.find((x) => x.tMs >= p.appearMs && x.tMs < p.untilMs);
    return { person: i, appearMs: p.appearMs, faceVisibleMs: p.faceVisibleMs, decisionMs: d ? d.tMs : null, outcome: d?.outcome ?? null };
  });
  const fromFace = latencies.filter((p) => p.decisionMs !== null).map((p) => Math.max(0, p.decisionMs! - p.faceVisibleMs));
  const lat = latencies.filter((p) => p.decisionMs !== null).map((p) => p.decisionMs! - p.appearMs);
  const live = latencies.flatMap((p) => {
    const d = decisions.find((x) => x.tMs === p.decisionMs);
    return p.decisionMs !== null && d ? [p.decisionMs - p.appearMs + d.lagMs] : [];
  });
  return {
    model: info.model,
    decoder: dec.type,
    provider: info.provider,
    threads: info.threads,
    size: `${o.width}x${o.height}`,
    frames,
    facesPerFrame,
    seconds: round2(seconds),
    fps: round2(frames / seconds),
    stages: timer.summary(),
    decisionLatencyMs: { p50: round2(percentile(lat, 0.5)), p95: round2(percentile(lat, 0.95)), decided: lat.length, people: people.length },
    decisionLatencyLiveMs: { p50: round2(percentile(live, 0.5)), p95: round2(percentile(live, 0.95)) },
    decisionLatencyFromFaceMs: { p50: round2(percentile(fromFace, 0.5)), p95: round2(percentile(fromFace, 0.95)) },
    people: latencies,
    peakRssMb: round2(Math.max(peakRss, vmHwm()) / 2 ** 20),
    host: { cpus: (await import('node:os')).cpus().length, loadavg1: round2((await import('node:os')).loadavg()[0]!) },
  };
}

/** Each person from the timeline: visible from their approach until the empty corridor after them. */
export function personWindows(timeline: { kind: string; from_ms: number; face_visible_ms?: number | undefined }[], endMs: number): { appearMs: number; faceVisibleMs: number; untilMs: number }[] {
  const out: { appearMs: number; faceVisibleMs: number; untilMs: number }[] = [];
  timeline.forEach((s, i) => {
    if (s.kind !== 'approach') return;
    const next = timeline.slice(i + 1).find((x) => x.kind === 'empty');
    out.push({ appearMs: s.from_ms, faceVisibleMs: s.face_visible_ms ?? s.from_ms, untilMs: next?.from_ms ?? endMs + 1 });
  });
  return out;
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
