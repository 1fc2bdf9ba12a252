/**
 * Layer view: the output error of a linear layer Y = X·Wᵀ when its weight, its input or both are
 * quantized by each pipeline, with the pipeline's transform applied to BOTH operands.
 *
 * W is the experiment's data (rows = output channels, dim = input features); X (tokens × dim) is
 * generated (layer-common.ts). For a pipeline with transform R (an orthogonal map, possibly
 * zero-padding to outDim) both operands are rotated row-wise, X_R = X·Rᵀ, W_R = W·Rᵀ, so
 * X_R·W_Rᵀ = X·RᵀR·Wᵀ = X·Wᵀ: the layer is unchanged and only quantization moves it (QuaRot,
 * Ashkboos et al., NeurIPS 2024, §3 "computational invariance"; the analysis reports the measured
 * ‖X_RW_Rᵀ − XWᵀ‖/‖XWᵀ‖ per pipeline, ≈ float32 round-off). A non-orthogonal transform
 * (smoothquant, flatquant: W ↦ W·A) maps the activations by its dual X ↦ X·A⁻ᵀ instead, which
 * keeps the product; smoothquant and flatquant are fitted on W and X together. Products are taken in the rotated
 * domain, as a deployed rotated layer computes them. The pipeline's quantizer quantizes W_R (with
 * X_R as the calibration activations EoRA, ResQ, GPTQ and MR-GPTQ use); activations get the same quantizer
 * (`activationQuantizer = same`: W4A4 for a 4-bit pipeline) or a fixed one (int8 per token: W4A8;
 * int4 per token; fp8 e4m3 per token; mxfp4; nvfp4). A data-dependent transform (pca, duquant) is
 * fitted on the activations by default (where DuQuant and ResQ calibrate) or on the weights.
 *
 * Reported per pipeline: the relative output errors ‖XWᵀ − X_R·Ŵ_Rᵀ‖_F/‖XWᵀ‖_F
 * (weight-only), ‖XWᵀ − X̂_R·W_Rᵀ‖_F/‖XWᵀ‖_F (activation-only) and ‖XWᵀ − X̂_R·Ŵ_Rᵀ‖_F/‖XWᵀ‖_F
 * (both), with bits per coordinate of each operand.
 *
 * SmoothQuant (Xiao et al., ICML 2023, §4 Eq. 4): s_j = max|X_j|^α / max|W_j|^(1−α) per input
 * channel j, X ← X·diag(s)⁻¹, W ← W·diag(s) (XWᵀ unchanged), applied before the rotation when
 * `smoothing` is on; `sweep` points α = 0, 1/(n−1), …, 1 give the both-quantized error per α.
 * Both run the `smoothquant` transform's code (transforms/smoothquant.ts). GPTQ-type quantizers
 * quantize the activations by their grid's round-to-nearest (no Hessian for activations).
 * Note that α = 0 is not "no smoothing" under Eq. 4: it normalises every weight column to
 * max|W_j| = 1 (s_j = 1/max|W_j|); it equals no smoothing exactly when those maxima are 1.
 * SVDQuant's recipe (smooth, then low-rank branch + 4-bit residual) is `smoothing` on with the
 * svdquant quantizer.
 *
 * Cost per pipeline: the transform on tokens + rows rows, two quantizations and four
 * tokens × rows × outDim products (plus one product and two quantizations per sweep point).
 */
import { defineParams, withDefaults } from '../methods/params';
import { smoothQuantScales, smoothquantTransform } from '../methods/transforms/smoothquant';
import type { Matrix, Params } from '../methods/types';
import { chainDims, chainSideInfoBits, pipelineLabel, type PipelineSpec } from '../pipeline';
import type { RngFactory } from '../rng';
import { classifyOutlierPattern, type PatternReport } from '../methods/quantizers/adahop';
import { defineAnalysis } from './define';
import { matmulFlops, NORMAL_FLOPS, pipelineWork, TS } from './analysis-cost';
import {
  ACTIVATION_GENERATORS,
  generateActivations,
  matmulT,
  prepareTransform,
  quantizeWith,
  relativeError,
  rotate,
  rotateDual,
} from './layer-common';

/**
 * Quantizers whose weight quantization uses the calibration activations through a Hessian (GPTQ,
 * MR-GPTQ). Their activation counterpart is the same grid's round-to-nearest, which is what they
 * compute when given no calibration, so the activations are quantized without it.
 */
const HESSIAN_QUANTIZERS = new Set(['gptq', 'mr-gptq']);

export const ACTIVATION_QUANTIZERS = ['same', 'int8', 'int4', 'fp8', 'mxfp4', 'nvfp4'] as const;

export interface LayerPipelineResult {
  readonly label: string;
  readonly bitsWeight: number;
  readonly bitsActivation: number;
  readonly weightOnly: number;
  readonly activationOnly: number;
  readonly both: number;
  /** ‖X_R W_Rᵀ − XWᵀ‖/‖XWᵀ‖: the rotation's invariance, float round-off only. */
  readonly invariance: number;
}

