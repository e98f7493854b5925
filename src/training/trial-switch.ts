/**
 * A 0/1 trial switch of the training scripts (MASK_GATE_SYNTH, MASK_GATE_BESIDE, MASK_GATE_TINT): on unless
 * set to 0. Anything else is refused with the variable's name: a misspelt switch must not train silently
 * with other settings. Its own module so that synth/ and train.ts share it without an import cycle.
 */
export function onOffTrial(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[name];
  if (v === undefined || v === '' || v === '1') return true;
  if (v === '0') return false;
  throw new Error(`${name}: expected 0 (off) or 1 (on, the default), got "${v}"`);
}

/**
 * A "lo,hi" range trial setting (MASK_GATE_BELOW_NOSE_TOP): `fallback` when unset. Anything but two numbers
 * with lo <= hi is refused with the variable's name.
 */
export function rangeTrial(name: string, fallback: readonly [number, number], env: NodeJS.ProcessEnv = process.env): readonly [number, number] {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const parts = v.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)));
  if (parts.length !== 2 || !parts.every(Number.isFinite) || parts[0]! > parts[1]!) throw new Error(`${name}: expected "lo,hi" with lo <= hi, got "${v}"`);
  return [parts[0]!, parts[1]!];
}
