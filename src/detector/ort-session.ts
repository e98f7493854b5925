/**
 * The one place that imports onnxruntime-node. It turns our SessionOptions into onnxruntime's and hands
 * back plain Float32Array tensors, so nothing else depends on the binding's types.
 */
import * as ort from 'onnxruntime-node';
import type { FloatTensor, InferenceSession, SessionFactory, SessionOptions, TensorMeta } from './runtime';

type EpConfig = ort.InferenceSession.ExecutionProviderConfig;

/**
 * TensorRT settings. The stock npm binding (1.30) reads only `deviceId` from the provider object and
 * builds OrtTensorRTProviderOptionsV2, which also makes TensorRT ignore its ORT_TENSORRT_* variables.
 * We pass the C API option names on the object (a binding built with option pass-through reads them)
 * and set the variables when unset (older bindings that append TensorRT by device id read those).
 */
function tensorrtProvider(o: SessionOptions['tensorrt']): EpConfig {
  const env: Record<string, string> = {
    ORT_TENSORRT_FP16_ENABLE: o.fp16 ? '1' : '0',
    ORT_TENSORRT_ENGINE_CACHE_ENABLE: '1',
    ORT_TENSORRT_CACHE_PATH: o.engineCachePath,
  };
  for (const [k, v] of Object.entries(env)) if (process.env[k] === undefined) process.env[k] = v;
  const provider = {
    name: 'tensorrt',
    deviceId: 0,
    trt_fp16_enable: o.fp16,
    trt_engine_cache_enable: true,
    trt_engine_cache_path: o.engineCachePath,
  };
  return provider;
}

function providerConfig(name: SessionOptions['providers'][number], o: SessionOptions): EpConfig {
  if (name === 'tensorrt') return tensorrtProvider(o.tensorrt);
  if (name === 'cuda') return { name: 'cuda', deviceId: 0 };
  return 'cpu';
}

function meta(list: readonly ort.InferenceSession.ValueMetadata[]): TensorMeta[] {
  return list.map((m) => (m.isTensor ? { name: m.name, type: m.type, dims: [...m.shape] } : { name: m.name, type: 'non-tensor', dims: [] }));
}

class OrtSession implements InferenceSession {
  constructor(
    private readonly session: ort.InferenceSession,
    readonly inputs: TensorMeta[],
    readonly outputs: TensorMeta[],
  ) {}

  async run(feeds: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>> {
    const input: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) input[name] = new ort.Tensor('float32', t.data, t.dims);
    const result = await this.session.run(input);
    const out: Record<string, FloatTensor> = {};
    for (const [name, value] of Object.entries(result)) {
      // Duck-typed: the native binding builds output tensors with the Tensor class it was first
      // initialised with, which need not be this module instance's (jest loads modules per test file).
      const t = value as Partial<ort.Tensor>;
      if (t.type !== 'float32' || !(t.data instanceof Float32Array) || !t.dims) {
        throw new Error(`output ${name}: expected a float32 tensor, got ${t.type ?? typeof value}`);
      }
      out[name] = { data: t.data, dims: [...t.dims] };
    }
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

export const ortSessionFactory: SessionFactory = {
  async create(model, options) {
    const session = await ort.InferenceSession.create(model, {
      executionProviders: options.providers.map((p) => providerConfig(p, options)),
      intraOpNumThreads: options.threads,
      // One frame at a time: parallel graph branches buy nothing and cost a second thread pool.
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logId: options.logId,
      // With a pool, its threads spin after each operator waiting for the next one. On two cores that spin
      // took the core the other network, decoding and the event loop needed: `mask-gate detect --threads 2`
      // ran 414 frames in 18.5 s against 10.5 s with 1 thread (CPU 34 s against 11); not spinning, 11.3 s.
      ...(options.threads > 1 ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    });
    return new OrtSession(session, meta(session.inputMetadata), meta(session.outputMetadata));
  },
};
