/**
 * EDEN (and DRIVE as its 1-bit unbiased case).
 * Vargaftik, Ben Basat, Portnoy, Mendelson, Ben-Itzhak, Mitzenmacher, "EDEN: Communication-Efficient
 * and Robust Distributed Mean Estimation for Federated Learning", ICML 2022 (PMLR 162), §3: after a
 * random rotation, quantize every coordinate of √d·y/‖y‖ with the Lloyd–Max codebook of N(0,1) and
 * send one scale S per vector. DRIVE (Vargaftik et al., "DRIVE: One-bit Distributed Mean
 * Estimation", NeurIPS 2021) is b = 1 with the unbiased scale: ŷ = (‖y‖²/‖y‖₁)·sign(y).
 * The MSE-optimal scale is the one the EDEN/TurboQuant note (arXiv 2604.18555) calls biased EDEN.
 *
 * The pipeline has already rotated the rows; this file only quantizes y:
 *   q = Q_b(√d·y/‖y‖)  (nearest level of the Gaussian Lloyd–Max codebook, coordinate-wise)
 *   ŷ = S·q,  S_mse = ⟨y,q⟩/‖q‖² (least squares: minimises ‖y − S·q‖),
 *             S_unbiased = ‖y‖²/⟨y,q⟩ (so ⟨y,ŷ⟩ = ‖y‖² and, over the rotation, E⟨x̂,z⟩ = ⟨x,z⟩).
 * Since the codebook is symmetric with a threshold at 0, q_j has the sign of y_j, so ⟨y,q⟩ > 0 for
 * every y ≠ 0 and both scales are finite; rows with ‖y‖ = 0 reconstruct to exactly 0.
 *
 * Large-d limits for a Haar rotation (z ≈ i.i.d. N(0,1), centroid condition E[z·Q(z)] = E[Q(z)²] = 1−D_b):
 * vNMSE_mse → D_b and vNMSE_unbiased → D_b/(1 − D_b) (π/2 − 1 at b = 1).
 *
 * Cost: one pass for ‖y‖, one for q and the two dot products, one to scale: O(d·b) per row.
 * Bits per coordinate: b + 32/d (one fp32 S per row).
 */
import { lloydMaxGaussian, nearestLevelIndex } from '../../linalg/lloydmax';
import { num, str } from '../params';
import type { Params, QuantizerDef } from '../types';

export const edenQuantizer: QuantizerDef = {
  id: 'eden',
  label: 'EDEN',
  description:
    'Gaussian Lloyd–Max codebook on √d·y/‖y‖ with one scale per vector (bits=1 + unbiased is DRIVE)',
  reference:
    'Vargaftik et al., "EDEN: Communication-Efficient and Robust Distributed Mean Estimation for Federated Learning", ICML 2022, §3; DRIVE, NeurIPS 2021',
  params: {
    bits: { kind: 'int', default: 2, min: 1, max: 8, step: 1, doc: 'bits per coordinate b (2^b levels)' },
    scale: {
      kind: 'enum',
      default: 'mse',
      options: ['mse', 'unbiased'],
      doc: 'mse: S = ⟨y,q⟩/‖q‖² (least squares); unbiased: S = ‖y‖²/⟨y,q⟩',
    },
  },
  quantize(input, rows, d, params, _ctx, out) {
    const cb = lloydMaxGaussian(num(params, 'bits'));
    const unbiased = str(params, 'scale') === 'unbiased';
    const levels = cb.levels;
    const thr = cb.thresholds;
    for (let r = 0; r < rows; r++) {
      const off = r * d;
      let n2 = 0;
      for (let j = 0; j < d; j++) n2 += input[off + j] * input[off + j];
      if (n2 === 0) {
        out.fill(0, off, off + d);
        continue;
      }
      const k = Math.sqrt(d / n2);
      let yq = 0;
      let qq = 0;
      for (let j = 0; j < d; j++) {
        const y = input[off + j];
        out[off + j] = levels[nearestLevelIndex(thr, y * k)];
        // Use the stored (fp32) level so S is exact for what is kept.
        const q = out[off + j];
        yq += y * q;
        qq += q * q;
      }
      const s = unbiased ? n2 / yq : yq / qq;
      for (let j = 0; j < d; j++) out[off + j] *= s;
    }
  },
  bitsPerCoord(params: Params, _rows: number, d: number): number {
    return num(params, 'bits') + 32 / d;
  },
  describe(params) {
    return `b=${num(params, 'bits')} ${str(params, 'scale')}`;
  },
};
