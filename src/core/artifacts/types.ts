/**
 * Chart data computed in the worker next to the metrics. Plain arrays and typed arrays
 * only, so results transfer from the worker cheaply and render without recomputation.
 * Implementations: src/core/artifacts/*.ts; the pipeline lends each pipeline's buffers to a
 * collector (RunOptions.collect) before releasing them, so nothing is copied or recomputed.
 *
 * Size bounds (so a 16M-coordinate run still ships a few hundred kB to the page): histograms have
 * at most MAX_BINS bins, heatmaps at most MAX_HEATMAP_ROWS × MAX_HEATMAP_CHANNELS cells, scatter
 * samples at most MAX_SAMPLE points.
 */

import type { TheoryCurve } from './theory';

export const MAX_BINS = 200;
export const MAX_HEATMAP_ROWS = 64;
export const MAX_HEATMAP_CHANNELS = 256;
export const MAX_SAMPLE = 2000;

/** Equal-width histogram: counts[i] covers [edges[i], edges[i+1]). */
export interface Histogram {
  readonly edges: Float64Array;
  readonly counts: Float64Array;
  /** Values outside [edges[0], edges[last]] (clipped for display), and the total count. */
  readonly outside: number;
  readonly total: number;
}

export interface DistributionSummary {
  readonly mean: number;
  readonly std: number;
  /** Pearson kurtosis E(x−μ)⁴/σ⁴ (3 for a Gaussian). */
  readonly kurtosis: number;
  /** max |x| / RMS (crest factor). */
  readonly maxOverRms: number;
}

/**
 * Per-channel absolute maxima, binned: cell (r, c) = max |v| over rows [r·rowsPerBin, …) and
 * channels [c·channelsPerBin, …), row-major rowBins × channelBins.
 */
export interface ChannelAbsmax {
  readonly rowBins: number;
  readonly channelBins: number;
  readonly rowsPerBin: number;
  readonly channelsPerBin: number;
  /** Number of rows and channels of the matrix this summarises. */
  readonly rows: number;
  readonly channels: number;
  readonly values: Float32Array;
}

/** A histogram with the summary of the values it bins. */
export interface Distribution {
  readonly histogram: Histogram;
  readonly summary: DistributionSummary;
}

/** ⟨q,x⟩ against ⟨q,x̂⟩ for seeded unit queries q, with the least-squares slope through 0. */
export interface InnerProducts {
  readonly exact: Float32Array;
  readonly estimate: Float32Array;
  /** argmin_s Σ(⟨q,x̂⟩ − s⟨q,x⟩)² = Σab/Σa² over all points (1 for an unbiased estimator). */
  readonly slope: number;
  /** Fraction of Σ⟨q,x̂⟩² explained by the slope line (uncentred R²). */
  readonly r2: number;
  readonly queries: number;
  readonly rowsUsed: number;
}

/** The chart artifacts of one pipeline. */
export interface PipelineArtifacts {
  readonly index: number;
  /** Transformed coordinates normalised per row, √outDim·y/‖y‖. */
  readonly after: Distribution;
  readonly afterAbsmax: ChannelAbsmax;
  /** x̂ − x in the original domain (not normalised). */
  readonly error: Distribution;
  /** Seeded sample of coordinates (x, x̂), the same positions for every pipeline (paired). */
  readonly sampleX: Float32Array;
  readonly sampleXHat: Float32Array;
  readonly innerProducts: InnerProducts;
}

/** Everything the run-time charts need, for the whole experiment. */
export interface ExperimentArtifacts {
  /** Raw coordinates normalised per row, √dim·x/‖x‖ (the same for every pipeline). */
  readonly before: Distribution;
  readonly beforeAbsmax: ChannelAbsmax;
  readonly dim: number;
  readonly pipelines: readonly PipelineArtifacts[];
}

/** One point of a rate–distortion sweep. */
export interface RdPoint {
  /** The swept `bits` parameter (NaN for a pipeline swept along another axis or not at all). */
  readonly bits: number;
  /** The swept value on the series' axis (`param`): bits, rank, threshold, block, or a format name. */
  readonly value?: number | string | null;
  readonly bitsPerCoord: number;
  readonly vnmse: number;
}

export interface RdSeries {
  readonly index: number;
  readonly label: string;
  /** Name of the swept parameter, or null when the quantizer has none (one point). */
  readonly param: string | null;
  readonly points: readonly RdPoint[];
}

/** A point of the Pareto frontier: which series (pipeline index) and where on its axis. */
export interface RdFrontierPoint {
  readonly index: number;
  readonly value: number | string | null;
  readonly bitsPerCoord: number;
  readonly vnmse: number;
}

export interface RateDistortion {
  readonly series: readonly RdSeries[];
  /** The lower-left Pareto frontier over all series' points (absent in old fixtures). */
  readonly frontier?: readonly RdFrontierPoint[];
  /** The chart's theory curves, solved where the sweep runs (never on the page's main thread). */
  readonly theory?: readonly TheoryCurve[];
  /** The sweep query key of the config it was computed for (engine sweepKey), to refuse stale draws. */
  readonly key?: string;
}

/**
 * Eigenvalues λ = σ²/n of a matrix's Gram matrix (n = the longer side, so λ are the eigenvalues of
 * the sample covariance in the Marchenko–Pastur convention), with the fitted bulk variance.
 */
export interface Spectrum {
  /** Singular values, descending. */
  readonly singularValues: Float64Array;
  /** σ²/n, descending. */
  readonly eigenvalues: Float64Array;
  /** n ≥ p: the shape the Marchenko–Pastur law is evaluated for (γ = p/n). */
  readonly n: number;
  readonly p: number;
  /** Bulk variance σ̂² fitted from the median eigenvalue (robust to spikes). */
  readonly sigma2: number;
  /** Eigenvalues above the fitted upper edge σ̂²(1+√γ)² (the "spikes"). */
  readonly spikes: number;
}

/** Mean energy fraction per Walsh sequency or DCT frequency, binned to ≤ MAX_HEATMAP_CHANNELS. */
export interface EnergySpectrum {
  /** Fraction of total energy in each bin (sums to 1). */
  readonly energy: Float64Array;
  /** Index of the first sequency/frequency in each bin (bin width = length / bins). */
  readonly binWidth: number;
  /** Transform length (power of two for Walsh, after zero padding). */
  readonly length: number;
}

export interface PipelineSpectra {
  readonly index: number;
  readonly error: Spectrum;
  readonly walshAfter: EnergySpectrum;
  readonly dctAfter: EnergySpectrum;
}

export interface Spectra {
  readonly data: Spectrum;
  readonly walshBefore: EnergySpectrum;
  readonly dctBefore: EnergySpectrum;
  /** Rows used (a seeded subsample when the matrix is large; see spectra.ts). */
  readonly rowsUsed: number;
  readonly rows: number;
  readonly pipelines: readonly PipelineSpectra[];
}
