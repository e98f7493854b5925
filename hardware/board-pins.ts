/**
 * 40-pin header GPIO map per module, and board/JetPack detection.
 *
 * Sources (facts, not code): NVIDIA Jetson.GPIO gpio_pin_data.py. Its current tables give chip label and
 * line offset for the character device (JetPack 5/6; Nano: also JetPack 4's libgpiod). Its L4T r32 tables
 * give Xavier NX's chip-relative sysfs offsets, which differ from the JetPack 5 line offsets; the r32 chip
 * bases are 288 (tegra194-gpio, 2200000.gpio) and 248 (tegra194-gpio-aon, c2f0000.gpio), as in Auvidea's
 * GPIO mapping guide. Nano's tegra-gpio has base 0, so sysfs number = line offset (pin 7 = 216).
 * Orin has no JetPack 4 release, so no sysfs numbers.
 */
import { BoardError } from './errors';

export type BoardId = 'jetson-nano' | 'jetson-xavier-nx' | 'jetson-orin';

export interface PinInfo {
  /** BOARD number (as printed on the header). */
  pin: number;
  /** Label of the gpiochip, as `gpiodetect` prints it in brackets. */
  chip: string;
  /** Line offset within that chip (character device). */
  line: number;
  /** Global number for /sys/class/gpio on JetPack 4 (onoff); null where the module has no JetPack 4. */
  sysfs: number | null;
  /** Tegra port name, for logs and for matching NVIDIA's pinmux spreadsheet. */
  port: string;
}

type Row = [pin: number, line: number, sysfs: number | null, port: string, aon?: 'aon'];

function table(chip: string, rows: Row[]): ReadonlyMap<number, PinInfo> {
  return new Map(rows.map(([pin, line, sysfs, port, aon]) => [pin, { pin, chip: aon ? `${chip}-aon` : chip, line, sysfs, port }]));
}

// Nano: tegra-gpio base 0 on L4T r32, so sysfs = line; port = offset / 8 as a letter (A=0 .. Z, AA, BB..), bit = offset % 8.
const NANO = table('tegra-gpio', [
  [7, 216, 216, 'PBB.00'], [11, 50, 50, 'PG.02'], [12, 79, 79, 'PJ.07'], [13, 14, 14, 'PB.06'],
  [15, 194, 194, 'PY.02'], [16, 232, 232, 'PDD.00'], [18, 15, 15, 'PB.07'], [19, 16, 16, 'PC.00'],
  [21, 17, 17, 'PC.01'], [22, 13, 13, 'PB.05'], [23, 18, 18, 'PC.02'], [24, 19, 19, 'PC.03'],
  [26, 20, 20, 'PC.04'], [29, 149, 149, 'PS.05'], [31, 200, 200, 'PZ.00'], [32, 168, 168, 'PV.00'],
  [33, 38, 38, 'PE.06'], [35, 76, 76, 'PJ.04'], [36, 51, 51, 'PG.03'], [37, 12, 12, 'PB.04'],
  [38, 77, 77, 'PJ.05'], [40, 78, 78, 'PJ.06'],
]);

// Xavier NX: line = JetPack 5 offset; sysfs = r32 base (288 main, 248 aon) + r32 offset.
const XAVIER_NX = table('tegra194-gpio', [
  [7, 118, 436, 'PS.04'], [11, 112, 428, 'PR.04'], [12, 127, 445, 'PT.05'], [13, 149, 480, 'PY.00'],
  [15, 16, 268, 'PCC.04', 'aon'], [16, 153, 484, 'PY.04'], [18, 152, 483, 'PY.03'], [19, 162, 493, 'PZ.05'],
  [21, 161, 492, 'PZ.04'], [22, 150, 481, 'PY.01'], [23, 160, 491, 'PZ.03'], [24, 163, 494, 'PZ.06'],
  [26, 164, 495, 'PZ.07'], [29, 105, 421, 'PQ.05'], [31, 106, 422, 'PQ.06'], [32, 108, 424, 'PR.00'],
  [33, 84, 393, 'PN.01'], [35, 130, 448, 'PU.00'], [36, 113, 429, 'PR.05'], [37, 151, 482, 'PY.02'],
  [38, 129, 447, 'PT.07'], [40, 128, 446, 'PT.06'],
]);

