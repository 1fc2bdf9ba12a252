/**
 * The equal-bit comparison against independent references: a hand-made Pareto case (dominance
 * worked out by hand), the bits/coordinate closed forms of each cost axis (OCP MX v1.0: 4 + 8/32;
 * NVFP4: 4 + 8/16 + 32/(rows·dim); OFP8 tensor scale: 8 + 32/(rows·dim); NF4: 4 + 32/block (block ≤ dim);
 * SVDQuant §4.2: 4 + 16/64 + 16·r·(rows + dim)/(rows·dim); EDEN: b + 32/d) and, point by point,
 * `lab run` of the variant pipeline on its own (runConfig + contractJson, the CLI's path).
 */
import { describe, expect, it } from 'vitest';
import {
  canonicalize,
  restoreConfig,
  type CanonicalConfig,
  type ExperimentConfig,
} from '../core/config/schema';
import { contractJson, runConfig } from './experiment';
import { bestWithinBudget, defaultBudget, paretoFrontier, sweepAxis } from '../core/artifacts/rateDistortion';
import type { RateDistortionResult } from '../core/analyses/rate-distortion';
import type { PipelineSpec } from '../core/pipeline';

describe('Pareto frontier', () => {
  it('keeps exactly the non-dominated points of a hand-made case, ties included', () => {
    // Series 0: (1, 0.5) (2, 0.2) (3, 0.1) (4, 0.1); series 1: (1.5, 0.6) (2, 0.2) (2.5, 0.05);
    // series 2: (0.5, 0.9) (3, NaN).
    // By hand: (0.5,0.9) nothing cheaper → on. (1,0.5) on. (1.5,0.6) dominated by (1,0.5).
    // (2,0.2) twice: identical, both on. (2.5,0.05) on. (3,0.1), (4,0.1) dominated by (2.5,0.05).
    const pts = (xs: [number, number][]) =>
      xs.map(([bitsPerCoord, vnmse]) => ({ bits: NaN, bitsPerCoord, vnmse }));
    const f = paretoFrontier([
      {
        index: 0,
        points: pts([
          [1, 0.5],
          [2, 0.2],
          [3, 0.1],
          [4, 0.1],
        ]),
      },
      {
        index: 1,
        points: pts([
          [1.5, 0.6],
          [2, 0.2],
          [2.5, 0.05],
        ]),
      },
      {
        index: 2,
        points: pts([
          [0.5, 0.9],
          [3, NaN],
        ]),
      },
    ]);
    expect(f.map((p) => [p.index, p.bitsPerCoord, p.vnmse])).toEqual([
      [2, 0.5, 0.9],
      [0, 1, 0.5],
      [0, 2, 0.2],
      [1, 2, 0.2],
      [1, 2.5, 0.05],
    ]);
  });

  it('a point at equal bits but higher error, or equal error but more bits, is dominated', () => {
    const f = paretoFrontier([
      { index: 0, points: [{ bits: NaN, bitsPerCoord: 2, vnmse: 0.1 }] },
      { index: 1, points: [{ bits: NaN, bitsPerCoord: 2, vnmse: 0.2 }] },
      { index: 2, points: [{ bits: NaN, bitsPerCoord: 3, vnmse: 0.1 }] },
    ]);
    expect(f.map((p) => p.index)).toEqual([0]);
  });
});

describe('best at ≤ B bits/coord', () => {
  const rows = [
    { bitsPerCoord: 2.03125, value: 0.117 },
    { bitsPerCoord: 2, value: 0.117 },
    { bitsPerCoord: 4.25, value: 0.01 },
    { bitsPerCoord: 3.0, value: 0.3 },
  ];
  it('ignores pipelines over the budget and lists ties', () => {
    expect(bestWithinBudget(rows, 3, false)).toEqual([0, 1]);
    expect(bestWithinBudget(rows, 4.25, false)).toEqual([2]);
    expect(bestWithinBudget(rows, 1.5, false)).toEqual([]);
    expect(bestWithinBudget(rows, 3, true)).toEqual([3]);
  });
  it('default budget is the median bits/coord (lower middle)', () => {
    expect(defaultBudget([2.03125, 2, 4.25, 3.03125, 2.03125])).toBe(2.03125);
    expect(defaultBudget([4.25, 2])).toBe(2);
    expect(defaultBudget([])).toBe(4);
  });
});

