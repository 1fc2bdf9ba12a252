/**
 * Scale-rule explorer for the rotation + scalar-codebook family (EDEN / TurboQuant; EDEN note,
 * CATALOGUE §1.A.1; ALGORITHMS.md "Rotation + scalar codebook family").
 *
 * After a Haar rotation a row is, in law, ‖y‖ times a uniform unit vector u; so rows are drawn as
 * u = g/‖g‖, g ~ N(0, I_d) (exact, O(d)), and for each d the normalised coordinates z = √d·u are
 * quantized with a b-bit codebook and rescaled by one of five rules:
 *  - 'one'      S = 1: ŷ = ‖y‖·c/√d (TurboQuant_mse; Zandieh et al. 2025, Alg. 1);
 *  - 'mse'      S = ⟨y,q⟩/‖q‖² (least squares, "biased EDEN"; EDEN ICML 2022 §3);
 *  - 'unbiased' S = ‖y‖²/⟨y,q⟩ (EDEN / DRIVE unbiased scale);
 *  - 'rms'      per block of `block` coordinates: z = y/rms_B, ŷ = rms_B·q (a per-block RMS scale,
 *               as in block-scaled formats that normalise by the second moment);
 *  - 'absmax'   per block: z = y·c_max/amax_B, ŷ = q·amax_B/c_max, so the block's largest entry
 *               lands on the outer level (int / NF4 style absmax scaling);
 * and one of two codebooks: 'beta', the Lloyd–Max codebook of the exact finite-d coordinate law
 * (shifted Beta, lloydMaxSphere scaled by √d), or 'gaussian', its d → ∞ limit (lloydMaxGaussian).
 * The per-block rules keep one scale per block (their bits are not charged here; this view is
 * about distortion at a fixed codebook).
 *
 * Reported: vNMSE = E‖y − ŷ‖²/‖y‖² per (rule, codebook, d), with the Gaussian Lloyd–Max D_b as the
 * reference (vNMSE_mse → D_b, vNMSE_unbiased → D_b/(1 − D_b), 'one' with 'beta' equals the
 * finite-d Lloyd–Max distortion exactly in expectation).
 * Stream: rng('analysis', 'scale-rule', d).
 */
import {
  lloydMaxGaussian,
  lloydMaxSphere,
  nearestLevelIndex,
  type LloydMaxCodebook,
} from '../linalg/lloydmax';
import { defineParams } from '../methods/params';
import { defineAnalysis } from './define';
import { NORMAL_FLOPS, TS } from './analysis-cost';
import { dimsBetween } from './rotation-quality';

export const SCALE_RULE_IDS = ['one', 'mse', 'unbiased', 'rms', 'absmax'] as const;
export type ScaleRuleId = (typeof SCALE_RULE_IDS)[number];
export const CODEBOOKS = ['beta', 'gaussian'] as const;
export type CodebookId = (typeof CODEBOOKS)[number];

export interface ScaleRuleSeries {
  readonly rule: ScaleRuleId;
  readonly codebook: CodebookId;
  readonly vnmse: readonly number[];
  /** Standard error of each vNMSE (over rows). */
  readonly se: readonly number[];
}

export interface ScaleRuleResult {
  readonly kind: 'scale-rule';
  readonly bits: number;
  readonly dims: readonly number[];
  readonly samples: number;
  readonly block: number;
  /** Gaussian Lloyd–Max distortion D_b and the unbiased limit D_b/(1 − D_b). */
  readonly gaussianD: number;
  readonly unbiasedLimit: number;
  /** Exact finite-d Lloyd–Max distortion of the shifted-Beta codebook at each d. */
  readonly betaD: readonly number[];
  readonly series: readonly ScaleRuleSeries[];
}

/** Levels and thresholds in unit-variance (z = √d·u) units. */
function unitCodebook(cb: LloydMaxCodebook): { levels: Float64Array; thresholds: Float64Array } {
  const k = 1 / cb.unitScale;
  return { levels: cb.levels.map((v) => v * k), thresholds: cb.thresholds.map((v) => v * k) };
}

/** ‖y − ŷ‖²/‖y‖² of one unit row u (‖u‖ = 1) under a rule; z = √d·u. */
export function scaleRuleError(
  u: Float64Array,
  rule: ScaleRuleId,
  levels: Float64Array,
  thresholds: Float64Array,
  block: number,
  q: Float64Array,
): number {
  const d = u.length;
  const sd = Math.sqrt(d);
  const cmax = levels[levels.length - 1];
  if (rule === 'rms' || rule === 'absmax') {
    let err = 0;
    for (let b = 0; b < d; b += block) {
      const end = Math.min(d, b + block);
      let s = 0;
      if (rule === 'rms') {
        let m2 = 0;
        for (let j = b; j < end; j++) m2 += u[j] * u[j];
        s = Math.sqrt(m2 / (end - b));
      } else {
        for (let j = b; j < end; j++) s = Math.max(s, Math.abs(u[j]));
        s /= cmax;
      }
      for (let j = b; j < end; j++) {
        const r = s > 0 ? s * levels[nearestLevelIndex(thresholds, u[j] / s)] - u[j] : u[j];
        err += r * r;
      }
    }
    return err;
  }
  let yq = 0;
  let qq = 0;
  for (let j = 0; j < d; j++) {
    q[j] = levels[nearestLevelIndex(thresholds, u[j] * sd)];
    yq += u[j] * q[j];
    qq += q[j] * q[j];
  }
  const s = rule === 'one' ? 1 / sd : rule === 'mse' ? yq / qq : 1 / yq;
  let err = 0;
  for (let j = 0; j < d; j++) {
    const r = s * q[j] - u[j];
    err += r * r;
  }
  return err;
}

