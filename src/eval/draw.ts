import type { Box, MaskLabel, RgbFrame } from '../detector/types';
import { GLYPH_H, GLYPH_W, glyph } from './font5x7';

/** What one box on an annotated image says, as in the paper's Figure 4: label and confidence. */
export interface Annotation {
  box: Box;
  label: MaskLabel | 'unknown';
  score: number;
  /** A word after the label and score (the live view's `turned`: a `mask` reading the gate refuses). */
  note?: string;
}

export const LABEL_COLOURS: Record<Annotation['label'], [number, number, number]> = {
  mask: [0, 200, 0],
  no_mask: [230, 0, 0],
  incorrect: [255, 165, 0],
  unknown: [160, 160, 160],
};

type Rgb = [number, number, number];

/** A copy of `img` with each annotation's box outlined in its label's colour and a "label 97%" tag. */
export function drawAnnotations(img: RgbFrame, annotations: readonly Annotation[]): RgbFrame {
  const out: RgbFrame = { data: Uint8Array.from(img.data), width: img.width, height: img.height };
  const thick = Math.max(1, Math.round(Math.min(img.width, img.height) / 300));
  const scale = Math.max(1, Math.round(Math.min(img.width, img.height) / 400));
  for (const a of annotations) {
    const colour = LABEL_COLOURS[a.label];
    const [x1, y1, x2, y2] = a.box.map(Math.round) as Box;
    fillRect(out, x1, y1, x2, y1 + thick, colour);
    fillRect(out, x1, y2 - thick, x2, y2, colour);
    fillRect(out, x1, y1, x1 + thick, y2, colour);
    fillRect(out, x2 - thick, y1, x2, y2, colour);
    const text = `${a.label} ${Math.round(a.score * 100)}%`;
    const pad = scale;
    const tw = text.length * (GLYPH_W + 1) * scale + pad * 2;
    const th = GLYPH_H * scale + pad * 2;
    // Above the box where there is room, else inside its top edge.
    const ty = y1 - th >= 0 ? y1 - th : y1;
    fillRect(out, x1, ty, x1 + tw, ty + th, colour);
    const ink: Rgb = a.label === 'incorrect' ? [0, 0, 0] : [255, 255, 255];
    drawText(out, text, x1 + pad, ty + pad, scale, ink);
  }
  return out;
}

/** Fills [x1, x2) x [y1, y2), clipped to the image. */
export function fillRect(img: RgbFrame, x1: number, y1: number, x2: number, y2: number, c: Rgb): void {
  const xa = Math.max(0, Math.min(x1, x2));
  const xb = Math.min(img.width, Math.max(x1, x2));
  const ya = Math.max(0, Math.min(y1, y2));
  const yb = Math.min(img.height, Math.max(y1, y2));
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const i = (y * img.width + x) * 3;
      img.data[i] = c[0];
      img.data[i + 1] = c[1];
      img.data[i + 2] = c[2];
    }
  }
}

export function drawText(img: RgbFrame, text: string, x: number, y: number, scale: number, c: Rgb): void {
  [...text].forEach((ch, k) => {
    glyph(ch).forEach((row, gy) => {
      for (let gx = 0; gx < GLYPH_W; gx++) {
        if (row[gx] !== '#') continue;
        const px = x + (k * (GLYPH_W + 1) + gx) * scale;
        fillRect(img, px, y + gy * scale, px + scale, y + (gy + 1) * scale, c);
      }
    });
  });
}
