import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openCamera } from '../../src/camera/open';
import { sequenceCommand } from '../../src/cli/sequence';
import { CameraSection } from '../../src/config/sections/camera';
import { parseVoc } from '../../src/eval/voc-read';
import { memoryLogger } from '../../src/log';
import { pickDoorwayCases, type DatasetCase } from '../../src/sequence/dataset-cases';
import { loadSequence } from '../../src/sequence/read';
import { requireDataset, tempDir } from '../fixtures/camera-media';

// Sequences are built here from the real photos, at test time, in a temp dir; the images never enter the repo.
const DATA = requireDataset();
const tmp = tempDir('dataset');
afterAll(() => tmp.cleanup());

function quiet<T>(fn: () => Promise<T>): Promise<{ result: T; out: string }> {
  const out: string[] = [];
  const a = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const b = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  return fn()
    .then((result) => ({ result, out: out.join('') }))
    .finally(() => {
      a.mockRestore();
      b.mockRestore();
    });
}

describe('the face-mask data set', () => {
  it('parses every annotation, the one with stray text included, with the README counts', () => {
    const dir = path.join(DATA, 'annotations');
    const anns = readdirSync(dir).map((f) => parseVoc(readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f)));
    const counts: Record<string, number> = {};
    for (const a of anns) for (const o of a.objects) counts[o.label] = (counts[o.label] ?? 0) + 1;
    expect(anns).toHaveLength(853);
    expect(counts).toEqual({ mask: 3232, no_mask: 717, incorrect: 123 });
    const quirk = anns.find((a) => a.filename === 'maksssksksss0.jpg')!;
    expect(quirk.objects[0]).toMatchObject({ label: 'no_mask', box: [79, 105, 109, 142] });
    expect(quirk.objects[1]).toMatchObject({ label: 'mask', box: [185, 100, 226, 144] });
  });

  it('picks masked, unmasked, incorrect and multi-person doorway subjects, with the outcomes their labels call for', async () => {
    const cases = await pickDoorwayCases(DATA, { masked: 2, unmasked: 2, incorrect: 1, multi: 2 });
    expect(cases.map((c) => c.kind)).toEqual(['masked', 'masked', 'unmasked', 'unmasked', 'incorrect', 'multi', 'multi']);
    const by = (k: string) => cases.filter((c) => c.kind === k);
    for (const c of by('masked')) expect(c.expected).toEqual({ outcome: 'cleared' });
    for (const c of by('unmasked')) expect(c.expected).toEqual({ outcome: 'alert', reason: 'no_mask' });
    expect(by('incorrect')[0]!.expected).toEqual({ outcome: 'alert', reason: 'incorrect' });
    const [withUnmasked, allMasked] = by('multi');
    expect(withUnmasked!.faces.length).toBeGreaterThan(1);
    expect(withUnmasked!.faces.some((f) => f.label === 'no_mask') && withUnmasked!.faces.some((f) => f.label !== 'no_mask')).toBe(true);
    expect(withUnmasked!.expected).toEqual({ outcome: 'alert', reason: 'no_mask' });
    expect(allMasked!.faces.every((f) => f.label === 'mask')).toBe(true);
    expect(allMasked!.expected).toEqual({ outcome: 'cleared' });
  });

  it('picks only from the images asked for (the bench takes a validation split), and says when too few suit', async () => {
    const val = new Set(readFileSync(path.join(__dirname, '../../models/mask-two-stage/split/val.txt'), 'utf8').split('\n').filter(Boolean));
    const cases = await pickDoorwayCases(DATA, { masked: 4, unmasked: 3, incorrect: 2, multi: 3 }, val);
    expect(cases).toHaveLength(12);
    for (const c of cases) expect(val.has(path.basename(c.image, path.extname(c.image)))).toBe(true);
    await expect(pickDoorwayCases(DATA, { incorrect: 3 }, val)).rejects.toThrow(/expected 3 incorrect case\(s\), found 2 suitable among the 171 images asked for/);
  });

  it('fails with the path when the data set is not there', async () => {
    await expect(pickDoorwayCases('/nonexistent/face-mask', { masked: 1 })).rejects.toThrow('face-mask data set not found: /nonexistent/face-mask/annotations does not exist');
  });
});

