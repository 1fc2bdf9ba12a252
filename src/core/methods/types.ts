/**
 * The method registry's shared types. Every data source, transform, quantizer and metric is one
 * file exporting one definition typed here, plus one line in `index.ts`.
 *
 * A definition's `params` schema drives everything around it: UI controls (min/max/step/doc),
 * config validation and the canonical permalink form (every param spelled out), so a changed
 * default never changes an old link (CONTRACT.md §1).
 *
 * Conventions for kernels (DESIGN.md "Habits"):
 *  - data are row-major Float32Array matrices (rows × cols), one vector per row;
 *  - kernels write into caller-provided output buffers and do not allocate in hot loops;
 *  - sums that matter accumulate in float64 (plain JS numbers).
 */
import type { ReconstructionSums } from './metrics/sums';
import type { RngFactory } from '../rng';

/** One parameter of a method. Numbers and ints carry their valid range. */
export type ParamSpec =
  | {
      kind: 'int';
      default: number;
      min: number;
      max: number;
      step?: number;
      powerOfTwo?: boolean;
      doc: string;
    }
  | { kind: 'number'; default: number; min: number; max: number; step?: number; doc: string }
  | { kind: 'enum'; default: string; options: readonly string[]; doc: string }
  | { kind: 'bool'; default: boolean; doc: string }
  | { kind: 'string'; default: string; maxLength: number; doc: string };

export type ParamSchema = Readonly<Record<string, ParamSpec>>;
export type ParamValue = number | string | boolean;
export type Params = Readonly<Record<string, ParamValue>>;

/** A row-major matrix of `rows` vectors of length `cols`. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

interface MethodBase {
  /** Stable id used in URLs and configs. Never rename one (DESIGN.md). */
  readonly id: string;
  /** Short human label. */
  readonly label: string;
  /** One-line description for the UI and `lab list`. */
  readonly description: string;
  /** Paper / spec citation (title, venue, section). */
  readonly reference: string;
  readonly params: ParamSchema;
}

// ───────────────────────────── data sources ─────────────────────────────

export interface DataContext {
  /** Random streams derived from the experiment seed; data sources use purpose 'data'. */
  readonly rng: RngFactory;
}

export interface DataSourceDef extends MethodBase {
  /**
   * Produce rows × dim values. `params` has been validated against `params` (and includes
   * `rows` and `dim`). Pure: the same params and seed give the same data.
   */
  generate(params: Params, ctx: DataContext): Matrix;
  /**
   * Optional: the values of `generate` written into `out` (rows × dim) in blocks of `blockRows`
   * rows, in order, yielding the count of rows complete after each block, so a consumer can start
   * on the first rows while the rest are drawn (the CLI's worker threads). Bit-identical to
   * `generate` whatever the block size (data.test.ts).
   */
  generateRows?(
    params: Params,
    ctx: DataContext,
    out: Float32Array,
    blockRows: number,
  ): Generator<number, void, void>;
}

/**
 * What a run reports about its data (`run --json` → `data`, CONTRACT.md §6): the shape, the
 * source id and, for data read from bytes, which tensor of which file.
 */
export interface DataSummary {
  readonly rows: number;
  readonly dim: number;
  readonly source: string;
  /** Non-finite values replaced by 0 under data.nonFinite = "zero" (0 otherwise). */
  readonly replacedNonFinite?: number;
  /** File data: tensor name, dtype, SHA-256 of its bytes, whether rows were subsampled. */
  readonly file?: {
    readonly name: string;
    readonly tensor: string;
    readonly dtype: string;
    readonly sha256: string;
    readonly subsampled: boolean;
    /** The layout "auto" resolved to (only present when data.layout is "auto"). */
    readonly layout?: 'rows-first' | 'cols-first';
  };
}

export interface LoadedData {
  readonly matrix: Matrix;
  readonly summary: DataSummary;
}

