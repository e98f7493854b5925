import { DEFAULT_TIMING, planDoorway } from '../../src/sequence/doorway-plan';
import { loadPerson, makeScene, renderFrame } from '../../src/sequence/doorway-render';
import sharp from 'sharp';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeDoorwaySequence, MIN_VISIBLE_FACE_PX } from '../../src/sequence/doorway';

const GATE_PERSON_GONE_MS = 1500; // gate.personGoneMs default: the doorway must stay empty longer

describe('doorway choreography', () => {
  const plan = planDoorway(3, DEFAULT_TIMING);

  it('starts and ends with the empty scene, long enough for the gate to go idle between people', () => {
    const kinds = plan.segments.map((s) => s.kind);
    expect(kinds).toEqual(['empty', 'approach', 'hold', 'leave', 'empty', 'approach', 'hold', 'leave', 'empty', 'approach', 'hold', 'leave', 'empty']);
    for (const s of plan.segments.filter((x) => x.kind === 'empty')) expect(s.to_ms - s.from_ms).toBeGreaterThan(GATE_PERSON_GONE_MS);
    expect(plan.frames[0]!.person).toBeNull();
    expect(plan.frames[plan.frames.length - 1]!.person).toBeNull();
  });

  it('each person approaches over 1-2 s: growing steadily from far away, drifting only slightly', () => {
    for (let p = 0; p < 3; p++) {
      const approach = plan.frames.filter((f) => f.person === p && f.kind === 'approach');
      const ms = approach[approach.length - 1]!.tMs - approach[0]!.tMs;
      expect(ms).toBeGreaterThanOrEqual(1000);
      expect(ms).toBeLessThanOrEqual(2000);
      expect(approach[0]!.scale).toBeLessThan(0.35);
      expect(approach[approach.length - 1]!.scale).toBeCloseTo(1, 5);
      for (let i = 1; i < approach.length; i++) expect(approach[i]!.scale).toBeGreaterThan(approach[i - 1]!.scale);
      const drift = Math.max(...approach.map((f) => Math.abs(f.cx - 0.5)));
      expect(drift).toBeGreaterThan(0.03);
      expect(drift).toBeLessThanOrEqual(0.1);
      expect(approach.filter((f) => f.blur > 0)).toHaveLength(3);
      expect(plan.frames.filter((f) => f.person === p && f.brightness !== 1).length).toBeGreaterThanOrEqual(2);
    }
  });

  it('gives each person a decision window that the frames bear out', () => {
    expect(plan.windows).toHaveLength(3);
    for (const w of plan.windows) {
      const mine = plan.frames.filter((f) => f.person === w.person);
      expect(w.appearMs).toBe(mine[0]!.tMs);
      expect(w.decideMs).toBe(mine.find((f) => f.kind === 'hold')!.tMs);
      expect(w.leaveMs).toBe(mine.find((f) => f.kind === 'leave')!.tMs);
      // Standing still in front of the camera for more than the gate's 8-frame evidence window.
      expect(mine.filter((f) => f.kind === 'hold').length).toBeGreaterThan(8);
    }
    for (let i = 1; i < plan.frames.length; i++) expect(plan.frames[i]!.tMs).toBeGreaterThan(plan.frames[i - 1]!.tMs);
  });

  it('is reproducible from its seed', () => {
    expect(planDoorway(2, DEFAULT_TIMING)).toEqual(planDoorway(2, DEFAULT_TIMING));
    expect(planDoorway(2, { ...DEFAULT_TIMING, seed: 2 }).frames).not.toEqual(planDoorway(2, DEFAULT_TIMING).frames);
  });
});

