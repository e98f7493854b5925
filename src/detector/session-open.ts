import { mkdir } from 'node:fs/promises';
import type { Logger } from '../log';
import { DetectorError } from './errors';
import type { ProviderName } from './providers';
import type { InferenceSession, SessionFactory, SessionOptions } from './runtime';

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
  options: Omit<SessionOptions, 'providers' | 'logId'> & { order: ProviderName[] },
  log: Logger,
  modelId: string,
  role: string,
): Promise<OpenedSession> {
  const reasons: string[] = [];
  if (options.order.includes('tensorrt')) await ensureDir(options.tensorrt.engineCachePath, log);
  for (const [i, provider] of options.order.entries()) {
    const providers = options.order.slice(i);
    try {
      const session = await factory.create(model, { providers, threads: options.threads, tensorrt: options.tensorrt, logId: `${modelId}:${role}` });
      log.info('inference session open', { model: modelId, role, provider, threads: options.threads });
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
