import { execFile } from 'node:child_process';

/**
 * Which GStreamer elements this machine has. Hardware pipelines are chosen by what is installed, not by a
 * flag, so the same config runs on a Jetson and on a laptop. Injected so tests can pretend to be a Jetson.
 */
export type ElementProbe = (names: readonly string[]) => Promise<ReadonlySet<string>>;

/** The elements a pipeline choice depends on. */
export const HARDWARE_ELEMENTS = ['nvvidconv', 'nvv4l2decoder', 'nvarguscamerasrc'] as const;

const cache = new Map<string, Promise<boolean>>();

/** Asks `gst-inspect-1.0 --exists` (exit code 0 when installed); answers are cached for the process. */
export const gstInspectProbe: ElementProbe = async (names) => {
  const found = await Promise.all(names.map((n) => exists(n).then((ok) => (ok ? n : null))));
  return new Set(found.filter((n): n is string => n !== null));
};

function exists(name: string): Promise<boolean> {
  let p = cache.get(name);
  if (!p) {
    p = new Promise((resolve) => {
      // A missing gst-inspect-1.0 (ENOENT) reads as "not installed": the software pipeline is the safe choice.
      execFile('gst-inspect-1.0', ['--exists', name], { timeout: 15_000 }, (err) => resolve(!err));
    });
    cache.set(name, p);
  }
  return p;
}

/** A probe that answers from a fixed list (tests, and `--elements` style overrides). */
export function fixedProbe(available: Iterable<string>): ElementProbe {
  const set = new Set(available);
  return async (names) => new Set(names.filter((n) => set.has(n)));
}
