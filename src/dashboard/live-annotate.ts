import type { RgbFrame } from '../detector/types';
import { fillRect, LABEL_COLOURS, type Annotation } from '../eval/draw';
import { GLYPH_H, GLYPH_W, glyph } from '../eval/font5x7';

/**
 * Figure-4 boxes for the live view, as `drawAnnotations` draws them for files but with lines and labels
 * about twice as large: the view is watched scaled up on a monitor across a doorway, not zoomed in a viewer.
 */
export function annotateLive(img: RgbFrame, annotations: readonly Annotation[]): RgbFrame {
  const out: RgbFrame = { data: Buffer.from(img.data), width: img.width, height: img.height };
  const short = Math.min(img.width, img.height);
  const thick = Math.max(2, Math.round(short / 150));
  const scale = Math.max(2, Math.round(short / 180));
  for (const a of annotations) {
    const colour = LABEL_COLOURS[a.label];
    const [x1, y1, x2, y2] = a.box.map(Math.round) as [number, number, number, number];
    fillRect(out, x1, y1, x2, y1 + thick, colour);
    fillRect(out, x1, y2 - thick, x2, y2, colour);
    fillRect(out, x1, y1, x1 + thick, y2, colour);
    fillRect(out, x2 - thick, y1, x2, y2, colour);
    const text = `${a.label.replace('_', ' ')} ${Math.round(a.score * 100)}%${a.note ? ` ${a.note}` : ''}`;
    const pad = scale * 2;
    const tw = text.length * (GLYPH_W + 1) * scale + pad * 2 - scale;
    const th = GLYPH_H * scale + pad * 2;
    const ty = y1 - th >= 0 ? y1 - th : y1;
    fillRect(out, x1, ty, x1 + tw, ty + th, colour);
    const ink: [number, number, number] = a.label === 'incorrect' ? [0, 0, 0] : [255, 255, 255];
    [...text].forEach((ch, k) => {
      glyph(ch).forEach((row, gy) => {
        for (let gx = 0; gx < GLYPH_W; gx++) {
          if (row[gx] !== '#') continue;
          const px = x1 + pad + (k * (GLYPH_W + 1) + gx) * scale;
          const py = ty + pad + gy * scale;
          fillRect(out, px, py, px + scale, py + scale, ink);
        }
      });
    });
  }
  return out;
}