export interface LayerResult {
  readonly kind: 'layer';
  readonly tokens: number;
  readonly outFeatures: number;
  readonly inFeatures: number;
  readonly activations: string;
  readonly activationQuantizer: string;
  readonly smoothing: { readonly enabled: boolean; readonly alpha: number };
  readonly patterns: { readonly activations: PatternReport; readonly weights: PatternReport };
  readonly pipelines: readonly LayerPipelineResult[];
  /** Both-quantized error per pipeline (rows) and α (columns); empty when sweep = 0. */
  readonly sweep: { readonly alphas: readonly number[]; readonly both: readonly (readonly number[])[] };
}

export { smoothQuantScales };

/**
 * SmoothQuant with the `smoothquant` transform's own code (transforms/smoothquant.ts): activations
 * X·diag(s)⁻¹ (its dual map), weights W·diag(s) (its forward map).
 */
export function smooth(x: Matrix, w: Matrix, alpha: number, rng: RngFactory): { xs: Matrix; ws: Matrix } {
  const prepared = smoothquantTransform.prepare(withDefaults(smoothquantTransform.params, { alpha }), {
    rng,
    dim: w.cols,
    data: w,
    calibration: x,
  });
  return { xs: rotateDual(prepared, x), ws: rotate(prepared, w) };
}

/** X·diag(s)^(sign) column scaling: sign = −1 for activations, +1 for weights. */
export function scaleColumns(m: Matrix, s: Float64Array, sign: 1 | -1): Matrix {
  const out = new Float32Array(m.data.length);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++)
      out[i * m.cols + j] = sign > 0 ? m.data[i * m.cols + j] * s[j] : m.data[i * m.cols + j] / s[j];
  return { rows: m.rows, cols: m.cols, data: out };
}

function activationRef(choice: string, p: PipelineSpec): { id: string; params: Params } {
  switch (choice) {
    case 'int8':
    case 'int4':
      return {
        id: 'int',
        params: {
          bits: choice === 'int8' ? 8 : 4,
          granularity: 'row',
          group: 128,
          symmetric: true,
          rounding: 'nearest',
        },
      };
    case 'fp8':
      return { id: 'fp8', params: { format: 'e4m3', granularity: 'row', rounding: 'nearest' } };
    case 'mxfp4':
      return { id: 'mxfp4', params: { rounding: 'nearest' } };
    case 'nvfp4':
      return { id: 'nvfp4', params: { rounding: 'nearest' } };
    default:
      return p.quantizer;
  }
}

interface Evaluated {
  readonly weightOnly: number;
  readonly activationOnly: number;
  readonly both: number;
  readonly invariance: number;
  readonly bitsWeight: number;
  readonly bitsActivation: number;
}

/** One pipeline on one layer; `full` = false computes only the both-quantized error. */
export function evaluateLayer(
  p: PipelineSpec,
  x: Matrix,
  w: Matrix,
  y: Float64Array,
  rng: RngFactory,
  opts: { readonly activationQuantizer: string; readonly fitOn: string; readonly full: boolean },
): Evaluated {
  const prepared = prepareTransform(p, rng, opts.fitOn === 'weights' ? w : x, { weights: w, activations: x });
  const xr = rotateDual(prepared, x);
  const wr = rotate(prepared, w);
  const wq = quantizeWith(p.quantizer, wr, rng, xr);
  const aRef = activationRef(opts.activationQuantizer, p);
  const xq = quantizeWith(aRef, xr, rng, HESSIAN_QUANTIZERS.has(aRef.id) ? undefined : xr);
  const scale = (bits: number) => (bits * prepared.outDim) / x.cols;
  // A stored basis (klt, flatquant with basis = stored) is charged to the weights' bits.
  const side = chainSideInfoBits(p.transforms, w.rows, chainDims(p.transforms, w.cols)) / (w.rows * w.cols);
  const both = relativeError(y, matmulT(xq.out, wq.out));
  if (!opts.full)
    return {
      weightOnly: NaN,
      activationOnly: NaN,
      both,
      invariance: NaN,
      bitsWeight: scale(wq.bits) + side,
      bitsActivation: scale(xq.bits),
    };
  return {
    weightOnly: relativeError(y, matmulT(xr, wq.out)),
    activationOnly: relativeError(y, matmulT(xq.out, wr)),
    both,
    invariance: relativeError(y, matmulT(xr, wr)),
    bitsWeight: scale(wq.bits) + side,
    bitsActivation: scale(xq.bits),
  };
}