describe('doorway rendering', () => {
  const W = 160;
  const H = 90;
  const meanAbsDiff = (a: Buffer, b: Buffer) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
  const luma = (a: Buffer) => a.reduce((s, v) => s + v, 0) / a.length;
  /** Mean difference in the middle of the frame, where the person stands. */
  const centreDiff = (a: Buffer, b: Buffer) => {
    let s = 0;
    let n = 0;
    for (let y = Math.floor(H / 4); y < (3 * H) / 4; y++) for (let x = (3 * W) / 8; x < (5 * W) / 8; x++) for (let c = 0; c < 3; c++, n++) s += Math.abs(a[(y * W + x) * 3 + c]! - b[(y * W + x) * 3 + c]!);
    return s / n;
  };
  /** Horizontal detail in the middle of the frame: what motion blur takes away. */
  const detail = (a: Buffer) => {
    let s = 0;
    for (let y = Math.floor(H / 4); y < (3 * H) / 4; y++) for (let x = W / 4; x < (3 * W) / 4; x++) s += Math.abs(a[(y * W + x) * 3]! - a[(y * W + x + 1) * 3]!);
    return s;
  };

  it('shows the same empty scene before and after, a person in between, blur and exposure where planned', async () => {
    const scene = await makeScene(W, H, 7);
    // A photo with fine texture (a checkerboard with a face-sized patch), so blur is measurable.
    const photo = await sharp(
      Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="120" height="160"><defs><pattern id="c" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="2" height="2" fill="#000"/><rect x="2" y="2" width="2" height="2" fill="#000"/></pattern></defs><rect width="120" height="160" fill="#fff"/><rect width="120" height="160" fill="url(#c)"/><ellipse cx="60" cy="60" rx="25" ry="32" fill="#d9a37f"/></svg>`),
    ).png().toBuffer();
    const person = await loadPerson(photo, W, H, [[35, 28, 85, 92]]);
    const plan = planDoorway(1, DEFAULT_TIMING);
    const first = plan.frames[0]!;
    const last = plan.frames[plan.frames.length - 1]!;
    const hold = plan.frames.find((f) => f.kind === 'hold')!;
    const empty1 = await renderFrame(scene, null, first, 0);
    const empty2 = await renderFrame(scene, null, last, 12345);
    const standing = await renderFrame(scene, person, { ...hold, brightness: 1, blur: 0 }, 0);
    expect(meanAbsDiff(empty1, empty2)).toBeLessThan(4); // sensor noise only
    expect(meanAbsDiff(empty1, empty2)).toBeGreaterThan(0.5); // but not frozen
    expect(centreDiff(empty1, standing)).toBeGreaterThan(30);
    expect(centreDiff(empty1, empty2)).toBeLessThan(5);

    const blurred = await renderFrame(scene, person, { ...hold, brightness: 1, blur: 9 }, 0);
    expect(detail(blurred)).toBeLessThan(detail(standing) * 0.7);

    const darker = await renderFrame(scene, person, { ...hold, brightness: 0.8, blur: 0 }, 0);
    expect(luma(darker) / luma(standing)).toBeGreaterThan(0.75);
    expect(luma(darker) / luma(standing)).toBeLessThan(0.85);
  });

  it('keeps labelled faces fully visible while the photo edges fade into the scene', async () => {
    const photo = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#808080' } }).png().toBuffer();
    const person = await loadPerson(photo, 320, 180, [[0, 30, 30, 70]]); // a face on the left edge
    const alphaAt = (x: number, y: number) => person.rgba[(y * 100 + x) * 4 + 3]!;
    expect(alphaAt(50, 50)).toBe(255);
    expect(alphaAt(99, 50)).toBeLessThan(60); // right edge fades
    expect(alphaAt(2, 50)).toBeGreaterThan(230); // the face at the left edge does not
  });
});

describe('face visibility in the timeline', () => {
  it('marks when each annotated face first reaches 20 px: later for a small face seen from afar, at once for a big one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'doorway-visible-'));
    try {
      const photo = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#a08070' } }).png().toBuffer();
      writeFileSync(path.join(dir, 'small.png'), await photo(120, 160));
      writeFileSync(path.join(dir, 'big.png'), await photo(120, 160));
      const people = [
        // At 160x90 the photo is drawn at 90 * 0.95 / 160 of its size: a 64 px face is 34 px at the door, 10 px far away.
        { image: path.join(dir, 'small.png'), faces: [{ label: 'mask' as const, box: [35, 28, 85, 92] as [number, number, number, number] }] },
        // A 150 px face: 80 px at the door, 24 px (visible) from the first frame.
        { image: path.join(dir, 'big.png'), faces: [{ label: 'no_mask' as const, box: [0, 5, 120, 155] as [number, number, number, number] }] },
      ];
      const seq = await makeDoorwaySequence(people, path.join(dir, 'seq'), { ...DEFAULT_TIMING, width: 160, height: 90, tool: 'test' });
      const approaches = seq.source.timeline!.filter((s) => s.kind === 'approach');
      const holds = seq.source.timeline!.filter((s) => s.kind === 'hold');
      expect(approaches).toHaveLength(2);
      const [small, big] = approaches as [(typeof approaches)[0], (typeof approaches)[0]];
      expect(small.face_visible_ms).toBeGreaterThan(small.from_ms);
      expect(small.face_visible_ms).toBeLessThan(holds[0]!.from_ms);
      expect(big.face_visible_ms).toBe(big.from_ms);
      // The frame marked is the first whose face is at least MIN_VISIBLE_FACE_PX high.
      const plan = planDoorway(2, DEFAULT_TIMING);
      const fit = Math.round(160 * ((90 * 0.95) / 160)) / 160; // fullHeight / height, as drawn
      const heightAt = (t: number) => 64 * fit * plan.frames.find((f) => f.tMs === t)!.scale;
      expect(heightAt(small.face_visible_ms!)).toBeGreaterThanOrEqual(MIN_VISIBLE_FACE_PX);
      const before = plan.frames.filter((f) => f.person === 0 && f.tMs < small.face_visible_ms!);
      expect(before.length).toBeGreaterThan(0);
      before.forEach((f) => expect(64 * fit * f.scale).toBeLessThan(MIN_VISIBLE_FACE_PX));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
