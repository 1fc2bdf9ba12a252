/**
 * Analyses: experiment views beyond the per-pipeline metrics table (layer error, estimator lab,
 * seed spread, rotation quality, format conformance…; issues 6 and 7). A config may name one in
 * its optional `analysis` field; like methods, each analysis is one file exporting one
 * definition plus one line in ./index.ts, and its params schema drives validation, the canonical
 * permalink form and UI controls.
 *
 * `run` is pure (core rules: no DOM), runs in the worker and the CLI, and returns plain data
 * (numbers, arrays, typed arrays, nested objects) that views render and `lab run --json` prints.
 */
import type { RngFactory } from '../rng';
import type { Matrix, ParamSchema, Params } from '../methods/types';
import type { PipelineSpec } from '../pipeline';
import type { AnalysisShape } from './analysis-cost';

export interface AnalysisInput {
  readonly seed: number;
  readonly rng: RngFactory;
  /** The experiment's data (rows × dim). */
  readonly data: Matrix;
  /** The experiment's pipelines, for analyses that compare them. */
  readonly pipelines: readonly PipelineSpec[];
  readonly params: Params;
}

export interface AnalysisRunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, stage: string) => void;
}

export interface AnalysisDef {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** Paper / spec citation. */
  readonly reference: string;
  readonly params: ParamSchema;
  run(input: AnalysisInput, options?: AnalysisRunOptions): unknown;
  /**
   * Modelled work of `run` in the cost model's units (src/core/cost.ts flops; building blocks in
   * ./analysis-cost.ts), counted from what `run` does with these params (every one present:
   * defaults filled), the data's shape and the experiment's pipelines. The run estimate adds it
   * to the pipelines' work (src/engine/calibrate.ts estimateRun), so an expensive analysis asks
   * before it runs and is named when it dominates.
   */
  cost(params: Params, shape: AnalysisShape, pipelines: readonly PipelineSpec[]): number;
}
