/**
 * NF4: bitsandbytes / QLoRA 4-bit NormalFloat with one fp32 absmax per block.
 *
 * References: Dettmers et al., "QLoRA: Efficient Finetuning of Quantized LLMs", NeurIPS 2023, §3
 * (4-bit NormalFloat: quantiles of N(0,1) normalised to [−1, 1], exact zero, blockwise absmax,
 * block 64); bitsandbytes csrc/kernels.cu NF4 table (src/core/formats/nf4.ts); CONTRACT.md §4 `nf4`.
 * Double quantization of the absmax (QLoRA §3 "Double Quantization") is not applied: the absmax is
 * stored as fp32, as CONTRACT.md specifies.
 *
 * Per block of `block` consecutive coordinates of a row (the last may be shorter): A = max|x|,
 * x̂ = A·NF4[nearest(x/A)] (an exact tie goes to the lower level); 'stochastic' picks one of the
 * two bracketing levels with probabilities that make E[x̂] = x (seeded from
 * ctx.rng.stream('rounding', 'nf4')). A zero block gives zeros.
 *
 * Invariants: |x̂| ≤ A, the block's max element is reproduced exactly (NF4 holds ±1), and nearest
 * rounding is idempotent.
 *
 * Bits per coordinate: 4 + 32·⌈d/block⌉/d.
 *
 * Speed: nearest rounding runs on the WASM kernels (block absmax, then `nf4_apply`;
 * src/core/wasm/blocks.ts), bit-identical to quantizeBlock (kernels.test.ts).
 */
import { NF4_VALUES, nf4Nearest, nf4Stochastic } from '../../formats/nf4';
import type { Rng } from '../../rng';
import { blockApply, blockStats } from '../../wasm/blocks';
import { noteWasmHit, wasmKernels } from '../../wasm/kernels';
import { defineParams, typedParams } from '../params';
import type { QuantizerDef } from '../types';

function quantizeBlock(x: Float32Array, out: Float32Array, from: number, to: number, rng: Rng | null): void {
  let amax = 0;
  for (let i = from; i < to; i++) {
    const a = Math.abs(x[i]);
    if (a > amax) amax = a;
  }
  if (amax === 0) {
    out.fill(0, from, to);
    return;
  }
  for (let i = from; i < to; i++) {
    const t = x[i] / amax;
    const code = rng === null ? nf4Nearest(t) : nf4Stochastic(t, rng.uniform());
    out[i] = t === t ? NF4_VALUES[code] * amax : NaN; // a NaN input stays NaN
  }
}

/**
 * The WASM path of nearest rounding (block absmax, then `nf4_apply` with the same table and
 * comparisons as nf4Nearest), bit-identical to quantizeBlock (kernels.test.ts).
 */
function quantizeWasm(
  input: Float32Array,
  rows: number,
  d: number,
  block: number,
  out: Float32Array,
): boolean {
  const k = wasmKernels();
  if (!k || rows * d === 0) return false;
  const g = Math.min(block, d);
  const { a: amax } = blockStats(k, input, rows, d, g, 'absmax');
  // The table rides in the second parameter region, which nf4_apply does not otherwise use.
  blockApply(k, input, rows, d, g, out, amax, null, (inP, r, dd, gg, aP, bP, outP) => {
    new Float64Array(k.memory.buffer, bP, NF4_VALUES.length).set(NF4_VALUES);
    k.nf4_apply(inP, r, dd, gg, aP, bP, outP);
  });
  noteWasmHit('nf4');
  return true;
}

export const NF4_PARAMS = defineParams({
  block: {
    kind: 'int',
    default: 64,
    min: 8,
    max: 4096,
    step: 1,
    doc: 'Block size sharing one absmax; the last block of a row may be partial.',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Nearest level or stochastic between the two bracketing levels (unbiased, seeded).',
  },
});

export const nf4Quantizer: QuantizerDef = {
  id: 'nf4',
  label: 'NF4',
  description: 'bitsandbytes NormalFloat4: 16 Gaussian-quantile levels, one fp32 absmax per block.',
  reference: 'Dettmers et al., QLoRA (NeurIPS 2023) §3; bitsandbytes NF4 table.',
  params: NF4_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(NF4_PARAMS, params);
    const block = p.block;
    const rng = p.rounding === 'stochastic' ? ctx.rng.stream('rounding', 'nf4') : null;
    if (rng === null && quantizeWasm(input, rows, d, block, out)) return;
    for (let r = 0; r < rows; r++) {
      const base = r * d;
      for (let s = 0; s < d; s += block)
        quantizeBlock(input, out, base + s, base + Math.min(s + block, d), rng);
    }
  },
  // Block absmax within a row.
  rowLocal: (params) => typedParams(NF4_PARAMS, params).rounding === 'nearest',
  bitsPerCoord(params, _rows, d) {
    const p = typedParams(NF4_PARAMS, params);
    return 4 + (32 * Math.ceil(d / p.block)) / d;
  },
  describe(params) {
    const p = typedParams(NF4_PARAMS, params);
    return `b${p.block}${p.rounding === 'stochastic' ? ' sr' : ''}`;
  },
};