function cfg(
  pipelines: ExperimentConfig['pipelines'],
  analysis?: ExperimentConfig['analysis'],
): CanonicalConfig {
  return restoreConfig({
    v: 1,
    seed: 5,
    data: { source: 'gaussian', rows: 48, dim: 128 },
    pipelines,
    ...(analysis ? { analysis } : {}),
  });
}

describe('rate-distortion analysis', () => {
  const pipelines: PipelineSpec[] = [
    {
      transforms: [{ id: 'haar', params: {} }],
      quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } },
    },
    { transforms: [{ id: 'identity', params: {} }], quantizer: { id: 'mxfp4', params: {} } },
    { transforms: [{ id: 'identity', params: {} }], quantizer: { id: 'svdquant', params: { rank: 8 } } },
    {
      transforms: [{ id: 'identity', params: {} }],
      quantizer: { id: 'llm-int8', params: { threshold: 2.5 } },
    },
    { transforms: [{ id: 'rht', params: {} }], quantizer: { id: 'nf4', params: {} } },
  ];

  it('each point equals lab run of its variant pipeline, with the closed-form bits', async () => {
    const config = cfg(pipelines, { id: 'rate-distortion', params: { budget: 4.25 } });
    const json = contractJson(await runConfig(config)) as { analysis: RateDistortionResult };
    const rd = json.analysis;
    expect(rd.kind).toBe('rate-distortion');
    expect(rd.series.map((s) => s.param)).toEqual(['bits', 'format', 'rank', 'threshold', 'block']);
    const rows = 48;
    const dim = 128;
    // Axes: EDEN bits 1…8; the FP family as points; rank grid ≤ min(rows, dim) plus none extra
    // (8 is on the grid); threshold grid plus the pipeline's own 2.5; NF4 block grid.
    expect(rd.series[0].points.map((p) => p.value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rd.series[1].points.map((p) => p.value)).toEqual(['MXFP4', 'NVFP4', 'FP8 E4M3', 'FP8 E5M2']);
    expect(rd.series[2].points.map((p) => p.value)).toEqual([0, 4, 8, 16, 32]);
    expect([...rd.series[3].points.map((p) => p.value)].sort((a, b) => Number(a) - Number(b))).toEqual([
      1, 2, 2.5, 3, 4, 6, 8, 16,
    ]);
    expect(rd.series[4].points.map((p) => p.value)).toEqual([128, 64, 32, 16]);
    const closeTo = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * b);
    rd.series[0].points.forEach((p) => closeTo(p.bitsPerCoord, Number(p.value) + 32 / dim));
    const fp = Object.fromEntries(rd.series[1].points.map((p) => [p.value, p.bitsPerCoord]));
    closeTo(fp.MXFP4, 4 + 8 / 32);
    closeTo(fp.NVFP4, 4 + 8 / 16 + 32 / (rows * dim));
    closeTo(fp['FP8 E4M3'], 8 + 32 / (rows * dim));
    rd.series[2].points.forEach((p) =>
      closeTo(p.bitsPerCoord, 4 + 16 / 64 + (16 * Number(p.value) * (rows + dim)) / (rows * dim)),
    );
    rd.series[4].points.forEach((p) => closeTo(p.bitsPerCoord, 4 + 32 / Number(p.value)));
    expect(rd.series[4].points.map((p) => p.bitsPerCoord)).toEqual([4.25, 4.5, 5, 6]);

    // Point by point: the variant alone through runConfig (what `lab run --json` prints).
    for (const s of rd.series) {
      for (const p of s.points) {
        const single = cfg([{ transforms: pipelines[s.index].transforms, quantizer: p.quantizer }]);
        const out = contractJson(await runConfig(single)) as {
          results: { bitsPerCoord: number; metrics: Record<string, number> }[];
        };
        expect(out.results[0].bitsPerCoord, `${s.label} @ ${String(p.value)}`).toBe(p.bitsPerCoord);
        expect(out.results[0].metrics, `${s.label} @ ${String(p.value)}`).toEqual(p.metrics);
      }
    }

    // The pipeline's own point is the table's number.
    const main = await runConfig(cfg(pipelines));
    rd.series.forEach((s, i) =>
      expect(
        s.points.some((p) => p.vnmse === main.results[i].metrics.vnmse),
        s.label,
      ).toBe(true),
    );

    // Frontier = the hand rule applied to all points; budget picks stay within 4.25 bits.
    const all = rd.series.flatMap((s) => s.points.map((p) => ({ i: s.index, ...p })));
    const onFrontier = all.filter(
      (a) =>
        !all.some(
          (b) =>
            b.bitsPerCoord <= a.bitsPerCoord &&
            b.vnmse <= a.vnmse &&
            (b.bitsPerCoord < a.bitsPerCoord || b.vnmse < a.vnmse),
        ),
    );
    expect(rd.frontier.length).toBe(onFrontier.length);
    for (const f of rd.frontier)
      expect(onFrontier.some((a) => a.i === f.index && a.vnmse === f.vnmse)).toBe(true);
    expect(rd.budget).toBe(4.25);
    for (const a of rd.atBudget) if (a) expect(a.bitsPerCoord).toBeLessThanOrEqual(4.25);
    expect(rd.atBudget[0]?.value).toBe(4); // EDEN at 4 + 32/128 = 4.25 bits fits exactly
    const best = Math.min(...rd.atBudget.flatMap((a) => (a ? [a.vnmse] : [])));
    expect(rd.bestAtBudget.every((i) => rd.atBudget[i]?.vnmse === best)).toBe(true);
  }, 60_000);

  it('sweep axis of fp8 row keeps its granularity; a link without the analysis is unchanged', () => {
    const axis = sweepAxis({
      transforms: [{ id: 'identity', params: {} }],
      quantizer: { id: 'fp8', params: { format: 'e5m2', granularity: 'row', rounding: 'nearest' } },
    });
    expect(axis?.param).toBe('format');
    const e4 = axis?.variants.find((v) => v.value === 'FP8 E4M3');
    expect(e4?.quantizer.params).toEqual({ format: 'e4m3', granularity: 'row', rounding: 'nearest' });
    const plain = cfg(pipelines);
    expect(canonicalize(plain).analysis).toBeUndefined();
  });
});

