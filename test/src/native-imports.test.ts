import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * House rule: each native library is imported in exactly one typed file (its driver), so the native
 * surface stays small enough to review, fake in tests and port. Type-only imports count too: a second
 * file that needs the library's types should get them from the driver.
 */
const DRIVERS: Record<string, string> = {
  sharp: 'src/image/sharp-io.ts',
  'onnxruntime-node': 'src/detector/ort-session.ts',
  'gstreamer-superficial': 'src/camera/gst-driver.ts',
  'better-sqlite3': 'src/eventlog/sqlite.ts',
  mqtt: 'src/mqtt/mqtt-bridge.ts',
  onoff: 'hardware/drivers/sysfs-gpio.ts',
  'i2c-bus': 'hardware/drivers/i2c.ts',
};

const ROOT = path.resolve(__dirname, '../..');
const SCANNED = ['src', 'hardware', 'machines'];
const SOURCE = /\.(?:[cm]?[jt]s|tsx)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(rel);
    return e.isFile() && SOURCE.test(e.name) && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** Package names a file imports: import/export ... from, import(), require(), import x = require(). */
function importedPackages(file: string): Set<string> {
  // TypeScript's own scanner, so commented-out imports and strings that merely mention a package do not count.
  const { importedFiles } = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
  return new Set(importedFiles.map((f) => (f.fileName.startsWith('@') ? f.fileName.split('/').slice(0, 2) : f.fileName.split('/').slice(0, 1)).join('/')));
}

const importers = new Map<string, string[]>(Object.keys(DRIVERS).map((p) => [p, []]));
for (const file of SCANNED.flatMap(sourceFiles)) {
  for (const pkg of importedPackages(file)) importers.get(pkg)?.push(file);
}

test.each(Object.entries(DRIVERS))('%s is imported only by its driver, %s', (pkg, driver) => {
  expect(importers.get(pkg)).toEqual([driver]);
});

test('the scanner sees require() and ignores comments and strings', () => {
  const found = ts.preProcessFile(
    "// import a from 'sharp'\nconst s = \"require('mqtt')\";\nconst m = require('onoff') as unknown;\nexport { x } from 'i2c-bus/sub';\n",
    true,
    true,
  ).importedFiles.map((f) => f.fileName);
  expect(found).toEqual(['onoff', 'i2c-bus/sub']);
});
