/**
 * MR-GPTQ (Micro-Rotated GPTQ): a block-wise Hadamard rotation whose block is the format's group
 * size, fused into the weights, with the activations rotated online; then GPTQ on the rotated
 * weight with a format-specific scale search.
 *
 * Reference: "Bridging the Gap Between Promise and Performance for Microscaling FP4 Quantization",
 * 2025, arXiv preprint (abstract: block-wise Hadamard transforms and format-specific optimizations
 * for MXFP4 / NVFP4; MXFP4 then nears NVFP4; "FP4 is not an automatic upgrade over INT4"). GPTQ:
 * Frantar et al., ICLR 2023, Algorithm 1 (gptq.ts).
 *
 * Here, for a rows × d weight W and calibration activations X (tokens × d, ctx.calibration):
 *   R = I ⊗ H_b/√b (orthonormal Walsh–Hadamard on each block of b = the format's group: 32 for
 *   mxfp4, 16 for nvfp4, `group` for int4; no random signs, as the paper's block rotation),
 *   W_R = W·Rᵀ, X_R = X·Rᵀ (zero-padded to a multiple of b), Q = GPTQ(W_R; H = 2X_RᵀX_R/N + λI)
 *   on the format's grid with the group scale chosen by `scaleSearch` (matrix/grid.ts: the stored
 *   scale minimising the group's squared error, among E8M0 exponents for MXFP4, UE4M3 values for
 *   NVFP4, fp16 scales for INT4), and the output is Q·R (first d columns).
 * Because R is orthogonal, X·(Q·R)ᵀ = X_R·Qᵀ: the output is what the deployed layer computes with
 * the rotation fused into the stored weights and applied online to the activations. Quantizing
 * activations with this method (no calibration: the layer analysis does so) is rotate → RTN with
 * the same scale search → rotate back, i.e. X_R quantized in the rotated domain, as deployed.
 * Without calibration and for weights, the Hessian is the identity: micro-rotated RTN (`note`).
 *
 * Bits per coordinate: the format's closed form on the padded width d' = ⌈d/b⌉·b, times d'/d
 * (mxfp4: 4 + 8/32; nvfp4: 4 + 8/16 + 32/(rows·d'); int4: 4 + 16/group), plus d'·⌈log2 d'⌉/(rows·d)
 * with act-order. The rotation is fixed (no stored side information).
 */
import { isPowerOfTwo } from '../../linalg/fwht';
import { SignedHadamard } from '../../linalg/signedHadamard';
import type { GridOptions } from '../matrix/grid';
import { defineParams, typedParams, type ParamsOf } from '../params';
import type { QuantizerDef } from '../types';
import { GPTQ_COMMON_PARAMS, gptqQuantize, gridQuantizerRef, permutationBits } from './gptq';

export const MR_GPTQ_PARAMS = defineParams({
  format: {
    kind: 'enum',
    default: 'mxfp4',
    options: ['mxfp4', 'nvfp4', 'int4'],
    doc: 'Format: mxfp4 (b32, E8M0), nvfp4 (b16, UE4M3 + fp32) or int4 (symmetric, fp16 scale per `group`).',
  },
  group: {
    kind: 'int',
    default: 32,
    min: 8,
    max: 4096,
    step: 1,
    powerOfTwo: true,
    doc: 'int4 group size (also its rotation block); mxfp4 and nvfp4 use 32 and 16.',
  },
  rotate: {
    kind: 'bool',
    default: true,
    doc: 'Apply the block-wise Hadamard (micro-rotation); off = GPTQ with the scale search only.',
  },
  scaleSearch: {
    kind: 'enum',
    default: 'mse',
    options: ['absmax', 'mse'],
    doc: 'Group scale: absmax, or the stored scale minimising the group’s squared error (format-specific).',
  },
  ...GPTQ_COMMON_PARAMS,
});

type MrGptqParams = ParamsOf<typeof MR_GPTQ_PARAMS>;

function gridOf(p: MrGptqParams): GridOptions {
  const format = p.format;
  return {
    format: format === 'int4' ? 'int' : format === 'nvfp4' ? 'nvfp4' : 'mxfp4',
    bits: 4,
    group: p.group,
    symmetric: true,
    search: p.scaleSearch,
  };
}

/** Rotation block b: the format's group size. */
export function microBlock(p: MrGptqParams): number {
  const format = p.format;
  const b = format === 'mxfp4' ? 32 : format === 'nvfp4' ? 16 : p.group;
  if (!isPowerOfTwo(b))
    throw new RangeError(`mr-gptq: group must be a power of two for the block Hadamard, got ${b}`);
  return b;
}

function paddedWidth(p: MrGptqParams, d: number): number {
  if (!p.rotate) return d;
  const b = microBlock(p);
  return Math.ceil(d / b) * b;
}

export const mrGptqQuantizer: QuantizerDef = {
  id: 'mr-gptq',
  label: 'MR-GPTQ',
  description:
    'Block Hadamard of the format’s group size fused into the weight, then GPTQ with a per-group scale search (MXFP4, NVFP4, INT4).',
  reference:
    'Bridging the Gap Between Promise and Performance for Microscaling FP4 Quantization, 2025; GPTQ (ICLR 2023) Alg. 1.',
  params: MR_GPTQ_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(MR_GPTQ_PARAMS, params);
    const o = { grid: gridOf(p), actOrder: p.actOrder, damp: p.damp, block: p.block };
    if (!p.rotate) {
      gptqQuantize(input, rows, d, ctx.calibration, o, out);
      return;
    }
    const b = microBlock(p);
    const dp = paddedWidth(p, d);
    const rot = new SignedHadamard(d, dp, b, [null]);
    const wr = new Float32Array(rows * dp);
    rot.forward(input, rows, wr);
    let x = ctx.calibration;
    if (x) {
      if (x.cols !== d)
        throw new RangeError(`mr-gptq: calibration activations have ${x.cols} columns, the weight has ${d}`);
      const xr = new Float32Array(x.rows * dp);
      rot.forward(x.data, x.rows, xr);
      x = { rows: x.rows, cols: dp, data: xr };
    }
    const q = new Float32Array(rows * dp);
    gptqQuantize(wr, rows, dp, x, o, q);
    rot.inverse(q, rows, out);
  },
  bitsPerCoord(params, rows, d) {
    const p = typedParams(MR_GPTQ_PARAMS, params);
    const dp = paddedWidth(p, d);
    const ref = gridQuantizerRef(gridOf(p));
    const perm = p.actOrder ? permutationBits(dp) : 0;
    return (ref.def.bitsPerCoord(ref.params, rows, dp) * dp) / d + perm / (rows * d);
  },
  note(params, ctx) {
    if (ctx.calibration) return undefined;
    const p = typedParams(MR_GPTQ_PARAMS, params);
    return `no calibration activations: Hessian = identity, so this is ${p.rotate ? 'micro-rotated ' : ''}round-to-nearest with the scale search`;
  },
  describe(params) {
    const p = typedParams(MR_GPTQ_PARAMS, params);
    const f = p.format;
    const fmt = f === 'int4' ? `int4 g${p.group}` : f;
    const extras = `${p.rotate ? '' : ' no-rot'}${p.scaleSearch === 'mse' ? '' : ' absmax'}${p.actOrder ? ' act-order' : ''}`;
    return `${fmt}${extras}`;
  },
};