/** A problem with a data section that the param schema alone cannot see (names the param). */
export interface DataParamProblem {
  readonly param: string;
  readonly message: string;
}

export interface DataLoadContext {
  /** The experiment seed (generated data; seeded row subsampling of file data). */
  readonly seed: number;
  /**
   * The host's reader of bytes outside the config (CLI: the file system; worker: the files the
   * user opened), for kinds of origin 'bytes'; absent where there is none (a generated-only host).
   */
  readonly readBytes?: () => Promise<LoadedData>;
}

/**
 * One kind of data source: the registry entry every `data.source` id resolves to (CONTRACT.md §2),
 * with the method registry's shape (id, params schema, description, citation) plus how to load
 * it and what it costs. Generated sources are kinds through `generatedKind` (data/generated.ts);
 * a source read from bytes (`file`) is a kind of its own. Nothing outside the registry tests a
 * source id: code asks the kind (its `origin`, `shape`, `check`, `load`).
 */
export interface DataSourceKind extends MethodBase {
  /**
   * 'seed': computed from the params and the experiment seed, so a link reproduces it anywhere
   * and its shape is known before running. 'bytes': read from bytes the config does not carry (a
   * file): the shape is known once read, results are not persisted (the bytes are the user's),
   * and the host must supply `readBytes`.
   */
  readonly origin: 'seed' | 'bytes';
  /** Short summary for labels and logs, e.g. "256×1024" or "model.safetensors: w". */
  describe(params: Params): string;
  /**
   * Cost declaration: the rows × dim the params ask for, so the config layer checks the memory
   * budget up front; undefined when the shape is known only once the bytes are read (the budget
   * is then checked while reading).
   */
  shape(params: Params): { readonly rows: number; readonly dim: number } | undefined;
  /** Checks across params beyond the schema (a file slice's start below its end). */
  check?(params: Params): DataParamProblem | undefined;
  load(params: Params, ctx: DataLoadContext): Promise<LoadedData>;
  /**
   * Generated kinds whose generator draws rows in order (DataSourceDef.generateRows): what `load`
   * returns, written into `out` (rows × dim, from `shape`) block by block, yielding the rows
   * complete after each block.
   */
  generateInto?(
    params: Params,
    seed: number,
    out: Float32Array,
    blockRows: number,
  ): Generator<number, LoadedData, void>;
}

// ───────────────────────────── transforms ─────────────────────────────

/**
 * Arithmetic of the dense products (config `numerics.denseProducts`, CONTRACT.md §5.2): 'float64'
 * (absent: every saved link) or 'float32', every product and sum of a Householder rotation or a
 * QJL sketch product rounded to binary32, as a float32 GEMM on a GPU does. Equal within float32
 * rounding; twice the SIMD lanes on the CPU.
 */
export type DenseProducts = 'float64' | 'float32';

export interface TransformContext {
  readonly rng: RngFactory;
  /** Original vector length (the data's `dim`). */
  readonly dim: number;
  /** Arithmetic of dense rotations (haar, pca's Householder basis); absent = 'float64'. */
  readonly denseProducts?: DenseProducts;
  /**
   * The data being transformed, for data-dependent transforms (PCA). Data-oblivious transforms
   * must not read it.
   */
  readonly data: Matrix;
  /**
   * Calibration activations (tokens × dim) for transforms fitted on a layer's input (SmoothQuant's
   * per-channel maxima, FlatQuant's fitted affine map). Set by the layer analysis; absent
   * elsewhere, where such transforms state what they do without it (see their headers).
   */
  readonly calibration?: Matrix;
}

/**
 * A transform prepared for one dimension: an orthogonal map from ℝ^dim to ℝ^outDim
 * (outDim ≥ dim when the transform zero-pads, e.g. to a power of two). `inverse ∘ forward` is the
 * identity on ℝ^dim to float tolerance. The quantizer sees `outDim` coordinates per row and its
 * bits are charged for all of them (honest padding accounting, see pipeline.ts).
 */
