/**
 * runExperiment: the only orchestrator (DESIGN.md). For each pipeline: y = T_k ∘ … ∘ T_1 (x) (its
 * chain of transforms), ŷ = Q(y) (quantize–dequantize in the last domain), x̂ = T_1⁻¹ ∘ … ∘ T_k⁻¹ (ŷ),
 * then every metric of CONTRACT.md §5 on (x, x̂) in the original domain; or, in the transformed
 * metric domain (RunOptions.metricDomain, CONTRACT.md §5.1), on (y, ŷ) without the inverse when the
 * chain is orthogonal and keeps the dim (the metrics are invariant under that map).
 *
 * - Pairing: random streams come from (seed, purpose, keys) and never from a pipeline's position,
 *   so pipelines sharing a transform see the same rotation (CONTRACT.md §1). Stage k > 0 of a
 *   chain adds its position to the keys (chainRng), so `rht → rht` is two independent rotations
 *   while a one-stage chain draws exactly what a v1 single transform drew. Pipelines are grouped
 *   by transform so each distinct rotation is prepared and applied once, and only one transformed
 *   copy is alive at a time (memory: x, y, ŷ, x̂ and the transform's own state).
 * - Honest bits: a transform that pads dim → outDim makes the quantizer store outDim coordinates
 *   per row, so bits/coordinate = quantizer.bitsPerCoord(rows, outDim) · outDim / dim, plus each
 *   stage's side information (a stored permutation or basis) over rows·dim.
 * - Cancellation: the AbortSignal is checked between stages (a stale CPU run in a worker is
 *   terminated outright by src/engine; this keeps in-process runs responsive too).
 */
import { createRngFactory } from './rng';
import { METRICS, quantizersById, transformsById } from './methods';
import type {
  DenseProducts,
  Matrix,
  MetricDef,
  MetricStream,
  ParamSchema,
  Params,
  PreparedTransform,
  QuantizerDef,
  TransformDef,
} from './methods/types';
import type { RngFactory } from './rng';
import { createSumsAccumulator, reconstructionSums, type ReconstructionSums } from './methods/metrics/sums';
import type { ParamsOf } from './methods/params';
import { BLOCK_HADAMARD_PARAMS } from './methods/transforms/blockHadamard';
import { BASIS_PARAM } from './methods/transforms/pca';
import { PERMUTE_PARAMS } from './methods/transforms/permute';
import { RHT_PARAMS } from './methods/transforms/rht';
import { HADAMARD_SIZE_PARAM } from './methods/transforms/wht';

export interface MethodRef {
  readonly id: string;
  readonly params: Params;
}

/**
 * A pipeline: a chain of transforms (zero or more, applied in order and inverted in reverse), then
 * a quantizer acting in the last transform's domain.
 */
export interface PipelineSpec {
  readonly transforms: readonly MethodRef[];
  readonly quantizer: MethodRef;
  readonly label?: string;
}

export interface ExperimentSpec {
  readonly seed: number;
  readonly pipelines: readonly PipelineSpec[];
}

export type MetricValues = Record<string, number>;

export interface PipelineResult {
  readonly transform: string;
  readonly quantizer: string;
  readonly label: string;
  readonly bitsPerCoord: number;
  readonly metrics: MetricValues;
  /** 'transformed' when its metrics were computed on (y, ŷ) (RunOptions.metricDomain); absent otherwise. */
  readonly metricDomain?: 'transformed';
  /** Caveats the transform and quantizer state about this run (their `note`s), shown with the label. */
  readonly note?: string;
  /** Wall-clock milliseconds per stage (the transform's time is shared by its group). */
  readonly timingsMs: {
    readonly transform: number;
    readonly quantize: number;
    readonly inverse: number;
    readonly metrics: number;
    /**
     * Which backend ran the transform's forward pass and the quantizer (never in the CLI JSON);
     * `inverse` is set when the inverse and the metric sums ran there too (a group a runner took
     * whole, StageRequest 'group'), else they ran on the CPU.
     */
    readonly backend: { readonly transform: Backend; readonly quantize: Backend; readonly inverse?: Backend };
  };
}

