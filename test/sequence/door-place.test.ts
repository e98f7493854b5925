import { doorPlacement } from '../../src/sequence/door-place';

const frame = { width: 640, height: 360 };

describe('sequence make: where a photo stands at the door', () => {
  it('leaves a photo whose face already reaches decision size as it is', () => {
    // A 400x400 photo fits 342 px high; its 100 px face becomes 86 px.
    expect(doorPlacement([[150, 100, 250, 200]], { width: 400, height: 400 }, frame, 44, 66)).toEqual({ facePx: 85.5 });
  });

  it('crops around the labelled faces and scales the tallest to the target when the whole photo leaves it too small', () => {
    // A 1000x1000 crowd photo with a 40 px face: whole, it would be 13.7 px.
    const r = doorPlacement([[480, 300, 520, 340]], { width: 1000, height: 1000 }, frame, 44, 66);
    expect(r.place!.crop).toEqual([440, 268, 560, 440]);
    expect(r.place!.faceAtDoorPx).toBe(66);
    expect(r.facePx).toBe(66);
  });

  it('reaches only what the crop allows when the faces are far apart, and says so', () => {
    const r = doorPlacement([[0, 0, 20, 20], [980, 0, 1000, 20]], { width: 1000, height: 1000 }, frame, 44, 66);
    expect(r.facePx).toBeLessThan(44);
    expect(r.place!.faceAtDoorPx).toBeCloseTo(r.facePx, 0);
  });
});
