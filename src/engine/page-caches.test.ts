/**
 * What the page's charts compute: the spectra worker's per-pipeline cache (editing one pipeline
 * recomputes that pipeline's spectra only, and a cached answer equals a recomputation) and the
 * sweep's metric subset (RunOptions.metrics: vNMSE alone is the value the full run gives).
 */
import { describe, expect, it } from 'vitest';
import { canonicalize, type ExperimentConfig } from '../core/config/schema';
import { clearSpectraCache, spectraConfig, sweepConfig } from './artifacts';
import { generateData } from '../core/data-loader';
import { runExperiment } from '../core/pipeline';
import { sweepPipelines } from '../core/artifacts/rateDistortion';
import { artifactBuffers } from '../core/artifacts/artifacts';

function config(bits: number): ExperimentConfig {
  return canonicalize({
    v: 2,
    seed: 11,
    data: { source: 'gaussian', rows: 48, dim: 64 },
    pipelines: [
      { transforms: [{ id: 'rht', params: {} }], quantizer: { id: 'eden', params: { bits, scale: 'mse' } } },
      { transforms: [{ id: 'haar', params: {} }], quantizer: { id: 'turboquant-mse', params: { bits: 2 } } },
      { transforms: [], quantizer: { id: 'mxfp4', params: {} } },
    ],
  });
}

describe('spectra cache (per data and per pipeline, in the worker)', () => {
  it('an edit of one pipeline recomputes only that one, and equals a cold computation', async () => {
    clearSpectraCache();
    const first: number[] = [];
    await spectraConfig(config(2), { onProgress: (_d, t) => first.push(t) });
    expect(new Set(first)).toEqual(new Set([3]));
    const edited: number[] = [];
    const warm = await spectraConfig(config(3), { onProgress: (_d, t) => edited.push(t) });
    expect(edited).toEqual([1]); // one pipeline run, the other two from the cache
    const again: number[] = [];
    await spectraConfig(config(3), { onProgress: (_d, t) => again.push(t) });
    expect(again).toEqual([]); // everything cached: no pipeline runs
    clearSpectraCache();
    const cold = await spectraConfig(config(3));
    expect(warm).toEqual(cold);
    expect(warm.pipelines.map((p) => p.index)).toEqual([0, 1, 2]);
  });

  it('a returned result that was transferred (its arrays detached) leaves the cache intact', async () => {
    clearSpectraCache();
    const first = await spectraConfig(config(2));
    const buffers = artifactBuffers(first);
    expect(buffers.length).toBeGreaterThan(0);
    structuredClone(first, { transfer: buffers }); // what the worker's postMessage does
    const again = await spectraConfig(config(2));
    clearSpectraCache();
    expect(again).toEqual(await spectraConfig(config(2)));
  });

  it('file data is never served from the cache', async () => {
    clearSpectraCache();
    const fileConfig = { ...config(2), data: { source: 'file', path: 'x.npy' } } as ExperimentConfig;
    let loads = 0;
    const loadFile = async () => {
      loads++;
      const matrix = generateData('gaussian', { rows: 16, dim: 32 }, 1);
      return { matrix, summary: { source: 'file', rows: 16, dim: 32 } } as never;
    };
    const a = await spectraConfig(fileConfig, { loadFile });
    const calls: number[] = [];
    const b = await spectraConfig(fileConfig, { loadFile, onProgress: (_d, t) => calls.push(t) });
    expect(loads).toBe(2);
    expect(new Set(calls)).toEqual(new Set([3]));
    expect(b).toEqual(a);
  });
});

describe('RunOptions.metrics', () => {
  it('vNMSE alone is bit-identical to the full run and nothing else is computed', () => {
    const c = config(2);
    const x = generateData('gaussian', { rows: 48, dim: 64 }, c.seed);
    const full = runExperiment(c, x);
    const only = runExperiment(c, x, { metrics: ['vnmse'] });
    only.forEach((r, i) => {
      expect(Object.keys(r.metrics)).toEqual(['vnmse']);
      expect(r.metrics.vnmse).toBe(full[i].metrics.vnmse);
      expect(r.bitsPerCoord).toBe(full[i].bitsPerCoord);
    });
    expect(Object.keys(runExperiment(c, x, { metrics: [] })[0].metrics)).toEqual([]);
  });

  it("the chart's sweep gives the same vNMSE points as the full-metric sweep", async () => {
    const c = config(2);
    const x = generateData('gaussian', { rows: 48, dim: 64 }, c.seed);
    const full = sweepPipelines(c, x);
    const chart = await sweepConfig(c);
    chart.series.forEach((s, i) => {
      expect(s.points.map((p) => [p.bitsPerCoord, p.vnmse])).toEqual(
        full[i].points.map((p) => [p.bitsPerCoord, p.metrics.vnmse]),
      );
    });
  });
});
