/**
 * Typed accessors for validated method params. Params reaching a kernel were already checked
 * against the method's schema by src/core/config (or `withDefaults` in tests), so a wrong type here is
 * a programming error and throws.
 */
import type { ParamSchema, Params, ParamValue } from './types';

export function num(params: Params, name: string): number {
  const v = params[name];
  if (typeof v !== 'number') throw new TypeError(`param ${name}: expected a number, got ${String(v)}`);
  return v;
}

export function str(params: Params, name: string): string {
  const v = params[name];
  if (typeof v !== 'string') throw new TypeError(`param ${name}: expected a string, got ${String(v)}`);
  return v;
}

export function bool(params: Params, name: string): boolean {
  const v = params[name];
  if (typeof v !== 'boolean') throw new TypeError(`param ${name}: expected a boolean, got ${String(v)}`);
  return v;
}

/** Every param of `schema` spelled out: given values win, the rest take defaults. No validation. */
export function withDefaults(schema: ParamSchema, given: Readonly<Record<string, ParamValue>> = {}): Params {
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(schema)) out[name] = given[name] ?? spec.default;
  return out;
}
