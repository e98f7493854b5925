/**
 * Painting a warped mask template into an RGB frame, so that it looks like part of the photo:
 * - minified through a box-filtered pyramid, then sampled bilinearly (no aliasing at 20-40 px faces)
 * - shaded by the face's own low-frequency light, with the face's brightness and colour cast
 * - a soft alpha edge, a little blur and sensor noise at the face's resolution
 * The caller's JPEG round trip of the whole photo does the rest.
 */
import type { RgbFrame } from '../../detector/types';
import { gauss } from '../random';
import { applyHomography, fitHomography, invertHomography, type Homography } from './homography';
import { ANCHOR_NAMES, type Anchors, type MaskTemplate, type Point } from './templates';

/** One pyramid level: RGBA as floats, colour premultiplied by alpha (so edges average without dark fringes). */
interface Level {
  width: number;
  height: number;
  px: Float32Array;
  scale: number;
}

const lum = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

const pyramids = new WeakMap<MaskTemplate, Level[]>();
const meanLums = new WeakMap<MaskTemplate, number>();

/** The template's mean luminance over its opaque part (alpha-weighted), what a tint's texture is relative to. */
function meanLum(t: MaskTemplate): number {
  const cached = meanLums.get(t);
  if (cached !== undefined) return cached;
  let sum = 0, wsum = 0;
  for (let i = 0; i < t.width * t.height; i++) {
    const a = t.rgba[i * 4 + 3]! / 255;
    sum += a * lum(t.rgba[i * 4]!, t.rgba[i * 4 + 1]!, t.rgba[i * 4 + 2]!);
    wsum += a;
  }
  const m = Math.max(wsum > 0 ? sum / wsum : 128, 8);
  meanLums.set(t, m);
  return m;
}

function pyramid(t: MaskTemplate): Level[] {
  const cached = pyramids.get(t);
  if (cached) return cached;
  const px = new Float32Array(t.width * t.height * 4);
  for (let i = 0; i < t.width * t.height; i++) {
    const a = t.rgba[i * 4 + 3]! / 255;
    px[i * 4] = t.rgba[i * 4]! * a;
    px[i * 4 + 1] = t.rgba[i * 4 + 1]! * a;
    px[i * 4 + 2] = t.rgba[i * 4 + 2]! * a;
    px[i * 4 + 3] = a;
  }
  const levels: Level[] = [{ width: t.width, height: t.height, px, scale: 1 }];
  for (let l = levels[0]!; l.width >= 8 && l.height >= 8; l = levels[levels.length - 1]!) {
    const w = l.width >> 1, h = l.height >> 1;
    const out = new Float32Array(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 4; c++) {
          const i = (2 * y * l.width + 2 * x) * 4 + c;
          out[(y * w + x) * 4 + c] = (l.px[i]! + l.px[i + 4]! + l.px[i + l.width * 4]! + l.px[i + l.width * 4 + 4]!) / 4;
        }
      }
    }
    levels.push({ width: w, height: h, px: out, scale: l.scale / 2 });
  }
  pyramids.set(t, levels);
  return levels;
}

/** Bilinear sample of a level at (x, y) in its pixels; outside is transparent. */
function sample(l: Level, x: number, y: number, out: Float32Array): void {
  out.fill(0);
  const x0 = Math.floor(x - 0.5), y0 = Math.floor(y - 0.5);
  const fx = x - 0.5 - x0, fy = y - 0.5 - y0;
  for (let dy = 0; dy < 2; dy++) {
    const yy = y0 + dy;
    if (yy < 0 || yy >= l.height) continue;
    for (let dx = 0; dx < 2; dx++) {
      const xx = x0 + dx;
      if (xx < 0 || xx >= l.width) continue;
      const w = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy);
      const i = (yy * l.width + xx) * 4;
      for (let c = 0; c < 4; c++) out[c]! += w * l.px[i + c]!;
    }
  }
}

