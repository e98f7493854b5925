import type { DetectorConfig } from '../config/sections/detector';
import { readFileSync } from 'node:fs';
import type { Logger } from '../log';
import { nchwcBlock } from './channel-align';
import { createDetectNetPipeline } from './detectnet-pipeline';
import { DetectorError } from './errors';
import { loadModel, resolveModelDir, type LoadedModel } from './model-loader';
import { atOperatingPoint } from './operating-point';
import type { Pipeline, PipelineContext } from './pipeline';
import { checkFrame } from './preprocess';
import { providerOrder, readDeviceTreeCompatible } from './providers';
import type { SessionFactory } from './runtime';
import { openSession } from './session-open';
import { createTwoStagePipeline } from './two-stage-pipeline';
import type { DetectHints, Detection, Detector, DetectorInfo, RgbFrame } from './types';

export interface DetectorDeps {
  config: Pick<DetectorConfig, 'model' | 'providers' | 'threads' | 'tensorrt'> & Partial<Pick<DetectorConfig, 'overlap' | 'reclassify'>> & { minScore?: number; maskMaxTurn?: number | null };
  log: Logger;
  /**
   * Defaults to onnxruntime-node, loaded on start so that importing this module loads no native code: each
   * session on a thread of its own with `config.overlap` (threaded-sessions.ts), else on the calling thread.
   */
  sessions?: SessionFactory;
  /** Defaults to reading /proc/device-tree/compatible. */
  readCompatible?: () => string | null;
  /** Defaults to reading /proc/cpuinfo; its flags pick the CPU layout's channel block (nchwcBlock). */
  readCpuInfo?: () => string;
  /** Where a relative model path is resolved. */
  cwd?: string;
  /**
   * detect/eval: report every score down to the manifest's `thresholds.floor` instead of applying the
   * operating thresholds, so precision-recall curves are complete.
   */
  sweep?: boolean;
}

export function createDetector(deps: DetectorDeps): Detector {
  return new OnnxDetector(deps);
}

class OnnxDetector implements Detector {
  private starting: Promise<void> | null = null;
  private pipeline: Pipeline | null = null;
  private model: LoadedModel | null = null;
  /**
   * The second stage is chained: frames are classified one at a time, in call order, while the next frame's
   * face network runs. Results keep the order of the calls.
   */
  private finishQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: DetectorDeps) {}

  start(): Promise<void> {
    this.starting ??= this.load().catch((err: unknown) => {
      this.starting = null;
      throw this.wrap(err, 'start failed');
    });
    return this.starting;
  }

  private async load(): Promise<void> {
    const { config, log } = this.deps;
    const t0 = performance.now();
    const model = await loadModel(await resolveModelDir(config.model, this.deps.cwd));
    this.model = model;
    const order = providerOrder(config.providers, (this.deps.readCompatible ?? readDeviceTreeCompatible)());
    const factory = this.deps.sessions ?? (config.overlap ? (await import('./threaded-sessions.js')).threadedSessions() : (await import('./ort-session.js')).ortSessionFactory);
    const channelBlock = nchwcBlock((this.deps.readCpuInfo ?? readCpuInfo)());
    const ctx: PipelineContext = {
      model,
      open: (role, file, thread) =>
        openSession(factory, model.files.get(file)!, { order, threads: config.threads, tensorrt: config.tensorrt, channelBlock, ...(thread ? { thread } : {}) }, log, model.id, role),
      ...(this.deps.sweep ? { floor: model.manifest.thresholds.floor } : {}),
      ...(config.reclassify && !this.deps.sweep ? { reclassify: config.reclassify } : {}),
    };
    const dec = model.manifest.decoder;
    const pipeline = dec.type === 'detectnet_v2' ? await createDetectNetPipeline(ctx, dec) : await createTwoStagePipeline(ctx, dec);
    // onnxruntime holds its own copy of the weights now; ours would only double the memory.
    model.files.clear();
    try {
      const t1 = performance.now();
      await pipeline.warmUp();
      log.info('detector ready', {
        model: model.id,
        decoder: dec.type,
        sessions: pipeline.sessions,
        threads: config.threads,
        loadMs: Math.round(t1 - t0),
        warmUpMs: Math.round(performance.now() - t1),
      });
    } catch (err) {
      await pipeline.close().catch(() => undefined);
      throw err;
    }
    this.pipeline = pipeline;
  }

  detect(frame: RgbFrame, hints: DetectHints = {}): Promise<Detection[]> {
    const pipeline = this.pipeline;
    const id = this.model?.id ?? this.deps.config.model;
    if (!pipeline) return Promise.reject(new DetectorError('not-started', id, 'detect() called before start() finished or after stop()'));
    const bad = checkFrame(frame);
    if (bad) return Promise.reject(new DetectorError('frame', id, bad));
    const minHeight = this.deps.sweep ? 0 : (this.model?.manifest.thresholds.minFaceHeight ?? 0);
    // The gate's operating point: a weak box (a poster, a reflection) must not become a person who blocks
    // the gate; detect/eval sweep every score instead.
    const minScore = this.deps.sweep ? 0 : (this.deps.config.minScore ?? this.model?.manifest.thresholds.score ?? 0.5);
    // A caller without the setting (tools, tests built before it) reads turned faces as before.
    const maskMaxTurn = this.deps.sweep ? null : (this.deps.config.maskMaxTurn ?? null);
    // Not chained: frame n+1's tensor is prepared while frame n is in the face network (the session itself
    // takes runs one at a time, in call order).
    const found = pipeline.find(frame);
    if (hints.onFound) void found.then((f) => hints.onFound!(f.faces), () => hints.onFound!(0));
    const done = Promise.all([found, this.finishQueue]).then(async ([f]) => {
      const faces = await f.finish(hints);
      return atOperatingPoint(faces, { minHeight, minScore, maskMaxTurn });
    });
    this.finishQueue = done.catch(() => undefined);
    return done.catch((err: unknown) => {
      throw this.wrap(err, 'inference failed');
    });
  }

  async stop(): Promise<void> {
    const starting = this.starting;
    this.starting = null;
    await starting?.catch(() => undefined);
    const pipeline = this.pipeline;
    this.pipeline = null;
    if (!pipeline) return;
    await this.finishQueue;
    await pipeline.close();
    this.deps.log.info('detector stopped', { model: this.model?.id });
  }

  info(): DetectorInfo {
    const sessions = this.pipeline?.sessions ?? {};
    return {
      provider: Object.values(sessions)[0] ?? null,
      sessions: { ...sessions },
      threads: this.deps.config.threads,
      model: this.model?.id ?? this.deps.config.model,
      ready: this.pipeline !== null,
    };
  }

  /** onnxruntime and file-system errors become DetectorErrors, so the supervisor sees one kind. */
  private wrap(err: unknown, what: string): DetectorError {
    if (err instanceof DetectorError) return err;
    const id = this.model?.id ?? this.deps.config.model;
    return new DetectorError('session', id, `${what}: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  }
}

function readCpuInfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'latin1');
  } catch {
    return '';
  }
}
