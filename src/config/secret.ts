import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { registerSecret } from '../log';

/**
 * A resolved secret (MQTT password, dashboard token). It prints as `***` through String(), JSON and
 * util.inspect, so logging a whole config never leaks it; `reveal()` is the one way to read it.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string, readonly source: string) {
    this.#value = value;
    registerSecret(value);
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '***';
  }
  toJSON(): string {
    return `*** (${this.source})`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${this.source})`;
  }
}

// The environment secrets resolve against; the loader swaps in its own for the duration of one parse.
let secretEnv: NodeJS.ProcessEnv = process.env;
export function withSecretEnv<T>(env: NodeJS.ProcessEnv, fn: () => T): T {
  const saved = secretEnv;
  secretEnv = env;
  try {
    return fn();
  } finally {
    secretEnv = saved;
  }
}

/**
 * A secret in the config file: a literal string, `{ env: NAME }` (read from the environment) or
 * `{ file: PATH }` (read from a file, e.g. a systemd credential; trailing newline dropped).
 */
export const SecretRef = z
  .union([
    z.string().min(1),
    z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) }),
    z.strictObject({ file: z.string().min(1) }),
  ])
  .transform((ref, ctx): Secret => {
    if (typeof ref === 'string') return new Secret(ref, 'inline');
    if ('env' in ref) {
      const v = secretEnv[ref.env];
      if (v === undefined || v === '') {
        ctx.addIssue({ code: 'custom', message: `expected environment variable ${ref.env} to be set, got nothing` });
        return z.NEVER;
      }
      return new Secret(v, `env ${ref.env}`);
    }
    try {
      return new Secret(readFileSync(ref.file, 'utf8').replace(/\r?\n$/, ''), `file ${ref.file}`);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `expected a readable secret file, got ${(e as NodeJS.ErrnoException).code ?? 'error'} for ${ref.file}` });
      return z.NEVER;
    }
  });
