/**
 * Histograms, moment summaries and per-channel maxima of large matrices, for the outlier and
 * error charts. Every function is one or a few streaming passes with float64
 * accumulators and a bounded output (≤ MAX_BINS bins, ≤ 64 × 256 heatmap cells), so it can run on
 * every slider move next to the metrics.
 *
 * Conventions:
 *  - histogram bins are equal width and half-open [e_i, e_{i+1}), except the last, which is closed
 *    so the maximum lands inside (numpy.histogram's convention);
 *  - kurtosis is Pearson's m₄/m₂² with population moments (3 for a Gaussian), as in stats.ts and
 *    scipy.stats.kurtosis(fisher=False);
 *  - max/RMS is the crest factor max|v| / √(Σv²/n) (RMS about 0, not the standard deviation: it
 *    is what a scale factor mapping the absmax to a format's maximum wastes).
 */
import { MAX_BINS, MAX_HEATMAP_CHANNELS, MAX_HEATMAP_ROWS } from './types';
import type { ChannelAbsmax, Distribution, DistributionSummary, Histogram } from './types';

export const DEFAULT_BINS = 121;

/** Histogram of values[0..n) on [lo, hi] with `bins` equal bins; NaN values count as outside. */
export function histogram(values: ArrayLike<number>, lo: number, hi: number, bins: number): Histogram {
  return histogramOf(values.length, (i) => values[i], lo, hi, bins);
}

function checkBins(bins: number): void {
  if (!(Number.isInteger(bins) && bins >= 1 && bins <= MAX_BINS))
    throw new RangeError(`histogram: bins must be an integer in 1…${MAX_BINS}, got ${bins}`);
}

/** Histogram of get(0..n). */
export function histogramOf(
  n: number,
  get: (i: number) => number,
  lo: number,
  hi: number,
  bins: number,
): Histogram {
  checkBins(bins);
  if (!(hi > lo)) throw new RangeError(`histogram: need lo < hi, got [${lo}, ${hi}]`);
  const edges = new Float64Array(bins + 1);
  const width = (hi - lo) / bins;
  for (let i = 0; i <= bins; i++) edges[i] = lo + i * width;
  edges[bins] = hi;
  const counts = new Float64Array(bins);
  const inv = bins / (hi - lo);
  let outside = 0;
  for (let i = 0; i < n; i++) {
    const v = get(i);
    if (!(v >= lo && v <= hi)) {
      outside++;
      continue;
    }
    let b = Math.floor((v - lo) * inv);
    if (b >= bins) b = bins - 1;
    // Guard the float rounding of (v − lo)·inv against the exact edges.
    if (b > 0 && v < edges[b]) b--;
    else if (b < bins - 1 && v >= edges[b + 1]) b++;
    counts[b]++;
  }
  return { edges, counts, outside, total: n };
}

/** Moments and crest factor of get(0..n) by two passes (mean first, then centred sums). */
export function summarize(n: number, get: (i: number) => number): DistributionSummary & { absmax: number } {
  if (n === 0) return { mean: NaN, std: NaN, kurtosis: NaN, maxOverRms: NaN, absmax: NaN };
  let s = 0;
  let ss = 0;
  let absmax = 0;
  for (let i = 0; i < n; i++) {
    const v = get(i);
    s += v;
    ss += v * v;
    const a = Math.abs(v);
    if (a > absmax) absmax = a;
  }
  const mean = s / n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const c = get(i) - mean;
    const c2 = c * c;
    m2 += c2;
    m4 += c2 * c2;
  }
  const variance = m2 / n;
  const rms = Math.sqrt(ss / n);
  return {
    mean,
    std: Math.sqrt(variance),
    kurtosis: variance > 0 ? m4 / n / (variance * variance) : NaN,
    maxOverRms: rms > 0 ? absmax / rms : NaN,
    absmax,
  };
}

/** Histogram on the symmetric range [−absmax, absmax] (nothing outside) plus the summary. */
export function distributionOf(n: number, get: (i: number) => number, bins = DEFAULT_BINS): Distribution {
  const { absmax, ...summary } = summarize(n, get);
  const m = absmax > 0 && Number.isFinite(absmax) ? absmax : 1;
  return { histogram: histogramOf(n, get, -m, m, bins), summary };
}

/** ‖row‖₂ of every row, float64. */
export function rowNorms(data: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = r * cols; j < (r + 1) * cols; j++) s += data[j] * data[j];
    out[r] = Math.sqrt(s);
  }
  return out;
}

/**
 * Distribution of the row-normalised coordinates √cols·v/‖v‖ (unit RMS per row, so a rotated
 * Gaussian row is close to N(0,1) and the sphere law's √d·t applies). Zero rows stay 0.
 */
export function normalizedRowsDistribution(
  data: Float32Array,
  rows: number,
  cols: number,
  bins = DEFAULT_BINS,
): Distribution {
  const norms = rowNorms(data, rows, cols);
  const scale = new Float64Array(rows);
  const root = Math.sqrt(cols);
  for (let r = 0; r < rows; r++) scale[r] = norms[r] > 0 ? root / norms[r] : 0;
  return distributionOf(rows * cols, (i) => data[i] * scale[Math.floor(i / cols)], bins);
}

/** Distribution of b − a elementwise (the quantization error x̂ − x). */
export function differenceDistribution(
  a: Float32Array,
  b: Float32Array,
  n: number,
  bins = DEFAULT_BINS,
): Distribution {
  return distributionOf(n, (i) => b[i] - a[i], bins);
}

/** Per-channel absolute maxima binned to ≤ maxRowBins × maxChannelBins cells. */
export function channelAbsmax(
  data: Float32Array,
  rows: number,
  cols: number,
  maxRowBins = MAX_HEATMAP_ROWS,
  maxChannelBins = MAX_HEATMAP_CHANNELS,
): ChannelAbsmax {
  const rowsPerBin = Math.max(1, Math.ceil(rows / maxRowBins));
  const channelsPerBin = Math.max(1, Math.ceil(cols / maxChannelBins));
  const rowBins = Math.ceil(rows / rowsPerBin);
  const channelBins = Math.ceil(cols / channelsPerBin);
  const values = new Float32Array(rowBins * channelBins);
  for (let r = 0; r < rows; r++) {
    const cellRow = Math.floor(r / rowsPerBin) * channelBins;
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      const a = Math.abs(data[base + c]);
      const k = cellRow + Math.floor(c / channelsPerBin);
      if (a > values[k]) values[k] = a;
    }
  }
  return { rowBins, channelBins, rowsPerBin, channelsPerBin, rows, channels: cols, values };
}
