/**
 * Cost model: bytes and work of a run as functions of (rows, dim, params), declared per method,
 * metric and pool worker, checked before anything is allocated (SECURITY.md "Limits").
 *
 * The old single check (rows × dim ≤ 2^25) missed every buffer that does not scale with the data:
 * ipNvar's 64 × d float64 query block (16 GiB for one row of 2^25 coordinates), the QJL sketch
 * (m·d float32, one copy per pool worker), Haar's d × d rotation and PCA's d × d covariance.
 * Each is declared here from its allocation in the method's source, so a config is refused up
 * front with the component, its size and the limit.
 *
 * Work is counted in operations from each method's complexity; `seconds` divides generic work by
 * a conservative single-core rate measured on the CI runner (WORK_RATE) and the dense products
 * (Haar rotations, QJL sketches) by their WASM kernels' rates, so the CLI can show an estimate
 * and warn before work that would take minutes (README "Limits").
 *
 * Methods without a declaration here get DEFAULT: two float64 working copies of rows × outDim,
 * and 50 flops per coordinate; `declaredIds` lets a test list them.
 */
import { chainDims, orthogonalChain, type MetricDomain, type PipelineSpec } from './pipeline';
import type { DenseProducts, Params } from './methods/types';

/** Bytes one run may hold at once (one worker): the five float32 copies of the 2^25-coordinate
 *  data budget plus room for a 8192² float64 Haar rotation. */
export const MAX_RUN_BYTES = 2 ** 31;
/** Flops per second assumed for time estimates (a conservative single JS core). */
export const WORK_RATE = 5e8;
/**
 * Rates of the tiled WASM SIMD dense kernels (wasm/assembly/kernels.ts householder_tiled and
 * qjl_tiled), in floating-point operations as performed (Householder: 4 per reflector element and
 * row; QJL: 3 per sketch entry and row). `npm run bench -- --only=dense` measures 11–12 and
 * ≈ 7.4 GFLOP/s of CPU time on the 2-core development VM (shared); rounded down for slower
 * machines and browsers. Without WebAssembly the TypeScript references run several times slower.
 */
export const HOUSEHOLDER_RATE = 1e10;
/**
 * householder_tiled_f32, the float32 dense-products mode (CONTRACT.md §5.2): f32x4 lanes, measured
 * 26–28 GFLOP/s of CPU time on the same VM (`--only=dense`); rounded down likewise.
 */
export const HOUSEHOLDER_RATE_F32 = 2e10;
export const SKETCH_RATE = 6e9;
/**
 * qjl_tiled_f32, the float32 mode's sketch products: measured 16.7–19.6 GFLOP/s of CPU time
 * (`--only=dense`, d = m = 1024 … 4096); rounded down likewise.
 */
export const SKETCH_RATE_F32 = 1.4e10;
/**
 * Modelled operations per operation of a plain TypeScript scalar loop. The model's units are those
 * of the run estimate, whose rate a page probes on the default mix (engine/calibrate.ts), where
 * the WASM SIMD kernels above set the pace; the per-coordinate coefficients of the element-wise
 * quantizers and metrics were set in those units, but PCA's and the analyses' counts are literal
 * operations of TypeScript loops (dot products, eigen sweeps, sorting), which run about 8 times
 * slower per operation than the probed mix (scripts/estimate-check.ts: rotation quality 10.5×,
 * channel entropy 9×, PCA's dense path 8.3× before this weight). Their seconds for the CLI still
 * divide the literal count by WORK_RATE.
 */
export const TS_LOOP_WEIGHT = 8;
/** Estimated seconds above which the CLI warns before starting. */
export const WARN_SECONDS = 60;

export interface CostItem {
  /** Field-style name of the component: `pipelines[1].quantizer (qjl sketch)`. */
  readonly what: string;
  readonly bytes: number;
  /** All work of the component: generic operations plus dense-kernel flops. */
  readonly flops: number;
  readonly sketchEntries?: number;
}

interface Declared {
  readonly bytes: number;
  /** Generic work at WORK_RATE. */
  readonly flops: number;
  /**
   * Work done by a dense WASM kernel at `denseRate` flops per second. For a transform, per
   * application: a chain runs forward once per group of pipelines sharing it (pipeline.ts groups
   * them) and inverse once per pipeline.
   */
  readonly dense?: number;
  readonly denseRate?: number;
  /** Generic work per application (WORK_RATE), for transforms whose apply is a TypeScript loop. */
  readonly perApplication?: number;
  /**
   * The generic work (flops, perApplication) is a literal count of TypeScript loop operations:
   * it enters the model's work at this weight (TS_LOOP_WEIGHT) and the seconds unweighted.
   */
  readonly tsWeight?: number;
  /** Dense-kernel work done once when the transform is prepared (at HOUSEHOLDER_RATE). */
  readonly prepareDense?: number;
  readonly note?: string;
  /** A sketch's m·d entries, capped separately at MAX_SKETCH_ENTRIES (qjl.ts makeSketch). */
  readonly sketchEntries?: number;
}
type CostFn = (p: Params, rows: number, dim: number, outDim: number) => Declared;

