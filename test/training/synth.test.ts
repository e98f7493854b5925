import { existsSync } from 'node:fs';
import path from 'node:path';
import { faceAnchors, faceFrame, pickView, placementEdges, randomPlacementJitter, templateShape, type Keypoints } from '../../src/training/synth/anchors';
import { fabricTint, hsvToRgb, maskFace, pasteLooseMask, synthesizePhoto, TINTED_SHARE } from '../../src/training/synth/generate';
import { applyHomography, fitHomography, invertHomography } from '../../src/training/synth/homography';
import { paintTemplate, templateToFrame } from '../../src/training/synth/render';
import { loadMaskTemplates, parseMasksCfg, type Anchors, type MaskTemplate, type Point } from '../../src/training/synth/templates';
import { rng } from '../../src/training/random';
import type { RgbFrame } from '../../src/detector/types';

const TEMPLATES = path.resolve(__dirname, '../../../shared/datasets/mask-templates');
const haveTemplates = existsSync(path.join(TEMPLATES, 'masks.cfg'));
if (!haveTemplates && process.env.CI) throw new Error(`test/training/synth needs the mask templates at ${TEMPLATES} (../shared/datasets/mask-templates); they are missing on this CI runner`);
const withTemplates = haveTemplates ? describe : describe.skip;

/** An upright frontal face: eyes 40 px apart at y 100, nose tip at y 130, mouth at y 150, ears at the sides. */
const FRONTAL: Keypoints = { right_eye: [80, 100], left_eye: [120, 100], nose: [100, 130], mouth: [100, 150], right_ear: [50, 115], left_ear: [150, 115] };

const close = (a: Point, b: Point, eps = 1e-6) => {
  expect(a[0]).toBeCloseTo(b[0], -Math.log10(eps));
  expect(a[1]).toBeCloseTo(b[1], -Math.log10(eps));
};

/** A flat template (white, opaque everywhere) with anchors on a 100x80 rectangle-ish outline. */
function flatTemplate(): MaskTemplate {
  const width = 100, height = 80;
  return {
    name: 'flat', family: 'flat', view: 'front', file: 'flat.png', width, height,
    rgba: new Uint8Array(width * height * 4).fill(255),
    anchors: { a: [0, 10], b: [50, 0], c: [100, 10], d: [0, 60], e: [50, 80], f: [100, 60] },
  };
}

function grey(width: number, height: number, v = 100): RgbFrame {
  return { data: new Uint8Array(width * height * 3).fill(v), width, height };
}

