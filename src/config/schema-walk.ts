import type { z } from 'zod';

type AnySchema = z.core.$ZodType;

/** Strips wrappers (default, optional, nullable, pipe...) down to the schema that holds the shape. */
function unwrap(s: AnySchema): AnySchema {
  let cur = s;
  for (let i = 0; i < 20; i++) {
    const def = cur._zod.def as unknown as { type: string; innerType?: AnySchema; in?: AnySchema };
    if (def.innerType) cur = def.innerType;
    else if (def.type === 'pipe' && def.in) cur = def.in;
    else return cur;
  }
  return cur;
}

/** The object shape at `path` in the schema, or undefined when the path does not lead to an object. */
export function shapeAt(schema: AnySchema, path: readonly PropertyKey[]): Record<string, AnySchema> | undefined {
  let cur = unwrap(schema);
  for (const key of path) {
    const def = cur._zod.def as unknown as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema; valueType?: AnySchema };
    if (def.type === 'object' && def.shape && typeof key === 'string' && def.shape[key]) cur = unwrap(def.shape[key]);
    else if (def.type === 'array' && def.element && typeof key === 'number') cur = unwrap(def.element);
    else if (def.type === 'record' && def.valueType) cur = unwrap(def.valueType);
    else return undefined;
  }
  const def = cur._zod.def as unknown as { type: string; shape?: Record<string, AnySchema> };
  return def.type === 'object' ? def.shape : undefined;
}

export function keysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] | undefined {
  const shape = shapeAt(schema, path);
  return shape ? Object.keys(shape) : undefined;
}

/** The default input (from `.prefault()` or `.default()`) of the field at `path`, if it has one. */
export function defaultAt(schema: AnySchema, path: readonly string[]): unknown {
  if (path.length === 0) return undefined;
  const parent = shapeAt(schema, path.slice(0, -1));
  let cur: AnySchema | undefined = parent?.[path[path.length - 1]!];
  for (let i = 0; cur && i < 20; i++) {
    const def = cur._zod.def as unknown as { type: string; innerType?: AnySchema; defaultValue?: unknown };
    if (def.type === 'prefault' || def.type === 'default') return structuredClone(def.defaultValue);
    cur = def.innerType;
  }
  return undefined;
}