const F32 = 4;
const F64 = 8;
const log2 = (n: number) => Math.max(1, Math.ceil(Math.log2(Math.max(2, n))));
const n = (p: Params, k: string, fallback = 0) => (typeof p[k] === 'number' ? (p[k] as number) : fallback);

/** The 64 ipNvar queries: a 64 × d float64 block plus d × 8 and 64 × 8 float64 lanes (ip-nvar.ts). */
export const IP_QUERY_BYTES = (dim: number) => 64 * dim * F64 + dim * 8 * F64 + 64 * 8 * F64;

/**
 * PCA (methods/transforms/pca.ts), counted from its two paths. Eigen-decomposition of a k × k
 * symmetric matrix with vectors (linalg/eig.ts, Golub & Van Loan §8.3): tridiagonalisation 4k³/3
 * flops in the WASM SIMD kernel (at HOUSEHOLDER_RATE), then the accumulation of Q (2k³/3) and the
 * implicit QR sweeps with vectors (≈ 6k³) in TypeScript: PCA_EIG_FLOPS(k).
 *  - rows ≥ d (dense): the second moment XᵀX/rows, rows·d²/2 multiply-adds (the upper triangle),
 *    the eigenvectors of the d × d matrix, and per row and application a dense d × d
 *    matrix–vector product, 2d² flops (like Haar's householder_tiled, but a TypeScript loop).
 *  - rows < d (Gram, k = rows): G = XXᵀ/rows, k²·d/2 multiply-adds; the k × k eigenproblem; the
 *    r ≤ k vectors v = Xᵀu, k²·d multiply-adds; the Householder QR completing them to a basis of
 *    ℝ^d, 2r²(d − r/3) flops (Golub & Van Loan §5.2.2); per row and application the r partial
 *    reflectors, Σ_{j<r} 4(d − j) = 4rd − 2r(r − 1) flops in the WASM Householder kernel.
 * The TypeScript parts count at TS_LOOP_WEIGHT in the model's work.
 */
export const PCA_EIG_FLOPS = (k: number) => (4 / 3) * k ** 3 + (20 / 3) * k ** 3;
export function pcaCost(rows: number, d: number): Declared {
  if (rows > 0 && rows < d) {
    const k = rows;
    return {
      bytes: (k * k + k * d + 2 * k * k) * F64 + k * d * F32,
      flops: k * k * d + (20 / 3) * k ** 3 + 2 * k * k * d + 2 * k * k * (d - k / 3),
      // The WASM parts: tridiagonalisation once, the reflectors per row (per application).
      dense: (4 * k * d - 2 * k * (k - 1)) * rows,
      denseRate: HOUSEHOLDER_RATE,
      prepareDense: (4 / 3) * k ** 3,
      tsWeight: TS_LOOP_WEIGHT,
      note: `Gram ${k}×${k} and ${k} reflectors`,
    };
  }
  return {
    bytes: (3 * d * d + Math.min(rows, d) ** 2) * F64,
    flops: rows * d * d + (20 / 3) * d ** 3,
    perApplication: 2 * rows * d * d,
    prepareDense: (4 / 3) * d ** 3,
    tsWeight: TS_LOOP_WEIGHT,
    note: 'covariance and eigenvectors',
  };
}

const TRANSFORMS: Readonly<Record<string, CostFn>> = {
  identity: () => ({ bytes: 0, flops: 0 }),
  wht: (_p, rows, _d, out) => ({ bytes: 0, flops: rows * out * log2(out) }),
  rht: (p, rows, _d, out) => ({ bytes: 0, flops: n(p, 'rounds', 1) * rows * out * log2(out) }),
  'block-hadamard': (_p, rows, _d, out) => ({ bytes: 0, flops: rows * out * log2(out) }),
  dct: (_p, rows, _d, out) => ({ bytes: out * 2 * F64, flops: rows * out * log2(out) * 4 }),
  // Stewart's factored Haar rotation (householder.ts): d²/2 normals and O(d²) to build (cached
  // per seed and d), Σ_k 4(d − k) ≈ 2d² flops per row and application (householder_tiled).
  haar: (_p, rows, d) => ({
    bytes: d * d * F64 * 2,
    flops: 40 * d * d,
    dense: 2 * rows * d * d,
    denseRate: HOUSEHOLDER_RATE,
    note: 'd×d rotation',
  }),
  pca: (_p, rows, d) => pcaCost(rows, d),
  duquant: (_p, rows, _d, out) => ({ bytes: 5 * rows * out * F64, flops: rows * out * 64 }),
};

