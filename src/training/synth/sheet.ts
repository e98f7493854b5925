/** A contact sheet: square tiles of face crops with a label strip under each, for judging samples by eye. */
import { faceCrop } from '../../detector/face-crop';
import type { InputSpec } from '../../detector/manifest';
import { cropToInput } from '../../detector/preprocess';
import type { Box, RgbFrame } from '../../detector/types';
import { drawText, fillRect } from '../../eval/draw';
import { GLYPH_H, GLYPH_W } from '../../eval/font5x7';

export interface Tile {
  img: RgbFrame;
  /** Up to two short lines under the tile. */
  lines: string[];
  colour: [number, number, number];
}

/** The square region `expand` x the box round its centre, resampled to `size` x `size` as the runtime resamples crops. */
export function cropTile(frame: RgbFrame, box: Box, size: number, expand = 1.6): RgbFrame {
  const spec: InputSpec = { name: 'tile', width: size, height: size, layout: 'NHWC', colour: 'RGB', normalize: { mean: [0, 0, 0], std: [1, 1, 1] }, resize: 'stretch' };
  const px = new Float32Array(size * size * 3);
  cropToInput(frame, faceCrop(box, undefined, { expand, align: 'none', keypointCentre: false }), spec, px, 0);
  return { data: Uint8Array.from(px, (v) => Math.round(Math.min(255, Math.max(0, v)))), width: size, height: size };
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
