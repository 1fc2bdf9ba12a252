/**
 * One experiment end to end, shared by the worker and the CLI, so the
 * page and `lab run` give the same numbers for the same config (CONTRACT.md §6).
 */
import { generateData } from '../core/data-loader';
import type { Matrix } from '../core/methods/types';
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
import { createRngFactory } from '../core/rng';
import { FILE_SOURCE_ID, FILE_SOURCE_PARAMS } from '../core/methods/data/file';
import { withDefaults } from '../core/methods/params';
import { ConfigError, checkShape, type ExperimentConfig } from '../core/config/schema';

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

export interface ExperimentOutput {
  readonly config: ExperimentConfig;
  readonly permalink: string;
  readonly data: DataSummary;
  readonly results: readonly PipelineResult[];
  /** The result of `config.analysis` (src/core/analyses), when the config names one. */
  readonly analysis?: unknown;
  /** Chart data (histograms, heatmaps, samples) when the run asked for it; never in the CLI JSON. */
  readonly artifacts?: ExperimentArtifacts;
  /** The WebGPU adapter the worker used for some stage (see each result's timingsMs.backend). */
  readonly gpuAdapter?: string;
}

export interface LoadedData {
  readonly matrix: Matrix;
  readonly summary: DataSummary;
}

/** Loads file data for a config (CLI: from disk; worker: from files the user opened). */
export type FileDataLoader = (config: ExperimentConfig) => Promise<LoadedData>;

export async function loadData(config: ExperimentConfig, loadFile?: FileDataLoader): Promise<LoadedData> {
  const { source, ...params } = config.data;
  if (source === FILE_SOURCE_ID) {
    if (!loadFile)
      throw new Error(
        'data.source "file" needs a file: open one in the data panel or pass data.path to the CLI',
      );
    const loaded = await loadFile(config);
    checkShape(config, loaded.matrix.rows, loaded.matrix.cols);
    return loaded;
  }
  const matrix = generateData(source, params, config.seed);
  return { matrix, summary: { rows: matrix.rows, dim: matrix.cols, source } };
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
      source: FILE_SOURCE_ID,
      ...withDefaults(FILE_SOURCE_PARAMS, { path: c.path, tensor: c.tensor, layout: c.layout }),
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
export function runAnalysis(config: ExperimentConfig, data: Matrix, options: RunOptions = {}): unknown {
  if (!config.analysis) return undefined;
  const def = analysesById.get(config.analysis.id);
  if (!def) throw new Error(`unknown analysis "${config.analysis.id}"`);
  const { seed, pipelines } = config;
  // Only cancellation and progress: a pool part's `only` (its share of the pipelines) must not
  // reach an analysis that runs pipelines of its own (rate-distortion sweeps every one).
  return def.run(
    { seed, rng: createRngFactory(seed), data, pipelines, params: config.analysis.params },
    { signal: options.signal, onProgress: options.onProgress },
  );
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
}

export async function runConfig(
  config: ExperimentConfig,
  options: RunConfigOptions = {},
): Promise<ExperimentOutput> {
  const { matrix, summary } = await loadData(config, options.loadFile);
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
  };
  const results = options.runStage
    ? await runExperimentAsync(config, matrix, runOptions, options.runStage)
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
      ...(r.note ? { note: r.note } : {}),
    })),
    ...(out.analysis === undefined ? {} : { analysis: out.analysis }),
  };
}
