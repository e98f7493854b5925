import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseVoc } from '../../src/eval/voc-read';

const xml = (objects: string) => `<annotation><folder>images</folder><filename>x1.jpg</filename>
  <size><width>512</width><height>366</height><depth>3</depth></size>${objects}</annotation>`;
const obj = (name: string, box: number[], extra = '') =>
  `<object><name>${name}</name><difficult>0</difficult><bndbox><xmin>${box[0]}</xmin><ymin>${box[1]}</ymin><xmax>${box[2]}</xmax><ymax>${box[3]}</ymax></bndbox>${extra}</object>`;

test('reads size and objects, maps the data set class names, keeps difficult', () => {
  const a = parseVoc(xml(obj('with_mask', [79, 105, 109, 142]) + obj('without_mask', [1, 2, 3, 4]) + obj('mask_weared_incorrect', [5, 6, 7, 8]).replace('<difficult>0', '<difficult>1')), 'x1.xml');
  expect(a).toEqual({
    filename: 'x1.jpg',
    width: 512,
    height: 366,
    objects: [
      { label: 'mask', box: [79, 105, 109, 142], difficult: false },
      { label: 'no_mask', box: [1, 2, 3, 4], difficult: false },
      { label: 'incorrect', box: [5, 6, 7, 8], difficult: true },
    ],
  });
});

test('stray text inside an <object> (as in maksssksksss0.xml) is ignored', () => {
  const a = parseVoc(xml(obj('without_mask', [79, 105, 109, 142], 'file:/Users/someone/annotations/maksssksksss17.xml\n') + obj('with_mask', [185, 100, 226, 144])), 'x.xml');
  expect(a.objects.map((o) => o.box)).toEqual([[79, 105, 109, 142], [185, 100, 226, 144]]);
});

test('problems name the file, the object and the field', () => {
  expect(() => parseVoc(xml(obj('with_mask', [1, 2, 3, 4]) + obj('hat', [1, 2, 3, 4])), 'bad.xml')).toThrow(
    'bad.xml: object 1: expected a name among with_mask, mask, without_mask, no_mask, mask_weared_incorrect, mask_worn_incorrectly, incorrect, got "hat"',
  );
  expect(() => parseVoc(xml(obj('with_mask', [1, 2, 3, 4]).replace('<ymax>4</ymax>', '<ymax>four</ymax>')), 'bad.xml')).toThrow('bad.xml: object 0: expected a number in <ymax>, got "four"');
  expect(() => parseVoc(xml(obj('with_mask', [5, 2, 3, 4])), 'bad.xml')).toThrow('bad.xml: object 0: expected xmin <= xmax and ymin <= ymax, got [5, 2, 3, 4]');
  expect(() => parseVoc('<html/>', 'page.xml')).toThrow('page.xml: expected an <annotation> element, got none');
});

// The shared face-mask data set, read in place (never copied into the repository).
const shared = path.join(__dirname, '../../../shared/datasets/face-mask-andrewmvd/annotations');
(existsSync(shared) ? test : test.skip)('every annotation of the shared face-mask data set parses, with the README counts', () => {
  const files = readdirSync(shared).filter((f) => f.endsWith('.xml'));
  const all = files.map((f) => parseVoc(readFileSync(path.join(shared, f), 'utf8'), f));
  const count = (l: string) => all.reduce((n, a) => n + a.objects.filter((o) => o.label === l).length, 0);
  expect([files.length, count('mask'), count('no_mask'), count('incorrect')]).toEqual([853, 3232, 717, 123]);
  const quirk = parseVoc(readFileSync(path.join(shared, 'maksssksksss0.xml'), 'utf8'), 'maksssksksss0.xml');
  expect(quirk.objects.map((o) => [o.label, ...o.box])).toEqual([
    ['no_mask', 79, 105, 109, 142],
    ['mask', 185, 100, 226, 144],
    ['no_mask', 325, 90, 360, 141],
  ]);
});