/** Buffers of one pipeline, lent to a collector while they are alive (charts, analysis). */
export interface PipelineBuffers {
  readonly index: number;
  readonly x: Matrix;
  /** Transformed rows, rows × outDim. */
  readonly y: Float32Array;
  /** Quantized transformed rows, rows × outDim. */
  readonly yHat: Float32Array;
  /** Reconstruction in the original domain, rows × dim. */
  readonly xHat: Float32Array;
  readonly outDim: number;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  /** Called after each stage: done/total stages and a short description. */
  readonly onProgress?: (done: number, total: number, stage: string) => void;
  /** Sees each pipeline's buffers before they are released. Must not keep references. */
  readonly collect?: (buffers: PipelineBuffers) => void;
  /**
   * Compute only these pipeline indices (a worker pool's share of a run); results come back for
   * them, in pipeline order. The streams depend on (seed, purpose, keys) only, so a pipeline's
   * numbers do not depend on which others run beside it.
   */
  readonly only?: readonly number[];
  /**
   * Calibration activations X (tokens × dim, in the data's domain) for calibrated methods: each
   * transform stage sees X carried through the stages before it (their dual map, so X·Wᵀ is kept),
   * and the quantizer sees X in the last domain.
   */
  readonly calibration?: Matrix;
  /**
   * Row streaming (memory): when set, and no collector wants whole buffers and no calibration is
   * carried, the inverse and the metrics run on blocks of about this many coordinates (whole
   * rows), and a row-local quantizer (QuantizerDef.rowLocal) quantizes block by block too, so
   * neither x̂ nor (for row-local quantizers) ŷ is ever held whole. Every metric accumulates in
   * row order, so the numbers are bit-identical to the whole-matrix path (pipeline.test.ts,
   * saved-links). Peak: x, y (none for an empty chain) and ŷ for a quantizer that is not row-local.
   */
  readonly rowBlock?: number;
  /**
   * Compute only these metric ids (all by default): a chart that shows vNMSE alone (the
   * rate–distortion sweep) or none (spectra) skips the rest. Each metric's value is the same
   * whichever others run beside it.
   */
  readonly metrics?: readonly string[];
  /**
   * Where the metrics are computed (config `numerics.metricDomain`, CONTRACT.md §5). 'data' (the
   * default): on (x, x̂), x̂ the chain's inverse of ŷ. 'transformed': on (y, ŷ) in the last stage's
   * domain, without the inverse, for a pipeline whose every stage is orthogonal and keeps the dim
   * (TransformDef.orthogonal) when every wanted metric is invariant under that map
   * (MetricDef.orthogonalInvariance; ip-nvar's queries are carried through the chain's forward
   * map). The values equal the data domain's up to float32 rounding of the transforms; other
   * pipelines run as in 'data'. A collector still gets x̂ (the inverse runs for it).
   */
  readonly metricDomain?: MetricDomain;
  /**
   * Arithmetic of the dense products (config `numerics.denseProducts`, CONTRACT.md §5.2), handed to
   * every transform's prepare context and quantizer context: 'float64' (the default, every saved
   * link) or 'float32' (haar and pca's Householder products, and the QJL sketch products of qjl,
   * turboquant-prod and qjl-kv, rounded to binary32: equal within float32 rounding, twice the
   * SIMD lanes).
   */
  readonly denseProducts?: DenseProducts;
}

export type MetricDomain = 'data' | 'transformed';

/** The context field of RunOptions.denseProducts: present only for the non-default float32. */
function denseField(d: DenseProducts | undefined): { denseProducts?: DenseProducts } {
  return d === 'float32' ? { denseProducts: d } : {};
}

export class AbortError extends Error {
  constructor() {
    super('run cancelled');
    this.name = 'AbortError';
  }
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}

function formatParam(v: unknown): string {
  return typeof v === 'number' ? String(v) : String(v);
}

/**
 * Non-default params that `describe` does not already show, as "name=value": found by asking
 * whether reverting the param to its default changes the description. Default params add nothing,
 * so labels of existing links are unchanged, while two pipelines that differ in any param always
 * get different labels (labels key table rows and chart series).
 */
function unshownParams(schema: ParamSchema, params: Params, describe: (p: Params) => string): string[] {
  const shown = describe(params);
  const extra: string[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    const value = params[name];
    if (value === undefined || value === spec.default) continue;
    if (describe({ ...params, [name]: spec.default }) !== shown) continue;
    extra.push(`${name}=${formatParam(value)}`);
  }
  return extra;
}

/**
 * A label part that reads a transform's params by the names of its schema (compiler-checked). The
 * values are not validated here (a label of an unchecked config must not throw), so each may be
 * absent and is formatted as whatever it is.
 */
function labelPart<S extends ParamSchema>(_schema: S, part: (p: Partial<ParamsOf<S>>) => string) {
  return (p: Params) => part(p as Partial<ParamsOf<S>>);
}

/** Transform params the label spells out itself (rounds as ×k, block and mode in parentheses). */
const TRANSFORM_LABEL_PARAMS: Readonly<Record<string, (p: Params) => string>> = {
  rht: labelPart(RHT_PARAMS, (p) => (Number(p.rounds) > 1 ? `rht×${formatParam(p.rounds)}` : 'rht')),
  'block-hadamard': labelPart(BLOCK_HADAMARD_PARAMS, (p) => `block-hadamard(${formatParam(p.block)})`),
  permute: labelPart(PERMUTE_PARAMS, (p) => `permute(${formatParam(p.mode)})`),
};

/** The params shared across transforms that every label marks when not at their default. */
const SUFFIX_PARAMS = { size: HADAMARD_SIZE_PARAM, basis: BASIS_PARAM };

