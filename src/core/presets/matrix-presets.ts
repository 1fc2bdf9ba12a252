/**
 * Presets for the matrix and layer methods, one per method, each reproducing the
 * qualitative claim of its seed abstract (summaries in docs/SEEDS.md (the seeds catalogue), section
 * cited per preset). Same shape as src/core/presets/presets.ts; every config is validated by
 * matrix-presets.test.ts. The claims are qualitative (which pipeline wins), not the papers' numbers.
 */
import type { Preset } from './presets';
import {
  DUQUANT_PP,
  MR_GPTQ,
  NVFP4,
  SVDQUANT,
  RESQ,
  EORA,
  LLM_INT8,
  KIVI,
  ITQ3S,
  ADAHOP,
  QJL,
  ROTATEKV,
  GEAR,
  CQ,
  PALU,
} from './citations';

const INT4_G64 = { id: 'int', params: { bits: 4, granularity: 'group', group: 64 } };
const ID = { id: 'identity' };

export const MATRIX_PRESETS: readonly Preset[] = [
  {
    id: 'mr-gptq-fp4-vs-int4',
    title: 'MR-GPTQ: MXFP4 vs NVFP4 vs INT4, RTN vs GPTQ, with and without micro-rotation',
    explanation:
      'A Gaussian weight meets activations with eight massive outlier channels at W4A4, in INT4 g32, MXFP4 and NVFP4, each rounded to nearest, by GPTQ, and by MR-GPTQ (a block Hadamard of the group size fused into the weight, GPTQ with a per-group scale search). In the “W only” column GPTQ beats round-to-nearest in every format and MR-GPTQ cuts MXFP4’s absolute gap to NVFP4 several-fold, as the abstract claims, while INT4 g32 with MR-GPTQ stays as good as either FP4 format (“FP4 is not an automatic upgrade over INT4”).',
    cites: [MR_GPTQ],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'gaussian', rows: 128, dim: 256 },
      pipelines: [
        { transform: ID, quantizer: { id: 'int', params: { bits: 4, granularity: 'group', group: 32 } } },
        { transform: ID, quantizer: { id: 'gptq', params: { grid: 'int', bits: 4, group: 32 } } },
        { transform: ID, quantizer: { id: 'mr-gptq', params: { format: 'int4', group: 32 } } },
        { transform: ID, quantizer: { id: 'mxfp4' } },
        { transforms: [{ id: 'block-hadamard', params: { block: 32 } }], quantizer: { id: 'mxfp4' } },
        { transform: ID, quantizer: { id: 'gptq', params: { grid: 'mxfp4' } } },
        { transform: ID, quantizer: { id: 'mr-gptq', params: { format: 'mxfp4' } } },
        { transform: ID, quantizer: { id: 'nvfp4' } },
        { transform: ID, quantizer: { id: 'gptq', params: { grid: 'nvfp4' } } },
        { transform: ID, quantizer: { id: 'mr-gptq', params: { format: 'nvfp4' } } },
      ],
      analysis: { id: 'layer', params: { sweep: 0, tokens: 256, channels: 8, scale: 20 } },
    },
  },
  {
    id: 'svdquant-w4a4-layer',
    title: 'SVDQuant: low-rank branch + smoothing at W4A4',
    explanation:
      'A spiked weight (rank-16 signal plus noise) meets activations with massive outlier channels; SmoothQuant (α = 0.5) moves the outliers into the weight and a rank-32 fp16 branch absorbs them, so only a small residual is quantized to INT4. Compare the “W and X” column: SVDQuant beats plain INT4 g64 with the same smoothing, as the abstract claims for 4-bit weights and activations.',
    cites: [SVDQUANT],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'low-rank', rows: 256, dim: 512, rank: 16, noise: 0.1 },
      pipelines: [
        { transforms: [{ id: 'identity' }], quantizer: INT4_G64 },
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'svdquant', params: { rank: 32, svd: 'exact' } },
        },
      ],
      analysis: { id: 'layer', params: { smoothing: true, alpha: 0.5, sweep: 3, tokens: 128 } },
    },
  },
  {
    id: 'resq-mixed-precision',
    title: 'ResQ: 8-bit PCA subspace, 4-bit rest',
    explanation:
      'Rows with a few massive channels are split into the top-variance eighth of the PCA basis, kept at 8 bits, and the rest at 4 bits, each rotated randomly inside its subspace. ResQ’s error is far below both per-row INT4 and a Hadamard rotation with per-row INT4 for about half a bit more, the mixed-precision win the abstract reports over rotation-only methods.',
    cites: [RESQ],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'outlier-channels', rows: 256, dim: 512, channels: 8, scale: 30 },
      pipelines: [
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'int', params: { bits: 4, granularity: 'row' } },
        },
        { transforms: [{ id: 'rht' }], quantizer: { id: 'int', params: { bits: 4, granularity: 'row' } } },
        { transforms: [{ id: 'identity' }], quantizer: { id: 'resq', params: { svd: 'exact' } } },
      ],
    },
  },
  {
    id: 'eora-eigenspace-compensation',
    title: 'EoRA vs plain SVD compensation',
    explanation:
      'The weight is quantized to INT4 g64 and a rank-32 fp16 correction of the error is added, chosen either in the eigenspace of the input covariance (EoRA) or by a plain SVD of the error. In the layer view’s “W only” column EoRA cuts the output error several-fold while the plain SVD barely moves it, the abstract’s point that compensation should be measured through the activations.',
    cites: [EORA],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'gaussian', rows: 256, dim: 512 },
      pipelines: [
        { transforms: [{ id: 'identity' }], quantizer: INT4_G64 },
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'eora', params: { rank: 32, space: 'plain', svd: 'exact' } },
        },
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'eora', params: { rank: 32, space: 'eigen', svd: 'exact' } },
        },
      ],
      analysis: { id: 'layer', params: { activationQuantizer: 'int8', sweep: 0, tokens: 256 } },
    },
  },
  {
    id: 'llm-int8-outliers',
    title: 'LLM.int8(): fp16 outlier columns',
    explanation:
      'Activations with four massive feature dimensions out of 4096: LLM.int8() keeps the columns holding any |x| ≥ 6 in fp16 (99.9% of values stay int8, 8.02 bits) while plain per-row int8 lets the outliers set every row’s scale. The decomposition’s error is orders of magnitude lower, the abstract’s claim that the mixed-precision split makes int8 lossless at scale.',
    cites: [LLM_INT8],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'outlier-channels', rows: 128, dim: 4096, channels: 4, scale: 60 },
      pipelines: [
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'int', params: { bits: 8, granularity: 'row' } },
        },
        { transforms: [{ id: 'identity' }], quantizer: { id: 'llm-int8', params: { threshold: 6 } } },
      ],
    },
  },
  {
    id: 'kivi-keys-per-channel',
    title: 'KIVI: keys per-channel at 2 bits',
    explanation:
      'Keys with fixed outlier channels are quantized to 2 bits asymmetrically, grouped per channel over 32 tokens (KIVI) or per token over 32 channels, with the latest 128 tokens in fp16. In the attention view per-channel keys keep the softmax far closer to full precision (lower KL, higher top-8 overlap) than per-token keys at the same bits, the abstract’s reason for quantizing keys per-channel.',
    cites: [KIVI],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'outlier-channels', rows: 1024, dim: 128, channels: 4, scale: 10 },
      pipelines: [
        { transforms: [{ id: 'identity' }], quantizer: { id: 'kivi', params: { mode: 'keys' } } },
        { transforms: [{ id: 'identity' }], quantizer: { id: 'kivi', params: { mode: 'values' } } },
      ],
      analysis: { id: 'attention', params: { queries: 32, topK: 8, values: false } },
    },
  },
  {
    id: 'rotatekv-2bit-pre-rope',
    title: 'RotateKV: 2-bit keys, reordered and rotated before RoPE',
    explanation:
      'Four heads of 128-dim keys with eight fixed outlier channels are cached at about 2.2 bits: plain per-token INT2, KIVI’s per-channel INT2 (groups of 128 tokens, 2.25 bits), the FWHT alone, and RotateKV (channels sorted by magnitude, then a 128-point FWHT, per-token groups, 4 sink tokens in fp16), all quantized before RoPE. RotateKV has the lowest attention KL of the four at fewer bits than KIVI, the abstract’s “outperforming existing methods even at lower average bit-widths”, and switching the view’s rope to post (quantizing after RoPE) makes the same RotateKV worse, the reason for its pre-RoPE rotation.',
    cites: [ROTATEKV, KIVI],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'outlier-channels', rows: 1024, dim: 512, channels: 8, scale: 10 },
      pipelines: [
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'int', params: { bits: 2, granularity: 'group', group: 128, symmetric: false } },
        },
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'kivi', params: { mode: 'keys', group: 128, residual: 0 } },
        },
        { transforms: [{ id: 'identity' }], quantizer: { id: 'rotatekv', params: { reorder: false } } },
        { transforms: [{ id: 'identity' }], quantizer: { id: 'rotatekv' } },
      ],
      analysis: {
        id: 'attention',
        params: { queries: 32, topK: 8, values: false, rope: 'pre', headDim: 128 },
      },
    },
  },
  {
    id: 'gear-three-parts',
    title: 'GEAR: 2-bit bulk + low-rank residual + sparse outliers',
    explanation:
      'Keys with four outlier channels are cached by GEAR as a 2-bit bulk, a rank-4 fp16 correction of its residual and the 1% largest entries in fp16 (3.17 bits in all), against uniform INT3 (3.30 bits) and GEAR without its low-rank or without its sparse part. Full GEAR has the lowest attention KL at fewer bits than INT3, and dropping either part raises it (most of all the sparse outliers), the abstract’s recipe of three complementary parts.',
    cites: [GEAR],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'outlier-channels', rows: 1024, dim: 128, channels: 4, scale: 10 },
      pipelines: [
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'int', params: { bits: 3, granularity: 'group', group: 64, symmetric: false } },
        },
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'gear', params: { bits: 2, rank: 4, outliers: 1 } },
        },
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'gear', params: { bits: 2, rank: 0, outliers: 1 } },
        },
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'gear', params: { bits: 2, rank: 4, outliers: 0 } },
        },
      ],
      analysis: { id: 'attention', params: { queries: 32, topK: 8, values: false } },
    },
  },
  {
    id: 'cq-one-bit-per-channel',
    title: 'Coupled quantization: 1 bit per channel',
    explanation:
      'Keys whose neighbouring channels are correlated are coded four channels at a time by a 16-centroid k-means codebook (CQ-4c4b: 1 bit per channel plus 0.125 for the fp16 codebooks), against asymmetric INT2 per token at 2.14 bits. Coupled quantization has the lower attention KL at about half the bits, the abstract’s claim that exploiting inter-channel dependence reaches 1 bit per channel; the channel-entropy view shows the joint entropy growing slower than the marginals.',
    cites: [CQ],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'correlated-channels', rows: 2048, dim: 128 },
      pipelines: [
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'int', params: { bits: 2, granularity: 'group', group: 128, symmetric: false } },
        },
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'coupled', params: { channels: 4, codeBits: 4 } },
        },
      ],
      analysis: { id: 'attention', params: { queries: 32, topK: 8, values: false } },
    },
  },
  {
    id: 'palu-low-rank-latent',
    title: 'Palu: cache a rank-16 latent at 3 bits',
    explanation:
      'Keys of rank 16 plus noise are cached as a rank-16 latent from their SVD, quantized to 3 bits per group of 32 with or without a Walsh–Hadamard on the latent (0.77 bits per key coordinate with the fp16 basis, a 95% compression of fp16), against asymmetric INT2 at 2.28 bits. Palu’s attention KL is several times lower than INT2’s at a third of the bits and the Hadamard lowers it further, the abstract’s compression above 91% with low-rank-aware quantization.',
    cites: [PALU],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'low-rank', rows: 1024, dim: 128, rank: 16, noise: 0.1 },
      pipelines: [
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'int', params: { bits: 2, granularity: 'group', group: 64, symmetric: false } },
        },
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'palu', params: { rank: 16, bits: 3, hadamard: false } },
        },
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'palu', params: { rank: 16, bits: 3, hadamard: true } },
        },
      ],
      analysis: { id: 'attention', params: { queries: 32, topK: 8, values: false } },
    },
  },
  {
    id: 'itq3s-rotation-3bit',
    title: 'ITQ3_S: FWHT-256 then a 3-bit grid',
    explanation:
      'Heavy-tailed rows are rotated by a randomized 256-point FWHT per block before a 3-bit odd grid with one fp16 scale per 32 rotated values, against uniform 3-bit groups of 32 without rotation at the same 3.5 bits. The rotated grid has the lower error, as the abstract’s bound ‖ŵ − w‖₂ ≤ ε_q “strictly smaller than uniform 3-bit baselines” states; the ternary variant shows the 2-bit-class cost.',
    cites: [ITQ3S],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'student-t', rows: 256, dim: 1024, nu: 3 },
      pipelines: [
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'int', params: { bits: 3, granularity: 'group', group: 32 } },
        },
        { transforms: [{ id: 'identity' }], quantizer: { id: 'itq3s', params: { grid: '3bit' } } },
        { transforms: [{ id: 'identity' }], quantizer: { id: 'itq3s', params: { grid: 'ternary' } } },
      ],
    },
  },
  {
    id: 'duquant-block32-mxfp4',
    title: 'DuQuant++: rotation block = MXFP4 group',
    explanation:
      'Rows with outlier channels go to MXFP4, whose 32-element blocks share one power-of-two scale: without a rotation an outlier inflates its block’s scale. The outlier-aware 32-block rotation (DuQuant++) and a 32-block Hadamard both about halve the error, and the dual rotation with zigzag permutation (DuQuant) brings no further gain, the abstract’s case for a single block-32 rotation.',
    cites: [DUQUANT_PP],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'outlier-channels', rows: 256, dim: 1024, channels: 8, scale: 30 },
      pipelines: [
        { transforms: [{ id: 'identity' }], quantizer: { id: 'mxfp4' } },
        { transforms: [{ id: 'block-hadamard', params: { block: 32 } }], quantizer: { id: 'mxfp4' } },
        { transforms: [{ id: 'duquant', params: { variant: 'duquant++' } }], quantizer: { id: 'mxfp4' } },
        { transforms: [{ id: 'duquant', params: { variant: 'duquant' } }], quantizer: { id: 'mxfp4' } },
      ],
    },
  },
  {
    id: 'adahop-row-wise',
    title: 'AdaHOP: pattern-aware IHT vs IHT + outlier extraction',
    explanation:
      'Activations with a few outlier tokens (the Row-wise pattern) meet an MXFP4 layer: an inner Hadamard mixes only within rows, so it cannot dilute a whole outlier row. AdaHOP classifies the pattern and routes those rows to BF16, giving the lowest activation error of the three for a few hundredths of a bit, the abstract’s claim that the transform must match the outlier structure.',
    cites: [ADAHOP],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'gaussian', rows: 256, dim: 512 },
      pipelines: [
        { transforms: [{ id: 'identity' }], quantizer: { id: 'adahop', params: { strategy: 'none' } } },
        { transforms: [{ id: 'identity' }], quantizer: { id: 'adahop', params: { strategy: 'iht' } } },
        { transforms: [{ id: 'identity' }], quantizer: { id: 'adahop', params: { strategy: 'auto' } } },
      ],
      analysis: {
        id: 'layer',
        params: { activations: 'row-wise', channels: 4, scale: 50, sweep: 0, tokens: 256 },
      },
    },
  },
  {
    id: 'qjl-kv-outlier-channels',
    title: 'QJL key cache with outlier channels',
    explanation:
      'Keys with eight fixed outlier channels are sketched to sign bits either whole (QJL, m = 2d, 2.25 bits) or split as in the QJL paper §4.1, where the top-8 channels by norm in every 32 tokens get their own sketch and norm (m = d inliers, m_o = d/2 outliers, 2.01 bits), with KIVI’s 2-bit per-channel keys at 3 bits for scale. In the attention view the split cuts the softmax KL against full precision almost threefold at fewer bits than plain QJL (KIVI stays lower at its 3 bits), the paper’s point that isolating the outlier channels shrinks the norm that sets the score distortion.',
    cites: [QJL, KIVI],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'outlier-channels', rows: 1024, dim: 128, channels: 8, scale: 10 },
      pipelines: [
        { transforms: [{ id: 'identity' }], quantizer: { id: 'qjl', params: { sketch: 256 } } },
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'qjl-kv', params: { sketch: 128, outlierSketch: 64, outliers: 8, group: 32 } },
        },
        {
          transforms: [{ id: 'identity' }],
          quantizer: { id: 'kivi', params: { mode: 'keys', residual: 0 } },
        },
      ],
      analysis: { id: 'attention', params: { queries: 32, topK: 8, values: false } },
    },
  },
  {
    id: 'nvfp4-stochastic-rounding',
    title: 'NVFP4 with stochastic rounding',
    explanation:
      'NVFP4 with round-to-nearest versus stochastic rounding of the E2M1 elements, after a randomized Hadamard as in the training recipe. Stochastic rounding pays a larger vNMSE but its ipRatio is 1 (unbiased), the property the abstract uses it for in gradient estimation.',
    cites: [NVFP4],
    config: {
      v: 1,
      seed: 7,
      data: { source: 'student-t', rows: 256, dim: 1024, nu: 3 },
      pipelines: [
        { transforms: [{ id: 'rht' }], quantizer: { id: 'nvfp4', params: { rounding: 'nearest' } } },
        { transforms: [{ id: 'rht' }], quantizer: { id: 'nvfp4', params: { rounding: 'stochastic' } } },
      ],
    },
  },
];
