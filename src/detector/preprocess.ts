import type { InputSpec } from './manifest';
import type { Box, RgbFrame } from './types';

/**
 * Frame -> network input. Coordinates are continuous (pixel i covers [i, i+1)), so boxes map between
 * frame and input with one scale and offset per axis and no half-pixel fudge.
 */

/** Input coordinates = frame coordinates * scale + offset, per axis. */
export interface InputTransform {
  sx: number;
  sy: number;
  ox: number;
  oy: number;
}

export function inputTransform(frameW: number, frameH: number, spec: Pick<InputSpec, 'width' | 'height' | 'resize'>): InputTransform {
  if (spec.resize === 'stretch') return { sx: spec.width / frameW, sy: spec.height / frameH, ox: 0, oy: 0 };
  const s = Math.min(spec.width / frameW, spec.height / frameH);
  return { sx: s, sy: s, ox: (spec.width - frameW * s) / 2, oy: (spec.height - frameH * s) / 2 };
}

/** Maps a box from network input pixels back to frame pixels. */
export function boxToFrame(b: Box, t: InputTransform): Box {
  return [(b[0] - t.ox) / t.sx, (b[1] - t.oy) / t.sy, (b[2] - t.ox) / t.sx, (b[3] - t.oy) / t.sy];
}

export function pointToFrame(p: [number, number], t: InputTransform): [number, number] {
  return [(p[0] - t.ox) / t.sx, (p[1] - t.oy) / t.sy];
}

/** A square, possibly rotated, region of the frame: what one classifier crop sees. */
export interface CropRegion {
  cx: number;
  cy: number;
  side: number;
  /** Radians; the crop's x axis points along (cos, sin) in the frame. */
  angle: number;
}

/** Where a point given as fractions (u, v) of a crop lies in the frame. */
export function cropToFrame(c: CropRegion, u: number, v: number): [number, number] {
  const dx = (u - 0.5) * c.side;
  const dy = (v - 0.5) * c.side;
  const cos = Math.cos(c.angle);
  const sin = Math.sin(c.angle);
  return [c.cx + cos * dx - sin * dy, c.cy + sin * dx + cos * dy];
}

/** Frame point (U, V) = (a*X + b*Y + c, d*X + e*Y + f) for output point (X, Y), both continuous. */
interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

export function checkFrame(frame: RgbFrame): string | null {
  if (!Number.isInteger(frame.width) || !Number.isInteger(frame.height) || frame.width < 1 || frame.height < 1) {
    return `expected a positive integer frame size, got ${frame.width}x${frame.height}`;
  }
  const want = frame.width * frame.height * 3;
  if (frame.data.length !== want) return `expected ${want} bytes of RGB for ${frame.width}x${frame.height}, got ${frame.data.length}`;
  return null;
}

export function tensorSize(spec: Pick<InputSpec, 'width' | 'height'>): number {
  return spec.width * spec.height * 3;
}

export function inputDims(spec: Pick<InputSpec, 'width' | 'height' | 'layout'>, batch: number): number[] {
  return spec.layout === 'NCHW' ? [batch, 3, spec.height, spec.width] : [batch, spec.height, spec.width, 3];
}

/** Writes the whole frame, resized per `spec`, into batch slot `slot` of `out`. */
export function frameToInput(frame: RgbFrame, spec: InputSpec, out: Float32Array, slot = 0): InputTransform {
  const t = inputTransform(frame.width, frame.height, spec);
  sample(frame, { a: 1 / t.sx, b: 0, c: -t.ox / t.sx, d: 0, e: 1 / t.sy, f: -t.oy / t.sy }, spec, out, slot);
  return t;
}

/** Writes one crop region, resampled to the input size, into batch slot `slot` of `out`. */
export function cropToInput(frame: RgbFrame, crop: CropRegion, spec: InputSpec, out: Float32Array, slot: number): void {
  const cos = Math.cos(crop.angle);
  const sin = Math.sin(crop.angle);
  const kx = crop.side / spec.width;
  const ky = crop.side / spec.height;
  // U = cx + cos*(X*kx - side/2) - sin*(Y*ky - side/2), and likewise for V.
  const h = crop.side / 2;
  sample(
    frame,
    { a: cos * kx, b: -sin * ky, c: crop.cx - cos * h + sin * h, d: sin * kx, e: cos * ky, f: crop.cy - sin * h - cos * h },
    spec,
    out,
    slot,
  );
}

