import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DetectorError } from './errors';
import { validateManifest, type Manifest } from './manifest';

export interface LoadedModel {
  dir: string;
  manifest: Manifest;
  /** `name@version`, used in logs and errors. */
  id: string;
  /** Verified contents of every listed file, by manifest path. Sessions load from these bytes, not the disk. */
  files: Map<string, Uint8Array>;
}

/**
 * Finds a model folder: `spec` as a path (relative to cwd), else `models/<spec>`. The error names both
 * places so an operator sees where it looked.
 */
export async function resolveModelDir(spec: string, cwd: string = process.cwd()): Promise<string> {
  const candidates = [path.resolve(cwd, spec)];
  if (!spec.includes('/') && !spec.includes(path.sep)) candidates.push(path.resolve(cwd, 'models', spec));
  for (const c of candidates) {
    if (await isFile(path.join(c, 'model.json'))) return c;
  }
  throw new DetectorError('model-not-found', spec, `expected a folder holding model.json, got none at ${candidates.join(' or ')}`);
}

/** Reads model.json, validates it and every file it lists (presence, size, sha256). */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const folder = path.basename(dir);
  let text: string;
  try {
    text = await readFile(path.join(dir, 'model.json'), 'utf8');
  } catch (err) {
    throw new DetectorError('model-not-found', folder, `cannot read ${path.join(dir, 'model.json')}: ${(err as Error).message}`, undefined, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DetectorError('manifest-invalid', folder, `model.json is not JSON: ${(err as Error).message}`, undefined, { cause: err });
  }
  const v = validateManifest(json);
  if (!v.ok) {
    const name = typeof (json as { name?: unknown })?.name === 'string' ? (json as { name: string }).name : folder;
    throw new DetectorError('manifest-invalid', name, `model.json is invalid:\n  ${v.errors.join('\n  ')}`);
  }
  const manifest = v.manifest;
  const id = `${manifest.name}@${manifest.version}`;
  const files = new Map<string, Uint8Array>();
  for (const [i, f] of manifest.files.entries()) {
    const field = `files[${i}]`;
    const full = path.join(dir, f.path);
    let bytes: Buffer;
    try {
      bytes = await readFile(full);
    } catch (err) {
      throw new DetectorError('model-file', id, `expected file ${f.path} in ${dir}, got ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, `${field}.path`, { cause: err });
    }
    if (f.bytes !== undefined && bytes.length !== f.bytes) {
      throw new DetectorError('model-file', id, `expected ${f.bytes} bytes in ${f.path}, got ${bytes.length}`, `${field}.bytes`);
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== f.sha256) {
      throw new DetectorError('model-file', id, `expected sha256 ${f.sha256} for ${f.path}, got ${sha}`, `${field}.sha256`);
    }
    files.set(f.path, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  return { dir, manifest, id, files };
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}
