/**
 * Spectra (chart 4; ALGORITHMS.md "Spectra").
 *
 * 1. Singular values of the data X and of each pipeline's error X − X̂, read as eigenvalues
 *    λ = σ²/n of the sample covariance (n ≥ p the longer and shorter sides, γ = p/n ≤ 1), with a
 *    Marchenko–Pastur law fitted to the bulk. Marchenko & Pastur, "Distribution of eigenvalues for
 *    some sets of random matrices", Math. USSR-Sbornik 1 (1967); density in the form of Bai &
 *    Silverstein, "Spectral Analysis of Large Dimensional Random Matrices" (2010), §3.1:
 *      f(λ) = √((λ₊ − λ)(λ − λ₋)) / (2π σ² γ λ)  on [λ₋, λ₊],  λ± = σ²(1 ± √γ)².
 *    σ² is fitted from the median eigenvalue, σ̂² = median(λ) / m(γ) with m(γ) the median of the
 *    σ² = 1 law: a few spikes (signal directions, outlier channels) move the median by at most a
 *    few ranks, whereas the mean (= σ² for pure noise) absorbs all of their energy.
 *
 *    Cost bound: singularValues forms the Gram matrix of the shorter side, O(k²·m/2) for a k × m
 *    (k ≤ m) matrix, then a k × k symmetric eigenproblem, O(k³). For large matrices we keep
 *    every column and a seeded subsample of r rows, the largest r with min(r,dim)²·max(r,dim)/2 ≤
 *    GRAM_BUDGET multiply–adds and min(r,dim) ≤ MAX_EIG: ≈ 0.2–0.5 s in a worker whatever the size.
 *    The rows are i.i.d. draws in the MP model, so the subsample's spectrum follows the same law
 *    with γ = p'/n' of the subsample's shape (reported in Spectrum.n/p); its spikes are the same
 *    directions, their eigenvalues estimated from fewer rows. This replaces the stochastic
 *    Lanczos density of DESIGN.md (not built yet) with an exact spectrum of a smaller random matrix.
 *
 * 2. Energy per Walsh sequency and DCT frequency of the rows before (x) and after (y = Rx) each
 *    transform: mean over ≤ ENERGY_ROWS rows of the squared orthonormal WHT (rows zero-padded to a
 *    power of two, natural order mapped to sequency with sequencyIndex) or DCT-II coefficients,
 *    as a fraction of the total, summed into ≤ 256 equal bins. A rotation that spreads energy
 *    evenly gives a flat line at 1/bins; smooth or structured rows concentrate at low sequency.
 */
import { createRngFactory } from '../rng';
import { singularValues } from '../linalg/eig';
import { fwhtOrthonormalInPlace, nextPowerOfTwo, sequencyIndex } from '../linalg/fwht';
import { dctPlan } from '../linalg/dct';
import type { Matrix } from '../methods/types';
import { AbortError, runExperiment, type ExperimentSpec, type RunOptions } from '../pipeline';
import { MAX_HEATMAP_CHANNELS } from './types';
import type { EnergySpectrum, PipelineSpectra, Spectra, Spectrum } from './types';

export const GRAM_BUDGET = 1.5e8;
export const MAX_EIG = 512;
export const ENERGY_ROWS = 256;

// ───────────────────────────── Marchenko–Pastur ─────────────────────────────

export function mpEdges(gamma: number, sigma2: number): [number, number] {
  const r = Math.sqrt(gamma);
  return [sigma2 * (1 - r) ** 2, sigma2 * (1 + r) ** 2];
}

/** MP density for γ = p/n ∈ (0, 1] and bulk variance σ² (0 outside the edges). */
export function marchenkoPasturDensity(lambda: number, gamma: number, sigma2: number): number {
  const [lo, hi] = mpEdges(gamma, sigma2);
  if (!(lambda > lo && lambda < hi)) return 0;
  return Math.sqrt((hi - lambda) * (lambda - lo)) / (2 * Math.PI * sigma2 * gamma * lambda);
}

const medianCache = new Map<number, number>();

/**
 * Median of the σ² = 1 MP law. CDF by the trapezoid rule in θ, λ = λ₋ + (λ₊−λ₋)(1−cos θ)/2, which
 * turns the square-root edges (and the 1/√λ pole at γ = 1) into a smooth integrand
 * g(θ) = ((λ₊−λ₋)/2)² sin²θ / (2πγλ); 4096 panels give ≈ 1e-7 relative accuracy.
 */
