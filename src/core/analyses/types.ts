/**
 * Analyses: experiment views beyond the per-pipeline metrics table (layer error, estimator lab,
 * seed spread, rotation quality, format conformance…). A config may name one in
 * its optional `analysis` field; like methods, each analysis is one file exporting one
 * definition plus one line in ./index.ts, and its params schema drives validation, the canonical
 * permalink form and UI controls.
 *
 * `run` is pure (core rules: no DOM), runs in the worker and the CLI, and returns plain data
 * (numbers, arrays, typed arrays, nested objects) that views render and `lab run --json` prints.
 */
import type { RngFactory } from '../rng';
import type { ParamsOf } from '../methods/params';
import type { DenseProducts, Matrix, ParamSchema, Params } from '../methods/types';
import type { MetricDomain, PipelineSpec } from '../pipeline';
import type { AnalysisShape } from './analysis-cost';

export interface AnalysisInput {
  readonly seed: number;
  readonly rng: RngFactory;
  /** The experiment's data (rows × dim). */
  readonly data: Matrix;
  /** The experiment's pipelines, for analyses that compare them. */
  readonly pipelines: readonly PipelineSpec[];
  readonly params: Params;
  /** The config's `numerics.metricDomain`, for analyses that run pipelines (RunOptions.metricDomain). */
  readonly metricDomain?: MetricDomain;
  /** The config's `numerics.denseProducts`, for analyses that run pipelines (RunOptions.denseProducts). */
  readonly denseProducts?: DenseProducts;
}

export interface AnalysisRunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, stage: string) => void;
}

/**
 * A registered analysis, generic over its params schema `S` (declared with `defineParams`, so
 * `ParamsOf<S>` keeps its names, kinds and enum options). Build one with `defineAnalysis`
 * (./define.ts): callers pass validated `Params`, the body reads `ParamsOf<S>`.
 */
export interface AnalysisDef<S extends ParamSchema = ParamSchema> {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** Paper / spec citation. */
  readonly reference: string;
  readonly params: S;
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

/** The input an analysis body reads: its params as the typed record `P` of its schema. */
export type TypedAnalysisInput<P> = Omit<AnalysisInput, 'params'> & { readonly params: P };

/** What an analysis file writes: an AnalysisDef whose `run` reads its params as `ParamsOf<S>`. */
export interface AnalysisSpec<S extends ParamSchema> extends Omit<AnalysisDef<S>, 'run' | 'cost'> {
  run(input: TypedAnalysisInput<ParamsOf<S>>, options?: AnalysisRunOptions): unknown;
  /** AnalysisDef.cost with the params typed from the schema. */
  cost(params: ParamsOf<S>, shape: AnalysisShape, pipelines: readonly PipelineSpec[]): number;
}
