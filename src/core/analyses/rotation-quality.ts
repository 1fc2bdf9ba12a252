/**
 * Rotation quality: how close is one output coordinate of a structured rotation to that of a
 * uniform (Haar) rotation? Source: "Approximating Uniform Random Rotations by Two-Block Structured
 * Hadamard Rotations in High Dimensions" (seed 003; CATALOGUE §1.A.3, metric list §2.2).
 *
 * For a unit input x and a random rotation R, the law of the fixed coordinate (Rx)₀ is compared
 * with the law of one coordinate of a uniform unit vector, f(t) ∝ (1 − t²)^((d−3)/2) on [−1, 1]
 * (the shifted Beta law; CDF sphereCoordinateCdf), by the Kolmogorov (KS) distance
 * sup_t |F̂_n(t) − F_d(t)| of n independent draws of the rotation's randomness.
 *
 * Rotations (all draws paired: the same signs / Gaussian vectors serve every input):
 *  - haar: (Rx)₀ = ⟨r₀, x⟩ with r₀ the first row of a Haar matrix, which is uniform on the sphere,
 *    so r₀ = g/‖g‖ with g ~ N(0, I_d) gives exactly the Haar law in O(d) per draw (Muller 1959).
 *    Its KS distance is pure sampling noise: the reference floor.
 *  - rht1: one block H·D·x/√d: (Rx)₀ = Σ_j D_j x_j/√d (row 0 of H is all ones).
 *  - rht2: two blocks H·D₂·H·D₁·x/d: w = H·D₁·x/√d by a fast WHT, then (Rx)₀ = Σ_j D₂_j w_j/√d.
 * Inputs (each scaled to unit norm): gaussian (a seeded N(0, I) vector: typical), one-hot (e₀: one
 * block gives ±1/√d, KS ≈ Φ(1) − ½ ≈ 0.341 for all d), hadamard-row (row 1 of H_d: adversarial
 * for an unsigned WHT, which maps it to a one-hot), outliers (N(0, I) with `outlierChannels`
 * coordinates multiplied by `outlierScale`: massive-activation channels).
 *
 * The paper bounds the two-block KS distance by O(d^(−1/5)) uniformly over inputs; the view plots
 * against d^(−1/5). The noise floor of n draws is the α = 0.001 KS critical value K⁻¹(0.999)/√n.
 * CATALOGUE §1.A.3 reference (20k draws, x = e₁): two blocks ≈ 0.10, 0.054, 0.027, 0.017, 0.010
 * at d = 16, 64, 256, 1024, 4096.
 *
 * Cost: per draw and d, O(d) for haar and rht1, O(d log d) per input for rht2.
 * Streams: rng('analysis', 'rotation-quality', …) keyed by d and purpose.
 */
import { fwhtOrthonormalInPlace } from '../linalg/fwht';
import { sphereCoordinateCdf } from '../linalg/special';
import { ksCriticalValue, ksStatistic } from '../linalg/stats';
import { defineParams } from '../methods/params';
import type { Rng } from '../rng';
import { defineAnalysis } from './define';
import { NORMAL_FLOPS, sortFlops, TS } from './analysis-cost';

export const ROTATION_QUALITY_INPUTS = ['gaussian', 'one-hot', 'hadamard-row', 'outliers'] as const;
export type RotationQualityInput = (typeof ROTATION_QUALITY_INPUTS)[number];
export const ROTATION_QUALITY_TRANSFORMS = ['haar', 'rht1', 'rht2'] as const;
export type RotationQualityTransform = (typeof ROTATION_QUALITY_TRANSFORMS)[number];

export interface RotationQualitySeries {
  readonly transform: RotationQualityTransform;
  readonly input: RotationQualityInput;
  /** KS distance at each of `dims`. */
  readonly ks: readonly number[];
}

