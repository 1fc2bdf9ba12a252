/**
 * ITQ3_S-style coding: each row is cut into 256-element blocks, each block rotated by a
 * (randomly signed) 256-point orthonormal FWHT so its outliers spread and it becomes near-Gaussian,
 * then coded on a 3-bit grid (or ternary); the inverse FWHT restores the original domain.
 *
 * Reference: "ITQ3_S: High-Fidelity 3-bit LLM Inference via Interleaved Ternary Quantization with
 * Rotation-Domain Smoothing" (2026), abstract: 256-point FWHT ("TurboQuant" rotation) then
 * interleaved ternary / 3-bit coding; since the FWHT is exact, ‖ŵ − w‖₂ ≤ ε_q comes from the grid
 * alone. Seeds CATALOGUE §1.B.4.
 *
 * Grid '3bit': the eight odd levels {±1, ±3, ±5, ±7}·Δ per group of `group` rotated coordinates,
 * Δ = fp16(amax/7) — the scalar form of IQ3-style grids, whose magnitudes are odd multiples of the
 * scale with a separate sign. (llama.cpp's IQ3_S additionally restricts 4-tuples of magnitudes to
 * a 512-entry lattice, 3.4375 b/w; that table is not reproduced here.) Every rotated coordinate
 * with |y| ≤ 7Δ is within Δ of a level, so per block ‖ŵ − w‖₂ = ‖ŷ − y‖₂ ≤ ε_q = (Σ_groups n_g·Δ_g²)^{1/2}
 * (up to the fp16 rounding of Δ, < 2^−11 relative). Grid 'ternary': TWN {−α, 0, +α} per group
 * (the `ternary` quantizer's rule).
 *
 * Padding: rows are zero-padded to D = ⌈d/block⌉·block; all D coordinates are stored.
 * Randomness: signs from ctx.rng.stream('rotation', 'itq3s', D, block); stochastic rounding from
 * ctx.rng.stream('rounding', 'itq3s').
 * Bits per coordinate: (3 + 16/group)·D/d for '3bit', (1.6 + 16/group)·D/d for 'ternary'
 * (a group's last partial piece counted as a full scale: ⌈D/group⌉ scales per row).
 */
import { roundScaleToFp16 } from '../../formats/fp16';
import { rintEven, roundStochastic } from '../../formats/rounding';
import { fwhtOrthonormalInPlace } from '../../linalg/fwht';
import { randomSigns } from '../../linalg/signedHadamard';
import type { Rng } from '../../rng';
import { defineParams, typedParams, withDefaults } from '../params';
import type { QuantizerDef } from '../types';
import { ternaryQuantizer } from './ternary';

function paddedDim(d: number, block: number): number {
  return Math.ceil(d / block) * block;
}

/** The odd 3-bit grid on y[from, to): levels (2k+1)·Δ, k ∈ [−4, 3]. Returns Δ. */
export function oddGrid3(
  y: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  rng: Rng | null,
): number {
  let amax = 0;
  for (let i = from; i < to; i++) amax = Math.max(amax, Math.abs(y[i]));
  const delta = amax > 0 ? roundScaleToFp16(amax / 7) : 0;
  if (delta === 0) {
    out.fill(0, from, to);
    return 0;
  }
  for (let i = from; i < to; i++) {
    const u = (y[i] / delta - 1) / 2;
    let k = rng === null ? rintEven(u) : roundStochastic(u, rng.uniform());
    if (k > 3) k = 3;
    else if (k < -4) k = -4;
    out[i] = (2 * k + 1) * delta;
  }
  return delta;
}

const ITQ3S_PARAMS = defineParams({
  grid: {
    kind: 'enum',
    default: '3bit',
    options: ['3bit', 'ternary'],
    doc: '3bit: odd levels ±{1,3,5,7}·Δ; ternary: TWN {−α, 0, +α}.',
  },
  block: {
    kind: 'int',
    default: 256,
    min: 2,
    max: 4096,
    step: 1,
    powerOfTwo: true,
    doc: 'FWHT block length (ITQ3_S: 256).',
  },
  group: {
    kind: 'int',
    default: 32,
    min: 8,
    max: 4096,
    step: 1,
    doc: 'Rotated coordinates sharing one fp16 scale.',
  },
  signs: {
    kind: 'bool',
    default: true,
    doc: 'Random ±1 signs before the FWHT (randomized Hadamard, as TurboQuant).',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Round to the nearest level or stochastically between neighbours (seeded).',
  },
});

export const itq3sQuantizer: QuantizerDef = {
  id: 'itq3s',
  label: 'ITQ3_S',
  description: '256-point randomized FWHT per block, then a 3-bit odd grid or ternary codes per group.',
  reference:
    'ITQ3_S: High-Fidelity 3-bit LLM Inference via Interleaved Ternary Quantization with Rotation-Domain Smoothing (2026), abstract.',
  params: ITQ3S_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(ITQ3S_PARAMS, params);
    const block = p.block;
    const g = p.group;
    const D = paddedDim(d, block);
    const signs = p.signs ? randomSigns(ctx.rng.stream('rotation', 'itq3s', D, block), D) : null;
    const stochastic = p.rounding === 'stochastic';
    const rng = stochastic ? ctx.rng.stream('rounding', 'itq3s') : null;
    const ternary = p.grid === 'ternary';
    const ternaryParams = withDefaults(ternaryQuantizer.params, {
      group: g,
      rounding: p.rounding,
    });
    const y = new Float32Array(rows * D);
    const yHat = new Float32Array(rows * D);
    const work = new Float64Array(D);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < d; i++) work[i] = input[r * d + i] * (signs ? signs[i] : 1);
      work.fill(0, d);
      for (let b = 0; b < D; b += block) fwhtOrthonormalInPlace(work, b, block);
      for (let i = 0; i < D; i++) y[r * D + i] = work[i];
    }
    if (ternary) ternaryQuantizer.quantize(y, rows, D, ternaryParams, ctx, yHat);
    else
      for (let r = 0; r < rows; r++)
        for (let s = 0; s < D; s += g) oddGrid3(y, yHat, r * D + s, r * D + Math.min(s + g, D), rng);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < D; i++) work[i] = yHat[r * D + i];
      for (let b = 0; b < D; b += block) fwhtOrthonormalInPlace(work, b, block);
      for (let i = 0; i < d; i++) out[r * d + i] = work[i] * (signs ? signs[i] : 1);
    }
  },
  bitsPerCoord(params, _rows, d) {
    const p = typedParams(ITQ3S_PARAMS, params);
    const D = paddedDim(d, p.block);
    const g = p.group;
    const code = p.grid === 'ternary' ? 1.6 : 3;
    return ((code * D + 16 * Math.ceil(D / g)) / D) * (D / d);
  },
  describe(params) {
    const p = typedParams(ITQ3S_PARAMS, params);
    const sr = p.rounding === 'stochastic' ? ' sr' : '';
    return `${p.grid} fwht${p.block} g${p.group}${sr}`;
  },
};