describe('rate–distortion sweep in the transformed metric domain (CONTRACT.md §5.1)', () => {
  it('sweeps with the config’s metric domain: same points within float32 rounding, another cache key', async () => {
    const { sweepConfig, sweepKey } = await import('./artifacts');
    const base = {
      v: 2,
      seed: 9,
      data: { source: 'gaussian', rows: 32, dim: 128 },
      pipelines: [
        { transforms: [{ id: 'haar' }], quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } } },
        { transforms: [{ id: 'rht' }], quantizer: { id: 'int', params: { bits: 4 } } },
      ],
    };
    const data = restoreConfig(base);
    const transformed = restoreConfig({ ...base, numerics: { metricDomain: 'transformed' } });
    expect(sweepKey(transformed)).not.toBe(sweepKey(data));
    const a = await sweepConfig(data);
    const b = await sweepConfig(transformed);
    let differs = false;
    a.series.forEach((s, i) =>
      s.points.forEach((p, k) => {
        const q = b.series[i].points[k];
        expect(q.bitsPerCoord).toBe(p.bitsPerCoord);
        // 1e-6 relative: the domains differ by ~1e-9 here (float32 rounding; the worst-case bound
        // is derived and tested in src/core/metric-domain.test.ts), far below the points' spacing.
        expect(Math.abs(q.vnmse - p.vnmse)).toBeLessThanOrEqual(1e-6 * p.vnmse);
        if (q.vnmse !== p.vnmse) differs = true;
      }),
    );
    // The transformed sweep really ran in the other domain (rounding differs somewhere).
    expect(differs).toBe(true);
  });
});
