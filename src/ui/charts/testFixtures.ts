/**
 * Deterministic chart inputs for the golden-SVG tests: a small seeded matrix pushed through two
 * stand-in pipelines written here (orthonormal WHT + rounding to a 0.5 grid; identity + sign times
 * mean |x|) so the goldens depend only on the analysis code and the charts, not on the real
 * quantizers, which other files own and may legitimately change.
 */
import { createRngFactory } from '../../core/rng';
import { fwhtOrthonormalInPlace } from '../../core/linalg/fwht';
import { createArtifactCollector } from '../../core/artifacts/artifacts';
import { dctEnergy, spectrumOf, walshEnergy } from '../../core/artifacts/spectra';
import { theoryCurves } from '../../core/artifacts/theory';
import type { ExperimentArtifacts, RateDistortion, Spectra } from '../../core/artifacts/types';
import type { Matrix } from '../../core/methods/types';

export const FIXTURE_ROWS = 8;
export const FIXTURE_DIM = 16;
export const FIXTURE_LABELS = ['wht → grid 0.5', 'identity → sign·mean|x|'];

function matrix(): Matrix {
  const data = new Float32Array(FIXTURE_ROWS * FIXTURE_DIM);
  createRngFactory(42).stream('data', 'chart-fixture').fillNormal(data);
  // One outlier channel, so the heatmap and the outlier histogram have something to show.
  for (let r = 0; r < FIXTURE_ROWS; r++) data[r * FIXTURE_DIM + 3] *= 12;
  return { rows: FIXTURE_ROWS, cols: FIXTURE_DIM, data };
}

interface Stand {
  readonly y: Float32Array;
  readonly yHat: Float32Array;
  readonly xHat: Float32Array;
}

function pipelines(x: Matrix): Stand[] {
  const n = x.rows * x.cols;
  const d = x.cols;
  // 0: WHT, round to a 0.5 grid, inverse WHT (its own inverse).
  const y0 = Float32Array.from(x.data);
  for (let r = 0; r < x.rows; r++) fwhtOrthonormalInPlace(y0, r * d, d);
  const yHat0 = y0.map((v) => Math.round(v * 2) / 2);
  const xHat0 = Float32Array.from(yHat0);
  for (let r = 0; r < x.rows; r++) fwhtOrthonormalInPlace(xHat0, r * d, d);
  // 1: identity, sign(x) times the row's mean |x| (1-bit with the L1-optimal scale).
  const yHat1 = new Float32Array(n);
  for (let r = 0; r < x.rows; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += Math.abs(x.data[r * d + j]);
    for (let j = 0; j < d; j++) yHat1[r * d + j] = Math.sign(x.data[r * d + j]) * (s / d);
  }
  return [
    { y: y0, yHat: yHat0, xHat: xHat0 },
    { y: x.data, yHat: yHat1, xHat: yHat1 },
  ];
}

export function fixtureArtifacts(): ExperimentArtifacts {
  const x = matrix();
  const c = createArtifactCollector(x, 42, 2);
  pipelines(x).forEach((p, index) => c.collect({ index, x, outDim: x.cols, ...p }));
  return c.result();
}

export function fixtureSweep(): RateDistortion {
  const d = theoryCurves(4)[0].values;
  return {
    series: [
      {
        index: 0,
        label: FIXTURE_LABELS[0],
        param: 'bits',
        points: d.map((v, i) => ({ bits: i + 1, bitsPerCoord: i + 1.125, vnmse: v * 1.05 })),
      },
      {
        index: 1,
        label: FIXTURE_LABELS[1],
        param: null,
        points: [{ bits: NaN, bitsPerCoord: 1, vnmse: 0.3634 }],
      },
    ],
  };
}

export function fixtureTheory() {
  return theoryCurves(4);
}

export function fixtureSpectra(): Spectra {
  const x = matrix();
  const all = Array.from({ length: x.rows }, (_, i) => i);
  const stands = pipelines(x);
  return {
    data: spectrumOf(x.data, x.rows, x.cols),
    walshBefore: walshEnergy(x.data, x.cols, all),
    dctBefore: dctEnergy(x.data, x.cols, all),
    rowsUsed: x.rows,
    rows: x.rows,
    pipelines: stands.map((p, index) => ({
      index,
      error: spectrumOf(
        x.data.map((v, i) => v - p.xHat[i]),
        x.rows,
        x.cols,
      ),
      walshAfter: walshEnergy(p.y, x.cols, all),
      dctAfter: dctEnergy(p.y, x.cols, all),
    })),
  };
}

export const fixtureColor = (i: number): string => ['#0072B2', '#D55E00'][i % 2];