describe('synthetic masks: geometry', () => {
  it("draws a placement's jitter the same way for every placement by default; a below-the-nose top range moves only that placement's top", () => {
    const draw = (placement: 'worn' | 'below_nose' | 'on_chin', range?: readonly [number, number]) => randomPlacementJitter(rng(7), placement, range);
    expect(draw('below_nose')).toEqual(draw('worn'));
    expect(draw('on_chin')).toEqual(draw('worn'));
    const reach = draw('below_nose', [-0.2, 0.12]);
    const { top, ...rest } = draw('worn', [-0.2, 0.12]);
    expect(reach).toEqual({ ...rest, top: expect.any(Number) });
    expect(top).toBe(draw('worn').top);
    // The same uniform draw mapped onto the wider range: -0.2 + 0.32 r instead of -0.12 + 0.24 r.
    const r = (top + 0.12) / 0.24;
    expect(reach.top).toBeCloseTo(-0.2 + 0.32 * r, 12);
    for (let seed = 0; seed < 200; seed++) {
      const t = randomPlacementJitter(rng(seed), 'below_nose', [-0.2, 0.12]).top;
      expect(t).toBeGreaterThanOrEqual(-0.2);
      expect(t).toBeLessThanOrEqual(0.12);
    }
  });


  it('reads the face frame from known keypoints: axes, nose-to-mouth unit, ear offsets and turn', () => {
    const f = faceFrame(FRONTAL)!;
    close(f.u, [1, 0]);
    close(f.v, [0, 1]);
    expect(f.s).toBeCloseTo(20);
    expect(f.earLeft).toBeCloseTo(-50);
    expect(f.earRight).toBeCloseTo(50);
    expect(f.turn).toBeCloseTo(0.5);
    // Nose towards the image's left ear: turned, turn below 0.5.
    expect(faceFrame({ ...FRONTAL, nose: [70, 130] })!.turn).toBeCloseTo(0.2);
    // Missing keypoints or a degenerate face: no frame.
    const { nose: _n, ...noNose } = FRONTAL;
    expect(faceFrame(noNose)).toBeNull();
    expect(faceFrame({ ...FRONTAL, mouth: [100, 125] })).toBeNull();
  });

  it('rotates with the face: a face rolled 90 degrees gives anchors rolled the same way', () => {
    const rot = (p: [number, number]): [number, number] => [200 - p[1], p[0]];
    const rolled = Object.fromEntries(Object.entries(FRONTAL).map(([k, p]) => [k, rot(p)])) as Keypoints;
    const shape = templateShape(flatTemplate().anchors);
    const a = faceAnchors(faceFrame(FRONTAL)!, 'worn', shape);
    const b = faceAnchors(faceFrame(rolled)!, 'worn', shape);
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f'] as const) close(b[k], rot(a[k]), 1e-6);
  });

  it('places the edges by rule: worn covers the bridge to under the chin; below the nose starts under the nose tip; on the chin starts under the mouth', () => {
    const f = faceFrame(FRONTAL)!;
    const shape = templateShape(flatTemplate().anchors);
    const worn = faceAnchors(f, 'worn', shape);
    const below = faceAnchors(f, 'below_nose', shape);
    const chin = faceAnchors(f, 'on_chin', shape);
    // Bridge: 45% of the way from the eyes (y 100) to the nose tip (y 130).
    expect(worn.b[1]).toBeCloseTo(113.5);
    expect(worn.b[1]).toBeLessThan(FRONTAL.nose![1]);
    // Under the chin: the mouth plus 1.45 nose-to-mouth units.
    expect(worn.e[1]).toBeCloseTo(150 + 1.45 * 20);
    expect(below.b[1]).toBeGreaterThan(FRONTAL.nose![1]);
    expect(below.b[1]).toBeLessThan(FRONTAL.mouth![1]);
    expect(chin.b[1]).toBeGreaterThan(FRONTAL.mouth![1]);
    expect(chin.e[1]).toBeGreaterThan(worn.e[1]);
    // The top and bottom edges move; the centre line and the width stay.
    for (const p of [worn, below, chin]) {
      expect(p.b[0]).toBeCloseTo(100);
      expect(p.e[0]).toBeCloseTo(100);
      expect(p.c[0] - p.a[0]).toBeCloseTo(0.85 * 100);
    }
    // The corners keep the template's outline: top corners drop 10 / 80 of the height below b.
    expect(worn.a[1] - worn.b[1]).toBeCloseTo(0.125 * (worn.e[1] - worn.b[1]));
    expect(placementEdges(f, 'below_nose').top).toBeGreaterThan(0);
  });

  it('picks the template view whose turn matches the face', () => {
    const front = { name: 'front', anchors: { a: [0, 0], b: [50, 0], c: [100, 0] } as unknown as Anchors };
    const left = { name: 'left', anchors: { a: [0, 0], b: [20, 0], c: [100, 0] } as unknown as Anchors };
    const right = { name: 'right', anchors: { a: [0, 0], b: [80, 0], c: [100, 0] } as unknown as Anchors };
    expect(pickView([front, left, right], 0.5).name).toBe('front');
    expect(pickView([front, left, right], 0.15).name).toBe('left');
    expect(pickView([front, left, right], 0.9).name).toBe('right');
  });

  it('fits a homography that maps the corners exactly, and its inverse maps them back', () => {
    const from: Point[] = [[0, 0], [100, 0], [100, 80], [0, 80]];
    const to: Point[] = [[10, 20], [90, 15], [110, 100], [5, 90]];
    const h = fitHomography(from, to);
    from.forEach((p, i) => close(applyHomography(h, p), to[i]!, 1e-6));
    const inv = invertHomography(h);
    to.forEach((p, i) => close(applyHomography(inv, p), from[i]!, 1e-6));
    // Six consistent points (all from one perspective map) are fitted exactly too.
    const six: Point[] = [[0, 10], [50, 0], [100, 10], [0, 60], [50, 80], [100, 60]];
    const h6 = fitHomography(six, six.map((p) => applyHomography(h, p)));
    six.forEach((p) => close(applyHomography(h6, p), applyHomography(h, p), 1e-6));
    expect(() => fitHomography(from.slice(0, 3), to.slice(0, 3))).toThrow(/4 or more/);
  });

  it('paints the template inside the warped outline and leaves the rest of the frame alone', () => {
    const frame = grey(200, 200);
    const t = flatTemplate();
    const h = templateToFrame(t, { a: [50, 60], b: [100, 50], c: [150, 60], d: [50, 110], e: [100, 130], f: [150, 110] });
    const painted = paintTemplate(frame, t, h, { gain: 1, cast: [1, 1, 1], shading: 0, feather: 0, blur: 0, noise: 0 }, rng(1));
    const at = (x: number, y: number) => frame.data[(y * 200 + x) * 3]!;
    expect(at(100, 90)).toBeGreaterThan(240); // inside: the white template
    expect(at(10, 10)).toBe(100); // outside: untouched
    expect(at(100, 150)).toBe(100);
    expect(painted.coverage).toBeGreaterThan(0.5);
    const [x1, y1, x2, y2] = painted.region;
    expect(x1).toBeLessThanOrEqual(50);
    expect(x2).toBeGreaterThanOrEqual(150);
    expect(y1).toBeLessThanOrEqual(50);
    expect(y2).toBeGreaterThanOrEqual(130);
  });

  it('recolours the template with a tint and keeps its texture: folds stay darker or lighter in the new colour', () => {
    const t = flatTemplate();
    // Left half of the template at luminance 200, right half at 100: its mean is 150.
    for (let y = 0; y < t.height; y++) for (let x = 0; x < t.width; x++) t.rgba.fill(x < 50 ? 200 : 100, (y * t.width + x) * 4, (y * t.width + x) * 4 + 3);
    const frame = grey(200, 200);
    const h = templateToFrame(t, { a: [50, 60], b: [100, 50], c: [150, 60], d: [50, 110], e: [100, 130], f: [150, 110] });
    paintTemplate(frame, t, h, { gain: 1, cast: [1, 1, 1], shading: 0, feather: 0, blur: 0, noise: 0, tint: [180, 120, 60] }, rng(1));
    const px = (x: number, y: number) => [0, 1, 2].map((c) => frame.data[(y * 200 + x) * 3 + c]!);
    const light = px(70, 90), dark = px(130, 90);
    // The tint's hue (r > g > b, in its proportions) on both halves, and the halves in the template's 2:1.
    for (const p of [light, dark]) {
      expect(p[0]! / p[2]!).toBeCloseTo(3, 1);
      expect(p[1]! / p[2]!).toBeCloseTo(2, 1);
    }
    expect(light[0]! / dark[0]!).toBeCloseTo(2, 1);
    expect(light[0]).toBeCloseTo(180 * (200 / 150), -1);
    expect(px(10, 10)).toEqual([100, 100, 100]);
  });

  it('draws fabric tints by seed: about TINTED_SHARE of masks, many close to skin, the rest any hue', () => {
    const draw = (seed: number, n: number) => { const r = rng(seed); return Array.from({ length: n }, () => fabricTint(r)); };
    expect(draw(11, 50)).toEqual(draw(11, 50));
    const tints = draw(12, 4000);
    const tinted = tints.filter((t) => t !== undefined) as [number, number, number][];
    expect(tinted.length / tints.length).toBeGreaterThan(TINTED_SHARE - 0.04);
    expect(tinted.length / tints.length).toBeLessThan(TINTED_SHARE + 0.04);
    // Close to skin: red over green over blue, as skin, nude, beige and pink all are.
    const skinLike = tinted.filter(([r, g, b]) => r > g && g >= b * 0.75 && r - b > 20).length;
    expect(skinLike / tinted.length).toBeGreaterThan(0.5);
    expect(tinted.every((t) => t.every((v) => v >= 0 && v <= 255))).toBe(true);
    expect(new Set(tinted.map(([r, g, b]) => (r > g && r > b ? 'r' : g > b ? 'g' : 'b'))).size).toBe(3);
  });

  it('converts HSV to RGB at known points', () => {
    expect(hsvToRgb(0, 1, 1)).toEqual([255, 0, 0]);
    expect(hsvToRgb(120, 1, 1)).toEqual([0, 255, 0]);
    expect(hsvToRgb(240, 1, 0.5)).toEqual([0, 0, 128]);
    expect(hsvToRgb(77, 0, 0.4)).toEqual([102, 102, 102]);
    expect(hsvToRgb(30, 0.5, 1)).toEqual([255, 191, 128]);
  });

  it('parses masks.cfg and names the line of every problem', () => {
    const ok = parseMasksCfg('[m]\ntemplate: templates/m.png\nmask_a: 1, 2\nmask_b: 3,4\nmask_c: 5, 6\nmask_d: 7, 8\nmask_e: 9, 10\nmask_f: 11, 12\n[m_left]\ntemplate: templates/m_left.png\nmask_a: 1, 2\nmask_b: 3,4\nmask_c: 5, 6\nmask_d: 7, 8\nmask_e: 9, 10\nmask_f: 11, 12\n');
    expect(ok.map((e) => [e.name, e.family, e.view, e.file])).toEqual([['m', 'm', 'front', 'm.png'], ['m_left', 'm', 'left', 'm_left.png']]);
    expect(ok[0]!.anchors.f).toEqual([11, 12]);
    expect(() => parseMasksCfg('[m]\ntemplate: templates/m.png\nmask_a: 1; 2\n', 'x.cfg')).toThrow(/x\.cfg:3: \[m\] mask_a: expected x, y[\s\S]*x\.cfg:1: \[m\]: expected anchors mask_a\.\.mask_f, missing mask_a, mask_b/);
  });
});

