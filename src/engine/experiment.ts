/**
 * One experiment end to end, shared by the worker and the CLI, so the
 * page and `lab run` give the same numbers for the same config (CONTRACT.md §6).
 */
import { getDataSourceKind } from '../core/methods';
import type { DataSummary, LoadedData, Matrix } from '../core/methods/types';
import {
  runExperiment,
  runExperimentAsync,
  type Backend,
  type PipelineBuffers,
  type PipelineResult,
  type RunOptions,
  type StageRequest,
} from '../core/pipeline';
import { createArtifactCollector } from '../core/artifacts/artifacts';
import type { ExperimentArtifacts } from '../core/artifacts/types';
import { permalinkHash } from '../core/config/codec';
import { analysesById } from '../core/analyses';
import { asAnalysisOutput, type AnalysisOutput } from '../core/analyses/outputs';
import { createRngFactory } from '../core/rng';
import { fileSource } from '../core/methods/data/file';
import { withDefaults } from '../core/methods/params';
import { ConfigError, checkShape, type CanonicalConfig, type ExperimentConfig } from '../core/config/schema';

export type { DataSummary, LoadedData } from '../core/methods/types';

export interface ExperimentOutput {
  readonly config: CanonicalConfig;
  readonly permalink: string;
  readonly data: DataSummary;
  readonly results: readonly PipelineResult[];
  /** The result of `config.analysis` (src/core/analyses), when the config names one; `kind` = its id. */
  readonly analysis?: AnalysisOutput;
  /** Chart data (histograms, heatmaps, samples) when the run asked for it; never in the CLI JSON. */
  readonly artifacts?: ExperimentArtifacts;
  /** The WebGPU adapter the worker used for some stage (see each result's timingsMs.backend). */
  readonly gpuAdapter?: string;
}

/** Reads the bytes of data read from outside the config (CLI: from disk; worker: from files the user opened). */
export type FileDataLoader = (config: ExperimentConfig) => Promise<LoadedData>;

/** The config's data, loaded by its kind (src/core/methods/data): generated, or read by `loadFile`. */
export async function loadData(config: ExperimentConfig, loadFile?: FileDataLoader): Promise<LoadedData> {
  const { source, ...params } = config.data;
  const kind = getDataSourceKind(source);
  if (!kind) throw new ConfigError('data.source', `unknown data source "${source}"`);
  const loaded = await kind.load(params, {
    seed: config.seed,
    ...(loadFile ? { readBytes: () => loadFile(config) } : {}),
  });
  // A kind whose shape was not declared up front is checked against the budget now.
  if (!kind.shape(params)) checkShape(config, loaded.matrix.rows, loaded.matrix.cols);
  return loaded;
}

/**
 * The calibration activations of `config.calibration`, read by the same file loader as file data
 * (ranged reads, NaN/Inf refused), as tokens × dim; a width other than the data's dim is refused
 * naming the field.
 */
export async function loadCalibration(
  config: ExperimentConfig,
  dim: number,
  loadFile?: FileDataLoader,
): Promise<Matrix> {
  const c = config.calibration;
  if (!c) throw new Error('no calibration in this config');
  if (!loadFile)
    throw new ConfigError(
      'calibration',
      'calibration activations come from a file: open it in the data panel or pass calibration.path to the CLI',
    );
  const { matrix } = await loadFile({
    ...config,
    data: {
      source: fileSource.id,
      ...withDefaults(fileSource.params, { path: c.path, tensor: c.tensor, layout: c.layout }),
    },
  });
  if (matrix.cols !== dim)
    throw new ConfigError(
      'calibration',
      `${c.path}${c.tensor ? ` tensor '${c.tensor}'` : ''} has ${matrix.cols} columns; the data's dim is ${dim} (X is tokens × dim, so X·Wᵀ exists)`,
    );
  return matrix;
}

/** Runs `config.analysis` on the loaded data (undefined when the config names none). */
export function runAnalysis(
  config: ExperimentConfig,
  data: Matrix,
  options: RunOptions = {},
): AnalysisOutput | undefined {
  if (!config.analysis) return undefined;
  const def = analysesById.get(config.analysis.id);
  if (!def) throw new Error(`unknown analysis "${config.analysis.id}"`);
  const { seed, pipelines } = config;
  // Only cancellation and progress: a pool part's `only` (its share of the pipelines) must not
  // reach an analysis that runs pipelines of its own (rate-distortion sweeps every one).
  const value = def.run(
    {
      seed,
      rng: createRngFactory(seed),
      data,
      pipelines,
      params: config.analysis.params,
      ...numericsOptions(config),
    },
    { signal: options.signal, onProgress: options.onProgress },
  );
  return asAnalysisOutput(def.id, value);
}

/**
 * The config's numeric choices (CONTRACT.md §5) as run options: only those it sets, so a config
 * without them runs exactly as before (RunOptions.metricDomain, RunOptions.denseProducts).
 */
