/**
 * The 4-bit "inner" formats that matrix methods (svdquant, eora) quantize their residual or base
 * weight with, delegating to the registered scalar quantizers so each format has exactly one
 * implementation: INT4 (symmetric absmax, fp16 scale per group; SVDQuant's INT4 path uses groups
 * of 64), NVFP4, MXFP4 and NF4. Bits come from the same quantizers' closed forms.
 */
import type { ParamSpec, Params, QuantizerContext, QuantizerDef } from '../types';
import { withDefaults } from '../params';
import { intQuantizer } from '../quantizers/int';
import { nvfp4Quantizer } from '../quantizers/nvfp4';
import { mxfp4Quantizer } from '../quantizers/mxfp4';
import { nf4Quantizer } from '../quantizers/nf4';

export const INNER_FORMATS = ['int4', 'nvfp4', 'mxfp4', 'nf4'] as const;
export type InnerFormat = (typeof INNER_FORMATS)[number];

export const INNER_FORMAT_PARAM = {
  kind: 'enum',
  default: 'int4',
  options: INNER_FORMATS,
  doc: '4-bit format: int4 (symmetric, fp16 scale per `group`), nvfp4, mxfp4 or nf4 (block 64).',
} as const satisfies ParamSpec;

export const INNER_GROUP_PARAM = {
  kind: 'int',
  default: 64,
  min: 8,
  max: 4096,
  step: 1,
  doc: 'Group size of the int4 format (SVDQuant uses 64); ignored by the FP4/NF4 formats.',
} as const satisfies ParamSpec;

export const ROUNDING_PARAM = {
  kind: 'enum',
  default: 'nearest',
  options: ['nearest', 'stochastic'],
  doc: 'Round to nearest or stochastically (unbiased, seeded) in the 4-bit format.',
} as const satisfies ParamSpec;

/** The rounding modes of ROUNDING_PARAM. */
export type InnerRounding = (typeof ROUNDING_PARAM.options)[number];

function inner(
  format: InnerFormat,
  group: number,
  rounding: InnerRounding,
): { def: QuantizerDef; params: Params } {
  switch (format) {
    case 'nvfp4':
      return { def: nvfp4Quantizer, params: withDefaults(nvfp4Quantizer.params, { rounding }) };
    case 'mxfp4':
      return { def: mxfp4Quantizer, params: withDefaults(mxfp4Quantizer.params, { rounding }) };
    case 'nf4':
      return { def: nf4Quantizer, params: withDefaults(nf4Quantizer.params, { rounding }) };
    default:
      return {
        def: intQuantizer,
        params: withDefaults(intQuantizer.params, {
          bits: 4,
          granularity: 'group',
          group,
          symmetric: true,
          rounding,
        }),
      };
  }
}

export function innerQuantize(
  format: InnerFormat,
  group: number,
  rounding: InnerRounding,
  input: Float32Array,
  rows: number,
  d: number,
  ctx: QuantizerContext,
  out: Float32Array,
): void {
  const q = inner(format, group, rounding);
  q.def.quantize(input, rows, d, q.params, ctx, out);
}

export function innerBits(format: InnerFormat, group: number, rows: number, d: number): number {
  const q = inner(format, group, 'nearest');
  return q.def.bitsPerCoord(q.params, rows, d);
}

export function innerDescribe(format: InnerFormat, group: number): string {
  return format === 'int4' ? `int4 g${group}` : format;
}
