import type { GateConfig } from '../config/sections/gate';

export type IgnoreZone = GateConfig['ignoreZones'][number];

/**
 * Whether a point (fractions of the frame) lies inside any ignore zone. Even-odd rule, so a zone may be
 * any simple polygon, convex or not; a point exactly on an edge may fall either way.
 */
export function inIgnoreZone(zones: readonly IgnoreZone[], x: number, y: number): IgnoreZone | null {
  for (const z of zones) if (insidePolygon(z.points, x, y)) return z;
  return null;
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