/** Non-default choices that change the cost or the map, named the same way for every transform. */
const transformSuffixes = labelPart(
  SUFFIX_PARAMS,
  (p) => (p.size === 'exact' ? '[exact]' : '') + (p.basis === 'stored' ? '[stored basis]' : ''),
);

/** One stage's label: "haar", "rht×2", "block-hadamard(32)", "pca[basis=stored]". */
export function transformLabel(t: MethodRef): string {
  const tDef = transformsById.get(t.id);
  const base = TRANSFORM_LABEL_PARAMS[t.id] ?? (() => t.id);
  const tName = (p: Params) => base(p) + transformSuffixes(p);
  const tExtra = tDef ? unshownParams(tDef.params, t.params, tName) : [];
  return tName(t.params) + (tExtra.length ? `[${tExtra.join(' ')}]` : '');
}

/** The chain's label: its stages joined by arrows, "identity" when empty. */
export function chainLabel(transforms: readonly MethodRef[]): string {
  return transforms.length ? transforms.map(transformLabel).join(' → ') : 'identity';
}

/** "haar → eden b=2 mse", "rht×2 → turboquant-prod b=3", "smoothquant → rht → int b=4 g128". */
export function pipelineLabel(p: PipelineSpec): string {
  if (p.label) return p.label;
  const q = quantizersById.get(p.quantizer.id);
  const describe = (params: Params) => (q ? q.describe(params) : '');
  const qDesc = [
    describe(p.quantizer.params),
    ...(q ? unshownParams(q.params, p.quantizer.params, describe) : []),
  ]
    .filter(Boolean)
    .join(' ');
  return `${chainLabel(p.transforms)} → ${p.quantizer.id}${qDesc ? ` ${qDesc}` : ''}`;
}

/** The dims along a chain: [dim, after stage 1, …, after stage k]. */
export function chainDims(transforms: readonly MethodRef[], dim: number): number[] {
  const dims = [dim];
  for (const ref of transforms) {
    const t = transformsById.get(ref.id);
    if (!t) throw new Error(`unknown transform "${ref.id}"`);
    dims.push(t.outDim(ref.params, dims[dims.length - 1]));
  }
  return dims;
}

/** Bits every stage of the chain stores besides the quantized values, over the whole matrix. */
export function chainSideInfoBits(
  transforms: readonly MethodRef[],
  rows: number,
  dims: readonly number[],
): number {
  let bits = 0;
  transforms.forEach((ref, k) => {
    bits += transformsById.get(ref.id)?.sideInfoBits?.(ref.params, rows, dims[k]) ?? 0;
  });
  return bits;
}

export function bitsPerCoordinate(p: PipelineSpec, rows: number, dim: number): number {
  const q = quantizersById.get(p.quantizer.id);
  if (!q) throw new Error(`unknown method in pipeline ${pipelineLabel(p)}`);
  const dims = chainDims(p.transforms, dim);
  const outDim = dims[dims.length - 1];
  return (
    (q.bitsPerCoord(p.quantizer.params, rows, outDim) * outDim) / dim +
    chainSideInfoBits(p.transforms, rows, dims) / (rows * dim)
  );
}

/**
 * A whole chain prepared as one transform (ℝ^dim → ℝ^outDim): stage k fitted on the output of the
 * stages before it, forward in order, inverse in reverse. For analyses that rotate more than the
 * data (the layer view's activations); the orchestrator runs the stages itself so a backend can
 * take each one. `fit(k, t)` may choose what stage k is fitted on (the layer view fits SmoothQuant
 * on the weights with the activations as calibration); by default it is the chain's own input.
 */
export function prepareChain(
  transforms: readonly MethodRef[],
  rng: RngFactory,
  fitOn: Matrix,
  fit?: (stage: number, def: TransformDef, current: Matrix) => { data: Matrix; calibration?: Matrix },
  advance?: (prepared: PreparedTransform) => void,
): PreparedTransform {
  const stages: PreparedTransform[] = [];
  let current = fitOn;
  transforms.forEach((ref, k) => {
    const t = transformsById.get(ref.id);
    if (!t) throw new Error(`unknown transform "${ref.id}"`);
    const { data, calibration } = fit ? fit(k, t, current) : { data: current };
    const ctx = calibration
      ? { rng: chainRng(rng, k), dim: current.cols, data, calibration }
      : { rng: chainRng(rng, k), dim: current.cols, data };
    const prepared = t.prepare(ref.params, ctx);
    stages.push(prepared);
    advance?.(prepared);
    if (k < transforms.length - 1) {
      const out = new Float32Array(current.rows * prepared.outDim);
      prepared.forward(current.data, current.rows, out);
      current = { rows: current.rows, cols: prepared.outDim, data: out };
    }
  });
  return composeStages(stages, fitOn.cols);
}

/**
 * Stages as one transform: forward and dual in order, inverse in reverse, notes joined. The
 * intermediate buffers are allocated once per row count and reused, so the orchestrator can invert
 * a chain once per pipeline without allocating.
 */
