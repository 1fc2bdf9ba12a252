/**
 * Layer and attention analyses: QuaRot invariance of XWᵀ checked with a naive product written
 * here, SmoothQuant's α = 0 identity on unit-column-max weights, attention KL = 0 / overlap = 1
 * without quantization, and the analysis outputs' shapes.
 */
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../rng';
import { withDefaults } from '../methods/params';
import { transformsById } from '../methods';
import type { Matrix } from '../methods/types';
import type { PipelineSpec } from '../pipeline';
import { generateActivations, prepareTransform, rotate } from './layer-common';
import { evaluateLayer, layerAnalysis, scaleColumns, smoothQuantScales, type LayerResult } from './layer';
import { attentionAnalysis, attentionDivergence, logSoftmaxRows, type AttentionResult } from './attention';

const rng = createRngFactory(9);

function naiveXWt(x: Matrix, w: Matrix): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.rows; i++)
    for (let j = 0; j < w.rows; j++) {
      let s = 0;
      for (let t = 0; t < x.cols; t++) s += x.data[i * x.cols + t] * w.data[j * w.cols + t];
      out.push(s);
    }
  return out;
}

function relErr(a: number[], b: number[]): number {
  let n = 0;
  let d = 0;
  a.forEach((v, i) => {
    n += (v - b[i]) ** 2;
    d += v * v;
  });
  return Math.sqrt(n / d);
}

function pipe(
  t: string,
  q: string,
  tp: Record<string, number | string> = {},
  qp: Record<string, number | string | boolean> = {},
): PipelineSpec {
  const tDef = transformsById.get(t);
  if (!tDef) throw new Error(t);
  return {
    transforms: [{ id: t, params: withDefaults(tDef.params, tp) }],
    quantizer: { id: q, params: qp },
  };
}

const x = generateActivations(rng, 'outlier-channels', 48, 40, 4, 20, 'test');
const w: Matrix = { rows: 24, cols: 40, data: new Float32Array(24 * 40) };
rng.stream('data', 'w').fillNormal(w.data);

describe('QuaRot invariance: the same rotation on both sides leaves XWᵀ unchanged', () => {
  const y = naiveXWt(x, w);
  for (const [t, params] of [
    ['haar', {}],
    ['rht', { rounds: 2 }],
    ['block-hadamard', { block: 16 }],
    ['dct', {}],
    ['pca', {}],
    ['duquant', { variant: 'duquant' }],
  ] as const) {
    it(`${t} (dim 40, padded where the transform pads)`, () => {
      const prepared = prepareTransform(pipe(t, 'int', params), rng, x);
      const yr = naiveXWt(rotate(prepared, x), rotate(prepared, w));
      expect(relErr(y, yr)).toBeLessThan(1e-5);
    });
  }
});

describe('SmoothQuant', () => {
  it('α = 0 on a weight whose column maxima are 1 gives s = 1: identical to no smoothing', () => {
    const wu: Matrix = { rows: w.rows, cols: w.cols, data: Float32Array.from(w.data) };
    for (let j = 0; j < wu.cols; j++) {
      let m = 0;
      for (let i = 0; i < wu.rows; i++) m = Math.max(m, Math.abs(wu.data[i * wu.cols + j]));
      for (let i = 0; i < wu.rows; i++) wu.data[i * wu.cols + j] /= m;
    }
    const s = smoothQuantScales(x, wu, 0);
    for (const v of s) expect(v).toBeCloseTo(1, 6);
    const y = Float64Array.from(naiveXWt(x, wu));
    const q = pipe(
      'identity',
      'int',
      {},
      { bits: 4, granularity: 'row', group: 128, symmetric: true, rounding: 'nearest' },
    );
    const opts = { activationQuantizer: 'same', fitOn: 'activations', full: true } as const;
    const plain = evaluateLayer(q, x, wu, y, rng, opts);
    const smoothed = evaluateLayer(q, scaleColumns(x, s, -1), scaleColumns(wu, s, 1), y, rng, opts);
    expect(smoothed.both).toBeCloseTo(plain.both, 5);
    expect(smoothed.weightOnly).toBeCloseTo(plain.weightOnly, 5);
  });

  it('any α keeps (X·diag(s)⁻¹)(W·diag(s))ᵀ = XWᵀ', () => {
    const s = smoothQuantScales(x, w, 0.7);
    expect(relErr(naiveXWt(x, w), naiveXWt(scaleColumns(x, s, -1), scaleColumns(w, s, 1)))).toBeLessThan(
      1e-6,
    );
  });
});