/** The homography from template pixels to frame pixels that puts its anchors on `to`. */
export function templateToFrame(t: { anchors: Anchors }, to: Anchors): Homography {
  return fitHomography(
    ANCHOR_NAMES.map((n) => t.anchors[n]),
    ANCHOR_NAMES.map((n) => to[n]),
  );
}

export interface Look {
  /** Overall brightness gain on the template's colours. */
  gain: number;
  /** Per-channel multipliers (colour cast of the light). */
  cast: [number, number, number];
  /** Strength of the face's own shading carried onto the mask, 0..1. */
  shading: number;
  /** Alpha feather, in passes of a 3x3 box filter. */
  feather: number;
  /** [1,2,1] blur passes on the painted layer. */
  blur: number;
  /** Sensor noise, standard deviation in 0..255 units. */
  noise: number;
  /**
   * A fabric colour that replaces the template's own (0..255 RGB, as lit by white light), keeping the
   * template's texture: each pixel's luminance relative to the template's mean. Absent: the template's colour.
   */
  tint?: [number, number, number];
}

export interface Painted {
  /** The painted region's bounding box in the frame, pixels [x1, y1, x2, y2). */
  region: [number, number, number, number];
  /** Mean alpha coverage inside the region (0 when nothing landed in the frame). */
  coverage: number;
}

function boxBlur(a: Float32Array, w: number, h: number, channels: number, passes: number, kernel: '121' | 'box'): void {
  const tmp = new Float32Array(a.length);
  const k = kernel === '121' ? [0.25, 0.5, 0.25] : [1 / 3, 1 / 3, 1 / 3];
  for (let p = 0; p < passes; p++) {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < channels; c++) {
      const l = Math.max(x - 1, 0), r = Math.min(x + 1, w - 1);
      tmp[(y * w + x) * channels + c] = k[0]! * a[(y * w + l) * channels + c]! + k[1]! * a[(y * w + x) * channels + c]! + k[2]! * a[(y * w + r) * channels + c]!;
    }
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < channels; c++) {
      const u = Math.max(y - 1, 0), d = Math.min(y + 1, h - 1);
      a[(y * w + x) * channels + c] = k[0]! * tmp[(u * w + x) * channels + c]! + k[1]! * tmp[(y * w + x) * channels + c]! + k[2]! * tmp[(d * w + x) * channels + c]!;
    }
  }
}

/**
 * Paints template `t`, warped by `h` (template pixels -> frame pixels), into `frame` in place.
 * `rand` draws the noise. Returns where it painted.
 */