const LAYER_PARAMS = defineParams({
  activations: {
    kind: 'enum',
    default: 'outlier-channels',
    options: ACTIVATION_GENERATORS,
    doc: 'Activation generator: massive outlier channels (column-wise), outlier tokens (row-wise) or Gaussian.',
  },
  tokens: { kind: 'int', default: 256, min: 1, max: 4096, step: 1, doc: 'Activation rows (tokens).' },
  channels: {
    kind: 'int',
    default: 8,
    min: 0,
    max: 4096,
    step: 1,
    doc: 'Outlier channels (or tokens for row-wise).',
  },
  scale: {
    kind: 'number',
    default: 20,
    min: 0,
    max: 1e4,
    step: 1,
    doc: 'Magnitude multiplier of the outliers.',
  },
  activationQuantizer: {
    kind: 'enum',
    default: 'same',
    options: ACTIVATION_QUANTIZERS,
    doc: 'Activations: the pipeline’s own quantizer (W4A4 for 4-bit) or int8 / int4 / fp8 per token, mxfp4, nvfp4.',
  },
  fitOn: {
    kind: 'enum',
    default: 'activations',
    options: ['activations', 'weights'],
    doc: 'Data a data-dependent transform (pca, klt, duquant) is fitted on; smoothquant and flatquant always use both.',
  },
  smoothing: {
    kind: 'bool',
    default: false,
    doc: 'Apply SmoothQuant channel scaling before the rotation.',
  },
  alpha: {
    kind: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    step: 0.05,
    doc: 'SmoothQuant migration strength α.',
  },
  sweep: {
    kind: 'int',
    default: 5,
    min: 0,
    max: 21,
    step: 1,
    doc: 'Points of the α sweep over [0, 1] (0 = off; 1 = α 0 only).',
  },
});

export const layerAnalysis = defineAnalysis({
  id: 'layer',
  label: 'Layer output error',
  description:
    'Output error of Y = XWᵀ with weights, activations or both quantized, the same rotation on both sides; SmoothQuant α and its sweep.',
  reference:
    'QuaRot (Ashkboos et al., NeurIPS 2024) §3 computational invariance; SmoothQuant (Xiao et al., ICML 2023) §4 Eq. 4; SVDQuant (ICLR 2025) §4.',
  params: LAYER_PARAMS,
  // X (tokens × dim) drawn, Y = XWᵀ; per pipeline its transform and quantizer on the tokens and
  // weight rows, four tokens × rows × dim products, and per α point one more evaluation with one
  // product and the smoothing passes (evaluateLayer).
  cost: (params, { rows, dim }, pipelines) => {
    const t = params.tokens;
    const sweep = params.sweep;
    const product = matmulFlops(t, rows, dim);
    const smooth = 4 * (t + rows) * dim;
    const each = pipelines.map((p) => pipelineWork(t + rows, dim, [p]));
    const work = each.reduce((a, b) => a + b, 0);
    // The products, smoothing and draws are TypeScript loops (weight TS).
    return (
      TS * (NORMAL_FLOPS * t * dim + product + (params.smoothing ? smooth : 0)) +
      work +
      TS * 4 * product * pipelines.length +
      sweep * (work + TS * (product + smooth) * pipelines.length)
    );
  },
  run(input, options) {
    const { data: w, pipelines, rng } = input;
    const {
      activations,
      tokens,
      channels,
      scale,
      activationQuantizer: actQ,
      fitOn,
      smoothing,
      alpha,
      sweep: nSweep,
    } = input.params;
    const x = generateActivations(rng, activations, tokens, w.cols, channels, scale, 'layer');
    const y = matmulT(x, w);
    const alphas = Array.from({ length: nSweep }, (_, i) => (nSweep === 1 ? 0 : i / (nSweep - 1)));
    const total = pipelines.length * (1 + alphas.length);
    let done = 0;
    const tick = (stage: string) => options?.onProgress?.(++done, total, stage);
    const checkAbort = () => {
      if (options?.signal?.aborted) throw new Error('run cancelled');
    };
    let xs = x;
    let ws = w;
    if (smoothing) ({ xs, ws } = smooth(x, w, alpha, rng));
    const results: LayerPipelineResult[] = pipelines.map((p) => {
      checkAbort();
      const r = evaluateLayer(p, xs, ws, y, rng, { activationQuantizer: actQ, fitOn, full: true });
      tick(`layer: ${pipelineLabel(p)}`);
      return { label: pipelineLabel(p), ...r };
    });
    const sweepBoth = pipelines.map((p) =>
      alphas.map((a) => {
        checkAbort();
        const sm = smooth(x, w, a, rng);
        const e = evaluateLayer(p, sm.xs, sm.ws, y, rng, {
          activationQuantizer: actQ,
          fitOn,
          full: false,
        }).both;
        tick(`α sweep ${a.toFixed(2)}: ${pipelineLabel(p)}`);
        return e;
      }),
    );
    const result: LayerResult = {
      kind: 'layer',
      tokens: x.rows,
      outFeatures: w.rows,
      inFeatures: w.cols,
      activations,
      activationQuantizer: actQ,
      smoothing: { enabled: smoothing, alpha },
      patterns: {
        activations: classifyOutlierPattern(x.data, x.rows, x.cols, 8),
        weights: classifyOutlierPattern(w.data, w.rows, w.cols, 8),
      },
      pipelines: results,
      sweep: { alphas, both: sweepBoth },
    };
    return result;
  },
});