const sketch = (m: number, d: number) => m * d * F32;

const QUANTIZERS: Record<string, CostFn> = {
  // qjl.ts: sketch m × d float32 (m = d when 0), 3·m·d flops per row (qjl_tiled).
  qjl: (p, rows, _d, out) => {
    const m = n(p, 'sketch') || out;
    return {
      bytes: sketch(m, out),
      flops: 0,
      dense: 3 * rows * m * out,
      denseRate: SKETCH_RATE,
      note: `sketch ${m}×${out}`,
      sketchEntries: m * out,
    };
  },
  // turboquant-prod.ts: the residual goes through a d × d QJL sketch.
  'turboquant-prod': (_p, rows, _d, out) => ({
    bytes: sketch(out, out),
    flops: 30 * rows * out,
    dense: 3 * rows * out * out,
    denseRate: SKETCH_RATE,
    note: `sketch ${out}×${out}`,
    sketchEntries: out * out,
  }),
  // qjl-kv.ts: one sketch of max(m, m_o) × d.
  'qjl-kv': (p, rows, _d, out) => {
    const m = Math.max(n(p, 'sketch') || out, n(p, 'outlierSketch') || n(p, 'sketch') || out);
    return {
      bytes: sketch(m, out),
      flops: 0,
      dense: 3 * rows * m * out,
      denseRate: SKETCH_RATE,
      note: `sketch ${m}×${out}`,
      sketchEntries: m * out,
    };
  },
  // svdquant.ts: a rows × d float64 low-rank branch, left/right vectors, power iterations.
  svdquant: (p, rows, _d, out) => ({
    bytes: rows * out * (F64 + F32),
    flops: rows * out * Math.max(1, n(p, 'rank', 1)) * 40,
  }),
};

// Element-wise and per-group quantizers: no state beyond the pipeline's copies; a few tens of
// operations per coordinate (codebook search, scales).
const elementwise: CostFn = (_p, rows, _d, out) => ({ bytes: 0, flops: 30 * rows * out });
for (const id of [
  'eden',
  'turboquant-mse',
  'int',
  'fp8',
  'mxfp4',
  'nvfp4',
  'nf4',
  'ternary',
  'kivi',
  'llm-int8',
  'itq3s',
  'adahop',
])
  QUANTIZERS[id] = elementwise;

const DEFAULT: CostFn = (_p, rows, _d, out) => ({ bytes: 2 * rows * out * F64, flops: 50 * rows * out });

/** Ids with a declaration (for the test that lists undeclared methods). */
export const declaredIds = {
  transforms: Object.keys(TRANSFORMS),
  quantizers: Object.keys(QUANTIZERS),
};

export interface PipelineCostInput {
  /** The chain of transforms (zero or more stages). */
  readonly transforms: readonly { readonly id: string; readonly params: Params }[];
  readonly quantizer: { readonly id: string; readonly params: Params };
  /** Dims along the chain: [dim, after stage 1, …]; the last is the quantizer's row length. */
  readonly dims: readonly number[];
}

export interface RunCost {
  readonly items: readonly CostItem[];
  /** Peak bytes of one worker: data copies plus the largest pipeline's own state. */
  readonly peakBytes: number;
  /** Bytes of read-only state (sketches, rotations) each extra pool worker adds. */
  readonly perWorkerBytes: number;
  readonly flops: number;
  readonly seconds: number;
}

/**
 * The declared cost of running `pipelines` on rows × dim data. Pipelines run one after another in
 * a worker, so the peak is the data copies plus the largest single pipeline's state and the
 * metrics' buffers; work adds up.
 */
