import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, parse as parseYaml, type Document } from 'yaml';
import { ConfigError, describeValue, problemsFromZod, type ConfigProblem } from './errors';
import { ConfigSchema, type Config } from './schema';
import { withSecretEnv } from './secret';
import { defaultAt, keysAt } from './schema-walk';

/** Environment overrides: MASK_GATE__GATE__RELAY_OPEN_MS=5000 sets gate.relayOpenMs. */
export const ENV_PREFIX = 'MASK_GATE__';

export interface LoadOptions {
  /** Config file; undefined runs the defaults (the demo). */
  file?: string;
  /** File contents, when already read (tests, stdin). */
  text?: string;
  env?: NodeJS.ProcessEnv;
}

/** Loads, overrides and validates a config. Throws ConfigError listing every problem found. */
export function loadConfig(opts: LoadOptions = {}): Config {
  const file = opts.file ?? (opts.text !== undefined ? '(inline config)' : '(defaults)');
  const problems: ConfigProblem[] = [];
  let text = opts.text;
  if (text === undefined && opts.file !== undefined) {
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (e) {
      throw new ConfigError(file, [{ path: '', message: `expected a readable config file, got ${(e as NodeJS.ErrnoException).code ?? String(e)}` }]);
    }
  }

  const lines = new LineCounter();
  const doc = parseDocument(text ?? '', { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  for (const err of doc.errors) {
    const line = lines.linePos(err.pos[0]).line;
    problems.push({ path: '', line, message: `expected valid YAML, got ${err.code}: ${err.message.split('\n')[0]}` });
  }
  if (problems.length) throw new ConfigError(file, problems);

  let raw: unknown;
  try {
    raw = doc.toJS() ?? {};
  } catch (e) {
    // e.g. an alias to an anchor that is never defined
    throw new ConfigError(file, [{ path: '', line: 1, message: `expected valid YAML, got ${(e as Error).message}` }]);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [{ path: '', line: 1, message: `expected a mapping at the top level, got ${describeValue(raw)}` }]);
  }

  const env = opts.env ?? process.env;
  const origins = applyEnvOverrides(raw as Record<string, unknown>, env, problems);
  const result = withSecretEnv(env, () => ConfigSchema.safeParse(raw));
  if (result.success && problems.length === 0) return result.data;

  if (!result.success) {
    for (const p of problemsFromZod(result.error.issues, raw, (path) => keysAt(ConfigSchema, path))) {
      const origin = [...origins.entries()].find(([path]) => p.path === path || p.path.startsWith(path + '.') || p.path.startsWith(path + '['))?.[1];
      problems.push(origin ? { ...p, origin } : { ...p, line: lineOf(doc, lines, p.path) });
    }
  }
  throw new ConfigError(file, problems);
}

/** Applies MASK_GATE__A__B_C=value overrides in place; returns config path -> env name, for error origins. */
function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): Map<string, string> {
  const origins = new Map<string, string>();
  const norm = (s: string) => s.replace(/_/g, '').toLowerCase();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).split('__');
    const path: string[] = [];
    let ok = true;
    for (const seg of segments) {
      const keys = keysAt(ConfigSchema, path) ?? [];
      const key = keys.find((k) => norm(k) === norm(seg));
      if (!key) {
        problems.push({
          path: path.join('.'),
          origin: `env ${name}`,
          message: `expected a config key${keys.length ? ` (known: ${keys.join(', ')})` : ''}, got "${seg}"`,
        });
        ok = false;
        break;
      }
      path.push(key);
    }
    if (!ok) continue;
    let parsed: unknown;
    try {
      parsed = parseYaml(value);
    } catch {
      parsed = value;
    }
    let cur = raw;
    for (const [i, key] of path.slice(0, -1).entries()) {
      // A section the file leaves out starts from its default, so one override does not drop its siblings.
      if (typeof cur[key] !== 'object' || cur[key] === null || Array.isArray(cur[key])) {
        const d = defaultAt(ConfigSchema, path.slice(0, i + 1));
        cur[key] = d && typeof d === 'object' && !Array.isArray(d) ? d : {};
      }
      cur = cur[key] as Record<string, unknown>;
    }
    cur[path[path.length - 1]!] = parsed;
    origins.set(path.join('.'), `env ${name}`);
  }
  return origins;
}

/** 1-based line of the key at `path` ("a.b[2].c"), or of its nearest ancestor that exists. */
function lineOf(doc: Document, lines: LineCounter, path: string): number | undefined {
  const keys = path ? path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '') : [];
  let node: unknown = doc.contents;
  let line: number | undefined = node && (node as { range?: number[] }).range ? lines.linePos((node as { range: number[] }).range[0]!).line : undefined;
  for (const key of keys) {
    if (isMap(node)) {
      const pair = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      const k = pair.key as { range?: number[] } | null;
      if (k?.range) line = lines.linePos(k.range[0]!).line;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(key)] as { range?: number[] } | undefined;
      if (!item) break;
      if (item.range) line = lines.linePos(item.range[0]!).line;
      node = item;
    } else break;
  }
  return line;
}
