import type { FaceCandidate } from '../../src/detector/decoders/face-detectors';
import { ClassifyMemory } from '../../src/detector/reclassify';
import type { Box, Detection } from '../../src/detector/types';

const face = (box: Box): FaceCandidate => ({ box, score: 0.9 });
const read = (box: Box, label: Detection['label'] = 'mask'): Detection => ({ box, label, score: 0.9, scores: { [label]: 0.9 }, faceScore: 0.9 });

/** One frame through the memory: carried readings as planned, the others "classified" as `label` with a box 2 px inside the face box. */
function frame(m: ClassifyMemory, boxes: Box[], settled: Box[], label: Detection['label'] = 'mask'): Detection[] {
  const faces = boxes.map(face);
  const plan = m.plan(faces, settled);
  const out = faces.map((f, i) => plan[i] ?? read([f.box[0] + 2, f.box[1] + 2, f.box[2] - 2, f.box[3] - 2], label));
  m.remember(faces, out);
  return out;
}

test('a settled face that stays put is read every everyFrames frames; the frames between carry its reading, moved with the face', () => {
  const m = new ClassifyMemory({ everyFrames: 3, maxChange: 0.1 });
  const first = frame(m, [[100, 100, 150, 160]], []);
  expect(first[0]!.carried).toBeUndefined();
  const settled = [first[0]!.box];
  const carried: boolean[] = [];
  let last = first[0]!;
  let lastRead = first[0]!;
  for (let i = 1; i <= 6; i++) {
    // The face drifts 1 px a frame: well inside maxChange of a 60 px face. Each real reading alternates.
    const d = frame(m, [[100 + i, 100, 150 + i, 160]], [last.box], i % 2 ? 'no_mask' : 'mask')[0]!;
    carried.push(d.carried === true);
    if (!d.carried) lastRead = d;
    else {
      // The last real reading, not a new one.
      expect(d.label).toBe(lastRead.label);
      expect(d.scores).toEqual(lastRead.scores);
      // The reading's box (2 px inside the face box when read) follows the face box.
      expect(d.box).toEqual([102 + i, 102, 148 + i, 158]);
    }
    last = d;
  }
  // Read at 0, carried at 1 and 2, read at 3, carried at 4 and 5, read at 6.
  expect(carried).toEqual([true, true, false, true, true, false]);
  expect(settled).toHaveLength(1);
});

test('faces the gate has not settled, or that moved or changed size past maxChange, are read every frame', () => {
  const m = new ClassifyMemory({ everyFrames: 5, maxChange: 0.1 });
  const a = frame(m, [[100, 100, 150, 160]], [])[0]!;
  // Not settled: read.
  expect(frame(m, [[100, 100, 150, 160]], [])[0]!.carried).toBeUndefined();
  // Settled, moved 10 px (1/6 of the 60 px height): read.
  expect(frame(m, [[110, 100, 160, 160]], [a.box])[0]!.carried).toBeUndefined();
  // Settled, grown by 20%: read.
  const grown = frame(m, [[105, 100, 160, 172]], [[112, 102, 158, 158]])[0]!;
  expect(grown.carried).toBeUndefined();
  // Settled and still: carried.
  expect(frame(m, [[105, 100, 160, 172]], [grown.box])[0]!.carried).toBe(true);
});

test('a settled box only settles the face under it; a face that appears beside it is read', () => {
  const m = new ClassifyMemory({ everyFrames: 3, maxChange: 0.1 });
  const [a] = frame(m, [[100, 100, 150, 160]], []);
  const out = frame(m, [[100, 100, 150, 160], [300, 100, 350, 160]], [a!.box], 'no_mask');
  expect(out.map((d) => d.carried === true)).toEqual([true, false]);
  expect(out[1]!.label).toBe('no_mask');
});

test('everyFrames 1 carries nothing', () => {
  const m = new ClassifyMemory({ everyFrames: 1, maxChange: 1 });
  const [a] = frame(m, [[100, 100, 150, 160]], []);
  expect(frame(m, [[100, 100, 150, 160]], [a!.box])[0]!.carried).toBeUndefined();
});

test('a face the classifier dropped (not a face) is not remembered, so it is read again', () => {
  const m = new ClassifyMemory({ everyFrames: 3, maxChange: 0.1 });
  const faces = [face([100, 100, 150, 160])];
  m.plan(faces, []);
  m.remember(faces, [null]);
  expect(m.plan(faces, [[102, 102, 148, 158]])).toEqual([null]);
});
