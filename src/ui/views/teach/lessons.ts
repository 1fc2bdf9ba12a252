/**
 * Lesson presets: short ordered sequences of the teaching views, each step a config plus view
 * params (so each is a permalink) and one sentence; a teacher's note carries the formulas.
 * Configs are small (64 × 256) so every step computes in well under a second.
 */
import { restoreConfig, type ExperimentConfig } from '../../../core/config/schema';
import type { TeachId } from './params';

export interface LessonStep {
  readonly view: Exclude<TeachId, 'lesson'>;
  readonly params: Readonly<Record<string, string | number>>;
  readonly config: ExperimentConfig;
  readonly sentence: string;
}

export interface Lesson {
  readonly id: string;
  readonly title: string;
  readonly steps: readonly LessonStep[];
  /** Teacher's note: the formulas behind the steps. */
  readonly note: readonly string[];
}

const outliers = { source: 'outlier-channels', rows: 64, dim: 256, channels: 4, scale: 30 };
const mx = { id: 'mxfp4', params: {} };
const nv = { id: 'nvfp4', params: {} };
const rht = { id: 'rht', params: {} };

const rotateConfig = restoreConfig({
  v: 2,
  seed: 7,
  data: outliers,
  pipelines: [
    { transforms: [], quantizer: mx },
    { transforms: [rht], quantizer: mx },
  ],
});

const mxnvConfig = restoreConfig({
  v: 2,
  seed: 7,
  data: outliers,
  pipelines: [
    { transforms: [], quantizer: mx },
    { transforms: [], quantizer: nv },
    { transforms: [rht], quantizer: mx },
  ],
});

const biasConfig = restoreConfig({
  v: 2,
  seed: 7,
  data: { source: 'gaussian', rows: 64, dim: 256 },
  pipelines: [
    {
      transforms: [{ id: 'haar', params: {} }],
      quantizer: { id: 'eden', params: { bits: 1, scale: 'mse' } },
    },
    {
      transforms: [{ id: 'haar', params: {} }],
      quantizer: { id: 'eden', params: { bits: 1, scale: 'unbiased' } },
    },
    { transforms: [{ id: 'haar', params: {} }], quantizer: { id: 'turboquant-prod', params: { bits: 2 } } },
  ],
});

const elementsConfig = restoreConfig({
  v: 2,
  seed: 7,
  data: outliers,
  pipelines: [
    { transforms: [], quantizer: mx },
    { transforms: [], quantizer: { id: 'mx', params: { element: 'e2m3' } } },
    { transforms: [], quantizer: { id: 'mx', params: { element: 'e3m2' } } },
    { transforms: [], quantizer: { id: 'mx', params: { element: 'e4m3' } } },
    { transforms: [], quantizer: { id: 'turboquant-mse', params: { bits: 2 } } },
  ],
});

