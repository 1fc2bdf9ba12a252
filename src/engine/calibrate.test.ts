/**
 * The probe and the pooled estimate against the cost model's closed forms (cost.ts declarations,
 * r rows × d coordinates): identity → int costs 30·r·d + 134·r·d (metrics), rht adds r·d·log2 d,
 * Haar d³ + r·d². A pool of two runs two transform groups side by side, so the estimate is the
 * larger part's flops over the rate.
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
  pipelines: [pl('identity', 'int', { bits: 4 }), pl('rht', 'int', { bits: 4 }), pl('haar', 'int', { bits: 4 })],
});
const identityInt = 164 * rd;
const rhtInt = 164 * rd + rd * Math.log2(d);
const haarInt = 164 * rd + d ** 3 + r * d * d;

describe('estimateRun', () => {
  it('one worker: all the work over the rate; the Haar rotation dominates', () => {
    const e = estimateRun(config, 1e9, 1);
    expect(e?.flops).toBe(identityInt + rhtInt + haarInt);
    expect(e?.seconds).toBeCloseTo((identityInt + rhtInt + haarInt) / 1e9, 12);
    expect(e?.parts).toBe(1);
    expect(e?.dominant?.what).toBe('pipelines[2].transform (haar d×d rotation)');
    expect(e?.dominant?.share).toBeCloseTo((d ** 3 + r * d * d) / (identityInt + rhtInt + haarInt), 12);
  });

  it('a pool: the largest part over the rate', () => {
    const e = estimateRun(config, 1e9, 3);
    expect(e?.parts).toBe(3);
    expect(e?.seconds).toBeCloseTo(haarInt / 1e9, 12);
  });

  it('only the pipelines to compute, named by their index in the config', () => {
    const e = estimateRun(config, 5e8, 1, [0, 1]);
    expect(e?.pipelines).toBe(2);
    expect(e?.flops).toBe(identityInt + rhtInt);
    expect(e?.seconds).toBeCloseTo((identityInt + rhtInt) / 5e8, 12);
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
  it('times the second of two runs and reports the probe’s modelled flops', async () => {
    // 128 × 256: haar 256³ + 128·256², rht 128·256·8, eden/tq-mse/mxfp4 30·r·d each, metrics 3·134·r·d.
    const pr = 128 * 256;
    const expected = 256 ** 3 + 128 * 256 * 256 + pr * 8 + 3 * 30 * pr + 3 * 134 * pr;
    const ticks = [0, 40, 100, 150];
    let k = 0;
    const probe = await runProbe(() => ticks[k++]);
    expect(probe).toEqual({ flops: expected, ms: 50 });
    expect(probeConfig(1).pipelines).toHaveLength(3);
  });
});
