/**
 * The driver for sharp (libvips): the only file that imports it, so the native dependency has one typed
 * surface to review, mock or replace. Each function is one fixed pipeline for one caller's need; callers
 * pass and get plain buffers. Raw pixels are 8-bit, row-major, interleaved (RGB or RGBA).
 */
import path from 'node:path';
import sharp from 'sharp';

// libvips' operation cache keeps recent results for reuse; every camera frame and every photo here is read
// once, so it only held up to 50 MB of memory that nothing asked for again.
sharp.cache(false);

/** Raw 8-bit RGB pixels. Structurally the detector's RgbFrame, so detector frames pass as they are. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Raw pixels with the channel count sharp needs to read them. */
export interface RawPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** A raw layer to paint over a base image at (left, top); RGBA layers blend by their alpha. */
export interface RawLayer extends RawPixels {
  /** A Buffer: sharp takes overlays only as Buffers. */
  data: Buffer;
  left: number;
  top: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Region extends Size {
  left: number;
  top: number;
}

/** A convolution kernel, row-major, `width * height` weights; the result is divided by their sum. */
export interface ConvolveKernel extends Size {
  kernel: number[];
}

/* ---------- Image files for the detector tools. Pixels are the file's stored grid (no EXIF rotation),
   the grid VOC annotations and detection boxes refer to. ---------- */

/** Decodes any image sharp reads (greyscale, alpha, 16-bit) to 8-bit RGB. */
export async function readImageRgb(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: expected 3 channels after conversion, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/** Decodes an image file to 8-bit RGBA (an opaque image gets alpha 255): mask templates with their outline. */
export async function readImageRgba(file: string): Promise<RawPixels> {
  const { data, info } = await sharp(file).ensureAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`${file}: expected 4 channels after conversion, got ${info.channels}`);
  return { data, width: info.width, height: info.height, channels: 4 };
}

/** Encodes RGB to the format the file name asks for (.png, else JPEG). */
export async function writeImageRgb(file: string, img: RgbImage): Promise<void> {
  const s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  await (path.extname(file).toLowerCase() === '.png' ? s.png() : s.jpeg({ quality: 90 })).toFile(file);
}

/** Width and height of an image file from its header; rejects with sharp's error if it is not a readable image. */
export async function readImageSize(file: string): Promise<Size> {
  const meta = await sharp(file).metadata();
  return { width: meta.width, height: meta.height };
}

/**
 * A JPEG of the frame for the event log's snapshots, with each face box (pixels, x1 y1 x2 y2) made
 * unrecognisable unless `blurFaces` is false: pixelated to about 6x6 blocks, then blurred, with a margin.
 */
export async function snapshotJpeg(img: RgbImage, boxes: readonly (readonly [number, number, number, number])[], blurFaces: boolean, quality = 80): Promise<Buffer> {
  const raw = { width: img.width, height: img.height, channels: 3 as const };
  const composites: { input: Buffer; raw: { width: number; height: number; channels: 3 }; left: number; top: number }[] = [];
  if (blurFaces) {
    for (const [x1, y1, x2, y2] of boxes) {
      const mx = (x2 - x1) * 0.15;
      const my = (y2 - y1) * 0.15;
      const left = Math.max(0, Math.floor(Math.min(x1, x2) - mx));
      const top = Math.max(0, Math.floor(Math.min(y1, y2) - my));
      const width = Math.min(img.width, Math.ceil(Math.max(x1, x2) + mx)) - left;
      const height = Math.min(img.height, Math.ceil(Math.max(y1, y2) + my)) - top;
      if (width < 1 || height < 1) continue;
      // Two pipelines: sharp applies only one resize per pipeline.
      const small = await sharp(img.data, { raw }).extract({ left, top, width, height }).resize(Math.min(6, width), Math.min(6, height), { fit: 'fill' }).raw().toBuffer();
      const input = await sharp(small, { raw: { width: Math.min(6, width), height: Math.min(6, height), channels: 3 } })
        .resize(width, height, { fit: 'fill', kernel: 'nearest' })
        .blur(Math.max(0.3, Math.max(width, height) / 12))
        .raw()
        .toBuffer();
      composites.push({ input, raw: { width, height, channels: 3 }, left, top });
    }
  }
  return sharp(img.data, { raw }).composite(composites).jpeg({ quality }).toBuffer();
}

/* ---------- Recorded sequences (frames://). ---------- */

/**
 * Decodes an encoded frame (JPEG, or anything sharp reads) to RGB stretched to `size`. Strict
 * (failOn 'warning'): a truncated or corrupt frame rejects instead of replaying as a half-grey image.
 */
export async function decodeFrameRgb(bytes: Buffer, size: Size): Promise<Buffer> {
  const { data, info } = await sharp(bytes, { failOn: 'warning' })
    .resize(size.width, size.height, { fit: 'fill' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after decoding, got ${info.channels}`);
  return data;
}

/** Encodes raw RGB as a baseline JPEG at `quality` (1..100). */
export async function encodeJpeg(img: RgbImage, quality: number): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

/* ---------- Synthesized doorway sequences. ---------- */

/** Renders an SVG document (its own width and height) to RGB, alpha dropped, with a Gaussian blur of `sigma`. */
export async function renderSvgRgb(svg: string, sigma: number): Promise<Buffer> {
  return sharp(Buffer.from(svg)).removeAlpha().blur(sigma).raw().toBuffer();
}

/**
 * Renders an SVG document to its alpha channel alone (one byte a pixel), stretched to `size`.
 * Used as a mask: opaque where the SVG drew, transparent elsewhere.
 */
export async function renderSvgAlpha(svg: string, size: Size): Promise<Buffer> {
  return sharp(Buffer.from(svg)).resize(size.width, size.height, { fit: 'fill' }).ensureAlpha().extractChannel(3).raw().toBuffer();
}

/**
 * Reads a photo (file or encoded bytes) to RGB as a person sees it: EXIF orientation applied, alpha
 * dropped, sRGB. Lenient (failOn 'error') so a camera's minor quirks do not reject a usable photo.
 */
export async function readPhotoRgb(image: Buffer | string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(image, { failOn: 'error' }).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * Scales raw pixels to `size` (stretching), keeps `crop` (in the scaled grid) and optionally convolves
 * it, in one pipeline so there is one resampling. Returns the crop's raw pixels, same channel count.
 */
export async function scaleCropRaw(img: RawPixels, size: Size, crop: Region, convolve?: ConvolveKernel): Promise<Buffer> {
  let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } })
    .resize(size.width, size.height, { fit: 'fill' })
    .extract({ left: crop.left, top: crop.top, width: crop.width, height: crop.height });
  if (convolve) s = s.convolve({ width: convolve.width, height: convolve.height, kernel: convolve.kernel });
  return s.raw().toBuffer();
}

/** An SVG document painted at (left, top) at its own size. */
export interface SvgLayer {
  svg: string;
  left: number;
  top: number;
}

/**
 * Paints raw and SVG layers in order on a transparent canvas of `size` and returns raw RGBA: a prop for a
 * scenario (a mask held in a hand). Layers must lie inside the canvas.
 */
export async function paintRgba(size: Size, layers: readonly (RawLayer | SvgLayer)[]): Promise<Buffer> {
  const overlays: sharp.OverlayOptions[] = layers.map((l) =>
    'svg' in l ? { input: Buffer.from(l.svg), left: l.left, top: l.top } : { input: l.data, raw: { width: l.width, height: l.height, channels: l.channels }, left: l.left, top: l.top },
  );
  return sharp({ create: { width: size.width, height: size.height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite(overlays)
    .ensureAlpha()
    .raw()
    .toBuffer();
}

/**
 * Paints `layers` in order over a raw RGB base (RGBA layers blend by alpha) and returns raw RGB at the
 * base's size. Layers must lie inside the base.
 */
export async function compositeRgb(base: RgbImage, layers: readonly RawLayer[]): Promise<Buffer> {
  const overlays: sharp.OverlayOptions[] = layers.map((l) => ({ input: l.data, raw: { width: l.width, height: l.height, channels: l.channels }, left: l.left, top: l.top }));
  return sharp(base.data, { raw: { width: base.width, height: base.height, channels: 3 } }).composite(overlays).removeAlpha().raw().toBuffer();
}
