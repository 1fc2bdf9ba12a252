/**
 * MXFP4: OCP Microscaling block format with FP4 (E2M1) elements and an E8M0 shared scale.
 *
 * References: OCP Microscaling Formats (MX) Specification v1.0, §5 (MX-compliant formats: block
 * size k = 32, E2M1 elements §5.3.3, E8M0 scale §5.4.1) and §6.3 (conversion from fp32:
 * X = 2^(⌊log2(max_i |V_i|)⌋ − emax_elem), P_i = quantize(V_i / X) with round-to-nearest-even and
 * clamping to the element's max normal); Rouhani et al., "Microscaling Data Formats for Deep
 * Learning", 2023; ALGORITHMS.md "MX block"; CONTRACT.md §4 `mxfp4`.
 *
 * Per block of 32 consecutive coordinates of a row (the last block of a row may be shorter):
 * e = ⌊log2 amax⌋ − 2 (emax of E2M1 = 2), clamped below at −127 (the smallest E8M0 exponent);
 * X = 2^e; x̂ = X·E2M1(x/X) with saturation to ±6. An exponent above 127 has no E8M0 code: the
 * block's scale is NaN and so is its output (cannot happen for finite fp32 input: ⌊log2⌋ ≤ 127).
 * Stochastic rounding (option 'stochastic', seeded from ctx.rng.stream('rounding', 'mxfp4'))
 * replaces the element rounding only; it is unbiased for |x/X| ≤ 6 (values in (6, 8)·X saturate).
 * Note: microxcaling's default element rounding mode ("nearest") rounds ties away from zero; this
 * file follows the spec's ties-to-even (microxcaling's "even").
 *
 * Invariants: amax/X ∈ [4, 8), so the largest element becomes 4 or 6 and X is recovered exactly
 * from x̂: nearest rounding is idempotent. |x̂| ≤ 6·X ≤ 1.5·amax. A zero block gives zeros.
 *
 * Bits per coordinate: 4 + 8·⌈d/32⌉ / d.
 *
 * Implementation: the `mx` kernel (mx.ts) with element e2m1, block 32, scale e8m0, rule floor,
 * 1-D blocks, no tensor scale; only the stochastic-rounding stream key ('mxfp4') is its own.
 *
 * Speed: nearest rounding runs on the WASM kernels (block absmax, then E2M1 rounding;
 * src/core/wasm/blocks.ts) with the E8M0 exponent derived here (blockScale), bit-identical to the
 * `mx` kernel (kernels.test.ts, mx.test.ts).
 */
import { E8M0_MAX_EXP, E8M0_MIN_EXP } from '../../formats/e8m0';
import { floorLog2, pow2 } from '../../formats/minifloat';
import { blockApply, blockStats } from '../../wasm/blocks';
import { noteWasmHit, wasmKernels } from '../../wasm/kernels';
import { mxQuantize, type MxSettings } from './mx';
import { defineParams, typedParams } from '../params';
import type { QuantizerDef } from '../types';

const MXFP4_PARAMS = defineParams({
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Element rounding: nearest even (spec) or stochastic (seeded).',
  },
});

export const MX_BLOCK = 32;
/** emax of E2M1: ⌊log2 6⌋ = 2 (MX v1.0 §5.3 / §6.3). */
const EMAX_E2M1 = 2;

/** MXFP4 as a point of the `mx` design space (same kernel, bit-identical; mx.test.ts checks it). */
export const MXFP4_SETTINGS: MxSettings = {
  element: 'e2m1',
  block: MX_BLOCK,
  scale: 'e8m0',
  rule: 'floor',
  layout: '1d',
  tensorScale: false,
};

/**
 * The block's multiplier 2^−e and scale 2^e as quantizeBlock derives them (0 and 0 for a zero
 * block; NaN for an exponent without an E8M0 code).
 */
function blockScale(amax: number): [inv: number, scale: number] {
  if (amax === 0) return [0, 0];
  let e = floorLog2(amax) - EMAX_E2M1;
  if (e > E8M0_MAX_EXP) return [NaN, NaN];
  if (e < E8M0_MIN_EXP) e = E8M0_MIN_EXP;
  return [pow2(-e), pow2(e)];
}

function quantizeWasm(input: Float32Array, rows: number, d: number, out: Float32Array): boolean {
  const k = wasmKernels();
  if (!k || rows * d === 0) return false;
  const { a: amax } = blockStats(k, input, rows, d, MX_BLOCK, 'absmax');
  const inv = new Float64Array(amax.length);
  const scale = new Float64Array(amax.length);
  for (let b = 0; b < amax.length; b++) [inv[b], scale[b]] = blockScale(amax[b]);
  blockApply(k, input, rows, d, MX_BLOCK, out, inv, scale, (inP, r, dd, g, aP, bP, outP) =>
    k.e2m1_apply(inP, r, dd, g, aP, bP, 0, outP),
  );
  noteWasmHit('mxfp4');
  return true;
}

export const mxfp4Quantizer: QuantizerDef = {
  id: 'mxfp4',
  label: 'MXFP4',
  description: 'OCP MX: blocks of 32 E2M1 values sharing an E8M0 power-of-two scale.',
  reference: 'OCP Microscaling Formats (MX) Specification v1.0, §5 and §6.3; Rouhani et al. 2023.',
  params: MXFP4_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(MXFP4_PARAMS, params);
    const rng = p.rounding === 'stochastic' ? ctx.rng.stream('rounding', 'mxfp4') : null;
    if (rng === null && quantizeWasm(input, rows, d, out)) return;
    mxQuantize(input, rows, d, MXFP4_SETTINGS, rng, out);
  },
  // 1-D blocks within a row, no tensor scale (OCP MX §6.3).
  rowLocal: (params) => typedParams(MXFP4_PARAMS, params).rounding === 'nearest',
  bitsPerCoord(_params, _rows, d) {
    return 4 + (8 * Math.ceil(d / MX_BLOCK)) / d;
  },
  describe(params) {
    const p = typedParams(MXFP4_PARAMS, params);
    return `b32 e2m1·e8m0${p.rounding === 'stochastic' ? ' sr' : ''}`;
  },
};
