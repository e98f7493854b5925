import type { Frame } from '../../src/camera/frame';
import type { Detection } from '../../src/detector/types';

/** n small frames, stepMs apart on the frame clock, seq from 1; then null (the source ended). */
export function frames(n: number, stepMs = 100): { next(): Promise<Frame | null> } {
  let i = 0;
  return {
    next: async () => (i < n ? { data: Buffer.alloc(64 * 36 * 3), width: 64, height: 36, tMs: stepMs * i, seq: ++i } : null),
  };
}

/** One confident face, inside the frames above. */
export const face = (label: 'mask' | 'no_mask'): Detection => ({
  box: [20, 5, 40, 25],
  label,
  score: 0.9,
  scores: { mask: label === 'mask' ? 0.9 : 0.05, no_mask: label === 'no_mask' ? 0.9 : 0.05, incorrect: 0.05 },
  faceScore: 0.95,
});