export interface RotationQualityResult {
  readonly kind: 'rotation-quality';
  readonly dims: readonly number[];
  readonly draws: number;
  /** α = 0.001 KS critical value for `draws` samples (the sampling-noise floor). */
  readonly critical: number;
  readonly alpha: number;
  readonly series: readonly RotationQualitySeries[];
  /** CATALOGUE §1.A.3 two-block values for e₁ (20k draws), at d = 16, 64, 256, 1024, 4096. */
  readonly reference: {
    readonly dims: readonly number[];
    readonly twoBlockOneHot: readonly number[];
    readonly oneBlockOneHot: number;
  };
}

/** The unit input vectors of dimension d (seeded where random). */
export function rotationQualityInput(
  kind: RotationQualityInput,
  d: number,
  rng: () => Rng,
  outlierChannels: number,
  outlierScale: number,
): Float64Array {
  const x = new Float64Array(d);
  if (kind === 'one-hot') x[0] = 1;
  else if (kind === 'hadamard-row') {
    // Row 1 of the Sylvester matrix: (−1)^popcount(1 AND j) = (−1)^j.
    for (let j = 0; j < d; j++) x[j] = j % 2 === 0 ? 1 : -1;
  } else {
    rng().fillNormal(x);
    if (kind === 'outliers') {
      const k = Math.min(outlierChannels, d);
      // Evenly spaced channels: a fixed, reproducible pattern (which channels does not matter for
      // the law of a sign-randomised coordinate, only how many and how large).
      for (let c = 0; c < k; c++) x[Math.floor((c * d) / k)] *= outlierScale;
    }
  }
  let n2 = 0;
  for (let j = 0; j < d; j++) n2 += x[j] * x[j];
  const s = 1 / Math.sqrt(n2);
  for (let j = 0; j < d; j++) x[j] *= s;
  return x;
}

export function dimsBetween(minDim: number, maxDim: number, factor: number): number[] {
  const out: number[] = [];
  for (let d = minDim; d <= maxDim; d *= factor) out.push(d);
  return out;
}

const ROTATION_QUALITY_PARAMS = defineParams({
  draws: {
    kind: 'int',
    default: 4000,
    min: 100,
    max: 20_000,
    doc: 'Independent rotations (sign / Gaussian draws) per d.',
  },
  minDim: { kind: 'int', default: 16, min: 4, max: 16_384, powerOfTwo: true, doc: 'Smallest dimension d.' },
  maxDim: {
    kind: 'int',
    default: 4096,
    min: 4,
    max: 16_384,
    powerOfTwo: true,
    doc: 'Largest dimension d.',
  },
  factor: {
    kind: 'int',
    default: 4,
    min: 2,
    max: 16,
    powerOfTwo: true,
    doc: 'Ratio between successive dimensions.',
  },
  outlierChannels: {
    kind: 'int',
    default: 4,
    min: 1,
    max: 1024,
    doc: 'Outlier input: number of massive channels.',
  },
  outlierScale: {
    kind: 'number',
    default: 100,
    min: 1,
    max: 1e6,
    doc: 'Outlier input: multiplier of the massive channels.',
  },
});

