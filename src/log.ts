/**
 * Structured logger. Every line passes through `redact`, so URL credentials and registered secret
 * values never reach the journal, whatever the caller formats into the message.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const secretValues = new Set<string>();

/** Registers a value that must never appear in a log line (called by the config loader for secrets). */
export function registerSecret(value: string): void {
  if (value.length >= 3) secretValues.add(value);
}

/** Hides `user:pass@` in URLs and every registered secret value. */
export function redact(text: string): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+)(:[^/@\s]*)?@/gi, '$1***@');
  for (const s of secretValues) out = out.split(s).join('***');
  return out;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

export interface LogSink {
  write(line: string): void;
}

export function createLogger(
  scope = 'mask-gate',
  level: LogLevel = (process.env.MASK_GATE_LOG_LEVEL as LogLevel) || 'info',
  sink: LogSink = process.stderr,
): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < (order[level] ?? 20)) return;
    const extra = fields && Object.keys(fields).length ? ' ' + safeJson(fields) : '';
    sink.write(redact(`${new Date().toISOString()} ${lvl.padEnd(5)} [${scope}] ${msg}${extra}`) + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (s) => createLogger(`${scope}:${s}`, level, sink),
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, val) => (val instanceof Error ? val.message : val));
  } catch {
    return String(v);
  }
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger('test', 'debug', { write: (l) => lines.push(l) });
  return Object.assign(logger, { lines });
}
