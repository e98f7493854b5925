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

export function randomJitter(rand: () => number): ColourJitter {
  const u = (lo: number, hi: number) => lo + (hi - lo) * rand();
  return {
    hue: u(-0.35, 0.35),
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