// Orin NX and Orin Nano (p3767) share one header map; JetPack 5/6 only.
const ORIN_NX_NANO = table('tegra234-gpio', [
  [7, 144, null, 'PAC.06'], [11, 112, null, 'PR.04'], [12, 50, null, 'PH.07'], [13, 122, null, 'PY.00'],
  [15, 85, null, 'PN.01'], [16, 126, null, 'PY.04'], [18, 125, null, 'PY.03'], [19, 135, null, 'PZ.05'],
  [21, 134, null, 'PZ.04'], [22, 123, null, 'PY.01'], [23, 133, null, 'PZ.03'], [24, 136, null, 'PZ.06'],
  [26, 137, null, 'PZ.07'], [29, 105, null, 'PQ.05'], [31, 106, null, 'PQ.06'], [32, 41, null, 'PG.06'],
  [33, 43, null, 'PH.00'], [35, 53, null, 'PI.02'], [36, 113, null, 'PR.05'], [37, 124, null, 'PY.02'],
  [38, 52, null, 'PI.01'], [40, 51, null, 'PI.00'],
]);

export const BOARD_PINS: Readonly<Record<BoardId, ReadonlyMap<number, PinInfo>>> = {
  'jetson-nano': NANO,
  'jetson-xavier-nx': XAVIER_NX,
  'jetson-orin': ORIN_NX_NANO,
};

/** The GPIO facts of a header pin, or a BoardError listing the pins that are GPIO on this board. */
export function pinInfo(board: BoardId, pin: number): PinInfo {
  const info = BOARD_PINS[board].get(pin);
  if (!info) {
    const usable = [...BOARD_PINS[board].keys()].join(', ');
    throw new BoardError(`BOARD pin ${pin} is not a GPIO on ${board} (power, ground, I2C or UART); GPIO pins are ${usable}`);
  }
  return info;
}

/** Module part numbers (and NVIDIA's own compatible strings) per supported board. */
const SUPPORTED: [BoardId, RegExp][] = [
  ['jetson-nano', /^nvidia,(p3450-\d{4}|jetson-nano)$/],
  ['jetson-xavier-nx', /(^|\+)p3668-\d{4}$|^nvidia,p3668-\d{4}/],
  ['jetson-orin', /(^|\+)p3767-\d{4}$|^nvidia,p3767-\d{4}/],
];

/** Jetsons whose 40-pin header maps differently: named in the error rather than guessed. */
const UNSUPPORTED: [string, RegExp][] = [
  ['Jetson AGX Orin (p3701)', /p3701-/],
  ['Jetson AGX Xavier (p2972)', /p2972-|^nvidia,jetson-xavier$/],
  ['Jetson TX2 NX (p3636)', /p3636-/],
  ['Jetson TX2 (p2771)', /p2771-/],
  ['Jetson TX1 (p2371)', /p2371-/],
];

/**
 * The board from the text of /proc/device-tree/compatible (NUL-separated strings, most specific first),
 * e.g. "nvidia,p3450-0000\0nvidia,jetson-nano\0nvidia,tegra210\0".
 */
export function detectBoard(compatibleText: string): BoardId {
  const entries = compatibleText.split('\0').map((s) => s.trim()).filter(Boolean);
  for (const [board, re] of SUPPORTED) if (entries.some((e) => re.test(e))) return board;
  const read = entries.length ? entries.map((e) => JSON.stringify(e)).join(', ') : '(nothing)';
  const known = UNSUPPORTED.find(([, re]) => entries.some((e) => re.test(e)));
  const what = known ? `${known[0]} is not supported (its 40-pin header maps differently)` : 'unknown board';
  throw new BoardError(
    `${what}: /proc/device-tree/compatible reads ${read}; supported: Jetson Nano (p3450), Xavier NX (p3668), Orin NX/Nano (p3767)`,
  );
}

/**
 * The L4T major release from /etc/nv_tegra_release ("# R32 (release), REVISION: 7.1, ..."): 32 is
 * JetPack 4, 34/35 JetPack 5, 36 JetPack 6. Null when the text has no release line.
 */
export function l4tRelease(text: string): number | null {
  const m = /^#\s*R(\d+)\b/m.exec(text);
  return m ? Number(m[1]) : null;
}
