/**
 * How far a face is turned from the camera, read from the face detector's keypoints: the nose's distance
 * to the side of the line from between the eyes to the mouth, in eye distances. 0 is face-on; a turned
 * head moves the nose tip (which stands in front of the eyes) sideways while the eyes draw together, so the
 * ratio grows with the turn and passes 1 near profile. Unsigned: left and right are the same to the gate.
 *
 * Null when the keypoints are missing (a model without them) or degenerate (the eyes on one point, the
 * mouth on the eyes): then nothing is known about the turn.
 */
export function faceTurn(keypoints: Readonly<Record<string, readonly [number, number]>> | undefined): number | null {
  const re = keypoints?.right_eye;
  const le = keypoints?.left_eye;
  const nose = keypoints?.nose;
  const mouth = keypoints?.mouth;
  if (!re || !le || !nose || !mouth) return null;
  const eyeDist = Math.hypot(le[0] - re[0], le[1] - re[1]);
  const mx = (re[0] + le[0]) / 2;
  const my = (re[1] + le[1]) / 2;
  const ax = mouth[0] - mx;
  const ay = mouth[1] - my;
  const axis = Math.hypot(ax, ay);
  // Under a pixel apart the geometry is noise (a face of a few pixels), not a pose.
  if (!(eyeDist >= 1) || !(axis >= 1)) return null;
  const side = Math.abs((nose[0] - mx) * ay - (nose[1] - my) * ax) / axis;
  return side / eyeDist;
}