export function composeStages(stages: readonly PreparedTransform[], dim: number): PreparedTransform {
  if (stages.length === 1) return stages[0];
  const outDim = stages.length ? stages[stages.length - 1].outDim : dim;
  // buffers[k] holds stage k's output (k < last) for a given row count.
  let buffered: { rows: number; buffers: Float32Array[] } | undefined;
  const buffersFor = (rows: number) => {
    if (buffered?.rows !== rows)
      buffered = { rows, buffers: stages.slice(0, -1).map((s) => new Float32Array(rows * s.outDim)) };
    return buffered.buffers;
  };
  const inOrder =
    (apply: (s: PreparedTransform, i: Float32Array, rows: number, o: Float32Array) => void) =>
    (input: Float32Array, rows: number, out: Float32Array) => {
      if (!stages.length) return out.set(input.subarray(0, rows * outDim));
      const buffers = buffersFor(rows);
      let cur = input;
      stages.forEach((s, k) => {
        const target = k === stages.length - 1 ? out : buffers[k];
        apply(s, cur, rows, target);
        cur = target;
      });
    };
  const notes = stages.map((s) => s.note).filter(Boolean);
  return {
    outDim,
    ...(notes.length ? { note: notes.join('; ') } : {}),
    forward: inOrder((s, i, rows, o) => s.forward(i, rows, o)),
    ...(stages.some((s) => s.dual)
      ? { dual: inOrder((s, i, rows, o) => (s.dual ? s.dual(i, rows, o) : s.forward(i, rows, o))) }
      : {}),
    inverse(input, rows, out) {
      if (!stages.length) return out.set(input.subarray(0, rows * outDim));
      const buffers = buffersFor(rows);
      let cur = input;
      for (let k = stages.length - 1; k >= 0; k--) {
        const target = k === 0 ? out : buffers[k - 1];
        stages[k].inverse(cur, rows, target);
        cur = target;
      }
    },
  };
}

/**
 * The other operand of a product: x ↦ x·A⁻ᵀ for a non-orthogonal transform (PreparedTransform.dual),
 * forward otherwise, so rotateDual(X)·forward(W)ᵀ = X·Wᵀ.
 */
export function rotateDual(prepared: PreparedTransform, m: Matrix): Matrix {
  const out = new Float32Array(m.rows * prepared.outDim);
  if (prepared.dual) prepared.dual(m.data, m.rows, out);
  else prepared.forward(m.data, m.rows, out);
  return { rows: m.rows, cols: prepared.outDim, data: out };
}

/**
 * The random streams of stage k of a chain: stage 0 draws exactly what a single transform draws
 * (so v1 links keep their numbers); later stages add their position to every stream's keys.
 */
export function chainRng(rng: RngFactory, stage: number): RngFactory {
  if (stage === 0) return rng;
  return { ...rng, stream: (purpose, ...keys) => rng.stream(purpose, ...keys, `chain-stage-${stage}`) };
}

const EMPTY = new Float32Array(0);

/** Whether every stage of a chain is orthogonal (TransformDef.orthogonal) and keeps the dim. */
export function orthogonalChain(transforms: readonly MethodRef[], dims: readonly number[]): boolean {
  return transforms.every(
    (ref, k) => transformsById.get(ref.id)?.orthogonal === true && dims[k + 1] === dims[k],
  );
}

/**
 * MetricContext.mapProbes for a prepared chain: its forward map applied to data-domain probe
 * vectors (rounded to float32, the transforms' input type: a relative error of 2⁻²⁴ per entry),
 * memoised per probe array, so every pipeline of a group maps ip-nvar's queries once.
 */
