/**
 * Building blocks of the analyses' declared costs (AnalysisDef.cost, ./types.ts), in the cost
 * model's work units (src/core/cost.ts: modelled floating-point operations, the numbers the run
 * estimate divides by the device's probed rate, src/core/run-estimate.ts).
 *
 * Each analysis counts what its `run` does from these pieces: whole `lab run`s of pipelines
 * (runFlops: transforms, quantizers and every metric, exactly as the main run is counted), the
 * pipelines' own work without the metrics (pipelineWork: for analyses that rotate and quantize
 * but measure something else), dense products (matmulFlops: 2·m·n·k, one multiply and one add per
 * term; Golub & Van Loan, "Matrix Computations" 4th ed., §1.1.15 flop counts) and Gaussian draws
 * (NORMAL_FLOPS each). Counts of TypeScript loops (the analyses' own products, sorts, scalar
 * passes) are literal operations and enter the work multiplied by TS (cost.ts TS_LOOP_WEIGHT);
 * pipeline work is already in the model's units.
 */
import { configCost, TS_LOOP_WEIGHT } from '../cost';

/** Weight of a literal TypeScript-loop operation in the model's work (src/core/cost.ts). */
export const TS = TS_LOOP_WEIGHT;
import type { PipelineSpec } from '../pipeline';

/** Shape of the experiment's data an analysis receives (rows × dim). */
export interface AnalysisShape {
  readonly rows: number;
  readonly dim: number;
}

/**
 * Modelled operations per standard normal draw (polar Box–Muller: two uniforms, a log, a square
 * root and a rejection rate of 1 − π/4 per pair), the same order as the cost model's
 * per-coordinate data generation (engine/calibrate.ts DATA_FLOPS_PER_COORD counts generation and
 * chart artifacts together).
 */
export const NORMAL_FLOPS = 20;

/** Flops of a dense m × k by k × n product: m·n·k multiply-adds. */
export function matmulFlops(m: number, n: number, k: number): number {
  return 2 * m * n * k;
}

/**
 * Modelled work of `lab run` of `pipelines` on rows × dim data: the cost model's transforms
 * (forward once per distinct chain, inverse per pipeline), quantizers and metric passes.
 */
export function runFlops(rows: number, dim: number, pipelines: readonly PipelineSpec[]): number {
  if (pipelines.length === 0 || rows <= 0 || dim <= 0) return 0;
  return configCost(rows, dim, pipelines).flops;
}

/**
 * The pipelines' own work on rows × dim (transform chain forward and inverse, quantizer), without
 * the metric passes: for analyses that rotate and quantize operands but measure something else.
 */
export function pipelineWork(rows: number, dim: number, pipelines: readonly PipelineSpec[]): number {
  if (pipelines.length === 0 || rows <= 0 || dim <= 0) return 0;
  return configCost(rows, dim, pipelines).items.reduce((a, i) => a + i.flops, 0);
}

/** Flops of sorting n numbers by comparisons: n·⌈log₂ n⌉ (a merge sort's comparisons). */
export function sortFlops(n: number): number {
  return n > 1 ? n * Math.ceil(Math.log2(n)) : 0;
}
