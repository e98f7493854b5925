import type { z } from 'zod';

/** One config problem, already in the `path: expected X, got Y` form. */
export interface ConfigProblem {
  path: string;
  message: string;
  /** 1-based line in the config file, when the problem has one. */
  line?: number;
  /** Where the value came from when not the file, e.g. `env MASK_GATE__GATE__RELAY_OPEN_MS`. */
  origin?: string;
}

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(
    readonly file: string,
    problems: ConfigProblem[],
  ) {
    // File problems in line order, then those from the environment.
    const sorted = [...problems].sort((a, b) => (a.origin ? 1e9 : (a.line ?? 0)) - (b.origin ? 1e9 : (b.line ?? 0)));
    super(`${file}: ${sorted.length} problem${sorted.length === 1 ? '' : 's'}\n` + sorted.map((p) => '  ' + formatProblem(file, p)).join('\n'));
    this.name = 'ConfigError';
    this.problems = sorted;
  }
}

export function formatProblem(file: string, p: ConfigProblem): string {
  const where = p.origin ? ` (${p.origin})` : p.line ? ` (${file}:${p.line})` : '';
  return `${p.path || '(root)'}: ${p.message}${where}`;
}

export function pathToString(path: readonly PropertyKey[]): string {
  return path
    .map((k, i) => {
      if (typeof k === 'number') return `[${k}]`;
      // Keys that are not plain names are quoted, so "a b" or "" stay readable in a message.
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(k))) return `[${JSON.stringify(String(k))}]`;
      return i === 0 ? String(k) : `.${String(k)}`;
    })
    .join('');
}

/** Describes a received value for "got Y": short, never the whole object, never a secret. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k as string];
  }
  return cur;
}

const typeNames: Record<string, string> = { int: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false', object: 'a mapping', array: 'a list' };

/** Turns zod issues into problems. `raw` is the input the schema saw, so "got" shows what the user wrote. */
export function problemsFromZod(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
  knownKeysAt: (path: readonly PropertyKey[]) => string[] | undefined = () => undefined,
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const got = describeValue(valueAt(raw, issue.path));
    const path = pathToString(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const known = knownKeysAt(issue.path)?.join(', ');
          out.push({
            path: pathToString([...issue.path, key]),
            message: `expected no such key${known ? ` (known: ${known})` : ''}, got unknown key "${key}"`,
          });
        }
        break;
      case 'invalid_type': {
        const exp = typeNames[issue.expected] ?? issue.expected;
        out.push({ path, message: `expected ${exp}, got ${got}` });
        break;
      }
      case 'too_small':
      case 'too_big': {
        const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
        const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const what = issue.origin === 'array' ? 'a list with length' : issue.origin === 'string' ? 'text of length' : 'a number';
        out.push({ path, message: `expected ${what} ${op} ${String(bound)}, got ${got}` });
        break;
      }
      case 'invalid_value':
        out.push({ path, message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}, got ${got}` });
        break;
      case 'invalid_format':
        out.push({ path, message: issue.message.startsWith('expected') ? `${issue.message}, got ${got}` : `expected ${issue.format} format, got ${got}` });
        break;
      case 'invalid_union': {
        // Report the branch that got furthest, e.g. a secret that is neither text, {env} nor {file}.
        out.push({ path, message: `expected ${unionExpectation(path)}, got ${got}` });
        break;
      }
      default:
        if (!issue.message.startsWith('expected')) out.push({ path, message: `expected ${issue.message}, got ${got}` });
        else out.push({ path, message: issue.message.includes(', got ') ? issue.message : `${issue.message}, got ${got}` });
    }
  }
  return out;
}

function unionExpectation(path: string): string {
  if (/(password|token)$/.test(path)) return 'a secret: text, { env: NAME } or { file: PATH }';
  if (/decideMinFacePx$/.test(path)) return '"auto" or a whole number of pixels from 1 to 4320';
  return 'one of the allowed forms';
}