/**
 * Mirrors batch slot `slot` left to right in place (each row reversed, in either layout): the tensor a
 * network's own flip (a reversed slice along the width axis) would see.
 */
export function mirrorSlot(spec: InputSpec, data: Float32Array, slot: number): void {
  const w = writer(spec, slot);
  const planes = w.px === 1 ? 3 : 1;
  const plane = spec.width * spec.height;
  const ch = w.px;
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < w.H; y++) {
      const row = w.base + c * plane + y * w.row;
      for (let x = 0; x < w.W >> 1; x++) {
        const a = row + x * ch;
        const b = row + (w.W - 1 - x) * ch;
        for (let k = 0; k < ch; k++) {
          const t = data[a + k]!;
          data[a + k] = data[b + k]!;
          data[b + k] = t;
        }
      }
    }
  }
}

/** Per-channel writer: normalisation, colour order and layout folded into offsets and factors. */
interface Writer {
  /** Where this batch slot starts in the output. */
  base: number;
  W: number;
  H: number;
  /** Output steps per pixel and per row (NHWC: 3 and 3W; NCHW: 1 and W). */
  px: number;
  row: number;
  /** Destination offset (channel plane or interleaved slot), multiplier and addend for source r, g, b. */
  o: [number, number, number];
  mul: [number, number, number];
  add: [number, number, number];
}

function writer(spec: InputSpec, slot: number): Writer {
  const d: [number, number, number] = spec.colour === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const std = (c: number) => spec.normalize.std[d[c]!]!;
  const mean = (c: number) => spec.normalize.mean[d[c]!]!;
  const chw = spec.layout === 'NCHW';
  const plane = spec.width * spec.height;
  return {
    base: slot * plane * 3,
    W: spec.width,
    H: spec.height,
    px: chw ? 1 : 3,
    row: chw ? spec.width : spec.width * 3,
    o: chw ? [d[0] * plane, d[1] * plane, d[2] * plane] : d,
    mul: [1 / std(0), 1 / std(1), 1 / std(2)],
    // `|| 0`: a zero mean must give +0, not -0, for pixels outside the frame.
    add: [-mean(0) / std(0) || 0, -mean(1) / std(1) || 0, -mean(2) / std(2) || 0],
  };
}

function put(w: Writer, out: Float32Array, x: number, y: number, r: number, g: number, b: number): void {
  const p = w.base + y * w.row + x * w.px;
  out[p + w.o[0]] = r * w.mul[0] + w.add[0];
  out[p + w.o[1]] = g * w.mul[1] + w.add[1];
  out[p + w.o[2]] = b * w.mul[2] + w.add[2];
}

/**
 * Bilinear taps along one axis for output cells 0..n-1 where source = k * (i + 0.5) + c. Positions inside
 * the source clamp to its edge pixels; outside it (-1 in `i0`) they take pixel value 0.
 */
function taps(n: number, k: number, c: number, size: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const P = k * (i + 0.5) + c;
    if (P < 0 || P > size) {
      i0[i] = -1;
      continue;
    }
    // Pixel-index coordinate: pixel j's centre is at j + 0.5.
    const p = Math.min(Math.max(P - 0.5, 0), size - 1);
    const j = Math.floor(p);
    i0[i] = j;
    i1[i] = Math.min(j + 1, size - 1);
    f[i] = p - j;
  }
  return { i0, i1, f };
}

/**
 * Resampling with normalisation, colour order and layout in one pass: a straight copy when sizes match,
 * separable bilinear taps for resizes and letterboxes, a per-pixel affine map for rotated crops.
 */
