/**
 * Estimate and ETA arithmetic against closed forms worked by hand (run-estimate.ts header):
 * rate = flops / s clamped, a pool's time = largest part / rate, the blended ETA
 * (1 − w)·max(0, prior − elapsed) + w·elapsed·(total − done)/done with w = done/total, and the
 * rounding of seconds into words.
 */
import { describe, expect, it } from 'vitest';
import {
  dominantComponent,
  etaSeconds,
  MAX_RATE,
  MIN_RATE,
  parallelSeconds,
  rateFromProbe,
  rateFromProbes,
  secondsInWords,
} from './run-estimate';
import { runCost } from './cost';

describe('calibration', () => {
  it('rate = modelled flops over measured seconds, clamped to plausible bounds', () => {
    expect(rateFromProbe(1e9, 500)).toBe(2e9);
    expect(rateFromProbe(3e7, 30)).toBe(1e9);
    expect(rateFromProbe(1e3, 1000)).toBe(MIN_RATE);
    expect(rateFromProbe(1e15, 1)).toBe(MAX_RATE);
    expect(rateFromProbe(1e9, 0)).toBeNull();
    expect(rateFromProbe(0, 10)).toBeNull();
    expect(rateFromProbe(1e9, Number.NaN)).toBeNull();
  });

  it('two probes: the slope of t = t0 + flops/rate, so fixed costs do not count', () => {
    // t0 = 20 ms, rate 1e9: 1e7 flops → 30 ms, 5e7 flops → 70 ms; slope 4e7 / 40 ms = 1e9.
    expect(rateFromProbes({ flops: 1e7, ms: 30 }, { flops: 5e7, ms: 70 })).toBe(1e9);
    // One probe alone would say 5e7 / 70 ms ≈ 7.1e8.
    expect(rateFromProbe(5e7, 70)).toBeCloseTo(5e7 / 0.07, 3);
    // Noise (the larger probe no slower): the larger probe alone.
    expect(rateFromProbes({ flops: 1e7, ms: 80 }, { flops: 5e7, ms: 50 })).toBe(1e9);
    expect(rateFromProbes({ flops: 5e7, ms: 10 }, { flops: 5e7, ms: 50 })).toBe(1e9);
  });

  it('a pooled run takes as long as its largest part', () => {
    expect(parallelSeconds([2e9, 5e9, 1e9], 1e9)).toBe(5);
    expect(parallelSeconds([3e8], 6e8)).toBe(0.5);
    expect(parallelSeconds([], 1e9)).toBe(0);
  });
});

describe('dominant component', () => {
  it('the item with the most work, its share of the total', () => {
    const c = dominantComponent({
      flops: 1000,
      items: [
        { what: 'data', bytes: 1, flops: 0 },
        { what: 'pipelines[0].transform (haar)', bytes: 0, flops: 600 },
        { what: 'pipelines[0].quantizer (int)', bytes: 0, flops: 100 },
      ],
    });
    expect(c?.what).toBe('pipelines[0].transform (haar)');
    expect(c?.share).toBe(0.6);
    expect(dominantComponent({ flops: 0, items: [] })).toBeNull();
  });

  it('metrics count as one component: identity → int spends 134 of 164 flops per coordinate there', () => {
    // cost.ts: int 30·rows·dim, metrics (6 + 128)·rows·dim per pipeline.
    const c = dominantComponent(
      runCost(256, 1024, [{ transforms: [], quantizer: { id: 'int', params: {} }, dims: [1024] }]),
    );
    expect(c?.what).toMatch(/^metrics/);
    expect(c?.flops).toBe(134 * 256 * 1024);
    expect(c?.share).toBeCloseTo(134 / 164, 12);
  });
});

describe('ETA', () => {
  it('extrapolates the rate of done units: elapsed·(total − done)/done', () => {
    expect(etaSeconds(5, 10, 5)).toBe(5);
    expect(etaSeconds(2, 8, 4)).toBe(12);
    expect(etaSeconds(10, 10, 7)).toBe(0);
    expect(etaSeconds(12, 10, 7)).toBe(0); // done clamped to total
  });

  it('before the first unit: the prior minus elapsed, or unknown', () => {
    expect(etaSeconds(0, 10, 5)).toBeNull();
    expect(etaSeconds(0, 10, 5, 20)).toBe(15);
    expect(etaSeconds(0, 10, 25, 20)).toBe(0);
  });

  it('blends prior and extrapolation by the fraction done', () => {
    // w = 1/2: ½·(20 − 5) + ½·5·5/5 = 10.
    expect(etaSeconds(5, 10, 5, 20)).toBe(10);
    // w = 1/4: ¾·(40 − 10) + ¼·10·3 = 22.5 + 7.5 = 30.
    expect(etaSeconds(1, 4, 10, 40)).toBe(30);
    // Finished: the extrapolation (0) has all the weight.
    expect(etaSeconds(4, 4, 10, 40)).toBe(0);
  });
});

describe('seconds in words', () => {
  it('rounds to what an estimate can promise', () => {
    expect(secondsInWords(0.4)).toBe('under a second');
    expect(secondsInWords(1)).toBe('about 1 second');
    expect(secondsInWords(3.4)).toBe('about 3 seconds');
    expect(secondsInWords(59.4)).toBe('about 59 seconds');
    expect(secondsInWords(59.6)).toBe('about 1 minute');
    expect(secondsInWords(150)).toBe('about 3 minutes');
    expect(secondsInWords(3600)).toBe('about 1 hour');
    expect(secondsInWords(3900)).toBe('about 1 hour 5 minutes');
    expect(secondsInWords(7260)).toBe('about 2 hours 1 minute');
    expect(secondsInWords(Number.POSITIVE_INFINITY)).toBe('an unknown time');
  });
});
