import fc from 'fast-check';
import { stringify } from 'yaml';
import { ConfigError } from '../../src/config/errors';
import { loadConfig } from '../../src/config/load';

// A valid config to mutate: every section, with the shapes a real site file has.
const base = {
  site: { name: 'Front door' },
  camera: { source: 'v4l2:///dev/video0', width: 640, height: 360, fps: 30 },
  gate: { relayOpenMs: 3000, evidence: { windowFrames: 8, agreeFrames: 5 }, zone: { x: 0.1, y: 0, width: 0.8, height: 1 }, buzzer: { alert: [200, 800] } },
  hardware: { driver: 'gpiod', outputs: { relay: { pin: 18, activeLow: true } }, thermometer: { type: 'mlx90614', bus: 1 } },
  mqtt: { enabled: true, username: 'u', password: 'p' },
  voice: { languages: ['en', 'yue'] },
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ noNaN: false }),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.string({ maxLength: 12 }),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.integer(), { maxKeys: 2 }),
);

function paths(o: unknown, prefix: string[] = []): string[][] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return [prefix];
  return [prefix, ...Object.entries(o).flatMap(([k, v]) => paths(v, [...prefix, k]))];
}
const allPaths = paths(base).filter((p) => p.length > 0);

function mutate(path: string[], value: Json, addKey: string | null): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  if (addKey !== null && typeof cur === 'object') cur[addKey] = value;
  else cur[path[path.length - 1]!] = value;
  return copy;
}

// A path is names, [index] or ["quoted key"]; "(root)" for the document itself.
const problemLine = /^ {2}(\(root\)|([A-Za-z0-9_-]+|\.[A-Za-z0-9_-]+|\[\d+\]|\["(?:[^"\\]|\\.)*"\])+): expected [\s\S]+, got [\s\S]+$/;

test('malformed configs always give clear problems, never a crash', () => {
  fc.assert(
    fc.property(fc.constantFrom(...allPaths), anyValue, fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: null }), (path, value, addKey) => {
      const text = stringify(mutate(path, value, addKey));
      try {
        loadConfig({ file: 'fuzz.yaml', text, env: {} });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        const lines = e.message.split('\n').slice(1);
        expect(lines.length).toBeGreaterThan(0);
        for (const l of lines) expect(l).toMatch(problemLine);
      }
    }),
    { numRuns: 400, seed: 20261127 },
  );
});

test('arbitrary text never crashes the loader', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (text) => {
      try {
        loadConfig({ file: 'fuzz.yaml', text, env: {} });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        for (const l of e.message.split('\n').slice(1)) expect(l).toMatch(problemLine);
      }
    }),
    { numRuns: 300, seed: 7 },
  );
});