describe('mask-gate sequence make, from the data set', () => {
  let cases: DatasetCase[];
  let out: string;
  const images = path.join(tmp.dir, 'images');
  const annotations = path.join(tmp.dir, 'annotations');

  beforeAll(async () => {
    cases = await pickDoorwayCases(DATA, { masked: 2, unmasked: 2, incorrect: 1, multi: 2 });
    mkdirSync(images);
    mkdirSync(annotations);
    // Numbered copies keep the people in this order (make takes a folder, sorted by name).
    cases.forEach((c, i) => {
      const base = path.basename(c.image, '.jpg');
      copyFileSync(c.image, path.join(images, `${i}-${base}.jpg`));
      copyFileSync(path.join(DATA, 'annotations', `${base}.xml`), path.join(annotations, `${i}-${base}.xml`));
    });
    out = path.join(tmp.dir, 'doorway');
    const { result, out: said } = await quiet(() =>
      sequenceCommand(['make', '--from-images', images, '--annotations', annotations, '--out', out, '--width', '256', '--height', '144', '--fps', '6', '--empty-ms', '2000'], { logger: memoryLogger() }),
    );
    if (result !== 0) throw new Error(`sequence make failed: ${said}`);
  }, 60_000);

  it('expects each person’s outcome from their labels, in order', async () => {
    const { sequence } = await loadSequence(out);
    expect(sequence.source).toMatchObject({ kind: 'synthesized', images: cases.map((c, i) => `${i}-${path.basename(c.image)}`) });
    expect(sequence.expectations!.outcomes.map((o) => ({ outcome: o.outcome, ...(o.reason ? { reason: o.reason } : {}) }))).toEqual(cases.map((c) => c.expected));
    expect(sequence.expectations!.outcomes.map((o) => o.subject!.faces)).toEqual(cases.map((c) => c.faces));
  });

  it('places every expectation where the frames show that person, with the stated tolerance', async () => {
    const { sequence } = await loadSequence(out);
    const timeline = sequence.source.timeline!;
    const tol = sequence.expectations!.tolerance_ms;
    expect(tol).toBeGreaterThanOrEqual(1000);
    sequence.expectations!.outcomes.forEach((o, i) => {
      const segs = timeline.filter((s) => s.kind !== 'empty' && s.image === sequence.source.images![i]);
      const approach = segs.find((s) => s.kind === 'approach')!;
      const hold = segs.find((s) => s.kind === 'hold')!;
      expect(o.earliest_ms).toBe(approach.from_ms); // not before the person appears
      expect(o.t_ms).toBe(hold.from_ms); // standing in front of the camera
      expect(o.latest_ms).toBe(hold.to_ms); // decided before they step aside
      expect(o.latest_ms - o.t_ms).toBe(tol);
      // Enough frames in the window for the gate's evidence (8 frames).
      expect(sequence.frames.filter((f) => f.t_ms >= o.t_ms && f.t_ms < o.latest_ms).length).toBeGreaterThan(8);
    });
    const empties = timeline.filter((s) => s.kind === 'empty');
    expect(empties).toHaveLength(cases.length + 1);
    for (const e of empties) expect(e.to_ms - e.from_ms).toBeGreaterThan(1500);
    expect(sequence.frames[sequence.frames.length - 1]!.t_ms).toBe(timeline[timeline.length - 1]!.to_ms);
  });

  it('checks clean and replays through frames:// frame for frame', async () => {
    const { result, out: said } = await quiet(() => sequenceCommand(['check', out]));
    expect(said).toMatch(/7 expected outcome\(s\)/);
    expect(result).toBe(0);
    const { sequence } = await loadSequence(out);
    const cam = await openCamera(CameraSection.parse({ source: `frames://${out}`, width: 256, height: 144, loop: false, paced: false }), { logger: memoryLogger() });
    await cam.start();
    let n = 0;
    for (let f = await cam.next(); f; f = await cam.next()) {
      expect(f.tMs).toBe(sequence.frames[n]!.t_ms);
      n++;
    }
    expect(n).toBe(sequence.frames.length);
  });

  it('says which annotation is missing', async () => {
    const lone = path.join(tmp.dir, 'lone');
    mkdirSync(lone);
    copyFileSync(cases[0]!.image, path.join(lone, 'someone.jpg'));
    const { result, out: said } = await quiet(() => sequenceCommand(['make', '--from-images', lone, '--annotations', annotations, '--out', path.join(tmp.dir, 'x')]));
    expect(result).toBe(1);
    expect(said).toContain(`no annotation for someone.jpg (expected ${annotations}/someone.xml)`);
  });
});
