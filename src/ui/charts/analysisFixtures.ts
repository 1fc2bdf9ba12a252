/**
 * Hand-written analysis results for the golden tests of the analysis views' charts: small, round
 * numbers chosen so every mark's position can be worked out by hand (analysis-charts.golden.test.tsx
 * checks those positions, not only the snapshot). Only the fields the views read are filled in;
 * the numbers are illustrative, not outputs of the analyses (those have their own tests in core).
 */
import type { ChannelEntropyResult } from '../../core/analyses/channel-entropy';
import type { EstimatorResult } from '../../core/analyses/estimator';
import type { RotationQualityResult } from '../../core/analyses/rotation-quality';
import type { ScaleRuleResult } from '../../core/analyses/scale-rule';
import type { SeedsResult } from '../../core/analyses/seeds';

export const channelEntropyFixture: ChannelEntropyResult = {
  kind: 'channel-entropy',
  rows: 256,
  dim: 8,
  bits: 2,
  points: [
    { channels: 1, groups: 8, marginalPerChannel: 2, jointPerChannel: 2, ceilingPerChannel: 8 },
    { channels: 2, groups: 4, marginalPerChannel: 2, jointPerChannel: 1.5, ceilingPerChannel: 4 },
    { channels: 4, groups: 2, marginalPerChannel: 2, jointPerChannel: 1, ceilingPerChannel: 2 },
    { channels: 8, groups: 1, marginalPerChannel: 2, jointPerChannel: 0.5, ceilingPerChannel: 1 },
  ],
};

export const scaleRuleFixture: ScaleRuleResult = {
  kind: 'scale-rule',
  bits: 2,
  dims: [16, 64, 256],
  samples: 100,
  block: 16,
  gaussianD: 0.1175,
  unbiasedLimit: 0.1331,
  betaD: [0.1, 0.11, 0.115],
  series: [
    { rule: 'mse', codebook: 'beta', vnmse: [0.1, 0.11, 0.115], se: [0.001, 0.001, 0.001] },
    { rule: 'mse', codebook: 'gaussian', vnmse: [0.12, 0.118, 0.1176], se: [0.001, 0.001, 0.001] },
    { rule: 'unbiased', codebook: 'beta', vnmse: [0.11, 0.125, 0.13], se: [0.002, 0.002, 0.002] },
  ],
} as unknown as ScaleRuleResult;

export const rotationQualityFixture: RotationQualityResult = {
  kind: 'rotation-quality',
  dims: [32, 1024],
  draws: 1000,
  critical: 0.06,
  alpha: 0.001,
  series: [
    { transform: 'rht1', input: 'one-hot', ks: [0.5, 0.2] },
    { transform: 'rht2', input: 'one-hot', ks: [0.1, 0.04] },
    { transform: 'haar', input: 'gaussian', ks: [0.03, 0.03] },
  ],
  reference: { dims: [32, 1024], twoBlockOneHot: [0.1, 0.04], oneBlockOneHot: 0.5 },
} as unknown as RotationQualityResult;

const method = (label: string, kind: 'exact' | 'pipeline' | 'pq', bits: number, scale: number) => ({
  label,
  kind,
  bitsPerCoord: bits,
  ip: {
    bias: [0, -0.1 * scale, -0.2 * scale],
    sd: [0.3 * scale, 0.3 * scale, 0.3 * scale],
    slope: 1 - 0.1 * scale,
  },
  byNorm: {
    random: { bias: [0, 0], sd: [0.1 * scale, 1 * scale] },
    correlated: { bias: [0, 0], sd: [0.05 * scale, 0.5 * scale] },
  },
  attention: { kl: 0.01 * scale, topkOverlap: 0.9 },
  recall: { at1: 0.8, at10: 0.95 },
});

export const estimatorFixture: EstimatorResult = {
  kind: 'estimator',
  queries: 16,
  database: 256,
  dim: 64,
  rhos: [0, 0.5, 1],
  norms: [1, 10],
  correlation: 0.8,
  attentionTopK: 8,
  sharpness: 4,
  pq: { subspaces: 8, subdim: 8, centroids: 16, bits: 4 },
  methods: [
    method('exact (no quantization)', 'exact', 32, 0),
    method('Haar → EDEN-mse 2b', 'pipeline', 2.125, 1),
    method('Haar → EDEN-mse 2b copy', 'pipeline', 2.125, 1),
    { ...method('PQ 8×16 (k-means)', 'pq', 0.5, 2), codebookBits: 0.25 },
  ],
} as unknown as EstimatorResult;

const stat = (mean: number, half: number, values: number[]) => ({
  mean,
  sd: half / 2,
  lo: mean - half,
  hi: mean + half,
  values,
});

export const seedsFixture: SeedsResult = {
  kind: 'seeds',
  seeds: [1, 2, 3, 4],
  level: 0.95,
  metrics: [{ id: 'vnmse', label: 'vNMSE', better: 'lower' }],
  pipelines: [
    {
      label: 'EDEN-mse 2b',
      bitsPerCoord: 2.125,
      stats: { vnmse: stat(0.1, 0.01, [0.095, 0.1, 0.1, 0.105]) },
    },
    {
      label: 'TurboQuant_mse 2b',
      bitsPerCoord: 2,
      stats: { vnmse: stat(0.12, 0.02, [0.11, 0.12, 0.12, 0.13]) },
    },
    { label: 'INT2 g128', bitsPerCoord: 2.25, stats: { vnmse: stat(0.2, 0.04, [0.18, 0.2, 0.2, 0.22]) } },
  ],
  pairs: [],
} as unknown as SeedsResult;

/** OCP MX v1.0 §5.3.3, FP4 E2M1: every finite value. */
export const E2M1_VALUES = [-6, -4, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 4, 6];
