import type { ProviderName } from './providers';

/**
 * The inference runtime as the detector sees it. Only ort-session.ts implements it with onnxruntime-node;
 * tests may pass their own factory.
 */
export interface TensorMeta {
  name: string;
  /** Element type as onnxruntime names it ('float32', 'uint8', ...). */
  type: string;
  /** Numbers for fixed dimensions, strings for symbolic ones ('batch'). */
  dims: (number | string)[];
}

export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

export interface SessionOptions {
  /** Providers in order of preference; the session uses the first that loads, per onnxruntime. */
  providers: ProviderName[];
  /** Intra-op threads. */
  threads: number;
  tensorrt: { fp16: boolean; engineCachePath: string };
  /** Shown in onnxruntime's own log lines. */
  logId: string;
  /**
   * Where a factory runs each session on a thread of its own (threaded-sessions.ts), sessions given the same
   * name share one: for networks that never run at the same moment. Other factories ignore it.
   */
  thread?: string;
}

export interface InferenceSession {
  readonly inputs: TensorMeta[];
  readonly outputs: TensorMeta[];
  /**
   * One inference. Calls may be queued; they are answered in call order. The feeds' arrays must stay
   * unchanged until the call resolves (a session may read them when the run starts, not when it is called).
   */
  run(feeds: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>>;
  close(): Promise<void>;
}

export interface SessionFactory {
  create(model: Uint8Array, options: SessionOptions): Promise<InferenceSession>;
}