describe('layer analysis', () => {
  it('reports W-only, A-only and both errors, invariance ≈ 0 and an α sweep; 8-bit beats 4-bit', () => {
    const int = (bits: number) => ({
      bits,
      granularity: 'row',
      group: 128,
      symmetric: true,
      rounding: 'nearest',
    });
    const r = layerAnalysis.run({
      seed: 1,
      rng,
      data: w,
      pipelines: [pipe('rht', 'int', { rounds: 1 }, int(4)), pipe('rht', 'int', { rounds: 1 }, int(8))],
      params: withDefaults(layerAnalysis.params, { tokens: 32, sweep: 3 }),
    }) as LayerResult;
    expect(r.pipelines).toHaveLength(2);
    for (const p of r.pipelines) expect(p.invariance).toBeLessThan(1e-5);
    expect(r.pipelines[1].both).toBeLessThan(r.pipelines[0].both);
    expect(r.sweep.alphas).toEqual([0, 0.5, 1]);
    expect(r.sweep.both[0]).toHaveLength(3);
    expect(r.patterns.activations.pattern).toBe('column-wise');
  });
});

describe('attention', () => {
  it('KL = 0 and top-k overlap = 1 when the keys are not quantized', () => {
    const n = 5;
    const m = 30;
    const logits = new Float64Array(n * m);
    rng.stream('data', 'logits').fillNormal(logits);
    const lp = logSoftmaxRows(logits, n, m, 0.5);
    expect(attentionDivergence(lp, lp, n, m, 4)).toEqual({ kl: 0, overlap: 1 });
    let total = 0;
    for (let j = 0; j < m; j++) total += Math.exp(lp[j]);
    expect(total).toBeCloseTo(1, 12);
  });

  it('KL(p‖q) by hand for two-point distributions', () => {
    const lp = Float64Array.from([Math.log(0.75), Math.log(0.25)]);
    const lq = Float64Array.from([Math.log(0.5), Math.log(0.5)]);
    const expected = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
    expect(attentionDivergence(lp, lq, 1, 2, 1).kl).toBeCloseTo(expected, 14);
  });

  it('KIVI keys/values and 8-bit vs 2-bit: KL ≥ 0, more bits less divergence', () => {
    const keys: Matrix = generateActivations(rng, 'outlier-channels', 96, 32, 2, 10, 'keys');
    const kivi = (bits: number) =>
      pipe('identity', 'kivi', {}, { mode: 'keys', bits, group: 32, residual: 32, rounding: 'nearest' });
    const r = attentionAnalysis.run({
      seed: 1,
      rng,
      data: keys,
      pipelines: [kivi(2), kivi(8)],
      params: withDefaults(attentionAnalysis.params, { queries: 8 }),
    }) as AttentionResult;
    expect(r.pipelines[0].kl).toBeGreaterThan(r.pipelines[1].kl);
    expect(r.pipelines[1].kl).toBeGreaterThanOrEqual(0);
    expect(r.pipelines[1].topkOverlap).toBeGreaterThan(0.9);
    expect(r.pipelines[0].bitsKey).toBeCloseTo((64 * 32 * 2 + 32 * 32 * 2 + 32 * 32 * 16) / (96 * 32), 12);
  });
});
