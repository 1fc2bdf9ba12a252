/**
 * A typed reader for code that is generic over methods and switches on a method id (a GPU kernel
 * keyed by its method, the teaching views): such a site cannot see the method file's schema type,
 * so it names the params it reads with the kind it expects and reads `p.bits`, `p.rounding` typed
 * (enum options as a union of literals) instead of reading by name with `num`.
 *
 * The declaration is checked against the method's registered schema when the reader is made (at
 * module load): a param the method does not have, another kind, or other enum options throw there,
 * naming the method and the param, so a renamed param fails every test that imports the site.
 * Each read checks the value's kind (and enum membership) like `typedParams`, a programming error
 * that throws; a param absent from the record reads as the schema default (the canonical form
 * spells every param out, CONTRACT.md §1; the teaching views also take hand-made partial params).
 */
import type { ParamSchema, ParamSpec, ParamValue } from './types';

/** What a site expects of one param: a number (int or number), a boolean, a free string, or an enum's options. */
export type ParamKind = 'number' | 'boolean' | 'string' | readonly string[];

type KindValue<K> = K extends 'number'
  ? number
  : K extends 'boolean'
    ? boolean
    : K extends readonly (infer O)[]
      ? O
      : string;

export type ReadParams<R extends Readonly<Record<string, ParamKind>>> = {
  readonly [N in keyof R]: KindValue<R[N]>;
};

function kindOf(spec: ParamSpec): 'number' | 'boolean' | 'string' | 'enum' {
  return spec.kind === 'int' || spec.kind === 'number'
    ? 'number'
    : spec.kind === 'bool'
      ? 'boolean'
      : spec.kind;
}

function checkDeclaration(method: string, name: string, spec: ParamSpec | undefined, want: ParamKind) {
  const where = `param reader for ${method}: ${name}`;
  if (!spec) throw new Error(`${where} is not a param of ${method}`);
  const kind = kindOf(spec);
  if (typeof want === 'string') {
    if (want !== kind) throw new Error(`${where} is declared ${want}; the schema says ${spec.kind}`);
    return;
  }
  const options = spec.kind === 'enum' ? [...spec.options].sort() : null;
  if (!options || options.join('\n') !== [...want].sort().join('\n'))
    throw new Error(
      `${where} is declared enum [${want.join(', ')}]; the schema says ${spec.kind === 'enum' ? `enum [${spec.options.join(', ')}]` : spec.kind}`,
    );
}

export function paramReader<const R extends Readonly<Record<string, ParamKind>>>(
  method: { readonly id: string; readonly params: ParamSchema },
  reads: R,
): (params: Readonly<Record<string, unknown>>) => ReadParams<R> {
  const entries = Object.entries(reads);
  for (const [name, want] of entries) checkDeclaration(method.id, name, method.params[name], want);
  return (params) => {
    const out: Record<string, ParamValue> = {};
    for (const [name, want] of entries) {
      const spec = method.params[name];
      const v = params[name] ?? spec.default;
      const ok = typeof want === 'string' ? typeof v === want : typeof v === 'string' && want.includes(v);
      if (!ok)
        throw new TypeError(
          `param ${name} of ${method.id}: expected ${typeof want === 'string' ? `a ${want}` : `one of ${want.join(', ')}`}, got ${String(v)}`,
        );
      out[name] = v as ParamValue;
    }
    return out as ReadParams<R>;
  };
}
