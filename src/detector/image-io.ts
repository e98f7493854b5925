/**
 * Image files for the detector tools: which files are images, and (from the sharp driver, the only
 * place sharp is imported) reading them to RGB, writing RGB, and face-blurred snapshots. Pixels are the
 * file's stored grid (no EXIF rotation), the grid VOC annotations and detection boxes refer to.
 */
import path from 'node:path';

export { readImageRgb, snapshotJpeg, writeImageRgb } from '../image/sharp-io';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff'];

export function isImageFile(file: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}
