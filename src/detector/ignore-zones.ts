import type { GateConfig } from '../config/sections/gate';

export type IgnoreZone = GateConfig['ignoreZones'][number];

/**
 * The name of the first ignore zone (or its place in the list, from 1) that holds a point given as fractions
 * of the frame; null when none does. Even-odd rule, so a zone may be any simple polygon, convex or not; a
 * point exactly on an edge may fall either way.
 */
export function ignoreZoneAt(zones: readonly IgnoreZone[], x: number, y: number): string | null {
  const i = zones.findIndex((z) => insidePolygon(z.points, x, y));
  return i < 0 ? null : (zones[i]!.name ?? `#${i + 1}`);
}

function insidePolygon(points: readonly (readonly [number, number])[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i]!;
    const [xj, yj] = points[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
