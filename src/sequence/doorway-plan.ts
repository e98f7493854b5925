import type { SequenceSegment } from './schema';

/**
 * The choreography of a synthesized doorway sequence, as numbers only (rendering is doorway-render.ts):
 * empty scene, then for each person: approach (walking up, growing, drifting to the centre), hold
 * (standing in front of the camera, where the gate decides), leave (stepping aside); empty scene between
 * people and at the end, long enough for the gate to return to idle.
 */
export interface DoorwayTiming {
  fps: number;
  /** Empty scene before each person and after the last. Longer than gate.personGoneMs (1500 by default). */
  emptyMs: number;
  /** Walking up to the camera: "about 1-2 s". */
  approachMs: number;
  /** Standing in front of the camera. A decision must come by its end: the expectation's tolerance. */
  holdMs: number;
  leaveMs: number;
  seed: number;
}

export const DEFAULT_TIMING: DoorwayTiming = { fps: 15, emptyMs: 2500, approachMs: 1500, holdMs: 2000, leaveMs: 600, seed: 1 };

/** One person's own pace, where it differs from the sequence's timing (a scenario: a long walk, a long stay). */
export interface PersonPace {
  approachMs?: number;
  holdMs?: number;
  /** Size when first seen, relative to the size at the door (default START_SCALE). */
  startScale?: number;
}

export interface FramePlan {
  tMs: number;
  /** Index of the person in view, or null for an empty scene. */
  person: number | null;
  kind: SequenceSegment['kind'];
  /** Size of the person relative to their size when standing in front of the camera (1). */
  scale: number;
  /** Centre of the person, as fractions of frame width and height. */
  cx: number;
  cy: number;
  /** Horizontal motion-blur length in pixels at the working size (0: sharp). */
  blur: number;
  /** Exposure of the whole frame (1: unchanged). */
  brightness: number;
}

export interface PersonWindow {
  person: number;
  /** First frame showing the person. */
  appearMs: number;
  /** The person stands in front of the camera from here: when a decision is expected. */
  decideMs: number;
  /** The person starts to leave: a decision must have come by now. */
  leaveMs: number;
}

export interface DoorwayPlan {
  frames: FramePlan[];
  segments: SequenceSegment[];
  windows: PersonWindow[];
}

/** Seeded PRNG (mulberry32), so a sequence can be made again bit for bit. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  const imul = Math.imul; // hoisted: global lookups are slow in hot loops under jest's vm context
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Far away the person appears at this fraction of their final size. */
export const START_SCALE = 0.3;

/** `people`: how many walk up in turn, or each one's pace. */
export function planDoorway(people: number | readonly PersonPace[], t: DoorwayTiming): DoorwayPlan {
  const paces: readonly PersonPace[] = typeof people === 'number' ? new Array<PersonPace>(people).fill({}) : people;
  const rand = rng(t.seed);
  const step = 1000 / t.fps;
  const segments: SequenceSegment[] = [];
  const windows: PersonWindow[] = [];
  let cursor = 0;
  const add = (kind: SequenceSegment['kind'], ms: number, image?: string) => {
    // Segments start and end on frame times, so every boundary is a frame.
    const frames = Math.max(1, Math.round(ms / step));
    const from = cursor;
    cursor += frames;
    segments.push({ kind, from_ms: frameTime(from, step), to_ms: frameTime(cursor, step), ...(image ? { image } : {}) });
    return { from, to: cursor };
  };
  const spans: { kind: SequenceSegment['kind']; from: number; to: number; person: number | null; side: number }[] = [];
  for (let p = 0; p < paces.length; p++) {
    const side = rand() < 0.5 ? -1 : 1;
    spans.push({ ...add('empty', t.emptyMs), kind: 'empty', person: null, side });
    const a = add('approach', paces[p]!.approachMs ?? t.approachMs);
    const h = add('hold', paces[p]!.holdMs ?? t.holdMs);
    const l = add('leave', t.leaveMs);
    spans.push({ ...a, kind: 'approach', person: p, side }, { ...h, kind: 'hold', person: p, side }, { ...l, kind: 'leave', person: p, side });
    windows.push({ person: p, appearMs: frameTime(a.from, step), decideMs: frameTime(h.from, step), leaveMs: frameTime(l.from, step) });
  }
  spans.push({ ...add('empty', t.emptyMs), kind: 'empty', person: null, side: 1 });
  // The last segment ends after the last frame; sequence times end at that frame.
  const lastFrame = cursor - 1;
  segments[segments.length - 1]!.to_ms = frameTime(lastFrame, step);

  const frames: FramePlan[] = [];
  for (const s of spans) {
    const n = s.to - s.from;
    // A few frames per person get motion blur (walking) and an exposure change (auto-exposure hunting).
    const blurAt = new Set(s.kind === 'approach' ? pick(rand, n, 3) : []);
    const exposeAt = new Set(s.kind === 'approach' || s.kind === 'hold' ? pick(rand, n, 2) : []);
    for (let k = 0; k < n; k++) {
      const u = n > 1 ? k / (n - 1) : 1;
      const f: FramePlan = { tMs: frameTime(s.from + k, step), person: s.person, kind: s.kind, scale: 0, cx: 0.5, cy: 0.5, blur: 0, brightness: 1 };
      if (s.kind === 'approach') {
        // Constant walking speed, slowing to a stop: apparent size is inverse to distance.
        const eased = 1 - (1 - u) ** 2;
        const start = paces[s.person!]!.startScale ?? START_SCALE;
        const distance = 1 / start + (1 - 1 / start) * eased;
        f.scale = 1 / distance;
        f.cx = 0.5 + s.side * 0.08 * (1 - eased);
        f.cy = 0.44 + 0.08 * eased + 0.008 * Math.sin(2 * Math.PI * 2 * (k / t.fps)); // gait bob, 2 steps/s
        if (blurAt.has(k)) f.blur = 7 + 2 * Math.floor(rand() * 3);
      } else if (s.kind === 'hold') {
        f.scale = 1;
        f.cx = 0.5 + (rand() - 0.5) * 0.006;
        f.cy = 0.52 + (rand() - 0.5) * 0.006;
      } else if (s.kind === 'leave') {
        // Steps aside, out of the frame.
        f.scale = 1 + 0.1 * u;
        f.cx = 0.5 - s.side * 0.9 * u * u;
        f.cy = 0.52;
        if (k === Math.floor(n / 2)) f.blur = 9;
      }
      if (exposeAt.has(k)) f.brightness = rand() < 0.5 ? 0.78 + rand() * 0.08 : 1.15 + rand() * 0.1;
      frames.push(f);
    }
  }
  return { frames, segments, windows };
}

function frameTime(i: number, step: number): number {
  return Math.round(i * step);
}

function pick(rand: () => number, n: number, count: number): number[] {
  const out = new Set<number>();
  const want = Math.min(count, Math.max(0, n - 2));
  while (out.size < want) out.add(1 + Math.floor(rand() * (n - 2)));
  return [...out];
}
