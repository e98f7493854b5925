import { loadConfig } from '../../src/config/load';
import { createTracker } from '../../src/detector/tracker';
import type { Box, Detection, MaskLabel } from '../../src/detector/types';
import { GateHarness } from '../machines/gate-harness';

/**
 * The real tracker feeding the real statechart on a simulated 30 fps clock, with the shipped defaults
 * (640x360 frame, decision size 44 px, stationaryAfterMs 10 s, stationaryTolerance 0.1 of the face's height).
 */
export const FRAME = { width: 640, height: 360 };
export const DT = 33;

export interface DoorOptions {
  /** detector.tracker.relink.enabled; the shipped default when not given. */
  relink?: boolean;
}

export function door(opts: DoorOptions = {}) {
  const text = opts.relink === undefined ? undefined : `detector:\n  tracker:\n    relink:\n      enabled: ${opts.relink}\n`;
  const config = loadConfig({ env: {}, ...(text === undefined ? {} : { text }) });
  const tracker = createTracker(config.detector.tracker, config.gate);
  const h = new GateHarness();
  const states: { t: number; state: string }[] = [];
  let frameNo = 0;
  h.actor.subscribe(() => {
    if (states.at(-1)?.state !== h.state) states.push({ t: h.clock.now(), state: h.state });
  });
  const released: number[] = [];
  /** One frame with these faces. */
  const step = (faces: Detection[]) => {
    const u = tracker.update(faces, FRAME, h.clock.now() + DT, ++frameNo);
    h.frame(DT, u.event.people);
    if (h.outputs.relay === 'released') released.push(h.clock.now());
    return u;
  };
  const run = (ms: number, faces: (i: number) => Detection[]) => {
    for (let i = 0; i < Math.round(ms / DT); i++) step(faces(i));
  };
  const decisions = () => h.effects.filter((e) => e.kind === 'decision').map((e) => (e.kind === 'decision' ? e.report : null)!);
  return { config, h, states, step, run, released, decisions };
}

export function face(box: Box, label: MaskLabel): Detection {
  return { box, label, score: 0.95, scores: { [label]: 0.95 }, faceScore: 1 };
}

/** A face of `px` height centred at (cx, cy), with a pixel of jitter from `i`. */
export function faceAt(cx: number, cy: number, px: number, label: MaskLabel, i = 0): Detection {
  const j = [0, 1, 0, -1][i % 4]!;
  return face([cx - px * 0.4 + j, cy - px / 2, cx + px * 0.4 + j, cy + px / 2], label);
}

/** Walking up over 1.5 s: the face grows from 20 to 80 px and drifts to the centre. */
export function walkUp(i: number, label: MaskLabel): Detection[] {
  const u = Math.min(1, i / 45);
  return [faceAt(250 + 70 * u, 170, 20 + 60 * u, label)];
}

export async function booted(d: ReturnType<typeof door>) {
  d.h.start();
  await d.h.boot();
  expect(d.h.state).toBe('idle');
  d.states.splice(0, d.states.length - 1);
}
