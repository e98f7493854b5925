import { loadConfig } from '../../src/config/load';
import { defaultDecideMinFacePx } from '../../src/config/sections/gate';
import { gateSettingsFromConfig } from '../../src/gate/settings';
import { problemsOf } from './problems';

describe('gate.decideMinFacePx', () => {
  test('derived from the paper set-up: frameWidth * 0.16 / (2 * 2 * tan 30 deg)', () => {
    // 2 m away a 60-degree lens sees 2.309 m across; a 16 cm face is 6.93% of the width.
    expect(defaultDecideMinFacePx(640)).toBe(44);
    expect(defaultDecideMinFacePx(960)).toBe(67);
    expect(defaultDecideMinFacePx(1280)).toBe(89);
    expect(defaultDecideMinFacePx(1920)).toBe(133);
  });

  test('"auto" (the default) follows camera.width; a number is taken as given', () => {
    expect(loadConfig({ env: {} }).gate.decideMinFacePx).toBe(44);
    expect(loadConfig({ env: {}, text: 'camera: { width: 960, height: 544 }' }).gate.decideMinFacePx).toBe(67);
    expect(loadConfig({ env: {}, text: 'gate: { decideMinFacePx: auto }\ncamera: { width: 1280, height: 720 }' }).gate.decideMinFacePx).toBe(89);
    expect(loadConfig({ env: {}, text: 'gate: { decideMinFacePx: 30 }' }).gate.decideMinFacePx).toBe(30);
    expect(loadConfig({ env: { MASK_GATE__GATE__DECIDE_MIN_FACE_PX: '52' } }).gate.decideMinFacePx).toBe(52);
  });

  test('anything else is refused with what is allowed', () => {
    expect(problemsOf('gate:\n  decideMinFacePx: far\n')).toEqual(['gate.decideMinFacePx: expected "auto" or a whole number of pixels from 1 to 4320, got "far" (site.yaml:2)']);
    expect(problemsOf('gate:\n  decideMinFacePx: 0\n')).toEqual(['gate.decideMinFacePx: expected a number >= 1, got 0 (site.yaml:2)']);
    expect(problemsOf('gate:\n  decideMinFacePx: 400\n')).toEqual(['gate.decideMinFacePx: expected at most camera.height (360), got 400 (site.yaml:2)']);
    expect(problemsOf('gate:\n  decideMinFacePx: 40.5\n')).toEqual(['gate.decideMinFacePx: expected "auto" or a whole number of pixels from 1 to 4320, got 40.5 (site.yaml:2)']);
  });
});

describe('gate.stationaryAfterMs and gate.ignoreZones', () => {
  test('defaults: 10 s, a tenth of the face height, no ignore zones', () => {
    const g = loadConfig({ env: {} }).gate;
    expect(g.stationaryAfterMs).toBe(10_000);
    expect(g.stationaryTolerance).toBe(0.1);
    expect(g.ignoreZones).toEqual([]);
  });

  test('an ignore zone is a named or unnamed polygon of at least three points, as fractions of the frame', () => {
    const g = loadConfig({ env: {}, text: 'gate:\n  ignoreZones:\n    - { name: poster, points: [[0.7, 0.1], [0.9, 0.1], [0.9, 0.4], [0.7, 0.4]] }\n    - points: [[0, 0], [0.1, 0], [0, 0.1]]\n' }).gate;
    expect(g.ignoreZones).toEqual([
      { name: 'poster', points: [[0.7, 0.1], [0.9, 0.1], [0.9, 0.4], [0.7, 0.4]] },
      { points: [[0, 0], [0.1, 0], [0, 0.1]] },
    ]);
  });

  test('every problem in an ignore zone is listed with its path', () => {
    const text = ['gate:', '  stationaryAfterMs: -1', '  ignoreZones:', '    - { points: [[0, 0], [1, 0]] }', '    - { points: [[0, 0], [1.5, 0], [0, 1]], colour: red }', '    - { points: [[0, 0], [0.5, 0.5], [1, 1]] }', ''].join('\n');
    expect(problemsOf(text)).toEqual([
      'gate.stationaryAfterMs: expected a number >= 0, got -1 (site.yaml:2)',
      'gate.ignoreZones[0].points: expected a list with length >= 3, got a list of 2 (site.yaml:4)',
      'gate.ignoreZones[1].points[1][0]: expected a number <= 1, got 1.5 (site.yaml:5)',
      'gate.ignoreZones[1].colour: expected no such key (known: name, points), got unknown key "colour" (site.yaml:5)',
      'gate.ignoreZones[2].points: expected a polygon with an area, got points on one line (site.yaml:6)',
    ]);
  });
});

