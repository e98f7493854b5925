import { compositeRgb, readPhotoRgb, renderSvgAlpha, renderSvgRgb, scaleCropRaw, type RawLayer } from '../image/sharp-io';
import { rng, type FramePlan } from './doorway-plan';

/**
 * Pixels for a synthesized doorway sequence: a generated corridor (the same scene for the whole sequence,
 * so empty frames really are empty), the photo of a person blended into it with soft edges, and per-frame
 * camera effects (motion blur, exposure, sensor noise).
 */
export interface Scene {
  width: number;
  height: number;
  /** Raw RGB of the empty corridor. */
  rgb: Buffer;
  /** Sensor noise, read at a different offset each frame. */
  noise: Int8Array;
}

export interface PersonLayer {
  /** Raw RGBA of the photo with feathered edges, at its own size. */
  rgba: Buffer;
  width: number;
  height: number;
  /** Size in the frame when standing in front of the camera (scale 1). */
  fullWidth: number;
  fullHeight: number;
}

const PALETTES = [
  { wall: '#c9c2b4', floor: '#6f6a63', ceiling: '#e4e1da', door: '#5b4a3a', trim: '#8d8576' },
  { wall: '#b9c4c9', floor: '#5d6266', ceiling: '#e6e9ea', door: '#3f4a55', trim: '#7b878d' },
  { wall: '#d6cdb8', floor: '#7a6650', ceiling: '#efe9dd', door: '#6b3f2a', trim: '#9c8c70' },
];