export interface PreparedTransform {
  readonly outDim: number;
  /**
   * A caveat the results must show, e.g. a calibrated transform prepared without calibration
   * activations and therefore the identity (smoothquant, flatquant outside the layer view).
   */
  readonly note?: string;
  /** input: rows × dim → out: rows × outDim. */
  forward(input: Float32Array, rows: number, out: Float32Array): void;
  /** input: rows × outDim → out: rows × dim (the first `dim` coordinates of Rᵀy). */
  inverse(input: Float32Array, rows: number, out: Float32Array): void;
  /**
   * Non-orthogonal transforms only (SmoothQuant's channel scaling, FlatQuant's affine map): with
   * forward(w) = w·A, the map x ↦ x·A⁻ᵀ for the other operand of a product, so that
   * dual(X)·forward(W)ᵀ = X·Wᵀ (the layer analysis applies forward to the weights and dual to the
   * activations). Omitted for orthogonal transforms, where it is forward itself.
   */
  dual?(input: Float32Array, rows: number, out: Float32Array): void;
}

export interface TransformDef extends MethodBase {
  /**
   * Largest supported dim, when the transform's cost or memory grows faster than the data (dense
   * rotations: Haar stores ~d²/2 floats, PCA an eigendecomposition). The config layer refuses
   * larger dims up front with the size and the limit.
   */
  readonly maxDim?: number;
  /** outDim for a given dim without preparing (for bit accounting and memory limits). */
  outDim(params: Params, dim: number): number;
  /**
   * True when every map this transform prepares is orthogonal: ⟨forward x, forward z⟩ = ⟨x, z⟩ for
   * all x, z (an isometry ℝ^dim → ℝ^outDim) and inverse = forwardᵀ. With outDim = dim it is a
   * rotation, and the metrics of a pipeline can be computed on (y, ŷ) instead of (x, x̂) without the
   * inverse (RunOptions.metricDomain, CONTRACT.md §5). False or absent for scalings and affine maps
   * (SmoothQuant, FlatQuant). The registry contract test checks every claim numerically.
   */
  readonly orthogonal?: boolean;
  /**
   * Side information stored beyond the quantized values (a permutation, a stored basis), in bits
   * over the whole rows × dim matrix; 0 when omitted. Added to the pipeline's bits per coordinate.
   */
  sideInfoBits?(params: Params, rows: number, dim: number): number;
  prepare(params: Params, ctx: TransformContext): PreparedTransform;
}

// ───────────────────────────── quantizers ─────────────────────────────

export interface QuantizerContext {
  /** Random streams: quantizers use purposes 'sketch' (QJL) and 'rounding' (stochastic rounding). */
  readonly rng: RngFactory;
  /** Arithmetic of sketch products (qjl, turboquant-prod, qjl-kv); absent = 'float64'. */
  readonly denseProducts?: DenseProducts;
  /**
   * Activation rows (tokens × d, in the same domain as the input) for matrix methods that weigh
   * or choose subspaces by the input covariance (EoRA, ResQ). Set by the layer analysis; absent
   * elsewhere, where those methods use the data's own rows (see their headers).
   */
  readonly calibration?: Matrix;
}

