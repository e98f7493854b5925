import { dbscan } from '../../src/detector/dbscan';

const line = (xs: number[]) => (i: number, j: number) => Math.abs(xs[i]! - xs[j]!);

test('two dense groups become two clusters; an isolated point is noise', () => {
  const xs = [0, 1, 2, 10, 11, 30];
  expect(Array.from(dbscan(xs.length, line(xs), [1, 1, 1, 1, 1, 1], 1.5, 2))).toEqual([0, 0, 0, 1, 1, -1]);
});

test('the neighbourhood includes distance exactly eps (scikit-learn uses <=)', () => {
  expect(Array.from(dbscan(2, line([0, 1]), [1, 1], 1, 2))).toEqual([0, 0]);
  expect(Array.from(dbscan(2, line([0, 1]), [1, 1], 0.999, 2))).toEqual([-1, -1]);
});

test('min_samples is a weight sum, as TAO uses it: coverage 0.03 + 0.03 is core at 0.05, 0.02 + 0.02 is not', () => {
  expect(Array.from(dbscan(2, line([0, 1]), [0.03, 0.03], 1.5, 0.05))).toEqual([0, 0]);
  expect(Array.from(dbscan(2, line([0, 1]), [0.02, 0.02], 1.5, 0.05))).toEqual([-1, -1]);
  // One heavy sample is a cluster on its own.
  expect(Array.from(dbscan(1, line([0]), [0.3], 0.3, 0.05))).toEqual([0]);
});

test('a border sample reachable from two clusters joins the one found first in index order', () => {
  // C (1.2) has neighbours B (0.3) and D (2.1) only: 3 < 4, so it is a border point of both clusters.
  const left = [0, 0.1, 0.2, 0.3];
  const right = [2.1, 2.2, 2.3, 2.4];
  const ones = new Array(9).fill(1);
  expect(Array.from(dbscan(9, line([...left, 1.2, ...right]), ones, 0.95, 4))).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
  expect(Array.from(dbscan(9, line([...right, 1.2, ...left]), ones, 0.95, 4))).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
  // C links both groups, yet as a border point it does not merge them.
});

test('no samples, no labels', () => {
  expect(dbscan(0, () => 0, [], 0.3, 0.05)).toHaveLength(0);
});