export const rotationQualityAnalysis = defineAnalysis({
  id: 'rotation-quality',
  label: 'Rotation quality',
  description:
    'Kolmogorov distance of one rotated coordinate to the uniform-rotation (shifted Beta) law vs d, for 1- and 2-block RHT and Haar on typical and adversarial inputs',
  reference:
    '"Approximating Uniform Random Rotations by Two-Block Structured Hadamard Rotations in High Dimensions" (seed 003; CATALOGUE §1.A.3, §2.2); Kolmogorov (1933) for the KS statistic.',
  params: ROTATION_QUALITY_PARAMS,
  // Per d and draw: d normals, the norm, 2d signs, and per input the Haar and one-block dot
  // products (5 per coordinate) and a fast WHT (d·log₂d); then a sort and the shifted-Beta CDF
  // (an incomplete beta, ≈ 200 operations) per sample of the 12 KS statistics.
  cost: (params) => {
    const draws = params.draws;
    const minDim = params.minDim;
    const dims = dimsBetween(minDim, Math.max(minDim, params.maxDim), params.factor);
    const inputs = ROTATION_QUALITY_INPUTS.length;
    const series = inputs * ROTATION_QUALITY_TRANSFORMS.length;
    return (
      TS *
      dims.reduce(
        (a, d) =>
          a +
          draws * ((NORMAL_FLOPS + 4) * d + inputs * (7 * d + d * Math.log2(d))) +
          series * (sortFlops(draws) + 200 * draws),
        0,
      )
    );
  },
  run({ rng, params: p }, options) {
    const draws = p.draws;
    const dims = dimsBetween(p.minDim, Math.max(p.minDim, p.maxDim), p.factor);
    const nIn = ROTATION_QUALITY_INPUTS.length;
    const samples = ROTATION_QUALITY_TRANSFORMS.map(() => ROTATION_QUALITY_INPUTS.map(() => [] as number[]));
    dims.forEach((d, di) => {
      if (options?.signal?.aborted) throw new Error('run cancelled');
      const inputs = ROTATION_QUALITY_INPUTS.map((k) =>
        rotationQualityInput(
          k,
          d,
          () => rng.stream('analysis', 'rotation-quality', 'input', k, d),
          p.outlierChannels,
          p.outlierScale,
        ),
      );
      const gauss = rng.stream('analysis', 'rotation-quality', 'haar', d);
      const signs = rng.stream('analysis', 'rotation-quality', 'signs', d);
      const g = new Float64Array(d);
      const d1 = new Float64Array(d);
      const d2 = new Float64Array(d);
      const w = new Float64Array(d);
      const vals = [0, 1, 2].map(() => Array.from({ length: nIn }, () => new Float64Array(draws)));
      const invSqrt = 1 / Math.sqrt(d);
      for (let t = 0; t < draws; t++) {
        gauss.fillNormal(g);
        let gn = 0;
        for (let j = 0; j < d; j++) gn += g[j] * g[j];
        const ginv = 1 / Math.sqrt(gn);
        for (let j = 0; j < d; j++) d1[j] = signs.sign();
        for (let j = 0; j < d; j++) d2[j] = signs.sign();
        for (let k = 0; k < nIn; k++) {
          const x = inputs[k];
          let haar = 0;
          let one = 0;
          for (let j = 0; j < d; j++) {
            haar += g[j] * x[j];
            const v = d1[j] * x[j];
            one += v;
            w[j] = v;
          }
          fwhtOrthonormalInPlace(w, 0, d);
          let two = 0;
          for (let j = 0; j < d; j++) two += d2[j] * w[j];
          vals[0][k][t] = haar * ginv;
          vals[1][k][t] = one * invSqrt;
          vals[2][k][t] = two * invSqrt;
        }
      }
      const cdf = (v: number) => sphereCoordinateCdf(v, d);
      for (let r = 0; r < 3; r++)
        for (let k = 0; k < nIn; k++) samples[r][k].push(ksStatistic(vals[r][k], cdf));
      options?.onProgress?.(di + 1, dims.length, `rotation quality: d = ${d}`);
    });
    const series: RotationQualitySeries[] = [];
    ROTATION_QUALITY_TRANSFORMS.forEach((transform, r) =>
      ROTATION_QUALITY_INPUTS.forEach((input, k) => series.push({ transform, input, ks: samples[r][k] })),
    );
    const alpha = 0.001;
    const result: RotationQualityResult = {
      kind: 'rotation-quality',
      dims,
      draws,
      alpha,
      critical: ksCriticalValue(alpha, draws),
      series,
      reference: {
        dims: [16, 64, 256, 1024, 4096],
        twoBlockOneHot: [0.1, 0.054, 0.027, 0.017, 0.01],
        oneBlockOneHot: 0.34,
      },
    };
    return result;
  },
});
