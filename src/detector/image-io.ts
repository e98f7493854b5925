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
