/**
 * NVFP4: blocks of 16 E2M1 values with an unsigned E4M3 block scale and an fp32 per-tensor scale.
 *
 * References: NVIDIA, "Introducing NVFP4 for Efficient and Accurate Low-Precision Inference"
 * (technical blog, 2025: 16-element micro-blocks, E4M3 block scale, fp32 second-level scale);
 * NVIDIA PTX ISA, block-scaled MMA with `.ue4m3` scale factors (scale vector size 16);
 * ALGORITHMS.md "NVFP4"; CONTRACT.md §4 `nvfp4`.
 *
 * Two-level scaling over the rows × d tensor passed to quantize():
 *   s_t = fp32(amax(tensor) / (448·6))                          (fp32 tensor scale)
 *   s_b = UE4M3(amax(block) / 6 / s_t)   round-to-nearest-even, saturating at 448
 *   x̂  = (s_b·s_t)·E2M1(x / (s_b·s_t))  ties to even, saturating at ±6
 * Blocks are 16 consecutive coordinates of one row (the last block of a row may be shorter).
 * The scale arithmetic runs in float64 on the stored values (fp32 s_t, exact UE4M3 s_b), so the
 * only roundings are the three listed above; a GPU kernel computing amax/6/s_t in fp32 can differ
 * when that quotient lies within an fp32 ulp of an E4M3 rounding boundary.
 * A block whose scale rounds to 0 (amax(block) below ~2^−10 of the tensor's) reconstructs to zero;
 * an all-zero tensor gives zeros. Stochastic rounding (seeded from ctx.rng.stream('rounding',
 * 'nvfp4')) applies to the elements only; scales are always rounded to nearest.
 *
 * Invariants: |x̂| ≤ 6·s_b·s_t ≤ 2688·s_t ≈ amax(tensor). Not idempotent in general: the E4M3
 * rounding of s_b (3 mantissa bits; coarser still for subnormal block scales) can send a block's
 * largest element to a level below 6, and re-deriving s_b from x̂ then picks a different scale.
 *
 * Bits per coordinate: 4 + 8·⌈d/16⌉/d + 32/(rows·d).
 *
 * Implementation: the `mx` kernel (mx.ts) with element e2m1, block 16, scale ue4m3, rule round,
 * 1-D blocks and the fp32 tensor scale (S_top = 448); only the stochastic-rounding stream key
 * ('nvfp4') is its own.
 */
import { mxQuantize, type MxSettings } from './mx';
import { UE4M3 } from '../../formats/minifloat';
import { blockApply, blockStats, roundMinifloatInPlace } from '../../wasm/blocks';
import { noteWasmHit, wasmKernels } from '../../wasm/kernels';
import { defineParams, typedParams } from '../params';
import type { QuantizerDef } from '../types';

const NVFP4_PARAMS = defineParams({
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Element rounding: nearest even or stochastic (seeded); scales always round to nearest.',
  },
});

export const NV_BLOCK = 16;
/** E4M3 max (448) × E2M1 max (6). */
const TENSOR_RANGE = 448 * 6;

/** NVFP4 as a point of the `mx` design space (same kernel, bit-identical; mx.test.ts checks it). */
export const NVFP4_SETTINGS: MxSettings = {
  element: 'e2m1',
  block: NV_BLOCK,
  scale: 'ue4m3',
  rule: 'round',
  layout: '1d',
  tensorScale: true,
};

/**
 * The WASM path of nearest rounding (block absmax, then E2M1 rounding in the kernels; the UE4M3
 * block scales derived here as quantizeBlock does), bit-identical to the loop in `quantize`. The
 * tensor absmax is the largest block absmax (max is exact and order-free).
 */
function quantizeWasm(input: Float32Array, rows: number, d: number, out: Float32Array): boolean {
  const k = wasmKernels();
  if (!k || rows * d === 0) return false;
  const { a: amax } = blockStats(k, input, rows, d, NV_BLOCK, 'absmax');
  let tmax = 0;
  for (let b = 0; b < amax.length; b++) if (amax[b] > tmax) tmax = amax[b];
  const st = Math.fround(tmax / TENSOR_RANGE);
  noteWasmHit('nvfp4');
  if (st === 0) {
    out.fill(0, 0, rows * d);
    return true;
  }
  // sb = roundValue(UE4M3, amax/6/st) per block, rounded by the WASM port of roundValue.
  const den = new Float64Array(amax.length);
  for (let b = 0; b < amax.length; b++) den[b] = amax[b] / 6 / st;
  roundMinifloatInPlace(k, den, UE4M3);
  for (let b = 0; b < den.length; b++) den[b] = den[b] === 0 ? 0 : den[b] * st;
  blockApply(k, input, rows, d, NV_BLOCK, out, den, null, (inP, r, dd, g, aP, bP, outP) =>
    k.e2m1_apply(inP, r, dd, g, aP, bP, 1, outP),
  );
  return true;
}

export const nvfp4Quantizer: QuantizerDef = {
  id: 'nvfp4',
  label: 'NVFP4',
  description: 'Blocks of 16 E2M1 values, an E4M3 block scale and an fp32 tensor scale amax/(448·6).',
  reference: 'NVIDIA NVFP4 (Blackwell block-scaled FP4: 16-element blocks, UE4M3 scales, fp32 tensor scale).',
  params: NVFP4_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(NVFP4_PARAMS, params);
    if (p.rounding !== 'stochastic' && quantizeWasm(input, rows, d, out)) return;
    const rng = p.rounding === 'stochastic' ? ctx.rng.stream('rounding', 'nvfp4') : null;
    mxQuantize(input, rows, d, NVFP4_SETTINGS, rng, out);
  },
  bitsPerCoord(_params, rows, d) {
    return 4 + (8 * Math.ceil(d / NV_BLOCK)) / d + 32 / (rows * d);
  },
  describe(params) {
    const p = typedParams(NVFP4_PARAMS, params);
    return `b16 e2m1·e4m3·fp32${p.rounding === 'stochastic' ? ' sr' : ''}`;
  },
};
