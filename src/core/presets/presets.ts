/**
 * The presets gallery ("Sharing"): each preset is a complete experiment config, so it is a
 * permalink, with two sentences saying what to look at and which seed paper it reproduces
 * (summaries in docs/SEEDS.md (the seeds catalogue), section given per preset).
 *
 * Only method ids and params from CONTRACT.md §3–§4 are used, and presets.test.ts parses every
 * one with parseConfig, so a preset can never hold a typo or an out-of-range value. The saved-links
 * fixture (src/core/config/__saved__/links.json) pins each preset's numbers, so a change to a method
 * that moves them is caught.
 *
 * Numbers quoted in the explanations are the ones this version computes for the preset's seed
 * (pinned by the saved-links test) and agree with the closed forms the catalogue derives.
 */
import { permalinkHash } from '../config/codec';
import { restoreConfig, type CanonicalConfig } from '../config/schema';
import { EDEN_NOTE, TURBOQUANT, TWO_BLOCK, DUQUANT_PP, MR_GPTQ, NVFP4, SAW_INT4 } from './citations';

export interface PresetCitation {
  /** Paper title as in the seed listing. */
  readonly title: string;
  /** Where the catalogue summarises it. */
  readonly catalogue: string;
}

export interface Preset {
  /** Stable id (used in test ids and the saved-links fixture); never rename one. */
  readonly id: string;
  readonly title: string;
  /** Two sentences: what the preset shows and what to look at. */
  readonly explanation: string;
  readonly cites: readonly PresetCitation[];
  /** The raw config (omitted params take their defaults); `presetConfig` canonicalises it. */
  readonly config: unknown;
}

const GAUSSIAN = { source: 'gaussian', rows: 256, dim: 1024 };