export async function makeScene(width: number, height: number, seed: number): Promise<Scene> {
  const rand = rng(seed ^ 0x5ce7e);
  const p = PALETTES[Math.floor(rand() * PALETTES.length)]!;
  const vx = width * (0.47 + rand() * 0.06);
  const vy = height * 0.4;
  const dw = width * 0.13;
  const dh = height * 0.2;
  const [l, r, t, b] = [vx - dw, vx + dw, vy - dh, vy + dh];
  const lights = [0.25, 0.5, 0.72]
    .map((k) => {
      // Ceiling lights along the corridor, smaller towards the far wall.
      const y = t * (1 - k);
      const half = (width / 2) * (1 - k) * 0.18 + dw * 0.2;
      return `<rect x="${vx - half}" y="${y}" width="${half * 2}" height="${Math.max(2, height * 0.02 * (1 - k))}" fill="#fffbea" opacity="0.9"/>`;
    })
    .join('');
  const tiles = Array.from({ length: 9 }, (_, i) => {
    const x = (width * i) / 8;
    return `<line x1="${x}" y1="${height}" x2="${l + ((r - l) * i) / 8}" y2="${b}" stroke="${p.trim}" stroke-width="1" opacity="0.35"/>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs>
    <linearGradient id="lw" x1="0" x2="1"><stop offset="0" stop-color="${p.wall}" stop-opacity="0.8"/><stop offset="1" stop-color="${p.wall}"/></linearGradient>
    <linearGradient id="rw" x1="1" x2="0"><stop offset="0" stop-color="${p.wall}" stop-opacity="0.7"/><stop offset="1" stop-color="${p.wall}"/></linearGradient>
    <linearGradient id="fl" y1="1" y2="0" x1="0" x2="0"><stop offset="0" stop-color="${p.floor}"/><stop offset="1" stop-color="${p.floor}" stop-opacity="0.75"/></linearGradient>
  </defs>
  <rect width="${width}" height="${height}" fill="#222"/>
  <polygon points="0,0 ${width},0 ${r},${t} ${l},${t}" fill="${p.ceiling}"/>
  <polygon points="0,${height} ${width},${height} ${r},${b} ${l},${b}" fill="url(#fl)"/>
  <polygon points="0,0 ${l},${t} ${l},${b} 0,${height}" fill="url(#lw)"/>
  <polygon points="${width},0 ${r},${t} ${r},${b} ${width},${height}" fill="url(#rw)"/>
  <rect x="${l}" y="${t}" width="${r - l}" height="${b - t}" fill="${p.wall}"/>
  <rect x="${vx - dw * 0.35}" y="${t + dh * 0.35}" width="${dw * 0.7}" height="${b - t - dh * 0.35}" fill="${p.door}"/>
  <polygon points="0,${height * 0.93} ${l},${b - 2} ${l},${b} 0,${height}" fill="${p.trim}"/>
  <polygon points="${width},${height * 0.93} ${r},${b - 2} ${r},${b} ${width},${height}" fill="${p.trim}"/>
  ${tiles}${lights}
</svg>`;
  const rgb = await renderSvgRgb(svg, 1.2);
  const noise = new Int8Array(width * height * 3 + 8192);
  const round = Math.round;
  for (let i = 0; i < noise.length; i++) noise[i] = round((rand() + rand() + rand() - 1.5) * 5);
  return { width, height, rgb, noise };
}

type Box = readonly [number, number, number, number];

/** Where a person comes from in the photo and how big they stand at the door. */
export interface Placement {
  /** Part of the photo to use (photo pixels x1 y1 x2 y2): one person or group out of a crowd. */
  crop?: Box;
  /** Height of the tallest labelled face at the door (scale 1), px; default: the photo as big as fits. */
  faceAtDoorPx?: number;
}

/** Paints still layers (a picture on the wall) into the corridor itself: in every frame, behind people. */
export async function paintOnScene(scene: Scene, layers: readonly RawLayer[]): Promise<void> {
  if (layers.length) scene.rgb = await compositeRgb({ data: scene.rgb, width: scene.width, height: scene.height }, layers);
}

/**
 * Loads a photo as a person layer. Its edges fade out so its own background blends into the corridor;
 * labelled faces (photo pixels) stay fully visible even near an edge, so the labels still hold.
 */
export async function loadPerson(
  image: Buffer | string,
  frameWidth: number,
  frameHeight: number,
  photoFaces: readonly Box[] = [],
  place: Placement = {},
): Promise<PersonLayer> {
  const photo = await readPhotoRgb(image);
  const [cx1, cy1, cx2, cy2] = place.crop ? cropInside(place.crop, photo.width, photo.height) : [0, 0, photo.width, photo.height];
  const { rgb, w, h } = place.crop ? cropRgb(photo, cx1, cy1, cx2, cy2) : { rgb: photo.data, w: photo.width, h: photo.height };
  const faces = photoFaces.map(([x1, y1, x2, y2]) => [x1 - cx1, y1 - cy1, x2 - cx1, y2 - cy1] as const);
  const m = Math.max(2, Math.round(Math.min(w, h) * 0.1));
  const keep = faces
    .map(([x1, y1, x2, y2]) => {
      const px = (x2 - x1) * 0.25;
      const py = (y2 - y1) * 0.25;
      return `<rect x="${x1 - px}" y="${y1 - py}" width="${x2 - x1 + 2 * px}" height="${y2 - y1 + 2 * py}" rx="${px}" fill="#fff" filter="url(#g)"/>`;
    })
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs>` +
      `<filter id="f" x="-20%" y="-20%" width="140%" height="140%"><feGaussianBlur stdDeviation="${m / 2}"/></filter>` +
      `<filter id="g" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="1"/></filter></defs>` +
      `<rect x="${m}" y="${m}" width="${w - 2 * m}" height="${h - 2 * m}" rx="${m * 2}" fill="#fff" filter="url(#f)"/>${keep}</svg>`;
  const alpha = await renderSvgAlpha(svg, { width: w, height: h });
  const rgba = Buffer.allocUnsafe(w * h * 4);
  for (let i = 0, j = 0; i < w * h; i++, j += 3) {
    rgba[i * 4] = rgb[j]!;
    rgba[i * 4 + 1] = rgb[j + 1]!;
    rgba[i * 4 + 2] = rgb[j + 2]!;
    rgba[i * 4 + 3] = alpha[i]!;
  }
  // Standing in front of the camera: as tall as the frame allows, and inside the gate zone's width.
  let fit = Math.min((frameHeight * 0.95) / h, (frameWidth * 0.62) / w);
  const tallest = Math.max(0, ...faces.map((f) => f[3] - f[1]));
  if (place.faceAtDoorPx !== undefined && tallest > 0) {
    const want = place.faceAtDoorPx / tallest;
    if (want > fit * 1.001) throw new Error(`a ${w}x${h} photo with a ${tallest} px face does not fit the frame with that face ${place.faceAtDoorPx} px high`);
    fit = want;
  }
  return { rgba, width: w, height: h, fullWidth: Math.round(w * fit), fullHeight: Math.round(h * fit) };
}

function cropInside(b: Box, w: number, h: number): [number, number, number, number] {
  const x1 = Math.max(0, Math.floor(b[0]));
  const y1 = Math.max(0, Math.floor(b[1]));
  const x2 = Math.min(w, Math.ceil(b[2]));
  const y2 = Math.min(h, Math.ceil(b[3]));
  if (x2 - x1 < 8 || y2 - y1 < 8) throw new Error(`crop ${b.join(',')} leaves less than 8x8 px of a ${w}x${h} photo`);
  return [x1, y1, x2, y2];
}

function cropRgb(img: { data: Buffer; width: number }, x1: number, y1: number, x2: number, y2: number): { rgb: Buffer; w: number; h: number } {
  const w = x2 - x1;
  const h = y2 - y1;
  const rgb = Buffer.allocUnsafe(w * h * 3);
  for (let y = 0; y < h; y++) img.data.copy(rgb, y * w * 3, ((y1 + y) * img.width + x1) * 3, ((y1 + y) * img.width + x2) * 3);
  return { rgb, w, h };
}

/** Renders one frame to raw RGB at the scene's size. */
export async function renderFrame(scene: Scene, person: PersonLayer | null, f: FramePlan, noiseOffset: number): Promise<Buffer> {
  const { width: W, height: H } = scene;
  const layers: RawLayer[] = [];
  if (person && f.scale > 0) {
    const pw = Math.max(2, Math.round(person.fullWidth * f.scale));
    const ph = Math.max(2, Math.round(person.fullHeight * f.scale));
    const left = Math.round(f.cx * W - pw / 2);
    const top = Math.round(f.cy * H - ph / 2);
    // Only the part inside the frame is composited.
    const x0 = Math.max(0, left);
    const y0 = Math.max(0, top);
    const x1 = Math.min(W, left + pw);
    const y1 = Math.min(H, top + ph);
    if (x1 - x0 >= 2 && y1 - y0 >= 2) {
      // One pass: scale, keep the part inside the frame, blur if this frame has motion blur.
      const n = f.blur % 2 ? f.blur : f.blur + 1;
      const cut = await scaleCropRaw(
        { data: person.rgba, width: person.width, height: person.height, channels: 4 },
        { width: pw, height: ph },
        { left: x0 - left, top: y0 - top, width: x1 - x0, height: y1 - y0 },
        f.blur >= 3 ? { width: n, height: 3, kernel: horizontalKernel(n) } : undefined,
      );
      layers.push({ data: cut, width: x1 - x0, height: y1 - y0, channels: 4, left: x0, top: y0 });
    }
  }
  const out = await compositeRgb({ data: scene.rgb, width: W, height: H }, layers);
  // Exposure and sensor noise, as the camera would apply them: to the whole frame.
  const noise = scene.noise;
  const gain = f.brightness;
  const off = noiseOffset % (noise.length - out.length);
  // No global lookups (Math) in this loop: under jest's vm context each one is slow.
  for (let i = 0, n = out.length; i < n; i++) {
    const v = ((out[i]! * gain + 0.5) | 0) + noise[off + i]!;
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

/** A horizontal box blur (sharp's kernels are at least 3x3: only the middle row is set). */
function horizontalKernel(n: number): number[] {
  return [...new Array<number>(n).fill(0), ...new Array<number>(n).fill(1), ...new Array<number>(n).fill(0)];
}
