import { readFileSync } from 'node:fs';
import path from 'node:path';
import { benchPeople } from '../../src/bench/bench-sequence';
import { defaultDecideMinFacePx } from '../../src/config/sections/gate';
import { parseVoc } from '../../src/eval/voc-read';
import { cutOut, type SubjectRules } from '../../src/sequence/door-subjects';
import { START_SCALE } from '../../src/sequence/doorway-plan';
import type { VocAnnotation } from '../../src/eval/voc-read';
import { requireDataset, ROOT } from '../fixtures/camera-media';

const rules: SubjectRules = { frameWidth: 640, frameHeight: 360, decideMinFacePx: 44, minPhotoFacePx: 30, seed: 1 };
const ann = (objects: [string, number, number, number, number][]): VocAnnotation => ({
  filename: 'x.jpg',
  width: 400,
  height: 300,
  objects: objects.map(([label, ...box]) => ({ label: label as 'mask', box: box as [number, number, number, number], difficult: false })),
});
const overlaps = (a: readonly number[], b: readonly number[]) => a[0]! < b[2]! && b[0]! < a[2]! && a[1]! < b[3]! && b[1]! < a[3]!;

describe('cutting people out of a photo', () => {
  it('cuts a head and shoulders around one face, trimmed to leave a neighbour out, and sizes it over decision size', () => {
    const a = ann([
      ['mask', 150, 80, 190, 130],
      ['no_mask', 215, 90, 250, 135], // close on the right
    ]);
    const s = cutOut(a, [0], rules, 0.5)!;
    expect(s.kind).toBe('masked');
    expect(s.expected).toEqual({ outcome: 'cleared' });
    expect(overlaps(s.place.crop, a.objects[1]!.box)).toBe(false);
    expect(s.place.crop[2]).toBeLessThanOrEqual(215);
    expect(s.place.crop[0]).toBeLessThan(150 - 10); // room on the free side
    expect(s.place.crop[3]).toBeGreaterThan(130 + 40); // shoulders
    expect(s.place.faceAtDoorPx).toBeGreaterThanOrEqual(1.45 * 44);
    expect(s.place.faceAtDoorPx).toBeLessThanOrEqual(2.2 * 44);
  });

  it('refuses a face under the photo size, a face overlapping another, and a group of unlike sizes', () => {
    expect(cutOut(ann([['mask', 100, 100, 125, 125]]), [0], rules, 0.5)).toBeNull();
    expect(cutOut(ann([['incorrect', 100, 100, 140, 150], ['mask', 130, 140, 170, 190]]), [0], rules, 0.5)).toBeNull();
    expect(cutOut(ann([['mask', 100, 100, 140, 150], ['mask', 150, 100, 175, 130]]), [0, 1], rules, 0.5)).toBeNull();
  });

  it('a group of two side by side: expected outcome from both labels, both faces well over decision size at the door', () => {
    const s = cutOut(ann([['mask', 100, 100, 140, 150], ['no_mask', 150, 104, 188, 150]]), [0, 1], rules, 0)!;
    expect(s.kind).toBe('group2');
    expect(s.expected).toEqual({ outcome: 'alert', reason: 'no_mask' });
    expect((s.place.faceAtDoorPx * 46) / 50).toBeGreaterThanOrEqual(1.25 * 44);
  });
});

describe("the bench's people (shared data set)", () => {
  it('at least 40 from the validation split: every large enough incorrect-mask face that can be cut out, groups of two and three, all walking up from under decision size to 60 px and more', async () => {
    const dataset = requireDataset();
    const split = new Set(readFileSync(path.join(ROOT, 'models/mask-two-stage/split/val.txt'), 'utf8').split('\n').filter(Boolean));
    const people = await benchPeople(dataset, 640, 360, split);
    const decide = defaultDecideMinFacePx(640);
    expect(people.length).toBeGreaterThanOrEqual(40);
    for (const p of people) {
      expect(split.has(path.basename(p.image, '.jpg'))).toBe(true);
      expect(p.place.faceAtDoorPx).toBeGreaterThanOrEqual(60);
      expect(p.place.faceAtDoorPx * START_SCALE).toBeLessThan(decide);
    }
    expect(people.filter((p) => p.kind === 'group2').length).toBeGreaterThanOrEqual(4);
    expect(people.filter((p) => p.kind === 'group3').length).toBeGreaterThanOrEqual(2);
    // Every incorrect-mask face of 30 px or more is in, alone or in a group, unless it overlaps another face's box.
    const covered = new Set(people.flatMap((p) => p.faces.filter((f) => f.label === 'incorrect').map((f) => `${path.basename(p.image)}:${f.box.join(',')}`)));
    const missing: string[] = [];
    for (const name of split) {
      const file = path.join(dataset, 'annotations', `${name}.xml`);
      const a = parseVoc(readFileSync(file, 'utf8'), file);
      for (const o of a.objects) {
        if (o.label !== 'incorrect' || o.box[3] - o.box[1] < 30) continue;
        const key = `${a.filename}:${o.box.join(',')}`;
        const crowded = a.objects.some((x) => x !== o && overlaps(x.box, o.box));
        if (!covered.has(key) && !crowded) missing.push(key);
      }
    }
    // maksssksksss176: a labelled face 4 px above it leaves no room for a head (see door-subjects.ts).
    expect(missing).toEqual(['maksssksksss176.jpg:237,86,277,135']);
    expect(covered.size).toBeGreaterThanOrEqual(11);
  });
});
