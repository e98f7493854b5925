import type { Box, MaskLabel } from '../detector/types';

/**
 * A minimal Pascal VOC reader for evaluation. It reads each <object> by its own tags and ignores any
 * stray text between them (maksssksksss0.xml has a file path pasted inside one object).
 */
export interface VocObject {
  label: MaskLabel;
  box: Box;
  /** VOC's difficult flag: such objects are neither required nor penalised. */
  difficult: boolean;
}

export interface VocAnnotation {
  filename: string;
  width: number;
  height: number;
  objects: VocObject[];
}

/** Class names as spelt in face-mask data sets, to our labels. */
const LABELS: Record<string, MaskLabel> = {
  with_mask: 'mask',
  mask: 'mask',
  without_mask: 'no_mask',
  no_mask: 'no_mask',
  mask_weared_incorrect: 'incorrect',
  mask_worn_incorrectly: 'incorrect',
  incorrect: 'incorrect',
};

export function parseVoc(xml: string, fileName: string): VocAnnotation {
  const fail = (what: string): never => {
    throw new Error(`${fileName}: ${what}`);
  };
  const tag = (text: string, name: string): string | undefined => {
    const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(text);
    return m ? decode(m[1]!.trim()) : undefined;
  };
  const num = (text: string, name: string, where: string): number => {
    const v = tag(text, name);
    const n = v === undefined ? NaN : Number(v);
    if (!Number.isFinite(n)) fail(`${where}: expected a number in <${name}>, got ${v === undefined ? 'none' : JSON.stringify(v)}`);
    return n;
  };
  if (!/<annotation[\s>]/.test(xml)) fail('expected an <annotation> element, got none');
  const filename = tag(xml, 'filename') ?? fail('expected <filename>, got none');
  const size = tag(xml, 'size') ?? fail('expected <size>, got none');
  const width = num(size, 'width', 'size');
  const height = num(size, 'height', 'size');
  const objects: VocObject[] = [];
  const re = /<object(?:\s[^>]*)?>([\s\S]*?)<\/object>/g;
  for (let m = re.exec(xml), i = 0; m; m = re.exec(xml), i++) {
    const body = m[1]!;
    const where = `object ${i}`;
    const name = tag(body, 'name') ?? fail(`${where}: expected <name>, got none`);
    const label = LABELS[name.toLowerCase()] ?? fail(`${where}: expected a name among ${Object.keys(LABELS).join(', ')}, got ${JSON.stringify(name)}`);
    const bb = tag(body, 'bndbox') ?? fail(`${where}: expected <bndbox>, got none`);
    const box: Box = [num(bb, 'xmin', where), num(bb, 'ymin', where), num(bb, 'xmax', where), num(bb, 'ymax', where)];
    if (box[2] < box[0] || box[3] < box[1]) fail(`${where}: expected xmin <= xmax and ymin <= ymax, got [${box.join(', ')}]`);
    objects.push({ label, box, difficult: tag(body, 'difficult') === '1' });
  }
  return { filename, width, height, objects };
}

function decode(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

const VOC_NAMES: Record<MaskLabel, string> = { mask: 'with_mask', no_mask: 'without_mask', incorrect: 'mask_weared_incorrect' };

const encode = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The annotation as Pascal VOC XML, in the data set's own class names (parseVoc reads it back). */
export function formatVoc(a: VocAnnotation): string {
  const objects = a.objects.map(
    (o) =>
      `  <object>\n    <name>${VOC_NAMES[o.label]}</name>\n    <difficult>${o.difficult ? 1 : 0}</difficult>\n    <bndbox>\n` +
      `      <xmin>${o.box[0]}</xmin>\n      <ymin>${o.box[1]}</ymin>\n      <xmax>${o.box[2]}</xmax>\n      <ymax>${o.box[3]}</ymax>\n    </bndbox>\n  </object>\n`,
  );
  return `<annotation>\n  <filename>${encode(a.filename)}</filename>\n  <size>\n    <width>${a.width}</width>\n    <height>${a.height}</height>\n    <depth>3</depth>\n  </size>\n${objects.join('')}</annotation>\n`;
}