export function numericsOptions(
  config: ExperimentConfig,
): Pick<RunOptions, 'metricDomain' | 'denseProducts'> {
  const n = config.numerics;
  return {
    ...(n?.metricDomain ? { metricDomain: n.metricDomain } : {}),
    ...(n?.denseProducts ? { denseProducts: n.denseProducts } : {}),
  };
}

/** Coordinates per block of the row-streamed path: 1 MiB of float32, well inside L2 + L3. */
export const STREAM_BLOCK_COORDINATES = 1 << 18;

export interface RunConfigOptions extends RunOptions {
  readonly loadFile?: FileDataLoader;
  readonly artifacts?: boolean;
  /** Run `config.analysis` too (default true; a worker pool runs it in one part only). */
  readonly analysis?: boolean;
  /** Asynchronous stage runner (the worker's WebGPU one); without it every stage runs on the CPU. */
  readonly runStage?: (req: StageRequest) => Promise<Backend>;
  /** Adapter label to report when runStage ran a stage on the GPU. */
  readonly gpuAdapter?: string;
  /**
   * Loads the data instead of loadData (the CLI's worker threads draw it into shared memory and
   * hand rows on as they are drawn); the same values.
   */
  readonly load?: (config: CanonicalConfig) => Promise<LoadedData>;
  /**
   * Runs the pipelines instead of runExperiment (the CLI's worker threads, src/cli/threads.ts):
   * the same results bit for bit, in the same order.
   */
  readonly runPipelines?: (x: Matrix, options: RunOptions) => Promise<PipelineResult[]>;
}

export async function runConfig(
  config: CanonicalConfig,
  options: RunConfigOptions = {},
): Promise<ExperimentOutput> {
  const { matrix, summary } = options.load
    ? await options.load(config)
    : await loadData(config, options.loadFile);
  const calibration = config.calibration
    ? await loadCalibration(config, matrix.cols, options.loadFile)
    : undefined;
  const count = options.only ? new Set(options.only).size : config.pipelines.length;
  // Chart data from the buffers the pipeline lends while they are alive (src/core/artifacts).
  const collector = options.artifacts ? createArtifactCollector(matrix, config.seed, count) : undefined;
  const collect = collector
    ? (b: PipelineBuffers) => {
        collector.collect(b);
        options.collect?.(b);
      }
    : options.collect;
  // Row streaming (pipeline.ts RunOptions.rowBlock) wherever no whole buffer is wanted: the CLI
  // and checkpoint sweeps hold x, y and at most one ŷ instead of x, y, ŷ and x̂.
  const rowBlock = options.rowBlock ?? (collect || options.runStage ? undefined : STREAM_BLOCK_COORDINATES);
  // Progress in one sequence of work units: the pipelines' stages, then the analysis's units after
  // them (one unit is held for the analysis until it reports its own count), so a bar never restarts.
  const withAnalysis = options.analysis !== false && !!config.analysis;
  const report = options.onProgress;
  const stages = count * 3;
  const pipelineProgress = report
    ? (d: number, t: number, stage: string) => report(d, t + (withAnalysis ? 1 : 0), stage)
    : undefined;
  const analysisProgress = report
    ? (d: number, t: number, stage: string) => report(stages + d, stages + t, stage)
    : undefined;
  const runOptions = {
    ...options,
    onProgress: pipelineProgress,
    collect,
    ...(calibration ? { calibration } : {}),
    ...(rowBlock !== undefined ? { rowBlock } : {}),
    // The config decides where metrics are computed and the dense products' arithmetic (its
    // permalink carries both choices).
    ...numericsOptions(config),
  };
  const results = options.runStage
    ? await runExperimentAsync(config, matrix, runOptions, options.runStage)
    : options.runPipelines
      ? await options.runPipelines(matrix, runOptions)
      : runExperiment(config, matrix, runOptions);
  const analysis = withAnalysis
    ? runAnalysis(config, matrix, { ...options, onProgress: analysisProgress })
    : undefined;
  const usedGpu = results.some(
    (r) => r.timingsMs.backend.transform === 'gpu' || r.timingsMs.backend.quantize === 'gpu',
  );
  return {
    config,
    permalink: permalinkHash(config),
    data: summary,
    results,
    ...(analysis === undefined ? {} : { analysis }),
    ...(collector ? { artifacts: collector.result() } : {}),
    ...(usedGpu && options.gpuAdapter ? { gpuAdapter: options.gpuAdapter } : {}),
  };
}

/** The CONTRACT.md §6 JSON shape: deterministic (no timings), so runs compare bit for bit. */
export function contractJson(out: ExperimentOutput): unknown {
  return {
    config: out.config,
    permalink: out.permalink,
    data: out.data,
    results: out.results.map((r) => ({
      transform: r.transform,
      quantizer: r.quantizer,
      label: r.label,
      bitsPerCoord: r.bitsPerCoord,
      metrics: r.metrics,
      ...(r.metricDomain ? { metricDomain: r.metricDomain } : {}),
      ...(r.note ? { note: r.note } : {}),
    })),
    ...(out.analysis === undefined ? {} : { analysis: out.analysis }),
  };
}
