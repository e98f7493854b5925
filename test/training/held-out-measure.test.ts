/** @jest-environment ./test/env/onnx-environment.js */
import { heldOutSummary } from '../../src/training/train';

describe("the training's held-out measure", () => {
  it('counts incorrect faces read incorrect and mask, unmasked read mask, masked read anything else', () => {
    // Classes: mask 0, no_mask 1, incorrect 2, not_face 3.
    const line = heldOutSummary([
      { cls: 2, p: [0.1, 0.1, 0.7, 0.1] },
      { cls: 2, p: [0.6, 0.1, 0.2, 0.1] },
      { cls: 1, p: [0.5, 0.4, 0.05, 0.05] },
      { cls: 0, p: [0.2, 0.1, 0.1, 0.6] },
      { cls: 0, p: [0.9, 0.05, 0.03, 0.02] },
    ]);
    expect(line).toContain('incorrect read incorrect 1/2, read mask 1/2');
    expect(line).toContain('no_mask read mask 1/1');
    expect(line).toContain('mask read not mask 1/2 (no_mask 0, incorrect 0, not_face 1)');
    // p(incorrect) ranks the two incorrect faces 1st and 2nd of five.
    expect(line).toContain('AP_incorrect 1.000');
  });
});