describe('gate.clearAfterAlert', () => {
  test('defaults: 30 frames of mask in a row, 3 s after the alert, a 0.2 shrink restarts the run; passed to the statechart', () => {
    const c = loadConfig({ env: {} });
    expect(c.gate.clearAfterAlert).toEqual({ maskFrames: 30, minMs: 3000, shrinkTolerance: 0.2 });
    expect(gateSettingsFromConfig(c).clearAfterAlert).toEqual({ maskFrames: 30, minMs: 3000, shrinkTolerance: 0.2 });
    expect(loadConfig({ env: {}, text: 'gate:\n  clearAfterAlert: { maskFrames: 45, minMs: 5000 }\n' }).gate.clearAfterAlert).toEqual({ maskFrames: 45, minMs: 5000, shrinkTolerance: 0.2 });
  });

  test('fewer frames than a full evidence window, unknown keys and bad values are refused, each with its path', () => {
    const text = ['gate:', '  evidence: { windowFrames: 12, agreeFrames: 7 }', '  clearAfterAlert:', '    maskFrames: 10', '    minMs: soon', '    shrinkTolerance: 0.9', '    frames: 3', ''].join('\n');
    expect(problemsOf(text)).toEqual([
      'gate.clearAfterAlert.minMs: expected a number, got "soon" (site.yaml:5)',
      'gate.clearAfterAlert.shrinkTolerance: expected a number <= 0.5, got 0.9 (site.yaml:6)',
      'gate.clearAfterAlert.frames: expected no such key (known: maskFrames, minMs, shrinkTolerance), got unknown key "frames" (site.yaml:7)',
    ]);
    expect(problemsOf('gate:\n  evidence: { windowFrames: 12, agreeFrames: 7 }\n  clearAfterAlert: { maskFrames: 10 }\n')).toEqual([
      'gate.clearAfterAlert.maskFrames: expected at least evidence.windowFrames (12), got 10 (site.yaml:3)',
    ]);
  });
});

describe('gate.undecidedPromptMs and gate.undecidedStaffMs', () => {
  test('defaults: asked after 4 s, staff after 20 s; passed to the statechart; null never notifies staff', () => {
    const c = loadConfig({ env: {} });
    expect([c.gate.undecidedPromptMs, c.gate.undecidedStaffMs]).toEqual([4000, 20_000]);
    expect(gateSettingsFromConfig(c)).toMatchObject({ undecidedPromptMs: 4000, undecidedStaffMs: 20_000 });
    const never = loadConfig({ env: {}, text: 'gate:\n  undecidedPromptMs: 6000\n  undecidedStaffMs: null\n' });
    expect(gateSettingsFromConfig(never)).toMatchObject({ undecidedPromptMs: 6000, undecidedStaffMs: null });
    expect(loadConfig({ env: { MASK_GATE__GATE__UNDECIDED_STAFF_MS: 'null' } }).gate.undecidedStaffMs).toBeNull();
  });

  test('bad values are refused, each with its path', () => {
    expect(problemsOf('gate:\n  undecidedPromptMs: 500\n  undecidedStaffMs: soon\n')).toEqual([
      'gate.undecidedPromptMs: expected a number >= 1000, got 500 (site.yaml:2)',
      'gate.undecidedStaffMs: expected a number, got "soon" (site.yaml:3)',
    ]);
    expect(problemsOf('gate:\n  undecidedPromptMs: 4000.5\n')).toEqual(['gate.undecidedPromptMs: expected an integer, got 4000.5 (site.yaml:2)']);
  });

  test('staff must come after the prompt: undecidedStaffMs <= undecidedPromptMs is refused (0 is not "never": null is)', () => {
    expect(problemsOf('gate:\n  undecidedStaffMs: 4000\n')).toEqual(['gate.undecidedStaffMs: expected more than gate.undecidedPromptMs (4000), or null for never, got 4000 (site.yaml:2)']);
    expect(problemsOf('gate:\n  undecidedStaffMs: 0\n')).toEqual(['gate.undecidedStaffMs: expected more than gate.undecidedPromptMs (4000), or null for never, got 0 (site.yaml:2)']);
    // The default staff time under a longer prompt time: the problem names the value in force.
    expect(problemsOf('gate:\n  undecidedPromptMs: 30000\n')).toEqual(['gate.undecidedStaffMs: expected more than gate.undecidedPromptMs (30000), or null for never, got 20000 (site.yaml:1)']);
    expect(loadConfig({ env: {}, text: 'gate:\n  undecidedPromptMs: 30000\n  undecidedStaffMs: 30001\n' }).gate.undecidedStaffMs).toBe(30_001);
  });
});