const SCALE_RULE_PARAMS = defineParams({
  bits: { kind: 'int', default: 2, min: 1, max: 4, doc: 'Codebook bits b (2^b levels).' },
  minDim: { kind: 'int', default: 16, min: 4, max: 4096, powerOfTwo: true, doc: 'Smallest d.' },
  maxDim: { kind: 'int', default: 4096, min: 4, max: 16_384, powerOfTwo: true, doc: 'Largest d.' },
  samples: { kind: 'int', default: 256, min: 16, max: 8192, doc: 'Uniform unit rows per d.' },
  block: { kind: 'int', default: 32, min: 2, max: 4096, doc: 'Block size of the rms and absmax rules.' },
});

export const scaleRuleAnalysis = defineAnalysis({
  id: 'scale-rule',
  label: 'Scale-rule explorer',
  description:
    'vNMSE of rotation + scalar codebooks vs d for five scale rules (1, MSE-optimal, unbiased, per-block RMS, absmax) and two codebooks (exact finite-d Beta, Gaussian limit)',
  reference:
    'EDEN (Vargaftik et al., ICML 2022) §3; TurboQuant (Zandieh et al., arXiv 2504.19874) Alg. 1; "A Note on TurboQuant and the Earlier DRIVE/EDEN Line of Work" (seed 003; CATALOGUE §1.A.1).',
  params: SCALE_RULE_PARAMS,
  // Per d and sample: d normals and the normalisation, then each of the rule × codebook pairs
  // quantizes d coordinates (a bits-step level search, the rule's scale, the error sums: ≈ 20 + bits each); TS loops.
  cost: (params) => {
    const minDim = params.minDim;
    const dims = dimsBetween(minDim, Math.max(minDim, params.maxDim), 2);
    const pairs = SCALE_RULE_IDS.length * CODEBOOKS.length;
    const perCoord = NORMAL_FLOPS + 3 + pairs * (20 + params.bits);
    return TS * params.samples * perCoord * dims.reduce((a, d) => a + d, 0);
  },
  run({ rng, params }, options) {
    const { bits, minDim, maxDim, samples, block } = params;
    const dims = dimsBetween(minDim, Math.max(minDim, maxDim), 2);
    const gauss = unitCodebook(lloydMaxGaussian(bits));
    const acc = SCALE_RULE_IDS.flatMap((rule) =>
      CODEBOOKS.map((codebook) => ({ rule, codebook, vnmse: [] as number[], se: [] as number[] })),
    );
    const betaD: number[] = [];
    dims.forEach((d, di) => {
      if (options?.signal?.aborted) throw new Error('run cancelled');
      const sphere = lloydMaxSphere(bits, d);
      betaD.push(sphere.distortion);
      const beta = unitCodebook(sphere);
      const r = rng.stream('analysis', 'scale-rule', d);
      const u = new Float64Array(d);
      const q = new Float64Array(d);
      const sums = acc.map(() => ({ s: 0, s2: 0 }));
      for (let t = 0; t < samples; t++) {
        r.fillNormal(u);
        let n2 = 0;
        for (let j = 0; j < d; j++) n2 += u[j] * u[j];
        const inv = 1 / Math.sqrt(n2);
        for (let j = 0; j < d; j++) u[j] *= inv;
        acc.forEach((a, k) => {
          const cb = a.codebook === 'beta' ? beta : gauss;
          const e = scaleRuleError(u, a.rule, cb.levels, cb.thresholds, block, q);
          sums[k].s += e;
          sums[k].s2 += e * e;
        });
      }
      acc.forEach((a, k) => {
        const m = sums[k].s / samples;
        const v = Math.max(0, sums[k].s2 / samples - m * m);
        a.vnmse.push(m);
        a.se.push(Math.sqrt(v / Math.max(1, samples - 1)));
      });
      options?.onProgress?.(di + 1, dims.length, `scale rules: d = ${d}`);
    });
    const D = lloydMaxGaussian(bits).distortion;
    const result: ScaleRuleResult = {
      kind: 'scale-rule',
      bits,
      dims,
      samples,
      block,
      gaussianD: D,
      unbiasedLimit: D / (1 - D),
      betaD,
      series: acc,
    };
    return result;
  },
});
