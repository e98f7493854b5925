import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { SEQUENCE_FILE, SequenceSchema, type Sequence } from './schema';

/** A sequence on disk that does not load: the message names the file and the field. */
export class SequenceError extends Error {
  constructor(
    message: string,
    readonly code: 'not-found' | 'invalid',
  ) {
    super(message);
    this.name = 'SequenceError';
  }
}

export interface LoadedSequence {
  dir: string;
  sequence: Sequence;
}

/** Reads and validates DIR/sequence.json. Frame files are checked when they are read, one by one. */
export async function loadSequence(dir: string): Promise<LoadedSequence> {
  const file = path.join(dir, SEQUENCE_FILE);
  try {
    if (!(await stat(dir)).isDirectory()) throw new SequenceError(`${dir}: expected a sequence directory, got a file`, 'invalid');
  } catch (e) {
    if (e instanceof SequenceError) throw e;
    throw new SequenceError(`${dir}: sequence directory does not exist`, 'not-found');
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new SequenceError(
      `${file}: missing; a sequence is a directory of JPEG frames with a sequence.json (\`mask-gate sequence index ${dir}\` writes one for a folder of JPEGs)`,
      'not-found',
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SequenceError(`${file}: expected JSON, got ${(e as Error).message}`, 'invalid');
  }
  return { dir, sequence: parseSequence(raw, file) };
}

/** Validates a parsed sequence.json; `file` names it in errors. */
export function parseSequence(raw: unknown, file: string): Sequence {
  const r = SequenceSchema.safeParse(raw);
  if (r.success) return r.data;
  throw new SequenceError(`${file}: ${formatIssues(r.error.issues)}`, 'invalid');
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  const where = (p: readonly PropertyKey[]) => p.map((k, n) => (typeof k === 'number' ? `[${k}]` : `${n ? '.' : ''}${String(k)}`)).join('');
  const shown = issues.slice(0, 5).map((i) => `${i.path.length ? where(i.path) : '(top level)'}: ${i.message}`);
  if (issues.length > 5) shown.push(`and ${issues.length - 5} more`);
  return shown.join('; ');
}
