/**
 * The detector tools' one use of sharp: image files to RGB and back. Pixels are the file's stored grid
 * (no EXIF rotation), the grid VOC annotations and detection boxes refer to.
 */
import path from 'node:path';
import sharp from 'sharp';
import type { RgbFrame } from './types';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff'];

export function isImageFile(file: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/** Decodes any image sharp reads (greyscale, alpha, 16-bit) to 8-bit RGB. */
export async function readImageRgb(file: string): Promise<RgbFrame> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: expected 3 channels after conversion, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/** Encodes RGB to the format the file name asks for (.png, else JPEG). */
export async function writeImageRgb(file: string, img: RgbFrame): Promise<void> {
  const s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  await (path.extname(file).toLowerCase() === '.png' ? s.png() : s.jpeg({ quality: 90 })).toFile(file);
}

/**
 * A JPEG of the frame for the event log's snapshots, with each face box (pixels, x1 y1 x2 y2) made
 * unrecognisable unless `blurFaces` is false: pixelated to about 6x6 blocks, then blurred, with a margin.
 */
export async function snapshotJpeg(img: RgbFrame, boxes: readonly (readonly [number, number, number, number])[], blurFaces: boolean, quality = 80): Promise<Buffer> {
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