export const LESSONS: readonly Lesson[] = [
  {
    id: 'rotate',
    title: 'Why rotate before quantizing',
    steps: [
      {
        view: 'block',
        params: { p: 0, row: 0, blk: 0 },
        config: rotateConfig,
        sentence:
          'Without a rotation, the outlier channel sets the shared scale of its block (★): the other 31 values fall on the coarse low end of the E2M1 grid, many to 0.',
      },
      {
        view: 'block',
        params: { p: 1, row: 0, blk: 0 },
        config: rotateConfig,
        sentence:
          'After a randomized Hadamard rotation the outlier’s energy is spread over the whole row, so every block’s amax — and its scale — is moderate, and small values keep their codes.',
      },
      {
        view: 'step',
        params: { p: 1, row: 0, st: 0 },
        config: rotateConfig,
        sentence:
          'Step through rotate → quantize → rotate back: the rotation keeps norms, so the error made by the quantizer is exactly the error after the inverse.',
      },
    ],
    note: [
      'Rotation: y = R x with RᵀR = I, so ‖x − Rᵀŷ‖ = ‖y − ŷ‖.',
      'MX block scale: X = 2^(⌊log₂ max|yᵢ|⌋ − 2); element grid X·{0, ±0.5, ±1, ±1.5, ±2, ±3, ±4, ±6}.',
      'After a random Hadamard rotation each coordinate is ≈ N(0, ‖x‖²/d): max|yᵢ| ≈ ‖x‖·√(2 ln d / d) instead of the outlier’s value.',
    ],
  },
  {
    id: 'mx-vs-nv',
    title: 'Why MXFP4 needs a rotation and NVFP4 less',
    steps: [
      {
        view: 'block',
        params: { p: 0, row: 1, blk: 1, el: 5, k: 32 },
        config: mxnvConfig,
        sentence:
          'MXFP4: 32 values share a power-of-two scale. Drag the outlier slider: one large element multiplies the scale and crushes its 31 neighbours.',
      },
      {
        view: 'block',
        params: { p: 1, row: 1, blk: 2, el: 5, k: 32 },
        config: mxnvConfig,
        sentence:
          'NVFP4: blocks of 16 with an E4M3 scale (3 mantissa bits) under an fp32 tensor scale — the scale follows amax closely and an outlier hurts only 15 neighbours.',
      },
      {
        view: 'step',
        params: { p: 2, row: 1, st: 0 },
        config: mxnvConfig,
        sentence:
          'A rotation removes the outlier before MXFP4 sees it; compare the error at the quantize step with the unrotated pipelines.',
      },
    ],
    note: [
      'MXFP4: X = 2^(⌊log₂ amax⌋ − 2) ∈ (amax/8, amax/4]; the largest element maps to [4, 8) and saturates at 6.',
      'NVFP4: s = UE4M3(amax / 6 / s_t)·s_t with s_t = amax_T / 2688: the scale is within 1/16 of amax/6.',
      'Bits: MXFP4 4 + 8/32 = 4.25 b/coord; NVFP4 4 + 8/16 (+ 32/(rows·d)) ≈ 4.5 b/coord.',
    ],
  },
  {
    id: 'bias',
    title: 'Biased vs unbiased: EDEN and QJL',
    steps: [
      {
        view: 'codebook',
        params: { law: 'sphere', d: 256, b: 1, it: 3 },
        config: biasConfig,
        sentence:
          'The MSE-optimal 1-bit codebook for one coordinate of a random unit vector: its reconstructions shrink inner products by 1 − D₁ ≈ 2/π.',
      },
      {
        view: 'step',
        params: { p: 0, row: 0, st: 0 },
        config: biasConfig,
        sentence:
          'EDEN with the MSE scale S = ⟨y,q⟩/‖q‖²: the smallest error, but E⟨x̂, z⟩ = (1 − D_b)⟨x, z⟩ — biased toward 0.',
      },
      {
        view: 'step',
        params: { p: 1, row: 0, st: 0 },
        config: biasConfig,
        sentence:
          'EDEN with the unbiased scale S = ‖y‖²/⟨y,q⟩ (DRIVE at b = 1): inner products are right on average, paid for with a larger error D_b/(1 − D_b).',
      },
      {
        view: 'step',
        params: { p: 2, row: 0, st: 0 },
        config: biasConfig,
        sentence:
          'TurboQuant_prod: a (b − 1)-bit MSE codebook plus a 1-bit QJL sign sketch of the residual — unbiased inner products at the same total bits, with a larger reconstruction error than the MSE quantizer.',
      },
    ],
    note: [
      'Centroid condition: E[X·Q(X)] = E[Q(X)²] = 1 − D_b (unit variance), so E⟨x̂, z⟩ = (1 − D_b)⟨x, z⟩ over the rotation.',
      'D₁ = 1 − 2/π ≈ 0.363 (Gaussian), D₂ ≈ 0.1175, D₃ ≈ 0.03455, D₄ ≈ 0.009501 (Max 1960).',
      'Unbiased EDEN: vNMSE → D_b/(1 − D_b) (π/2 − 1 at b = 1). QJL: E[√(π/2)/m · ⟨Sz, sign(Sx)⟩]·‖x‖ = ⟨x, z⟩.',
    ],
  },
  {
    id: 'mx-elements',
    title: 'MXFP4, MXFP6, MXFP8',
    steps: [
      {
        view: 'block',
        params: { p: 0, row: 0, blk: 0 },
        config: elementsConfig,
        sentence:
          'MXFP4 (E2M1): the outlier sets X = 2^(⌊log₂ amax⌋ − 2) and itself lands above 6, so it saturates (⊤); most of its neighbours round to 0 or ±X/2.',
      },
      {
        view: 'block',
        params: { p: 1, row: 0, blk: 0 },
        config: elementsConfig,
        sentence:
          'MXFP6 E2M3: two more mantissa bits, the same exponent range and the same scale X: the outlier now fits under 7.5, and the step near 0 is X/8 instead of X/2, so far fewer neighbours round to 0.',
      },
      {
        view: 'block',
        params: { p: 2, row: 0, blk: 0 },
        config: elementsConfig,
        sentence:
          'MXFP6 E3M2: one more exponent bit instead, emax 4, so X is 4× smaller: the small values keep their codes, at a coarser relative step near the top.',
      },
      {
        view: 'block',
        params: { p: 3, row: 0, blk: 0 },
        config: elementsConfig,
        sentence:
          'MXFP8 E4M3: emax 8 and 3 mantissa bits: every value in the normal range keeps a relative error ≤ 1/16, and one outlier no longer costs its neighbours much.',
      },
      {
        view: 'step',
        params: { p: 4, row: 0, st: 0, dim: 3 },
        config: elementsConfig,
        sentence:
          'A vector quantizer instead: TurboQuant’s cells on the sphere in 3-D. At d = 3 one coordinate of a uniform point on the sphere is uniform on [−1, 1] (Archimedes), so its Lloyd–Max cells are equal slabs.',
      },
    ],
    note: [
      'OCP MX v1.0 §6.3: X = 2^(⌊log₂ amax⌋ − emax_elem), emax_elem = 2 (E2M1, E2M3), 4 (E3M2), 8 (E4M3), 15 (E5M2); elements round to nearest even and saturate.',
      'Max normal: E2M1 6, E2M3 7.5, E3M2 28, E4M3 448, E5M2 57344; subnormal steps 0.5, 0.125, 0.0625, 2⁻⁹, 2⁻¹⁶ (times X).',
      'Bits: 4, 6 or 8 per element plus one 8-bit E8M0 scale per 32: 4.25, 6.25, 8.25 b/coord.',
      'Sphere law f(t) ∝ (1 − t²)^((d−3)/2): uniform at d = 3, so b bits give levels (2i + 1)/2^b − 1 times ‖y‖.',
    ],
  },
];

export function lessonById(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}
