/**
 * Shared pieces of the layer and attention analyses: the activation generators, a
 * pipeline's transform applied to both operands, quantization by a pipeline, and dense products.
 *
 * Activation generators (tokens × d), all seeded from rng('analysis', 'activations', …):
 *  - outlier-channels: N(0,1) with `channels` fixed columns × `scale` — massive activations in
 *    fixed feature dimensions (LLM.int8() §3.2; Sun et al., "Massive Activations in LLMs", 2024),
 *    AdaHOP's Column-wise pattern. The column subset is the `outlier-channels` data source's own
 *    (`outlierColumns`), drawn from the analysis stream so it does not coincide with the data's.
 *  - row-wise: N(0,1) with `channels` random tokens (rows) × `scale` — AdaHOP's Row-wise pattern
 *    (e.g. attention-sink tokens).
 *  - gaussian: N(0,1) — AdaHOP's None.
 */
import { outlierColumns } from '../methods/data/outlier-channels';
import { quantizersById } from '../methods';
import type { Matrix, PreparedTransform } from '../methods/types';
import { prepareChain, rotateDual, type PipelineSpec } from '../pipeline';
import type { RngFactory } from '../rng';

export const ACTIVATION_GENERATORS = ['outlier-channels', 'row-wise', 'gaussian'] as const;

export function generateActivations(
  rng: RngFactory,
  generator: string,
  tokens: number,
  d: number,
  count: number,
  scale: number,
  purpose: string,
): Matrix {
  const data = new Float32Array(tokens * d);
  rng.stream('analysis', purpose, generator, tokens, d).fillNormal(data);
  if (generator === 'outlier-channels') {
    const cols = outlierColumns(
      { seed: rng.seed, stream: (_p, ...keys) => rng.stream('analysis', purpose, ...keys) },
      d,
      count,
    );
    for (let t = 0; t < tokens; t++) for (const c of cols) data[t * d + c] *= scale;
  } else if (generator === 'row-wise') {
    const rowsOut = outlierColumns(
      { seed: rng.seed, stream: (_p, ...keys) => rng.stream('analysis', purpose, 'rows', ...keys) },
      tokens,
      count,
    );
    for (const t of rowsOut) for (let c = 0; c < d; c++) data[t * d + c] *= scale;
  }
  return { rows: tokens, cols: d, data };
}

/**
 * Transforms fitted on a layer's weights AND its input activations (SmoothQuant's two maxima,
 * FlatQuant's output-error fit): they get data = the weights and calibration = the activations
 * (both as they arrive at that stage of the chain) whatever `fitOn` says; the other data-dependent
 * ones (pca, klt, duquant) are fitted on `fitOn`.
 */
const LAYER_FITTED = new Set(['smoothquant', 'flatquant']);

/**
 * Prepare a pipeline's chain of transforms, fitted (if data-dependent) on `fitOn`; `layer` passes
 * the layer's weights and activations (the latter as ctx.calibration) where the analysis has them.
 */
export function prepareTransform(
  p: PipelineSpec,
  rng: RngFactory,
  fitOn: Matrix,
  layer?: { readonly weights: Matrix; readonly activations: Matrix },
): PreparedTransform {
  if (!layer) return prepareChain(p.transforms, rng, fitOn);
  // Carry the weights and activations through the stages fitted so far: weights by forward,
  // activations by the dual map, so a later stage sees what it would in the deployed layer.
  let weights = layer.weights;
  let activations = layer.activations;
  return prepareChain(
    p.transforms,
    rng,
    fitOn,
    (_k, def, current) =>
      LAYER_FITTED.has(def.id)
        ? { data: weights, calibration: activations }
        : { data: current, calibration: activations },
    (prepared) => {
      weights = rotate(prepared, weights);
      activations = rotateDual(prepared, activations);
    },
  );
}

export function rotate(prepared: PreparedTransform, m: Matrix): Matrix {
  const out = new Float32Array(m.rows * prepared.outDim);
  prepared.forward(m.data, m.rows, out);
  return { rows: m.rows, cols: prepared.outDim, data: out };
}

export { rotateDual };

/** Quantize–dequantize `m` (in the transformed domain) with a quantizer ref. */
export function quantizeWith(
  ref: { readonly id: string; readonly params: Readonly<Record<string, number | string | boolean>> },
  m: Matrix,
  rng: RngFactory,
  calibration?: Matrix,
): { readonly out: Matrix; readonly bits: number } {
  const q = quantizersById.get(ref.id);
  if (!q) throw new Error(`unknown quantizer "${ref.id}"`);
  const out = new Float32Array(m.rows * m.cols);
  q.quantize(m.data, m.rows, m.cols, ref.params, calibration ? { rng, calibration } : { rng }, out);
  const bits =
    q.bitsPerCoordOf?.(m.data, m.rows, m.cols, ref.params) ?? q.bitsPerCoord(ref.params, m.rows, m.cols);
  return { out: { rows: m.rows, cols: m.cols, data: out }, bits };
}

/** A·Bᵀ for A (n × k) and B (m × k), float64 accumulation, n × m result. */
export function matmulT(a: Matrix, b: Matrix): Float64Array {
  if (a.cols !== b.cols) throw new RangeError(`matmulT: ${a.cols} ≠ ${b.cols}`);
  const k = a.cols;
  const out = new Float64Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++) {
    const ai = i * k;
    for (let j = 0; j < b.rows; j++) {
      const bj = j * k;
      let s = 0;
      for (let t = 0; t < k; t++) s += a.data[ai + t] * b.data[bj + t];
      out[i * b.rows + j] = s;
    }
  }
  return out;
}

/** ‖a − b‖_F / ‖a‖_F. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    const e = a[i] - b[i];
    num += e * e;
    den += a[i] * a[i];
  }
  return den > 0 ? Math.sqrt(num / den) : num > 0 ? Infinity : 0;
}