export function mpMedian(gamma: number): number {
  const hit = medianCache.get(gamma);
  if (hit !== undefined) return hit;
  const [lo, hi] = mpEdges(gamma, 1);
  const h = (hi - lo) / 2;
  const panels = 4096;
  const dt = Math.PI / panels;
  const g = (t: number) => {
    const lam = lo + h * (1 - Math.cos(t));
    const s = Math.sin(t);
    // At θ = 0 with λ₋ = 0 (γ = 1): λ ≈ hθ²/2 and sin²θ ≈ θ², so g → h/(πγ).
    return lam > 0 ? (h * h * s * s) / (2 * Math.PI * gamma * lam) : h / (Math.PI * gamma);
  };
  const cdf = new Float64Array(panels + 1);
  let prev = g(0);
  for (let i = 1; i <= panels; i++) {
    const cur = g(i * dt);
    cdf[i] = cdf[i - 1] + ((prev + cur) * dt) / 2;
    prev = cur;
  }
  const total = cdf[panels];
  let i = 1;
  while (i < panels && cdf[i] / total < 0.5) i++;
  const f = (0.5 * total - cdf[i - 1]) / (cdf[i] - cdf[i - 1]);
  const theta = (i - 1 + f) * dt;
  const median = lo + h * (1 - Math.cos(theta));
  if (medianCache.size > 64) medianCache.clear();
  medianCache.set(gamma, median);
  return median;
}

function median(sortedDesc: Float64Array): number {
  const n = sortedDesc.length;
  if (n === 0) return NaN;
  const m = n >> 1;
  return n % 2 ? sortedDesc[m] : (sortedDesc[m - 1] + sortedDesc[m]) / 2;
}

/** Singular values, MP eigenvalues and the bulk fit of a rows × cols matrix (use as given). */
export function spectrumOf(data: ArrayLike<number>, rows: number, cols: number): Spectrum {
  const sv = singularValues(data, rows, cols);
  const n = Math.max(rows, cols);
  const p = Math.min(rows, cols);
  const gamma = p / n;
  const eigenvalues = new Float64Array(sv.length);
  for (let i = 0; i < sv.length; i++) eigenvalues[i] = (sv[i] * sv[i]) / n;
  const med = median(eigenvalues);
  const sigma2 = med > 0 ? med / mpMedian(gamma) : 0;
  const edge = mpEdges(gamma, sigma2)[1];
  let spikes = 0;
  for (let i = 0; i < eigenvalues.length; i++) if (sigma2 > 0 && eigenvalues[i] > edge) spikes++;
  return { singularValues: sv, eigenvalues, n, p, sigma2, spikes };
}

/** Largest row count r ≤ rows whose Gram cost and eigenproblem size stay within budget. */
export function spectrumRows(rows: number, dim: number): number {
  const cost = (r: number) => Math.min(r, dim) ** 2 * Math.max(r, dim) * 0.5;
  const ok = (r: number) => cost(r) <= GRAM_BUDGET && Math.min(r, dim) <= MAX_EIG;
  if (ok(rows)) return rows;
  let lo = 2;
  let hi = rows;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return Math.min(rows, lo);
}

