/**
 * Theory curves of the rate–distortion chart (ALGORITHMS.md, "Rotation + scalar codebook family"),
 * as vNMSE against b bits per coordinate (side information ignored, large-d limits):
 *  - Gaussian Lloyd–Max D_b (Max 1960), from the lloydmax solver (0.3634, 0.1175, 0.03455,
 *    0.009501 for b = 1…4): EDEN-mse and TurboQuant_mse tend to it;
 *  - the information-theoretic lower bound 4^−b (Shannon's D(R) for a unit-variance Gaussian
 *    source, which TurboQuant, arXiv 2504.19874 Thm 3, shows no quantizer beats on the sphere);
 *  - TurboQuant's upper bound (√3·π/2)·4^−b on D_mse (ibid., Thm 1);
 *  - EDEN-unbiased D_b/(1 − D_b) (EDEN ICML 2022, §3; π/2 − 1 at b = 1);
 *  - TurboQuant_prod (π/2)·D_{b−1} (ibid., Thm 2 read as a normalised inner-product variance;
 *    D_0 = 1, so b = 1 is plain QJL with π/2).
 */
import { lloydMaxGaussian } from '../linalg/lloydmax';

export type TheoryId = 'lloyd-max' | 'lower-bound' | 'tq-upper' | 'eden-unbiased' | 'tq-prod';

export interface TheoryCurve {
  readonly id: TheoryId;
  readonly label: string;
  /** b = 1…maxBits and the curve's value at b. */
  readonly bits: readonly number[];
  readonly values: readonly number[];
}

export const THEORY_MAX_BITS = 8;

/** D_b of the Gaussian Lloyd–Max quantizer; D_0 = 1 (the variance, nothing stored). */
export function gaussianDistortion(b: number): number {
  return b === 0 ? 1 : lloydMaxGaussian(b).distortion;
}

export function theoryCurves(maxBits = THEORY_MAX_BITS): TheoryCurve[] {
  const bits = Array.from({ length: maxBits }, (_, i) => i + 1);
  const D = bits.map(gaussianDistortion);
  return [
    { id: 'lloyd-max', label: 'Lloyd–Max D_b (Gaussian)', bits, values: D },
    { id: 'lower-bound', label: 'lower bound 4^−b', bits, values: bits.map((b) => 4 ** -b) },
    {
      id: 'tq-upper',
      label: 'TurboQuant upper √3π/2·4^−b',
      bits,
      values: bits.map((b) => ((Math.sqrt(3) * Math.PI) / 2) * 4 ** -b),
    },
    { id: 'eden-unbiased', label: 'EDEN unbiased D_b/(1−D_b)', bits, values: D.map((d) => d / (1 - d)) },
    {
      id: 'tq-prod',
      label: 'TurboQuant_prod (π/2)·D_{b−1}',
      bits,
      values: bits.map((b) => (Math.PI / 2) * gaussianDistortion(b - 1)),
    },
  ];
}

let cached: readonly TheoryCurve[] | undefined;

/**
 * theoryCurves() at the default range, solved once per process (eight Lloyd–Max problems, about
 * 0.2 s): called where sweeps run (the worker, the CLI), so the page never solves them.
 */
export function cachedTheoryCurves(): readonly TheoryCurve[] {
  cached ??= Object.freeze(theoryCurves());
  return cached;
}
