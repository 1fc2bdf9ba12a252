/**
 * The per-(data, pipeline) result cache: a config assembled from cached pipelines plus one
 * recomputed pipeline equals a full fresh run bit for bit (numbers and chart artifacts), because
 * every stream derives from (seed, purpose, keys), never from a pipeline's position; the cache is
 * bounded by entries and bytes (least recently used out).
 */
import { describe, expect, it } from 'vitest';
import { restoreConfig, type CanonicalConfig } from '../core/config/schema';
import { runConfig, type ExperimentOutput } from './experiment';
import {
  BoundedCache,
  assembleOutput,
  createResultCaches,
  pipelineKey,
  planFromCache,
  storeInCache,
} from './result-cache';

const base = {
  v: 1,
  seed: 9,
  data: { source: 'gaussian', rows: 32, dim: 64 },
  pipelines: [
    { transforms: [{ id: 'haar' }], quantizer: { id: 'eden', params: { bits: 2 } } },
    { transforms: [{ id: 'rht' }], quantizer: { id: 'turboquant-mse', params: { bits: 2 } } },
    { transforms: [{ id: 'identity' }], quantizer: { id: 'mxfp4' } },
  ],
};

/** Everything but wall-clock timings. */
function comparable(out: ExperimentOutput) {
  return {
    config: out.config,
    permalink: out.permalink,
    data: out.data,
    results: out.results.map(({ timingsMs: _t, ...r }) => r),
    artifacts: out.artifacts,
  };
}

describe('result cache', () => {
  it('one changed pipeline is the only one recomputed, and the assembly equals a fresh run', async () => {
    const caches = createResultCaches();
    const a = restoreConfig(base);
    const first = planFromCache(a, caches);
    expect(first.missing).toEqual([0, 1, 2]);
    storeInCache(a, caches, [0, 1, 2], await runConfig(a, { artifacts: true }));
    expect(planFromCache(a, caches).complete).toBe(true);

    const b: CanonicalConfig = restoreConfig({
      ...base,
      pipelines: [
        base.pipelines[0],
        { transforms: [{ id: 'rht' }], quantizer: { id: 'turboquant-mse', params: { bits: 3 } } },
        base.pipelines[2],
      ],
    });
    const plan = planFromCache(b, caches);
    expect(plan.missing).toEqual([1]);
    const partial = await runConfig(b, { artifacts: true, only: [1] });
    const assembled = assembleOutput(b, plan, { indices: [1], out: partial });
    const fresh = await runConfig(b, { artifacts: true });
    expect(comparable(assembled)).toEqual(comparable(fresh));

    // Reordering and relabelling need no computation; labels follow the config.
    const c = restoreConfig({
      ...base,
      pipelines: [{ ...base.pipelines[2], label: 'fp4' }, base.pipelines[0]],
    });
    const planC = planFromCache(c, caches);
    expect(planC.complete).toBe(true);
    const out = assembleOutput(c, planC);
    expect(out.results.map((r) => r.label)).toEqual(['fp4', 'haar → eden b=2 mse']);
    expect(out.artifacts?.pipelines.map((p) => p.index)).toEqual([0, 1]);
    expect(comparable(out).results.map((r) => r.metrics)).toEqual(
      comparable(await runConfig(c)).results.map((r) => r.metrics),
    );
  });

  it('the key is the data, seed and pipeline, not its label or position', () => {
    const a = restoreConfig(base);
    const moved = restoreConfig({
      ...base,
      pipelines: [base.pipelines[1], { ...base.pipelines[0], label: 'x' }],
    });
    expect(pipelineKey(moved, 1)).toBe(pipelineKey(a, 0));
    expect(pipelineKey(restoreConfig({ ...base, seed: 10 }), 0)).not.toBe(pipelineKey(a, 0));
  });

  it('bounded by entries and bytes, least recently used out', () => {
    const c = new BoundedCache<Float32Array>(3, 1000, (v) => v.byteLength);
    c.set('a', new Float32Array(10));
    c.set('b', new Float32Array(10));
    c.set('c', new Float32Array(10));
    c.get('a'); // a is now the most recent
    c.set('d', new Float32Array(10));
    expect(['a', 'b', 'c', 'd'].filter((k) => c.has(k))).toEqual(['a', 'c', 'd']);
    c.set('big', new Float32Array(200)); // 800 bytes: evicts until ≤ 1000
    expect(c.bytes).toBeLessThanOrEqual(1000);
    expect(c.has('big')).toBe(true);
    c.set('huge', new Float32Array(300)); // 1200 bytes alone: never stored
    expect(c.has('huge')).toBe(false);
  });
});
