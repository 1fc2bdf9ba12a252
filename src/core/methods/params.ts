/**
 * Typed accessors for validated method params. Params reaching a kernel were already checked
 * against the method's schema by src/core/config (or `withDefaults` in tests), so a wrong type here is
 * a programming error and throws.
 */
import type { ParamSchema, ParamSpec, Params, ParamValue } from './types';

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

/** The TypeScript type of one param's value, from its spec (enum options as a union of literals). */
export type ParamValueOf<P extends ParamSpec> = P extends { readonly kind: 'int' | 'number' }
  ? number
  : P extends { readonly kind: 'enum'; readonly options: readonly (infer O)[] }
    ? O
    : P extends { readonly kind: 'bool' }
      ? boolean
      : string;

/** A method's params typed from its schema: `ParamsOf<typeof SCHEMA>` (declare the schema with `defineParams`). */
export type ParamsOf<S extends ParamSchema> = { readonly [K in keyof S]: ParamValueOf<S[K]> };

/** A params schema that keeps its literal types (enum options, kinds), so ParamsOf can read them. */
export function defineParams<const S extends ParamSchema>(schema: S): S {
  return schema;
}

/**
 * Validated params as the method's typed record: one read per param, each checked against its
 * spec's kind like num/str/bool (a wrong type is a programming error and throws), so the method
 * body reads `p.bits`, `p.scale` with the compiler checking names and enum values.
 */
export function typedParams<S extends ParamSchema>(schema: S, params: Params): ParamsOf<S> {
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(schema)) {
    out[name] =
      spec.kind === 'int' || spec.kind === 'number'
        ? num(params, name)
        : spec.kind === 'bool'
          ? bool(params, name)
          : str(params, name);
  }
  return out as ParamsOf<S>;
}
