/**
 * The probe and the pooled estimate against the cost model's closed forms (cost.ts declarations,
 * r rows × d coordinates): identity → int costs 30·r·d + 134·r·d (metrics), rht adds r·d·log2 d,
 * Haar 40·d² to build plus 2·r·d² per application (forward and inverse: 4·r·d²). A pool of two runs two transform groups side by side, so the estimate is the
 * larger part's flops over the rate. Each part also generates the data: 100·r·d.
 */
import { describe, expect, it } from 'vitest';
import { restoreConfig } from '../core/config/schema';
import { estimateRun, probeConfig, runProbe } from './calibrate';

const pl = (t: string, q: string, qp: Record<string, number | string> = {}) => ({
  transforms: t === 'identity' ? [] : [{ id: t, params: {} }],
  quantizer: { id: q, params: qp },
});

const r = 256;
const d = 1024;
const rd = r * d;
const config = restoreConfig({
  v: 2,
  seed: 1,
  data: { source: 'gaussian', rows: r, dim: d },
  pipelines: [
    pl('identity', 'int', { bits: 4 }),
    pl('rht', 'int', { bits: 4 }),
    pl('haar', 'int', { bits: 4 }),
  ],
});
const identityInt = 164 * rd;
const rhtInt = 164 * rd + rd * Math.log2(d);
const haarInt = 164 * rd + 40 * d * d + 4 * r * d * d;
// Data generation and chart artifacts, once per part (calibrate.ts DATA_FLOPS_PER_COORD).
const data = 100 * rd;

describe('estimateRun', () => {
  it('one worker: all the work over the rate; the Haar rotation dominates', () => {
    const e = estimateRun(config, 1e9, 1);
    expect(e?.flops).toBe(data + identityInt + rhtInt + haarInt);
    expect(e?.seconds).toBeCloseTo((data + identityInt + rhtInt + haarInt) / 1e9, 12);
    expect(e?.parts).toBe(1);
    expect(e?.dominant?.what).toBe('pipelines[2].transform (haar d×d rotation)');
    expect(e?.dominant?.share).toBeCloseTo(
      (40 * d * d + 4 * r * d * d) / (data + identityInt + rhtInt + haarInt),
      12,
    );
  });

  it('a pool: the largest part over the rate', () => {
    const e = estimateRun(config, 1e9, 3);
    expect(e?.parts).toBe(3);
    expect(e?.seconds).toBeCloseTo((data + haarInt) / 1e9, 12);
  });

  it('only the pipelines to compute, named by their index in the config', () => {
    const e = estimateRun(config, 5e8, 1, [0, 1]);
    expect(e?.pipelines).toBe(2);
    expect(e?.flops).toBe(data + identityInt + rhtInt);
    expect(e?.seconds).toBeCloseTo((data + identityInt + rhtInt) / 5e8, 12);
    expect(e?.dominant?.what).toMatch(/^metrics/);
    const haarOnly = estimateRun(config, 1e9, 1, [2]);
    expect(haarOnly?.dominant?.what).toBe('pipelines[2].transform (haar d×d rotation)');
  });

  it('file data (no declared shape) has no estimate', () => {
    const file = { ...config, data: { source: 'file', path: 'x.npy' } } as unknown as typeof config;
    expect(estimateRun(file, 1e9)).toBeNull();
  });
});

describe('probe', () => {
  it('times a warm-up, then 32 and 128 rows, reporting each run’s modelled flops', async () => {
    // r × 512: haar 40·d² + 2 × 2·r·d² (forward and inverse), rht r·d·log2 d, turboquant-prod
    // 30·r·d + 3·r·d² (its d × d sketch), eden and mxfp4 30·r·d each, metrics 3·134·r·d, data
    // and artifacts 100·r·d.
    const pd = 512;
    const flops = (pr: number) =>
      100 * pr * pd +
      40 * pd * pd +
      4 * pr * pd * pd +
      pr * pd * 9 +
      3 * pr * pd * pd +
      3 * 30 * pr * pd +
      3 * 134 * pr * pd;
    const ticks = [0, 40, 100, 130, 200, 290];
    let k = 0;
    const probe = await runProbe(() => ticks[k++]);
    expect(probe).toEqual({ small: { flops: flops(32), ms: 30 }, large: { flops: flops(128), ms: 90 } });
    expect(probeConfig(1).pipelines).toHaveLength(3);
  });
});

describe('estimateRun with an analysis', () => {
  it('adds its declared work to the first part and names it when it dominates', () => {
    // seeds: count × one run of every pipeline (identityInt + rhtInt + haarInt).
    const withSeeds = restoreConfig({
      ...config,
      analysis: { id: 'seeds', params: { count: 20 } },
    });
    const analysis = 20 * (identityInt + rhtInt + haarInt);
    const e = estimateRun(withSeeds, 1e9, 1);
    expect(e?.flops).toBe(data + identityInt + rhtInt + haarInt + analysis);
    expect(e?.dominant?.what).toBe('analysis seeds (Seed spread)');
    expect(e?.dominant?.share).toBeCloseTo(analysis / (e?.flops ?? 1), 12);
    // Pooled: the analysis runs in part 0 (identity → int) after its pipeline.
    const pooled = estimateRun(withSeeds, 1e9, 3);
    expect(pooled?.seconds).toBeCloseTo((data + identityInt + analysis) / 1e9, 12);
  });
});
