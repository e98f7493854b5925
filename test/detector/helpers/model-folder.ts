import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const made: string[] = [];
// Registered in each test file that imports this helper.
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Writes a model folder (files + model.json with their sha256) under a fresh temp dir, removed after the file's tests. */
export function writeModelFolder(name: string, manifest: Record<string, unknown>, files: Record<string, Uint8Array>): string {
  const tmp = mkdtempSync(path.join(tmpdir(), 'mask-gate-model-'));
  made.push(tmp);
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, bytes] of Object.entries(files)) writeFileSync(path.join(dir, file), bytes);
  const list = Object.entries(files).map(([file, bytes]) => ({ path: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length }));
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ ...manifest, files: list }, null, 2));
  return dir;
}

export const TEST_LICENCE = { spdx: 'MIT', holder: 'mask-gate tests' };
export const TEST_PROVENANCE = { source: 'built at test time by test/detector/helpers/onnx-builder.ts' };
