/**
 * Photometric augmentation of one crop held as 0..255 floats, NHWC [size, size, 3], as paper §3.2 (hue,
 * saturation, contrast) plus brightness and blur. Geometric jitter and flips are applied to the crop
 * region and the box target by the caller.
 */
export interface ColourJitter {
  /** Hue rotation, radians. */
  hue: number;
  saturation: number;
  contrast: number;
  brightness: number;
  /** Passes of a [1, 2, 1] / 4 blur (0 = none). */
  blur: number;
}

/** `hue`: the largest hue turn, in radians (π: any hue). */
export function randomJitter(rand: () => number, hue = 0.35): ColourJitter {
  const u = (lo: number, hi: number) => lo + (hi - lo) * rand();
  return {
    hue: u(-hue, hue),
    saturation: u(0.6, 1.4),
    contrast: u(0.7, 1.3),
    brightness: u(-25, 25),
    blur: rand() < 0.3 ? 1 + Math.floor(rand() * 2) : 0,
  };
}

export function applyJitter(px: Float32Array, offset: number, size: number, j: ColourJitter): void {
  const n = size * size;
  // Hue: rotation about the grey axis in YIQ; saturation scales I and Q.
  const cos = Math.cos(j.hue) * j.saturation;
  const sin = Math.sin(j.hue) * j.saturation;
  let mean = 0;
  for (let p = 0; p < n; p++) {
    const o = offset + 3 * p;
    const r = px[o]!, g = px[o + 1]!, b = px[o + 2]!;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    const i0 = 0.596 * r - 0.274 * g - 0.322 * b;
    const q0 = 0.211 * r - 0.523 * g + 0.312 * b;
    const i = cos * i0 - sin * q0;
    const q = sin * i0 + cos * q0;
    px[o] = y + 0.956 * i + 0.621 * q;
    px[o + 1] = y - 0.272 * i - 0.647 * q;
    px[o + 2] = y - 1.106 * i + 1.703 * q;
    mean += y;
  }
  mean /= n;
  for (let p = 0; p < 3 * n; p++) {
    const v = (px[offset + p]! - mean) * j.contrast + mean + j.brightness;
    px[offset + p] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  for (let k = 0; k < j.blur; k++) blur121(px, offset, size);
}

function blur121(px: Float32Array, offset: number, size: number): void {
  const tmp = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const l = Math.max(x - 1, 0), r = Math.min(x + 1, size - 1);
      for (let c = 0; c < 3; c++) {
        tmp[(y * size + x) * 3 + c] = (px[offset + (y * size + l) * 3 + c]! + 2 * px[offset + (y * size + x) * 3 + c]! + px[offset + (y * size + r) * 3 + c]!) / 4;
      }
    }
  }
  for (let y = 0; y < size; y++) {
    const u = Math.max(y - 1, 0), d = Math.min(y + 1, size - 1);
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        px[offset + (y * size + x) * 3 + c] = (tmp[(u * size + x) * 3 + c]! + 2 * tmp[(y * size + x) * 3 + c]! + tmp[(d * size + x) * 3 + c]!) / 4;
      }
    }
  }
}

/**
 * A far face: the crop averaged down to `to` x `to` pixels, then stretched back (bilinear), as a face
 * that was `to` px high in the frame looks once cropped to the classifier's input. Crops come from the
 * photos at their own size, where a mask under the nose is rarely small; at the doorway it starts small.
 */
export function degradeResolution(px: Float32Array, offset: number, size: number, to: number): void {
  const small = new Float32Array(to * to * 3);
  for (let y = 0; y < to; y++) {
    const y0 = Math.floor((y * size) / to), y1 = Math.max(Math.ceil(((y + 1) * size) / to), y0 + 1);
    for (let x = 0; x < to; x++) {
      const x0 = Math.floor((x * size) / to), x1 = Math.max(Math.ceil(((x + 1) * size) / to), x0 + 1);
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let v = y0; v < y1; v++) for (let u = x0; u < x1; u++) sum += px[offset + (v * size + u) * 3 + c]!;
        small[(y * to + x) * 3 + c] = sum / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  for (let y = 0; y < size; y++) {
    const sy = Math.min(Math.max(((y + 0.5) * to) / size - 0.5, 0), to - 1);
    const ya = Math.floor(sy), yb = Math.min(ya + 1, to - 1), dy = sy - ya;
    for (let x = 0; x < size; x++) {
      const sx = Math.min(Math.max(((x + 0.5) * to) / size - 0.5, 0), to - 1);
      const xa = Math.floor(sx), xb = Math.min(xa + 1, to - 1), dx = sx - xa;
      for (let c = 0; c < 3; c++) {
        px[offset + (y * size + x) * 3 + c] =
          small[(ya * to + xa) * 3 + c]! * (1 - dx) * (1 - dy) + small[(ya * to + xb) * 3 + c]! * dx * (1 - dy) +
          small[(yb * to + xa) * 3 + c]! * (1 - dx) * dy + small[(yb * to + xb) * 3 + c]! * dx * dy;
      }
    }
  }
}