/** `count` distinct sorted row indices out of `rows`, seeded (partial Fisher–Yates). */
export function subsampleRows(seed: number, rows: number, count: number): Uint32Array {
  if (count >= rows) return Uint32Array.from({ length: rows }, (_, i) => i);
  const rng = createRngFactory(seed).stream('analysis', 'spectra-rows', rows, count);
  const idx = Uint32Array.from({ length: rows }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(rows - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, count).sort();
}

function gatherRows(data: Float32Array, cols: number, idx: Uint32Array, minus?: Float32Array): Float32Array {
  const out = new Float32Array(idx.length * cols);
  for (let k = 0; k < idx.length; k++) {
    const src = idx[k] * cols;
    for (let j = 0; j < cols; j++) out[k * cols + j] = minus ? data[src + j] - minus[src + j] : data[src + j];
  }
  return out;
}

// ───────────────────────────── sequency / frequency energy ─────────────────────────────

function binEnergy(acc: Float64Array): EnergySpectrum {
  const length = acc.length;
  const bins = Math.min(length, MAX_HEATMAP_CHANNELS);
  const binWidth = Math.ceil(length / bins);
  const nb = Math.ceil(length / binWidth);
  const energy = new Float64Array(nb);
  let total = 0;
  for (let k = 0; k < length; k++) total += acc[k];
  for (let k = 0; k < length; k++) energy[Math.floor(k / binWidth)] += total > 0 ? acc[k] / total : 0;
  return { energy, binWidth, length };
}

/** Mean squared orthonormal-WHT coefficient per sequency over the given rows. */
export function walshEnergy(data: Float32Array, cols: number, rowIdx: ArrayLike<number>): EnergySpectrum {
  const L = nextPowerOfTwo(cols);
  const buf = new Float64Array(L);
  const acc = new Float64Array(L);
  const seq = new Uint32Array(L);
  for (let k = 0; k < L; k++) seq[k] = sequencyIndex(k, L);
  for (let r = 0; r < rowIdx.length; r++) {
    const base = rowIdx[r] * cols;
    buf.fill(0);
    for (let j = 0; j < cols; j++) buf[j] = data[base + j];
    fwhtOrthonormalInPlace(buf, 0, L);
    for (let k = 0; k < L; k++) acc[seq[k]] += buf[k] * buf[k];
  }
  return binEnergy(acc);
}

/** Mean squared orthonormal DCT-II coefficient per frequency over the given rows. */
export function dctEnergy(data: Float32Array, cols: number, rowIdx: ArrayLike<number>): EnergySpectrum {
  const plan = dctPlan(cols);
  const buf = new Float64Array(cols);
  const acc = new Float64Array(cols);
  for (let r = 0; r < rowIdx.length; r++) {
    plan.forward(data, rowIdx[r] * cols, buf, 0);
    for (let k = 0; k < cols; k++) acc[k] += buf[k] * buf[k];
  }
  return binEnergy(acc);
}

// ───────────────────────────── whole experiment ─────────────────────────────

/** The data's half of the spectra: its singular values and its energy per sequency/frequency. */
export function dataSpectra(seed: number, x: Matrix): Omit<Spectra, 'pipelines'> {
  const { rows, cols: dim } = x;
  const rowsUsed = spectrumRows(rows, dim);
  const idx = subsampleRows(seed, rows, rowsUsed);
  const energyIdx = idx.length <= ENERGY_ROWS ? idx : idx.subarray(0, ENERGY_ROWS);
  return {
    data: spectrumOf(gatherRows(x.data, dim, idx), rowsUsed, dim),
    walshBefore: walshEnergy(x.data, dim, energyIdx),
    dctBefore: dctEnergy(x.data, dim, energyIdx),
    rowsUsed,
    rows,
  };
}

/**
 * The pipelines' half: each selected pipeline's error spectrum and its energy after the transform
 * (all pipelines, or `only` these, in index order). Re-runs them (same seed, same numbers as the
 * main run) to see their buffers; a pipeline's spectra do not depend on which others run with it.
 */
export function pipelineSpectra(
  spec: ExperimentSpec,
  x: Matrix,
  options: Pick<RunOptions, 'signal' | 'onProgress' | 'only'> = {},
): PipelineSpectra[] {
  const { rows, cols: dim } = x;
  const { signal, onProgress, only } = options;
  const count = only ? new Set(only).size : spec.pipelines.length;
  const rowsUsed = spectrumRows(rows, dim);
  const idx = subsampleRows(spec.seed, rows, rowsUsed);
  const energyIdx = idx.length <= ENERGY_ROWS ? idx : idx.subarray(0, ENERGY_ROWS);
  const pipelines = new Array<PipelineSpectra | undefined>(spec.pipelines.length).fill(undefined);
  let done = 0;
  runExperiment(spec, x, {
    signal,
    ...(only ? { only } : {}),
    // Only the buffers are read here: no metric is computed.
    metrics: [],
    collect({ index, y, xHat, outDim }) {
      if (signal?.aborted) throw new AbortError();
      pipelines[index] = {
        index,
        error: spectrumOf(gatherRows(x.data, dim, idx, xHat), rowsUsed, dim),
        walshAfter: walshEnergy(y, outDim, energyIdx),
        dctAfter: dctEnergy(y, outDim, energyIdx),
      };
      done++;
      onProgress?.(done, count, `spectra ${index + 1}/${spec.pipelines.length}`);
    },
  });
  return pipelines.filter((p): p is PipelineSpectra => p !== undefined);
}

/**
 * Spectra of the data and of every pipeline's error, plus energy per sequency/frequency before and
 * after each transform.
 */
export function computeSpectra(
  spec: ExperimentSpec,
  x: Matrix,
  options: Pick<RunOptions, 'signal' | 'onProgress'> = {},
): Spectra {
  const data = dataSpectra(spec.seed, x);
  options.onProgress?.(1, spec.pipelines.length + 1, 'data spectrum');
  const { signal, onProgress } = options;
  const pipelines = pipelineSpectra(spec, x, {
    signal,
    onProgress: onProgress
      ? (d, _t, stage) => onProgress(d + 1, spec.pipelines.length + 1, stage)
      : undefined,
  });
  return { ...data, pipelines };
}
