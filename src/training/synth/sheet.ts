/** A contact sheet: square tiles of face crops with a label strip under each, for judging samples by eye. */
import type { Box, RgbFrame } from '../../detector/types';
import { drawText, fillRect } from '../../eval/draw';
import { GLYPH_H, GLYPH_W } from '../../eval/font5x7';

export interface Tile {
  img: RgbFrame;
  /** Up to two short lines under the tile. */
  lines: string[];
  colour: [number, number, number];
}

/** The square region (1.6x the box, as the classifier's crop) resampled bilinearly to `size` x `size`. */
export function cropTile(frame: RgbFrame, box: Box, size: number, expand = 1.6): RgbFrame {
  const side = Math.max(box[2] - box[0], box[3] - box[1]) * expand;
  const cx = (box[0] + box[2]) / 2, cy = (box[1] + box[3]) / 2;
  const out: RgbFrame = { data: new Uint8Array(size * size * 3), width: size, height: size };
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const fx = Math.min(Math.max(cx - side / 2 + ((x + 0.5) * side) / size - 0.5, 0), frame.width - 1);
    const fy = Math.min(Math.max(cy - side / 2 + ((y + 0.5) * side) / size - 0.5, 0), frame.height - 1);
    const x0 = Math.floor(fx), y0 = Math.floor(fy), x1 = Math.min(x0 + 1, frame.width - 1), y1 = Math.min(y0 + 1, frame.height - 1);
    const ax = fx - x0, ay = fy - y0;
    for (let c = 0; c < 3; c++) {
      const p = (xx: number, yy: number) => frame.data[(yy * frame.width + xx) * 3 + c]!;
      out.data[(y * size + x) * 3 + c] = Math.round((p(x0, y0) * (1 - ax) + p(x1, y0) * ax) * (1 - ay) + (p(x0, y1) * (1 - ax) + p(x1, y1) * ax) * ay);
    }
  }
  return out;
}

export function contactSheet(tiles: readonly Tile[], cols: number, size: number): RgbFrame {
  const strip = 2 * (GLYPH_H + 2) + 2;
  const rows = Math.ceil(tiles.length / cols);
  const pad = 4;
  const w = cols * (size + pad) + pad, h = rows * (size + strip + pad) + pad;
  const sheet: RgbFrame = { data: new Uint8Array(w * h * 3).fill(40), width: w, height: h };
  tiles.forEach((t, i) => {
    const x0 = pad + (i % cols) * (size + pad), y0 = pad + Math.floor(i / cols) * (size + strip + pad);
    for (let y = 0; y < size; y++) sheet.data.set(t.img.data.subarray(y * size * 3, (y + 1) * size * 3), ((y0 + y) * w + x0) * 3);
    fillRect(sheet, x0, y0 + size, x0 + size, y0 + size + strip, t.colour);
    t.lines.slice(0, 2).forEach((line, k) => drawText(sheet, line.slice(0, Math.floor(size / (GLYPH_W + 1))), x0 + 2, y0 + size + 2 + k * (GLYPH_H + 2), 1, [0, 0, 0]));
  });
  return sheet;
}