export function runCost(
  rows: number,
  dim: number,
  pipelines: readonly PipelineCostInput[],
  metricDomain: MetricDomain = 'data',
  denseProducts: DenseProducts = 'float64',
): RunCost {
  const items: CostItem[] = [];
  // The float32 mode runs the Householder and sketch products at the float32 kernels' rates (same
  // flops).
  const f32 = denseProducts === 'float32';
  const rateOf = (r: number | undefined) => {
    if (f32 && r === HOUSEHOLDER_RATE) return HOUSEHOLDER_RATE_F32;
    if (f32 && r === SKETCH_RATE) return SKETCH_RATE_F32;
    return r ?? WORK_RATE;
  };
  let maxOut = dim;
  let peakState = 0;
  let flops = 0;
  let seconds = 0;
  const chains = new Set<string>();
  const work = (d: Declared, applications = 1) => {
    const dense = (d.dense ?? 0) * applications;
    const generic = d.flops + (d.perApplication ?? 0) * applications;
    const prepared = d.prepareDense ?? 0;
    seconds +=
      generic / WORK_RATE + (dense > 0 ? dense / rateOf(d.denseRate) : 0) + prepared / HOUSEHOLDER_RATE; // eigen preparation: float64 in both modes
    return generic * (d.tsWeight ?? 1) + dense + prepared;
  };
  pipelines.forEach((p, i) => {
    // Forward once per distinct chain (pipelines sharing one are grouped), inverse per pipeline.
    const chainKey = JSON.stringify(p.transforms.map((t) => [t.id, t.params]));
    // In the transformed metric domain an orthogonal chain is never inverted (without a collector).
    const inverse = metricDomain === 'transformed' && orthogonalChain(p.transforms, p.dims) ? 0 : 1;
    const applications = (chains.has(chainKey) ? 0 : 1) + inverse;
    chains.add(chainKey);
    const out = p.dims[p.dims.length - 1];
    maxOut = Math.max(maxOut, ...p.dims);
    // Every stage's state is alive until the chain is inverted, so the stages' bytes add up.
    let stateBytes = 0;
    p.transforms.forEach((ref, k) => {
      const t = (TRANSFORMS[ref.id] ?? DEFAULT)(ref.params, rows, p.dims[k], p.dims[k + 1]);
      const field = p.transforms.length === 1 ? 'transform' : `transforms[${k}]`;
      const tf = work(t, applications);
      items.push({
        what: `pipelines[${i}].${field} (${ref.id}${t.note ? ` ${t.note}` : ''})`,
        bytes: t.bytes,
        flops: tf,
      });
      stateBytes += t.bytes;
      flops += tf;
    });
    const q = (QUANTIZERS[p.quantizer.id] ?? DEFAULT)(p.quantizer.params, rows, dim, out);
    const qWhat = `pipelines[${i}].quantizer (${p.quantizer.id}${q.note ? ` ${q.note}` : ''})`;
    const qf = work(q);
    items.push({ what: qWhat, bytes: q.bytes, flops: qf, sketchEntries: q.sketchEntries });
    peakState = Math.max(peakState, stateBytes + q.bytes);
    // Metrics: 6 passes over rows × dim, ipNvar 2·64 flops per coordinate.
    const metricFlops = rows * dim * (6 + 128);
    seconds += metricFlops / WORK_RATE;
    flops += qf + metricFlops;
  });
  const data = 5 * rows * maxOut * F32;
  const metrics = IP_QUERY_BYTES(dim);
  items.unshift(
    { what: `data (5 float32 copies of ${rows}×${maxOut})`, bytes: data, flops: 0 },
    { what: `metrics.ipNvar (64×${dim} float64 queries)`, bytes: metrics, flops: 0 },
  );
  return {
    items,
    peakBytes: data + metrics + peakState,
    perWorkerBytes: peakState,
    flops,
    seconds,
  };
}

export function formatBytesShort(b: number): string {
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(2)} GiB`;
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)} MiB`;
  if (b >= 2 ** 10) return `${(b / 2 ** 10).toFixed(1)} KiB`;
  return `${b} B`;
}

/** The largest item, for a message that names what is too big. */
export function largestItem(cost: RunCost): CostItem {
  return cost.items.reduce((a, b) => (b.bytes > a.bytes ? b : a));
}

/**
 * Pool workers that fit the budget together: each worker loads or generates its own copy of the
 * data and builds its own sketches and rotations (workers share no memory without cross-origin
 * isolation), so each costs the run's peak.
 */
export function workersWithinBudget(cost: RunCost, wanted: number, budget = MAX_RUN_BYTES): number {
  return Math.max(1, Math.min(wanted, Math.floor(budget / Math.max(1, cost.peakBytes))));
}

/** runCost for a config's pipelines, with the dims along each chain from the registry. */
export function configCost(
  rows: number,
  dim: number,
  pipelines: readonly Pick<PipelineSpec, 'transforms' | 'quantizer'>[],
  metricDomain: MetricDomain = 'data',
  denseProducts: DenseProducts = 'float64',
): RunCost {
  return runCost(
    rows,
    dim,
    pipelines.map((p) => ({
      transforms: p.transforms,
      quantizer: p.quantizer,
      dims: chainDims(p.transforms, dim),
    })),
    metricDomain,
    denseProducts,
  );
}