function sample(frame: RgbFrame, m: Affine, spec: InputSpec, out: Float32Array, slot: number): void {
  const w = writer(spec, slot);
  const { W, H } = w;
  const fw = frame.width;
  const fh = frame.height;
  const src = frame.data;
  if (m.b === 0 && m.d === 0) {
    if (m.a === 1 && m.e === 1 && m.c === 0 && m.f === 0 && fw === W && fh === H) {
      for (let y = 0, i = 0; y < H; y++) for (let x = 0; x < W; x++, i += 3) put(w, out, x, y, src[i]!, src[i + 1]!, src[i + 2]!);
      return;
    }
    const tx = taps(W, m.a, m.c, fw);
    const ty = taps(H, m.e, m.f, fh);
    // The hot loop of every frame (a 512x288 letterbox is 147k pixels): put() inlined, the writer's
    // offsets and factors in plain locals.
    const { px, row } = w;
    const [o0, o1, o2] = w.o;
    const [m0, m1, m2] = w.mul;
    const [a0, a1, a2] = w.add;
    for (let y = 0; y < H; y++) {
      const v0 = ty.i0[y]!;
      let p = w.base + y * row;
      if (v0 < 0) {
        for (let x = 0; x < W; x++, p += px) {
          out[p + o0] = a0;
          out[p + o1] = a1;
          out[p + o2] = a2;
        }
        continue;
      }
      const r0 = v0 * fw * 3;
      const r1 = ty.i1[y]! * fw * 3;
      const dv = ty.f[y]!;
      for (let x = 0; x < W; x++, p += px) {
        const u0 = tx.i0[x]!;
        if (u0 < 0) {
          out[p + o0] = a0;
          out[p + o1] = a1;
          out[p + o2] = a2;
          continue;
        }
        const c0 = u0 * 3;
        const c1 = tx.i1[x]! * 3;
        const du = tx.f[x]!;
        const w00 = (1 - du) * (1 - dv), w01 = du * (1 - dv), w10 = (1 - du) * dv, w11 = du * dv;
        const a = r0 + c0, b = r0 + c1, c = r1 + c0, d = r1 + c1;
        out[p + o0] = (src[a]! * w00 + src[b]! * w01 + src[c]! * w10 + src[d]! * w11) * m0 + a0;
        out[p + o1] = (src[a + 1]! * w00 + src[b + 1]! * w01 + src[c + 1]! * w10 + src[d + 1]! * w11) * m1 + a1;
        out[p + o2] = (src[a + 2]! * w00 + src[b + 2]! * w01 + src[c + 2]! * w10 + src[d + 2]! * w11) * m2 + a2;
      }
    }
    return;
  }
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const X = x + 0.5;
      const Y = y + 0.5;
      const U = m.a * X + m.b * Y + m.c;
      const V = m.d * X + m.e * Y + m.f;
      if (U < 0 || U > fw || V < 0 || V > fh) {
        put(w, out, x, y, 0, 0, 0);
        continue;
      }
      const u = Math.min(Math.max(U - 0.5, 0), fw - 1);
      const v = Math.min(Math.max(V - 0.5, 0), fh - 1);
      const u0 = Math.floor(u);
      const v0 = Math.floor(v);
      const u1 = Math.min(u0 + 1, fw - 1);
      const v1 = Math.min(v0 + 1, fh - 1);
      const du = u - u0;
      const dv = v - v0;
      const w00 = (1 - du) * (1 - dv), w01 = du * (1 - dv), w10 = (1 - du) * dv, w11 = du * dv;
      const a = (v0 * fw + u0) * 3, b = (v0 * fw + u1) * 3, c = (v1 * fw + u0) * 3, d = (v1 * fw + u1) * 3;
      put(
        w,
        out,
        x,
        y,
        src[a]! * w00 + src[b]! * w01 + src[c]! * w10 + src[d]! * w11,
        src[a + 1]! * w00 + src[b + 1]! * w01 + src[c + 1]! * w10 + src[d + 1]! * w11,
        src[a + 2]! * w00 + src[b + 2]! * w01 + src[c + 2]! * w10 + src[d + 2]! * w11,
      );
    }
  }
}
