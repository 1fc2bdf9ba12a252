/**
 * Degenerate chart data (a valid link with all-zero data froze the page: the log-axis tick helper
 * looped from log10(0) = −∞). Property tests: every chart helper gets zero, constant, negative,
 * NaN, infinite, denormal and single-point inputs (3,000 cases each) and must return usable values;
 * then every chart of the registry is rendered from artifacts of degenerate matrices (zeros,
 * constants, one row, one column, one spike, denormals, huge values) and must finish with no NaN
 * in its markup.
 */
import { scaleLog } from 'd3';
import fc from 'fast-check';
import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { createArtifactCollector } from '../../core/artifacts/artifacts';
import { dctEnergy, spectrumOf, walshEnergy } from '../../core/artifacts/spectra';
import type { RateDistortion, Spectra } from '../../core/artifacts/types';
import type { ExperimentOutput } from '../../engine/experiment';
import { decades, densities, fmt, logTick, safeLinearDomain, safeLogDomain, stepPath } from './common';
import { CHART_IDS, renderChart } from './registry';

const RUNS = 3_000;
const anyDouble = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 1, -1, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 1e-300, 1e300),
);

describe('chart helpers on degenerate inputs', () => {
  it(`decades / safeLogDomain: finite positive ticks, bounded count (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(anyDouble, anyDouble, (lo, hi) => {
        const [a, b] = safeLogDomain(lo, hi);
        expect(Number.isFinite(a) && Number.isFinite(b) && a > 0 && a < b).toBe(true);
        const t = decades(lo, hi);
        expect(t.length).toBeLessThanOrEqual(40);
        for (const v of t) expect(Number.isFinite(v) && v > 0).toBe(true);
        for (const v of t) expect(logTick(v)).not.toMatch(/NaN|Infinity/);
      }),
      { numRuns: RUNS },
    );
  });

  it(`safeLinearDomain: finite, lo < hi (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(anyDouble, anyDouble, (lo, hi) => {
        const [a, b] = safeLinearDomain(lo, hi);
        return Number.isFinite(a) && Number.isFinite(b) && a < b;
      }),
      { numRuns: RUNS },
    );
  });

  it(`fmt / logTick never throw (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(anyDouble, (v) => typeof fmt(v) === 'string' && typeof logTick(v) === 'string'),
      { numRuns: RUNS },
    );
  });

  it(`densities and stepPath: no ∞ or NaN from zero-width bins or zero totals (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.nat(1000), { minLength: 0, maxLength: 5 }),
        fc.boolean(),
        (rawEdges, counts, constant) => {
          const edges = rawEdges.map((e) => (constant ? rawEdges[0] : e)).sort((a, b) => a - b);
          while (edges.length < counts.length + 1) edges.push(edges[edges.length - 1]);
          const total = counts.reduce((a, b) => a + b, 0);
          const dens = densities(edges, counts, total);
          for (const v of dens) expect(Number.isFinite(v) && v >= 0).toBe(true);
          const [y0, y1] = safeLogDomain(Math.min(...dens.filter((v) => v > 0)), Math.max(...dens));
          const y = scaleLog().domain([y0, y1]).range([100, 0]);
          const x = (v: number) => v;
          expect(stepPath(edges, dens, x, y, true)).not.toMatch(/NaN|Infinity/);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

type Kind = 'zeros' | 'constant' | 'spike' | 'denormal' | 'huge' | 'alternating';

function degenerate(kind: Kind, rows: number, cols: number, c: number): Float32Array {
  const a = new Float32Array(rows * cols);
  if (kind === 'constant') a.fill(c);
  if (kind === 'spike') a[a.length - 1] = c;
  if (kind === 'denormal') a.fill(1e-40);
  if (kind === 'huge') a.fill(3e38);
  if (kind === 'alternating') a.forEach((_, i) => (a[i] = i % 2 ? c : -c));
  return a;
}

function output(data: Float32Array, rows: number, cols: number, xHatZero: boolean) {
  const x = { rows, cols, data };
  const c = createArtifactCollector(x, 1, 1);
  const xHat = xHatZero ? new Float32Array(data.length) : Float32Array.from(data);
  c.collect({ index: 0, x, outDim: cols, y: data, yHat: xHat, xHat });
  const all = Array.from({ length: rows }, (_, i) => i);
  const spectra: Spectra = {
    data: spectrumOf(data, rows, cols),
    walshBefore: walshEnergy(data, cols, all),
    dctBefore: dctEnergy(data, cols, all),
    rowsUsed: rows,
    rows,
    pipelines: [
      {
        index: 0,
        error: spectrumOf(
          data.map((v, i) => v - xHat[i]),
          rows,
          cols,
        ),
        walshAfter: walshEnergy(data, cols, all),
        dctAfter: dctEnergy(data, cols, all),
      },
    ],
  };
  const vnmse = xHatZero ? 1 : 0;
  const sweep: RateDistortion = {
    series: [{ index: 0, label: 'p', param: 'bits', points: [{ bits: 2, bitsPerCoord: 2, vnmse }] }],
  };
  const out = {
    config: { v: 1, seed: 1, data: { source: 'gaussian', rows, dim: cols }, pipelines: [] },
    permalink: '#c=',
    data: { rows, dim: cols, source: 'gaussian' },
    results: [
      {
        transform: 'identity',
        quantizer: 'q',
        label: 'p',
        bitsPerCoord: 2,
        metrics: { vnmse },
        timingsMs: {
          transform: 0,
          quantize: 0,
          inverse: 0,
          metrics: 0,
          backend: { transform: 'cpu', quantize: 'cpu' },
        },
      },
    ],
    artifacts: c.result(),
  } as unknown as ExperimentOutput;
  return { out, sweep, spectra };
}

describe('every chart renders degenerate data', () => {
  it('zeros, constants, one row/column, spikes, denormals, huge values (60 cases × every chart)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Kind>('zeros', 'constant', 'spike', 'denormal', 'huge', 'alternating'),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(0, 1, -2.5, 1e-30, 1e30),
        fc.boolean(),
        (kind, rows, cols, c, xHatZero) => {
          const { out, sweep, spectra } = output(degenerate(kind, rows, cols, c), rows, cols, xHatZero);
          for (const id of CHART_IDS) {
            const el = renderChart(id, { output: out, sweep, spectra }, { width: 520, dense: 'svg' });
            if (el === null) continue;
            const markup = renderToStaticMarkup(el as ReactElement);
            expect(markup, `${id} ${kind} ${rows}×${cols} c=${c}`).not.toMatch(/NaN|Infinity/);
          }
        },
      ),
      { numRuns: 60, seed: 3 },
    );
  });
});
