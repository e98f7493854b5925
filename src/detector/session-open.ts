import { mkdir } from 'node:fs/promises';
import type { Logger } from '../log';
import { alignChannels } from './channel-align';
import { DetectorError } from './errors';
import type { ProviderName } from './providers';
import type { FloatTensor, InferenceSession, SessionFactory, SessionOptions } from './runtime';

export interface OpenedSession {
  session: InferenceSession;
  provider: ProviderName;
}

/**
 * onnxruntime throws when a provider's libraries are missing instead of falling back, so each provider
 * is tried in turn (with the ones after it as onnxruntime's own per-node fallback) and every skip is
 * logged with its reason.
 */
export async function openSession(
  factory: SessionFactory,
  model: Uint8Array,
  options: Omit<SessionOptions, 'providers' | 'logId'> & {
    order: ProviderName[];
    /** onnxruntime's NCHWc block on this CPU (nchwcBlock); > 1 widens channels for the CPU provider. */
    channelBlock?: number;
  },
  log: Logger,
  modelId: string,
  role: string,
): Promise<OpenedSession> {
  const reasons: string[] = [];
  if (options.order.includes('tensorrt')) await ensureDir(options.tensorrt.engineCachePath, log);
  for (const [i, provider] of options.order.entries()) {
    const providers = options.order.slice(i);
    try {
      const session = await factory.create(model, { providers, threads: options.threads, tensorrt: options.tensorrt, logId: `${modelId}:${role}`, ...thread(options) });
      log.info('inference session open', { model: modelId, role, provider, threads: options.threads });
      if (provider === 'cpu' && (options.channelBlock ?? 0) > 1) return { session: await alignedForCpu(factory, session, model, options, options.channelBlock!, log, modelId, role), provider };
      return { session, provider };
    } catch (err) {
      const reason = firstLine(err);
      reasons.push(`${provider}: ${reason}`);
      const next = options.order[i + 1];
      log.warn(`execution provider ${provider} skipped${next ? `, trying ${next}` : ''}`, { model: modelId, role, reason });
    }
  }
  throw new DetectorError('session', modelId, `no execution provider could load the ${role} network (tried ${options.order.join(', ')}): ${reasons.join('; ')}`);
}

/** `thread` passed on only when set (exactOptionalPropertyTypes). */
const thread = (o: Pick<SessionOptions, 'thread'>): Pick<SessionOptions, 'thread'> => (o.thread === undefined ? {} : { thread: o.thread });

async function ensureDir(dir: string, log: Logger): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    log.warn('TensorRT engine cache folder cannot be created; engines will be rebuilt at every start', { dir, reason: firstLine(err) });
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
}

/**
 * The network with its channels widened to the CPU's NCHWc block (channel-align.ts), kept only when it
 * gives the same outputs as the original on a test input; otherwise the original, with a warning. The
 * original's outputs are taken first and the original closed before the widened one opens, so the two
 * never hold memory at once (onnxruntime's freed arena would otherwise stay in the process's RSS).
 */
async function alignedForCpu(factory: SessionFactory, original: InferenceSession, model: Uint8Array, options: Pick<SessionOptions, 'threads' | 'tensorrt' | 'thread'>, block: number, log: Logger, modelId: string, role: string): Promise<InferenceSession> {
  let aligned: ReturnType<typeof alignChannels>;
  try {
    aligned = alignChannels(model, block);
  } catch (err) {
    log.warn('channel widening failed; the network runs as shipped', { model: modelId, role, reason: firstLine(err) });
    return original;
  }
  if (!aligned) return original;
  const create = (bytes: Uint8Array) => factory.create(bytes, { providers: ['cpu'], threads: options.threads, tensorrt: options.tensorrt, logId: `${modelId}:${role}`, ...thread(options) });
  const probe = testFeeds(original);
  if (!probe) return original;
  let expected: Record<string, FloatTensor>;
  try {
    expected = await original.run(probe);
  } catch (err) {
    log.warn('channel widening skipped: the network does not run on a test input', { model: modelId, role, reason: firstLine(err) });
    return original;
  }
  await original.close();
  let wide: InferenceSession | null = null;
  try {
    wide = await create(aligned.bytes);
    const diff = difference(expected, await wide.run(probe));
    if (diff <= 1e-4) {
      log.info('channels widened for the CPU layout', { model: modelId, role, block, widened: aligned.widened.join(', '), maxDifference: diff });
      return wide;
    }
    log.warn('widened channels changed the outputs; the network runs as shipped', { model: modelId, role, maxDifference: diff });
  } catch (err) {
    log.warn('channel widening failed; the network runs as shipped', { model: modelId, role, reason: firstLine(err) });
  }
  await wide?.close().catch(() => undefined);
  return create(model);
}

/** A seeded input for every float input of a session (symbolic dimensions as 1), or null. */
function testFeeds(s: InferenceSession): Record<string, FloatTensor> | null {
  let seed = 12345;
  const next = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const feeds: Record<string, FloatTensor> = {};
  for (const m of s.inputs) {
    if (m.type !== 'float32') return null;
    // A free batch of 6: a classifier taking rows in groups per face (face, lower face, nose: 1, 2 or 3) needs a multiple.
    const dims = m.dims.map((d, i) => (typeof d === 'number' && d > 0 ? d : i === 0 ? 6 : 1));
    feeds[m.name] = { data: Float32Array.from({ length: dims.reduce((x, y) => x * y, 1) }, next), dims };
  }
  return feeds;
}

/** Largest difference between two sets of outputs, relative to each output's scale; Infinity on a shape change. */
function difference(ra: Record<string, FloatTensor>, rb: Record<string, FloatTensor>): number {
  let worst = 0;
  for (const [name, t] of Object.entries(ra)) {
    const u = rb[name];
    if (!u || u.data.length !== t.data.length || u.dims.join() !== t.dims.join()) return Infinity;
    let scale = 1;
    for (const v of t.data) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(t.data[i]! - u.data[i]!) / scale);
  }
  return worst;
}

/** Largest output difference of two sessions on one seeded input, relative to the output's scale. */
export async function outputDifference(a: InferenceSession, b: InferenceSession): Promise<number> {
  const feeds = testFeeds(a);
  return feeds ? difference(await a.run(feeds), await b.run(feeds)) : Infinity;
}