export function paintTemplate(frame: RgbFrame, t: MaskTemplate, h: Homography, look: Look, rand: () => number): Painted {
  const corners: Point[] = [[0, 0], [t.width, 0], [0, t.height], [t.width, t.height]].map((p) => applyHomography(h, p as Point));
  const x1 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[0])) - 2));
  const y1 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[1])) - 2));
  const x2 = Math.min(frame.width, Math.ceil(Math.max(...corners.map((p) => p[0])) + 2));
  const y2 = Math.min(frame.height, Math.ceil(Math.max(...corners.map((p) => p[1])) + 2));
  const w = x2 - x1, hh = y2 - y1;
  if (w <= 0 || hh <= 0) return { region: [x1, y1, Math.max(x1, x2), Math.max(y1, y2)], coverage: 0 };
  // The pyramid level whose pixels are about as big as the frame's where the template lands.
  const warpedWidth = Math.hypot(corners[1]![0] - corners[0]![0], corners[1]![1] - corners[0]![1]);
  const levels = pyramid(t);
  let level = levels[0]!;
  for (const l of levels) if (t.width * l.scale >= warpedWidth) level = l;
  const inv = invertHomography(h);
  const layer = new Float32Array(w * hh * 4);
  const px = new Float32Array(4);
  for (let y = 0; y < hh; y++) {
    for (let x = 0; x < w; x++) {
      const [tx, ty] = applyHomography(inv, [x1 + x + 0.5, y1 + y + 0.5]);
      sample(level, tx * level.scale, ty * level.scale, px);
      layer.set(px, (y * w + x) * 4);
    }
  }
  if (look.feather > 0) boxBlur(layer, w, hh, 4, look.feather, 'box');
  if (look.blur > 0) boxBlur(layer, w, hh, 4, look.blur, '121');
  // The face's own light under the mask: luminance blurred hard, relative to its alpha-weighted mean.
  const shade = new Float32Array(w * hh);
  let sum = 0, wsum = 0;
  for (let y = 0; y < hh; y++) for (let x = 0; x < w; x++) {
    const o = ((y1 + y) * frame.width + x1 + x) * 3;
    const l = lum(frame.data[o]!, frame.data[o + 1]!, frame.data[o + 2]!);
    shade[y * w + x] = l;
    const a = layer[(y * w + x) * 4 + 3]!;
    sum += a * l;
    wsum += a;
  }
  if (wsum < 1e-6) return { region: [x1, y1, x2, y2], coverage: 0 };
  const passes = Math.max(2, Math.round(Math.min(w, hh) / 6));
  boxBlur(shade, w, hh, 1, passes, 'box');
  const mean = sum / wsum;
  const tint = look.tint, tintScale = tint ? 1 / meanLum(t) : 0;
  const rgb = [0, 0, 0];
  for (let y = 0; y < hh; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4;
    const a = layer[i + 3]!;
    if (a <= 1e-4) continue;
    const s = 1 + look.shading * (Math.min(1.6, Math.max(0.4, shade[y * w + x]! / Math.max(mean, 1))) - 1);
    const n = look.noise * gauss(rand);
    const o = ((y1 + y) * frame.width + x1 + x) * 3;
    for (let c = 0; c < 3; c++) rgb[c] = layer[i + c]! / a;
    if (tint) {
      // Folds and seams stay where the template has them, darker or lighter than its mean, in the new colour.
      const rel = Math.min(1.6, lum(rgb[0]!, rgb[1]!, rgb[2]!) * tintScale);
      for (let c = 0; c < 3; c++) rgb[c] = tint[c]! * rel;
    }
    for (let c = 0; c < 3; c++) {
      const colour = rgb[c]! * look.gain * look.cast[c]! * s + n;
      const v = frame.data[o + c]! * (1 - a) + Math.min(255, Math.max(0, colour)) * a;
      frame.data[o + c] = Math.round(v);
    }
  }
  return { region: [x1, y1, x2, y2], coverage: wsum / (w * hh) };
}

/**
 * The look that matches a face: the mean colour of the frame over `region` (the face's middle) sets the
 * brightness (a white mask in a dim photo is grey) and the colour cast (relative to typical skin).
 */
export function lookForFace(frame: RgbFrame, region: [number, number, number, number], rand: () => number): Look {
  const [x1, y1, x2, y2] = region.map((v, i) => Math.round(Math.min(Math.max(v, 0), i % 2 ? frame.height : frame.width))) as [number, number, number, number];
  const m = [0, 0, 0];
  let n = 0;
  for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) {
    const o = (y * frame.width + x) * 3;
    for (let c = 0; c < 3; c++) m[c]! += frame.data[o + c]!;
    n++;
  }
  const mean = n ? m.map((v) => v / n) : [150, 120, 100];
  const l = Math.max(lum(mean[0]!, mean[1]!, mean[2]!), 1);
  // Typical lit skin has about these channel / luminance ratios; what a face departs from them is the light's cast.
  const skin = [1.2, 0.95, 0.8];
  const cast = mean.map((v, c) => Math.min(1.15, Math.max(0.85, v / l / skin[c]!))) as [number, number, number];
  const u = (lo: number, hi: number) => lo + (hi - lo) * rand();
  const height = y2 - y1;
  return {
    // Skin reflects about 60% of what a white mask does under the same light.
    gain: Math.min(1.1, Math.max(0.35, (l / 150) * u(0.85, 1.1))),
    cast,
    shading: u(0.5, 0.9),
    feather: height > 60 ? 2 : 1,
    blur: rand() < 0.5 ? 1 : 0,
    noise: u(1, 4),
  };
}