export function probeMap(stages: readonly PreparedTransform[], dim: number) {
  const forward = composeStages(stages, dim);
  const mapped = new WeakMap<Float64Array, Float64Array>();
  return (probes: Float64Array, count: number): Float64Array => {
    let hit = mapped.get(probes);
    if (!hit) {
      const out = new Float32Array(count * forward.outDim);
      forward.forward(Float32Array.from(probes), count, out);
      hit = Float64Array.from(out);
      mapped.set(probes, hit);
    }
    return hit;
  };
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Where a stage ran: 'cpu' (TypeScript or WASM SIMD kernels) or 'gpu' (src/worker/gpu WGSL kernels). */
export type Backend = 'cpu' | 'gpu';

/** A stage the orchestrator hands to its driver (the CPU driver runs it; a GPU driver may). */
export type StageRequest =
  | {
      readonly kind: 'forward';
      readonly transform: MethodRef;
      readonly prepared: PreparedTransform;
      readonly x: Matrix;
      /** Output, rows × prepared.outDim. */
      readonly y: Float32Array;
    }
  | {
      readonly kind: 'quantize';
      readonly quantizer: MethodRef;
      readonly def: QuantizerDef;
      readonly y: Float32Array;
      readonly rows: number;
      readonly outDim: number;
      readonly rng: RngFactory;
      /** RunOptions.denseProducts, for the quantizer's context (absent: float64). */
      readonly denseProducts?: DenseProducts;
      /** Calibration activations in the quantizer's domain, when the run has them. */
      readonly calibration?: Matrix;
      /** Output, rows × outDim. */
      readonly yHat: Float32Array;
    }
  | {
      /** The metric sums of x and its reconstruction (sums.ts); a runner may reduce on the GPU. */
      readonly kind: 'sums';
      readonly x: Matrix;
      readonly xHat: Float32Array;
      /** Output: the runner sets `sums`. */
      readonly out: { sums?: ReconstructionSums };
    }
  | {
      /**
       * A whole transform group offered before its stages: forward chain, then per pipeline the
       * quantizer, the inverse chain and the metric sums. A runner may take it whole (the WebGPU
       * runner keeps every buffer on the device, src/worker/gpu/resident.ts) and answer 'gpu', or
       * decline with 'cpu' (the CPU driver always does) and the stages follow one by one.
       */
      readonly kind: 'group';
      readonly x: Matrix;
      readonly transforms: readonly MethodRef[];
      /** The experiment's factory: stage k is prepared with chainRng(rng, k), as the stages are. */
      readonly rng: RngFactory;
      readonly pipelines: readonly { readonly quantizer: MethodRef; readonly def: QuantizerDef }[];
      /**
       * Wanted metrics without `fromSums`: per pipeline the runner returns their values itself
       * (`metrics`) or x̂, from which the orchestrator computes them.
       */
      readonly xHatMetrics: readonly string[];
      /** A collector wants the buffers: y, and each pipeline's ŷ and x̂, must come back. */
      readonly needBuffers: boolean;
      /** Output: set by a runner that takes the group. */
      readonly out: { group?: GroupStageOutput };
    };

/** What a runner that takes a 'group' request returns: its prepared chain, per pipeline the sums. */
export interface GroupStageOutput {
  readonly stages: readonly PreparedTransform[];
  readonly transformMs: number;
  /** rows × outDim, when the request asked for the buffers. */
  readonly y?: Float32Array;
  readonly pipelines: readonly {
    readonly sums: ReconstructionSums;
    /** rows × dim: when a collector wants it (needBuffers), or for xHatMetrics without a value. */
    readonly xHat?: Float32Array;
    /** Values of xHatMetrics the runner computed itself. */
    readonly metrics?: Readonly<Record<string, number>>;
    /** rows × outDim, when the request asked for the buffers. */
    readonly yHat?: Float32Array;
    readonly quantizeMs: number;
    readonly inverseMs: number;
    readonly metricsMs: number;
  }[];
}

/** Runs a stage on the CPU (the reference for every backend). */
export function runStageOnCpu(req: StageRequest): Backend {
  if (req.kind === 'forward') req.prepared.forward(req.x.data, req.x.rows, req.y);
  else if (req.kind === 'group')
    return 'cpu'; // declined: its stages follow
  else if (req.kind === 'sums') req.out.sums = reconstructionSums(req.x, req.xHat);
  else {
    const ctx = {
      rng: req.rng,
      ...denseField(req.denseProducts),
      ...(req.calibration ? { calibration: req.calibration } : {}),
    };
    req.def.quantize(req.y, req.rows, req.outDim, req.quantizer.params, ctx, req.yHat);
  }
  return 'cpu';
}

/** Pipeline indices `runExperiment` computes: options.only (ascending, deduplicated) or all. */
export function selectedPipelines(n: number, only: readonly number[] | undefined): number[] {
  if (!only) return Array.from({ length: n }, (_, i) => i);
  const out = [...new Set(only)].sort((a, b) => a - b);
  for (const i of out)
    if (!Number.isInteger(i) || i < 0 || i >= n)
      throw new RangeError(`pipeline index ${i} not in 0…${n - 1}`);
  return out;
}

/**
 * Groups of pipeline indices sharing a transform (id + params), in first-appearance order: each
 * group's rotation is prepared and applied once. Also the unit the worker pool splits a run by
 * (src/ui/bridge/client.ts), so no rotation is built twice.
 */
export function transformGroups(spec: ExperimentSpec, indices: readonly number[]): number[][] {
  const groups = new Map<string, number[]>();
  for (const i of indices) {
    const p = spec.pipelines[i];
    const key = JSON.stringify(p.transforms.map((t) => [t.id, t.params]));
    const list = groups.get(key);
    if (list) list.push(i);
    else groups.set(key, [i]);
  }
  return [...groups.values()];
}

/**
 * The orchestrator, written once as a generator that yields the two stages a backend may take over
 * (transform forward, quantize–dequantize) and receives which backend ran them: the synchronous CPU
 * driver (runExperiment: CLI, tests) and the asynchronous one
 * (runExperimentAsync: the worker, with WebGPU) then cannot drift apart. Everything else (inverse,
 * metrics, artifacts) stays on the CPU, unless a runner takes a whole transform group (the
 * 'group' request yielded first for each group; groupResult turns its sums into the results).
 */
function* experimentSteps(
  spec: ExperimentSpec,
  x: Matrix,
  options: RunOptions,
): Generator<StageRequest, PipelineResult[], Backend> {
  const { signal, onProgress, collect } = options;
  const { rows, cols: dim } = x;
  const rng = createRngFactory(spec.seed);
  const selected = selectedPipelines(spec.pipelines.length, options.only);
  const dense = denseField(options.denseProducts);
  const totalStages = selected.length * 3;
  let done = 0;
  const step = (stage: string) => {
    done++;
    onProgress?.(done, totalStages, stage);
  };

  const results = new Map<number, PipelineResult>();
  const wanted = options.metrics ? METRICS.filter((m) => options.metrics?.includes(m.id)) : METRICS;
  // Row streaming (RunOptions.rowBlock): only where nothing needs the whole buffers.
  const streaming =
    options.rowBlock !== undefined &&
    !collect &&
    !options.calibration &&
    wanted.every((m) => m.fromSums || m.stream);
  const blockRows = Math.max(1, Math.floor((options.rowBlock ?? 0) / Math.max(1, dim)));
  let xHatWhole: Float32Array | undefined;
  // Streaming keeps at most two whole buffers beside x (a stage output, a ŷ); a group's buffers go
  // back to `spare` when it ends and the next group takes them, instead of leaving them to a later
  // garbage collection while it allocates new ones (which measured as a third and fourth copy).
  const spare: Float32Array[] = [];
  const take = (n: number): Float32Array => {
    if (streaming) {
      const k = spare.findIndex((b) => b.length >= n);
      if (k >= 0) return spare.splice(k, 1)[0].subarray(0, n);
    }
    return new Float32Array(n);
  };
  const giveBack = (b: Float32Array | undefined) => {
    if (streaming && b && b !== x.data) spare.push(new Float32Array(b.buffer));
  };
  for (const indices of transformGroups(spec, selected)) {
    checkAbort(signal);
    const chain = spec.pipelines[indices[0]].transforms;
    // The whole group, offered first to a runner that can keep it on its device (a collector gets
    // the buffers read back; calibration and a data-dependent bit count keep the stages).
    const qDefs = indices.map((i) => quantizersById.get(spec.pipelines[i].quantizer.id));
    // The resident runner computes data-domain metrics (it inverts on the device), so a group whose
    // metrics belong in the transformed domain (RunOptions.metricDomain) keeps the stages.
    const transformedGroup =
      options.metricDomain === 'transformed' &&
      orthogonalChain(chain, chainDims(chain, dim)) &&
      wanted.every((m) => m.orthogonalInvariance !== undefined);
    if (
      chain.length &&
      !transformedGroup &&
      !options.calibration &&
      qDefs.every((q) => q && !q.bitsPerCoordOf)
    ) {
      const req = {
        kind: 'group',
        x,
        transforms: chain,
        rng,
        pipelines: indices.map((i, k) => ({
          quantizer: spec.pipelines[i].quantizer,
          def: qDefs[k] as QuantizerDef,
        })),
        xHatMetrics: wanted.filter((m) => !m.fromSums).map((m) => m.id),
        needBuffers: !!collect,
        out: {} as { group?: GroupStageOutput },
      } satisfies StageRequest & { out: { group?: GroupStageOutput } };
      const taken = (yield req) === 'gpu' ? req.out.group : undefined;
      if (taken) {
        indices.forEach((i, k) => {
          for (const stage of ['transform', 'quantize', 'metrics'])
            step(`${pipelineLabel(spec.pipelines[i])}: ${stage}`);
          results.set(i, groupResult(spec.pipelines[i], qDefs[k] as QuantizerDef, taken, k, x, rng, wanted));
          const { xHat, yHat } = taken.pipelines[k];
          if (!collect) return;
          if (!taken.y || !yHat || !xHat)
            throw new Error('the stage runner returned no buffers for the collector');
          collect({ index: i, x, y: taken.y, yHat, xHat, outDim: yHat.length / Math.max(1, rows) });
        });
        checkAbort(signal);
        continue;
      }
    }
    // X carried through the chain alongside the data (dual maps keep X·Wᵀ).
    let calibrationIn = options.calibration;
    const t0 = now();
    // Stage by stage: a data-dependent stage (PCA, SmoothQuant) is fitted on its own input, the
    // previous stage's output. An empty chain quantizes x itself (the quantizer never writes it).
    const stages: PreparedTransform[] = [];
    const stageInputs: Matrix[] = [x];
    let transformBackend: Backend = 'cpu';
    for (let k = 0; k < chain.length; k++) {
      const tRef = chain[k];
      const tDef = transformsById.get(tRef.id);
      if (!tDef) throw new Error(`unknown transform "${tRef.id}"`);
      const input = stageInputs[k];
      const ctx = {
        rng: chainRng(rng, k),
        dim: input.cols,
        data: input,
        ...dense,
        ...(calibrationIn ? { calibration: calibrationIn } : {}),
      };
      const prepared = tDef.prepare(tRef.params, ctx);
      if (calibrationIn) calibrationIn = rotateDual(prepared, calibrationIn);
      const out = take(rows * prepared.outDim);
      const backend = yield { kind: 'forward', transform: tRef, prepared, x: input, y: out };
      if (backend === 'gpu') transformBackend = 'gpu';
      stages.push(prepared);
      stageInputs.push({ rows, cols: prepared.outDim, data: out });
      // An intermediate stage's output is only the next stage's input: let it go.
      if (k > 0) {
        giveBack(input.data);
        stageInputs[k] = { rows, cols: input.cols, data: EMPTY };
      }
      checkAbort(signal);
    }
    const outDim = stageInputs[stageInputs.length - 1].cols;
    const y = stageInputs[stageInputs.length - 1].data;
    const dims = stageInputs.map((m) => m.cols);
    const transformMs = now() - t0;
    const chainTransform = composeStages(stages, dim);
    // Transformed metric domain (RunOptions.metricDomain): the metrics see (y, ŷ), so no inverse.
    const inTransformed =
      options.metricDomain === 'transformed' &&
      orthogonalChain(chain, dims) &&
      wanted.every((m) => m.orthogonalInvariance !== undefined);
    const metricX: Matrix = inTransformed ? { rows, cols: dim, data: y } : x;
    // An empty chain's domain is the data's: its probes stay as drawn (no float32 rounding).
    const metricCtx = inTransformed && stages.length ? { rng, mapProbes: probeMap(stages, dim) } : { rng };
    let yHatWhole: Float32Array | undefined;
    for (const i of indices) {
      const p = spec.pipelines[i];
      step(`${pipelineLabel(p)}: transform`);
      checkAbort(signal);
      const qDef = quantizersById.get(p.quantizer.id);
      if (!qDef) throw new Error(`unknown quantizer "${p.quantizer.id}"`);
      // A row-local quantizer under streaming runs block by block below, on the CPU.
      const perBlock = streaming && (qDef.rowLocal?.(p.quantizer.params) ?? false);
      const t1 = now();
      let quantizeBackend: Backend = 'cpu';
      let yHat: Float32Array | undefined;
      if (!perBlock) {
        yHat = yHatWhole ??= take(rows * outDim);
        quantizeBackend = yield {
          kind: 'quantize',
          quantizer: p.quantizer,
          def: qDef,
          y,
          rows,
          outDim,
          rng,
          ...dense,
          ...(calibrationIn ? { calibration: calibrationIn } : {}),
          yHat,
        };
      }
      const t2 = now();
      step(`${pipelineLabel(p)}: quantize`);
      checkAbort(signal);
      const metrics: MetricValues = {};
      let quantizeMs = t2 - t1;
      let inverseMs = 0;
      let metricsMs = 0;
      if (!streaming) {
        const yHatFull = yHat ?? new Float32Array(0);
        // In the transformed domain only a collector needs x̂.
        const xHat = !inTransformed || collect ? (xHatWhole ??= new Float32Array(rows * dim)) : EMPTY;
        if (xHat !== EMPTY) chainTransform.inverse(yHatFull, rows, xHat);
        const t3 = now();
        const mHat = inTransformed ? yHatFull : xHat;
        // The sum-based metrics in one fused pass, as a stage a runner may reduce on the GPU
        // (bit-identical to their own loops on the CPU, sums.ts).
        let sums: ReconstructionSums | null = null;
        if (wanted.some((m) => m.fromSums) && metricX.data.length === rows * dim) {
          const out: { sums?: ReconstructionSums } = {};
          yield { kind: 'sums', x: metricX, xHat: mHat, out };
          sums = out.sums ?? reconstructionSums(metricX, mHat);
        }
        for (const m of wanted)
          metrics[m.id] = sums && m.fromSums ? m.fromSums(sums) : m.compute(metricX, mHat, metricCtx);
        inverseMs = t3 - t2;
        metricsMs = now() - t3;
        collect?.({ index: i, x, y, yHat: yHatFull, xHat, outDim });
      } else {
        // Blocks of whole rows, in order: quantize (row-local only), invert, accumulate metrics.
        const sums = wanted.some((m) => m.fromSums) ? createSumsAccumulator(metricX) : null;
        const streams = wanted.map((m) => (m.fromSums ? null : (m.stream?.(metricX, metricCtx) ?? null)));
        const n0 = Math.min(blockRows, rows);
        const qBlock = perBlock ? new Float32Array(n0 * outDim) : null;
        const xBlock = inTransformed ? EMPTY : new Float32Array(n0 * dim);
        for (let r0 = 0; r0 < rows; r0 += blockRows) {
          const n = Math.min(blockRows, rows - r0);
          const ta = now();
          let src: Float32Array;
          if (qBlock) {
            src = qBlock.subarray(0, n * outDim);
            qDef.quantize(
              y.subarray(r0 * outDim, (r0 + n) * outDim),
              n,
              outDim,
              p.quantizer.params,
              { rng, ...dense },
              src,
            );
          } else src = (yHat as Float32Array).subarray(r0 * outDim, (r0 + n) * outDim);
          const tb = now();
          let xRows = src;
          if (!inTransformed) {
            xRows = xBlock.subarray(0, n * dim);
            chainTransform.inverse(src, n, xRows);
          }
          const tc = now();
          sums?.add(r0, n, xRows);
          for (const st of streams) st?.add(r0, n, xRows);
          quantizeMs += tb - ta;
          inverseMs += tc - tb;
          metricsMs += now() - tc;
          checkAbort(signal);
        }
        const td = now();
        const total = sums?.finish();
        wanted.forEach((m, k) => {
          const st = streams[k];
          metrics[m.id] = m.fromSums && total ? m.fromSums(total) : (st as MetricStream).finish();
        });
        metricsMs += now() - td;
      }
      const note = [
        ...stages.map((st) => st.note),
        qDef.note?.(p.quantizer.params, calibrationIn ? { rng, calibration: calibrationIn } : { rng }),
      ]
        .filter(Boolean)
        .join('; ');
      results.set(i, {
        ...(note ? { note } : {}),
        ...(inTransformed ? { metricDomain: 'transformed' as const } : {}),
        transform: p.transforms.length ? p.transforms.map((t) => t.id).join('+') : 'identity',
        quantizer: p.quantizer.id,
        label: pipelineLabel(p),
        bitsPerCoord:
          ((qDef.bitsPerCoordOf?.(y, rows, outDim, p.quantizer.params) ??
            qDef.bitsPerCoord(p.quantizer.params, rows, outDim)) *
            outDim) /
            dim +
          chainSideInfoBits(p.transforms, rows, dims) / (rows * dim),
        metrics,
        timingsMs: {
          transform: transformMs,
          quantize: quantizeMs,
          inverse: inverseMs,
          metrics: metricsMs,
          backend: { transform: transformBackend, quantize: quantizeBackend },
        },
      });
      step(`${pipelineLabel(p)}: metrics`);
    }
    giveBack(yHatWhole);
    giveBack(y);
  }
  return selected.map((i) => {
    const r = results.get(i);
    if (!r) throw new Error(`pipeline ${i} produced no result`);
    return r;
  });
}

/** One pipeline's result from a group a runner took whole (StageRequest 'group'). */
function groupResult(
  p: PipelineSpec,
  qDef: QuantizerDef,
  group: GroupStageOutput,
  k: number,
  x: Matrix,
  rng: RngFactory,
  wanted: readonly MetricDef[],
): PipelineResult {
  const { rows, cols: dim } = x;
  const out = group.pipelines[k];
  const t0 = now();
  const metrics: MetricValues = {};
  for (const m of wanted) {
    if (m.fromSums) metrics[m.id] = m.fromSums(out.sums);
    else if (out.metrics?.[m.id] !== undefined) metrics[m.id] = out.metrics[m.id];
    else if (out.xHat) metrics[m.id] = m.compute(x, out.xHat, { rng });
    else throw new Error(`the runner returned no x̂ for metric ${m.id}`);
  }
  const dims = [dim, ...group.stages.map((st) => st.outDim)];
  const outDim = dims[dims.length - 1];
  const note = [...group.stages.map((st) => st.note), qDef.note?.(p.quantizer.params, { rng })]
    .filter(Boolean)
    .join('; ');
  return {
    ...(note ? { note } : {}),
    transform: p.transforms.map((t) => t.id).join('+'),
    quantizer: p.quantizer.id,
    label: pipelineLabel(p),
    bitsPerCoord:
      (qDef.bitsPerCoord(p.quantizer.params, rows, outDim) * outDim) / dim +
      chainSideInfoBits(p.transforms, rows, dims) / (rows * dim),
    metrics,
    timingsMs: {
      transform: group.transformMs,
      quantize: out.quantizeMs,
      inverse: out.inverseMs,
      metrics: out.metricsMs + now() - t0,
      backend: { transform: 'gpu', quantize: 'gpu', inverse: 'gpu' },
    },
  };
}

/** Every selected pipeline on the CPU, synchronously; results in pipeline order. */
export function runExperiment(spec: ExperimentSpec, x: Matrix, options: RunOptions = {}): PipelineResult[] {
  const steps = experimentSteps(spec, x, options);
  let next = steps.next();
  while (!next.done) next = steps.next(runStageOnCpu(next.value));
  return next.value;
}

/**
 * The same orchestration with an asynchronous stage runner (e.g. WebGPU with CPU fallback, which
 * returns the backend that ran the stage). Same streams, same order; only the two stages may move.
 */
export async function runExperimentAsync(
  spec: ExperimentSpec,
  x: Matrix,
  options: RunOptions,
  runStage: (req: StageRequest) => Promise<Backend>,
): Promise<PipelineResult[]> {
  const steps = experimentSteps(spec, x, options);
  let next = steps.next();
  while (!next.done) next = steps.next(await runStage(next.value));
  return next.value;
}
