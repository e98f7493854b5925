import { InvalidLevelError } from './errors';

/** Converts a caller's level to a boolean, or throws InvalidLevelError (no truthiness: 'on', 2, null are errors). */
export function toLevel(device: string, value: unknown): boolean {
  if (value === true || value === 1) return true;
  if (value === false || value === 0) return false;
  throw new InvalidLevelError(device, value);
}

/** The electrical level for a logical one: activeLow inverts. */
export function physicalLevel(logical: boolean, activeLow: boolean): boolean {
  return logical !== activeLow;
}