export const PRESETS: readonly Preset[] = [
  {
    id: 'eden-vs-turboquant',
    title: 'EDEN vs TurboQuant (mse and prod)',
    explanation:
      'TurboQuant_mse is EDEN with the scale fixed to S = 1, so at 2 bits the two nearly tie, with EDEN’s least-squares scale never worse; TurboQuant_prod spends one of its bits on a 1-bit QJL residual. Compare unbiased 2-bit EDEN (vNMSE ≈ 0.133) with 3-bit TurboQuant_prod (≈ 0.185): both have ipRatio ≈ 1, and EDEN is more accurate with a bit less, as the note claims.',
    cites: [EDEN_NOTE, TURBOQUANT],
    config: {
      v: 1,
      seed: 7,
      data: GAUSSIAN,
      pipelines: [
        { transform: { id: 'haar' }, quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } } },
        { transform: { id: 'haar' }, quantizer: { id: 'turboquant-mse', params: { bits: 2 } } },
        { transform: { id: 'haar' }, quantizer: { id: 'eden', params: { bits: 2, scale: 'unbiased' } } },
        { transform: { id: 'haar' }, quantizer: { id: 'turboquant-prod', params: { bits: 3 } } },
      ],
    },
  },
  {
    id: 'two-block-hadamard-vs-haar',
    title: 'Two-block Hadamard vs a Haar rotation',
    explanation:
      'On spiky rows (4 outlier channels × 100) one randomized Hadamard block leaves each coordinate a short ±-sum of the spikes, far from the uniform-rotation law, so 2-bit EDEN behaves differently after it than after a Haar rotation. Applying the structured rotation twice brings the coordinates close to the Haar marginal (Kolmogorov distance of order d^(−1/5)), and its vNMSE lands next to Haar’s.',
    cites: [TWO_BLOCK, EDEN_NOTE],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'outlier-channels', rows: 256, dim: 1024, channels: 4, scale: 100 },
      pipelines: [
        {
          transform: { id: 'rht', params: { rounds: 1 } },
          quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } },
        },
        {
          transform: { id: 'rht', params: { rounds: 2 } },
          quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } },
        },
        { transform: { id: 'haar' }, quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } } },
      ],
    },
  },
  {
    id: 'mxfp4-rht-outlier-channels',
    title: 'MXFP4 with and without RHT on outlier channels',
    explanation:
      'In MXFP4 a block of 32 shares one power-of-two E8M0 scale, so a single outlier channel inflates the scale and crushes the other 31 elements toward zero. A randomized Hadamard transform (global, or per 32-block as in DuQuant++) spreads the outlier energy across the block and roughly halves the vNMSE at the same 4.25 bits.',
    cites: [DUQUANT_PP, MR_GPTQ],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'outlier-channels', rows: 256, dim: 1024, channels: 8, scale: 30 },
      pipelines: [
        { transform: { id: 'identity' }, quantizer: { id: 'mxfp4' } },
        { transform: { id: 'rht', params: { rounds: 1 } }, quantizer: { id: 'mxfp4' } },
        { transform: { id: 'block-hadamard', params: { block: 32 } }, quantizer: { id: 'mxfp4' } },
      ],
    },
  },
  {
    id: 'nvfp4-vs-mxfp4',
    title: 'NVFP4 vs MXFP4',
    explanation:
      'NVFP4 uses blocks of 16 with an E4M3 scale plus an fp32 tensor scale (4.5 bits), MXFP4 blocks of 32 with a power-of-two E8M0 scale (4.25 bits): on the same outlier-channel data NVFP4 has several times lower error. The rotation that rescues MXFP4 does not help NVFP4 here, because its small groups already isolate outliers, as MR-GPTQ argues.',
    cites: [NVFP4, MR_GPTQ],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'outlier-channels', rows: 256, dim: 1024, channels: 8, scale: 30 },
      pipelines: [
        { transform: { id: 'identity' }, quantizer: { id: 'mxfp4' } },
        { transform: { id: 'identity' }, quantizer: { id: 'nvfp4' } },
        { transform: { id: 'rht', params: { rounds: 1 } }, quantizer: { id: 'mxfp4' } },
        { transform: { id: 'rht', params: { rounds: 1 } }, quantizer: { id: 'nvfp4' } },
      ],
    },
  },
  {
    id: 'kv-cache-int4-block-hadamard',
    title: 'KV-cache INT4 with block Hadamard (SAW-INT4)',
    explanation:
      'Rows are 1024 key tokens of 4 heads × 128 channels with a few outlier channels, quantized token-wise to INT4 (one fp16 scale per row): the outliers set every token’s scale, so naive INT4 has a vNMSE near 0.2. A block-diagonal Hadamard rotation over each 128-channel head, which SAW-INT4 fuses into the paged-cache kernel, cuts that about fifteenfold at the same 4.03 bits and beats finer 32-element groups that cost 4.5 bits.',
    cites: [SAW_INT4],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'outlier-channels', rows: 1024, dim: 512, channels: 4, scale: 20 },
      pipelines: [
        {
          transform: { id: 'identity' },
          quantizer: { id: 'int', params: { bits: 4, granularity: 'row', symmetric: true } },
        },
        {
          transform: { id: 'block-hadamard', params: { block: 128 } },
          quantizer: { id: 'int', params: { bits: 4, granularity: 'row', symmetric: true } },
        },
        {
          transform: { id: 'block-hadamard', params: { block: 32 } },
          quantizer: { id: 'int', params: { bits: 4, granularity: 'row', symmetric: true } },
        },
        {
          transform: { id: 'identity' },
          quantizer: { id: 'int', params: { bits: 4, granularity: 'group', group: 32, symmetric: true } },
        },
      ],
    },
  },
  {
    id: 'qjl-vs-eden-1bit',
    title: 'QJL vs EDEN at 1 bit',
    explanation:
      'Both are unbiased 1-bit schemes (ipRatio ≈ 1): QJL keeps sign(S·y) of a Gaussian sketch, EDEN with the unbiased scale (DRIVE) keeps the signs of a rotated vector with one scale. DRIVE’s vNMSE is π/2 − 1 ≈ 0.571 against QJL’s ≈ π/2, which is why the note calls TurboQuant_prod’s QJL residual step suboptimal; biased 1-bit EDEN shows the MSE-optimal D₁ ≈ 0.363 for reference.',
    cites: [EDEN_NOTE, TURBOQUANT],
    config: {
      v: 1,
      seed: 7,
      data: GAUSSIAN,
      pipelines: [
        { transform: { id: 'identity' }, quantizer: { id: 'qjl', params: { sketch: 0 } } },
        { transform: { id: 'haar' }, quantizer: { id: 'eden', params: { bits: 1, scale: 'unbiased' } } },
        { transform: { id: 'haar' }, quantizer: { id: 'eden', params: { bits: 1, scale: 'mse' } } },
      ],
    },
  },
];

/** The preset's canonical config (throws ConfigError if a preset is invalid; a test guards that). */
export function presetConfig(preset: Preset): CanonicalConfig {
  return restoreConfig(preset.config);
}

/** The preset's permalink hash (`#c=…`). */
export function presetPermalink(preset: Preset): string {
  return permalinkHash(presetConfig(preset));
}

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
