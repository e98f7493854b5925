import { readFileSync } from 'node:fs';

export type ProviderName = 'tensorrt' | 'cuda' | 'cpu';

/** Reads /proc/device-tree/compatible; null where there is none (not Linux on a device tree). */
export function readDeviceTreeCompatible(): string | null {
  try {
    return readFileSync('/proc/device-tree/compatible', 'latin1');
  } catch {
    return null;
  }
}

/** The compatible list is NUL-separated strings such as "nvidia,p3509-0000+p3668-0001\0nvidia,tegra194". */
export function isJetson(compatible: string | null): boolean {
  return compatible !== null && compatible.split('\0').some((s) => s.startsWith('nvidia,tegra'));
}

/** The configured order, or [tensorrt, cuda, cpu] on a Jetson and [cpu] elsewhere. */
export function providerOrder(configured: readonly ProviderName[] | null, compatible: string | null): ProviderName[] {
  if (configured) return [...configured];
  return isJetson(compatible) ? ['tensorrt', 'cuda', 'cpu'] : ['cpu'];
}