withTemplates('synthetic masks on the shared templates', () => {
  let templates: MaskTemplate[];
  beforeAll(async () => {
    templates = await loadMaskTemplates(TEMPLATES);
  });

  it('loads the 18 templates in 6 families with front, left and right views whose turns are ordered', () => {
    expect(templates).toHaveLength(18);
    expect(new Set(templates.map((t) => t.family)).size).toBe(6);
    for (const fam of new Set(templates.map((t) => t.family))) {
      const views = templates.filter((t) => t.family === fam);
      const turn = (v: string) => { const a = views.find((t) => t.view === v)!.anchors; return (a.b[0] - a.a[0]) / (a.c[0] - a.a[0]); };
      expect(turn('left')).toBeLessThan(turn('front'));
      expect(turn('front')).toBeLessThan(turn('right'));
    }
  });

  it('is deterministic by seed: the same seed paints the same pixels, another seed does not', () => {
    const face = (seed: number) => {
      const frame = grey(200, 200, 150);
      maskFace(frame, FRONTAL, 'below_nose', templates.filter((t) => t.family === 'surgical_blue'), rng(seed));
      return frame.data;
    };
    expect(Buffer.from(face(7)).equals(Buffer.from(face(7)))).toBe(true);
    expect(Buffer.from(face(7)).equals(Buffer.from(face(8)))).toBe(false);
  });

  it('masks the unmasked faces of a photo only, relabels them by placement, and cycles placements over variants', () => {
    const ann = { filename: 'x.jpg', width: 400, height: 200, objects: [
      { label: 'no_mask' as const, box: [55, 85, 145, 185] as [number, number, number, number], difficult: false },
      { label: 'mask' as const, box: [255, 85, 345, 185] as [number, number, number, number], difficult: false },
    ] };
    const cands = [{ box: [55, 85, 145, 185] as [number, number, number, number], score: 0.9, keypoints: FRONTAL }];
    const labels = [0, 1, 2, 3].map((v) => {
      const s = synthesizePhoto(grey(400, 200, 150), ann, cands, templates, v, rng(3));
      expect(s.synthetic).toEqual([0]);
      expect(s.annotation.objects[1]!.label).toBe('mask');
      // The masked face's pixels changed; the labelled mask face's did not.
      expect(s.frame.data[(170 * 400 + 100) * 3]).not.toBe(150);
      expect(s.frame.data[(170 * 400 + 300) * 3]).toBe(150);
      return [s.masked[0]!.placement, s.annotation.objects[0]!.label];
    });
    expect(labels).toEqual([['worn', 'mask'], ['below_nose', 'incorrect'], ['worn', 'mask'], ['on_chin', 'incorrect']]);
  });

  it('pastes a loose mask clear of the faces, or reports that there is no room', () => {
    const frame = grey(400, 300, 120);
    const face: [number, number, number, number] = [20, 20, 120, 140];
    const m = pasteLooseMask(frame, [face], templates, 60, rng(5))!;
    expect(m).not.toBeNull();
    const overlaps = m.box[0] < face[2] && face[0] < m.box[2] && m.box[1] < face[3] && face[1] < m.box[3];
    expect(overlaps).toBe(false);
    expect(m.box[2] - m.box[0]).toBeGreaterThan(40);
    expect(pasteLooseMask(grey(100, 100), [[0, 0, 100, 100]], templates, 60, rng(5))).toBeNull();
  });
});
