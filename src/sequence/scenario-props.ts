import { paintRgba, readPhotoRgb, scaleCropRaw, type RawLayer } from '../image/sharp-io';
import type { MaskTemplate } from '../training/synth/templates';
import type { PersonLayer } from './doorway-render';

/**
 * Things in a scenario that are not people: a framed photo of a face on the corridor wall, and a mask held
 * up in a hand with no face behind it.
 */
type Box = readonly [number, number, number, number];

/**
 * A framed print of the face `faceBox` of `photo` (head and some background around it), hung with its
 * centre at (`cx`, `cy`) (fractions of the frame), the face `facePx` high. An RGBA layer for the scene.
 */
export async function pictureOnWall(photo: string, faceBox: Box, facePx: number, frame: { width: number; height: number; cx: number; cy: number }): Promise<RawLayer> {
  const img = await readPhotoRgb(photo);
  const [x1, y1, x2, y2] = faceBox;
  const fw = x2 - x1;
  const fh = y2 - y1;
  const crop = { left: Math.max(0, Math.round(x1 - 0.6 * fw)), top: Math.max(0, Math.round(y1 - 0.5 * fh)) };
  const right = Math.min(img.width, Math.round(x2 + 0.6 * fw));
  const bottom = Math.min(img.height, Math.round(y2 + 0.7 * fh));
  const k = facePx / fh;
  const w = Math.max(2, Math.round((right - crop.left) * k));
  const h = Math.max(2, Math.round((bottom - crop.top) * k));
  const print = await scaleCropRaw(
    { data: img.data, width: img.width, height: img.height, channels: 3 },
    { width: Math.round(img.width * k), height: Math.round(img.height * k) },
    { left: Math.round(crop.left * k), top: Math.round(crop.top * k), width: w, height: h },
  );
  // A dark wooden frame and a white mat around the print.
  const b = Math.max(3, Math.round(facePx * 0.15));
  const size = { width: w + 2 * b, height: h + 2 * b };
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}"><rect width="${size.width}" height="${size.height}" fill="#4a3423"/><rect x="${b / 2}" y="${b / 2}" width="${w + b}" height="${h + b}" fill="#f2efe8"/></svg>`;
  const rgba = await paintRgba(size, [{ svg, left: 0, top: 0 }, { data: print, width: w, height: h, channels: 3, left: b, top: b }]);
  const left = Math.round(frame.cx * frame.width - size.width / 2);
  const top = Math.round(frame.cy * frame.height - size.height / 2);
  if (left < 0 || top < 0 || left + size.width > frame.width || top + size.height > frame.height) throw new Error(`a ${size.width}x${size.height} picture at (${frame.cx}, ${frame.cy}) does not fit a ${frame.width}x${frame.height} frame`);
  return { data: rgba, width: size.width, height: size.height, channels: 4, left, top };
}

/** The mask's width in the layer; the layer is drawn at `maskWidthPx / MASK_W` of its size at the door. */
const MASK_W = 160;

/**
 * A mask template held up by its lower corner in a hand, an arm in a sleeve below it, nothing behind it:
 * a "person" layer that walks up to the door with the mask `maskWidthPx` wide at face height.
 */
export async function heldMask(template: MaskTemplate, maskWidthPx: number): Promise<PersonLayer> {
  const mh = Math.round((template.height * MASK_W) / template.width);
  const W = 260;
  const H = 420;
  const mx = 50;
  const my = 40;
  const mask = await scaleCropRaw(
    { data: Buffer.from(template.rgba), width: template.width, height: template.height, channels: 4 },
    { width: MASK_W, height: mh },
    { left: 0, top: 0, width: MASK_W, height: mh },
  );
  // The hand grips the mask's lower left corner: palm below it, fingers across its edge, thumb in front.
  const hx = mx + 18;
  const hy = my + mh - 6;
  const skin = '#c99274';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
  <polygon points="${hx - 34},${H} ${hx + 40},${H} ${hx + 30},${hy + 60} ${hx - 20},${hy + 55}" fill="#2f3f5c"/>
  <ellipse cx="${hx + 4}" cy="${hy + 30}" rx="30" ry="38" fill="${skin}"/>
  ${[0, 1, 2, 3].map((i) => `<rect x="${hx - 22 + i * 13}" y="${hy - 22 + Math.abs(i - 1.5) * 4}" width="12" height="40" rx="6" fill="${skin}" stroke="#a8735a" stroke-width="1"/>`).join('')}
  <ellipse cx="${hx + 30}" cy="${hy + 6}" rx="9" ry="20" transform="rotate(35 ${hx + 30} ${hy + 6})" fill="${skin}" stroke="#a8735a" stroke-width="1"/>
</svg>`;
  const rgba = await paintRgba({ width: W, height: H }, [{ data: mask, width: MASK_W, height: mh, channels: 4, left: mx, top: my }, { svg, left: 0, top: 0 }]);
  const k = maskWidthPx / MASK_W;
  return { rgba, width: W, height: H, fullWidth: Math.round(W * k), fullHeight: Math.round(H * k) };
}