export interface QuantizerDef extends MethodBase {
  /**
   * Quantize then dequantize every row of `input` (rows × d, in the transformed domain) into
   * `out` (same shape). Must not modify `input`.
   */
  quantize(
    input: Float32Array,
    rows: number,
    d: number,
    params: Params,
    ctx: QuantizerContext,
    out: Float32Array,
  ): void;
  /**
   * Storage cost in bits per coordinate of the rows × d block it quantized, including all side
   * information (scales, norms, zero-points, tensor scales). Closed form, stated in the header.
   */
  bitsPerCoord(params: Params, rows: number, d: number): number;
  /**
   * Storage cost when it depends on the data (LLM.int8()'s fp16 outlier columns, AdaHOP's extracted
   * rows): the exact bits per coordinate for this input. The pipeline prefers it when present;
   * `bitsPerCoord` then states the data-free part (no outliers), documented in the header.
   */
  bitsPerCoordOf?(input: Float32Array, rows: number, d: number, params: Params): number;
  /**
   * True when, for these params, quantizing any block of consecutive rows on its own gives exactly
   * those rows of the whole matrix's output: no statistic over other rows (a per-tensor scale), no
   * random stream consumed across rows. The pipeline then quantizes a block of rows at a time
   * (bounded memory); the registry-wide contract test checks every such claim bit for bit.
   */
  rowLocal?(params: Params): boolean;
  /** Short parameter summary for labels, e.g. "b=2 mse". */
  describe(params: Params): string;
  /**
   * A caveat about this run that the results must show (GPTQ without calibration activations is
   * round-to-nearest); undefined when there is none.
   */
  note?(params: Params, ctx: QuantizerContext): string | undefined;
}

// ───────────────────────────── metrics ─────────────────────────────

export interface MetricContext {
  readonly rng: RngFactory;
  /**
   * Set when the metric runs in a chain's transformed domain (RunOptions.metricDomain): the
   * chain's orthogonal forward map U applied to `count` probe vectors of the data domain (row-major
   * count × d, float64), so a metric that draws probes q there uses Uq: ⟨q, x − x̂⟩ = ⟨Uq, Ux − ŷ⟩.
   */
  readonly mapProbes?: (probes: Float64Array, count: number) => Float64Array;
}

/** A metric fed the reconstruction a block of rows at a time (rows in order, each row once). */
export interface MetricStream {
  /** x̂ for rows rowStart … rowStart + rows − 1, as rows × cols. */
  add(rowStart: number, rows: number, xHatRows: Float32Array): void;
  /** The metric's value: bit-identical to `compute` on the whole x̂, whatever the blocks were. */
  finish(): number;
}

export interface MetricDef {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** 'lower' or 'higher' is better; used to mark the best value in a results table. */
  readonly better: 'lower' | 'higher' | 'closer-to-1';
  /**
   * How the value behaves when x and x̂ are both mapped by one orthogonal U (the transformed metric
   * domain, RunOptions.metricDomain): 'invariant', the same value in exact arithmetic (norms, inner
   * products, sums of squares); 'probes', the same once its data-domain probe vectors are mapped by
   * U too (MetricContext.mapProbes). Absent: not invariant, so the pipeline computes it on (x, x̂).
   */
  readonly orthogonalInvariance?: 'invariant' | 'probes';
  /** x: original rows × dim; xHat: reconstruction in the original domain. */
  compute(x: Matrix, xHat: Float32Array, ctx: MetricContext): number;
  /**
   * Optional: the same value (bit for bit) from the shared one-pass sums (metrics/sums.ts), which
   * the pipeline computes once for all metrics that have this.
   */
  fromSums?(sums: ReconstructionSums): number;
  /**
   * Optional, for metrics without `fromSums`: the same value fed in row blocks, so the pipeline
   * never needs the whole x̂ at once (a checkpoint sweep's memory bound, pipeline.ts).
   */
  stream?(x: Matrix, ctx: MetricContext): MetricStream;
  /**
   * Optional, for a streamed metric made of per-row terms (ip-nvar): `stream` split so that rows
   * can be computed in any thread and order (the CLI's worker threads). `rows(x, ctx)` returns a
   * function writing `width` float64 values per row of rows rowStart … rowStart + count − 1 into
   * `out` (count × width; it reads no other row of x); `combine` turns every row's values (rows ×
   * width, in row order) into the value `stream` gives, bit for bit (metrics.test.ts).
   */
  readonly rowTerms?: {
    readonly width: number;
    rows(
      x: Matrix,
      ctx: MetricContext,
    ): (rowStart: number, count: number, xHatRows: Float32Array, out: Float64Array) => void;
    combine(terms: Float64Array, rows: number, cols: number): number;
  };
}
