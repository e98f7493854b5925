import { decodeFaces, faceNms, faceOutputDims, regressorWidth, squeezeLast, type FaceCandidate } from './decoders/face-detectors';
import { DetectorError } from './errors';
import type { FaceDecoder, FaceTiles, TwoStageDecoder } from './manifest';
import type { Scored } from './nms';
import { InputPool } from './input-pool';
import { frameToInput, inputDims, tensorSize } from './preprocess';
import type { InferenceSession } from './runtime';
import { checkOutputDims, fmtDims } from './shape-check';
import type { RgbFrame } from './types';

/** An integer pixel rectangle of the frame: x, y, width, height. */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * The regions the face detector runs on: the whole frame (when asked, or when there are no tiles), then
 * a grid x grid of tiles, each 1 / (grid - (grid-1)*overlap) of the frame per axis, evenly spaced so
 * that the outer ones touch the frame's edges.
 */
export function tileRegions(width: number, height: number, tiles: FaceTiles | undefined): Region[] {
  const out: Region[] = [];
  if (!tiles || tiles.wholeFrame || tiles.grid === 1) out.push({ x: 0, y: 0, w: width, h: height });
  if (!tiles || tiles.grid === 1) return out;
  const g = tiles.grid;
  const axis = (size: number): [number, number][] => {
    const t = Math.min(size, Math.round(size / (g - (g - 1) * tiles.overlap)));
    const step = g > 1 ? (size - t) / (g - 1) : 0;
    return Array.from({ length: g }, (_, i) => [Math.round(i * step), t]);
  };
  for (const [y, h] of axis(height)) for (const [x, w] of axis(width)) out.push({ x, y, w, h });
  return out;
}

/** Copies one region of a frame into a frame of its own. */
export function subFrame(frame: RgbFrame, r: Region): RgbFrame {
  if (r.x === 0 && r.y === 0 && r.w === frame.width && r.h === frame.height) return frame;
  const data = new Uint8Array(r.w * r.h * 3);
  for (let y = 0; y < r.h; y++) {
    const from = ((r.y + y) * frame.width + r.x) * 3;
    data.set(frame.data.subarray(from, from + r.w * 3), y * r.w * 3);
  }
  return { data, width: r.w, height: r.h };
}

/**
 * The first stage of `two_stage`: the face detector over the whole frame and/or tiles, decoded and
 * merged in frame pixels. Training builds its crops through this same function.
 */
export interface FaceStage {
  detect(frame: RgbFrame): Promise<FaceCandidate[]>;
}

export function createFaceStage(session: InferenceSession, face: TwoStageDecoder['face'], modelId: string, floor?: number, batch = 1): FaceStage {
  const fd = face.decoder;
  const dims = inputDims(face.input, batch);
  const inputs = new InputPool(batch * tensorSize(face.input));

  async function runRegion(frame: RgbFrame, r: Region): Promise<FaceCandidate[]> {
    const sub = subFrame(frame, r);
    const { t, out } = await inputs.with(async (input) => {
      const t = frameToInput(sub, face.input, input);
      return { t, out: await session.run({ [face.input.name]: { data: input, dims } }) };
    });
    const boxes = out[fd.outputs.boxes];
    const scores = out[fd.outputs.scores];
    const want = faceOutputDims(fd, face.input, boxes);
    checkOutputDims(fd.outputs.boxes, boxes?.dims, want.boxes, modelId, 'decoder.face.decoder.outputs.boxes');
    checkOutputDims(fd.outputs.scores, scores && squeezeLast(scores.dims), want.scores, modelId, 'decoder.face.decoder.outputs.scores');
    if (boxes!.dims[2]! < regressorWidth(fd)) {
      throw new DetectorError('output-shape', modelId, `expected output ${fd.outputs.boxes} to hold at least ${regressorWidth(fd)} values per anchor (box + keypoints), got ${fmtDims(boxes!.dims)}`, 'decoder.face.decoder.keypoints');
    }
    // Boxes clipped to nothing (anchors over a letterbox bar) are no faces.
    const faces = decodeFaces(fd, boxes!, scores!, face.input, t, sub, floor).filter((f) => f.box[2] - f.box[0] >= 1 && f.box[3] - f.box[1] >= 1);
    if (r.x === 0 && r.y === 0) return faces;
    return faces.map((f) => {
      const moved: FaceCandidate = { box: [f.box[0] + r.x, f.box[1] + r.y, f.box[2] + r.x, f.box[3] + r.y], score: f.score };
      if (f.keypoints) moved.keypoints = Object.fromEntries(Object.entries(f.keypoints).map(([k, p]) => [k, [p[0] + r.x, p[1] + r.y] as [number, number]]));
      return moved;
    });
  }

  return {
    async detect(frame) {
      const regions = tileRegions(frame.width, frame.height, face.tiles);
      if (regions.length === 1) return runRegion(frame, regions[0]!);
      const all: FaceCandidate[] = [];
      for (const r of regions) all.push(...(await runRegion(frame, r)));
      return mergeFaces(all, fd);
    },
  };
}

/** Merges the faces of overlapping runs with the decoder's own NMS, keypoints carried along. */
export function mergeFaces(faces: FaceCandidate[], dec: FaceDecoder): FaceCandidate[] {
  const names = Object.keys(faces.find((f) => f.keypoints)?.keypoints ?? {});
  const scored: Scored[] = faces.map((f) => {
    const s: Scored = { box: f.box, score: f.score };
    if (names.length && f.keypoints) s.points = names.map((n) => f.keypoints![n] ?? [0, 0]);
    return s;
  });
  return faceNms(dec, scored).map((k) => {
    const f: FaceCandidate = { box: k.box, score: k.score };
    if (names.length && k.points) f.keypoints = Object.fromEntries(names.map((n, i) => [n, k.points![i]!]));
    return f;
  });
}
