/**
 * The teaching worker's API in-process: the step-through's point and grid, the quantizer's
 * sub-steps of a traced row, the Python export and the worker's theory caches. References are
 * closed forms: the 4-level Lloyd–Max quantizer of the uniform law (the sphere coordinate law at
 * d = 3, Archimedes) has levels ±1/4, ±3/4 of the half-width (Max 1960: the uniform quantizer is
 * optimal for the uniform density), and EDEN's 1-bit MSE reconstruction is sign(y)·mean|y| (the
 * scale ⟨y,q⟩/‖q‖² with q = c·sign(y) cancels the level c, ICML 2022 §3). Counting the solver runs
 * (lloydMaxSolveCount) shows a repeated request is answered from the worker's caches.
 */
import { describe, expect, it } from 'vitest';
import { restoreConfig } from '../core/config/schema';
import { generateData } from '../core/data-loader';
import { lloydMaxSolveCount } from '../core/linalg/lloydmax';
import { teachApi } from './teach-api';

describe('teachApi.point', () => {
  it('TurboQuant_mse, b = 2 at d = 3: ŷ = ‖y‖ · the uniform law’s levels ±1/4, ±3/4', () => {
    const y = [1.2, 0.5, 0.9];
    const r = teachApi.point({ id: 'turboquant-mse', params: { bits: 2 } }, 7, y);
    const f = Float32Array.from(y);
    const n = Math.hypot(f[0], f[1], f[2]);
    const expected = [0.75, 0.25, 0.75].map((c) => n * c);
    r.yHat.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-6));
    expect(r.grid?.kind).toBe('sphere');
    const levels = [-0.75, -0.25, 0.25, 0.75].map((c) => n * c);
    r.grid!.levels.forEach((v, i) => expect(v).toBeCloseTo(levels[i], 6));
    r.grid!.thresholds.forEach((v, i) => expect(v).toBeCloseTo([-0.5, 0, 0.5][i] * n, 6));
  });

  it('EDEN, b = 1, MSE scale: ŷ = sign(y) · mean |y|', () => {
    const r = teachApi.point({ id: 'eden', params: { bits: 1, scale: 'mse' } }, 3, [1.3, -0.45]);
    const m = (Math.fround(1.3) + Math.fround(0.45)) / 2;
    expect(r.yHat[0]).toBeCloseTo(m, 6);
    expect(r.yHat[1]).toBeCloseTo(-m, 6);
  });

  it('an unknown quantizer is refused by name', () => {
    expect(() => teachApi.point({ id: 'nope', params: {} }, 1, [1, 2])).toThrow(/unknown id "nope"/);
  });

  it('solves each codebook once per worker: a repeated point does not solve again', () => {
    const q = { id: 'turboquant-mse', params: { bits: 5 } };
    const before = lloydMaxSolveCount();
    teachApi.point(q, 1, [0.3, -1.1, 0.2, 0.9, 0.05, -0.4, 1.7]);
    expect(lloydMaxSolveCount()).toBe(before + 1); // the sphere law at d = 7, b = 5
    teachApi.point(q, 1, [-0.8, 0.1, 0.6, 0.2, 1.4, -0.3, 0.7]);
    expect(lloydMaxSolveCount()).toBe(before + 1);
  });
});

describe('teachApi.lloyd', () => {
  it('keeps the sweeps: the same request again iterates nothing', () => {
    const before = lloydMaxSolveCount();
    const a = teachApi.lloyd('sphere', 3, 9, 12);
    expect(lloydMaxSolveCount()).toBe(before + 2); // the sweeps and the Newton fixed point
    const b = teachApi.lloyd('sphere', 3, 9, 12);
    expect(lloydMaxSolveCount()).toBe(before + 2);
    expect(b.states).toHaveLength(13);
    expect(b.final.distortion).toBe(a.final.distortion);
  });
});

describe('teachApi.trace detail', () => {
  it('TurboQuant_mse: the sub-steps normalise by ‖y‖ and end at the kernel’s output row', async () => {
    const config = restoreConfig({
      v: 2,
      seed: 5,
      data: { source: 'gaussian', rows: 6, dim: 16 },
      pipelines: [{ transforms: [], quantizer: { id: 'turboquant-mse', params: { bits: 2 } } }],
    });
    const r = await teachApi.trace(config, 0, 4);
    const { source, ...params } = config.data;
    const x = generateData(source, params, config.seed);
    const row = x.data.subarray(4 * 16, 5 * 16);
    let n2 = 0;
    for (const v of row) n2 += v * v;
    expect(r.detail.map((d) => d.label)).toEqual(['normalise', 'codebook assignment', 'scale']);
    expect(r.detail[0].scalar!.value).toBeCloseTo(Math.sqrt(n2), 12);
    const q = r.trace.stages.find((s) => s.kind === 'quantize')!.values;
    expect(Array.from(r.detail[2].values)).toEqual(Array.from(q));
  });

  it('a quantizer without sub-steps (MXFP4) has none', async () => {
    const config = restoreConfig({
      v: 2,
      seed: 5,
      data: { source: 'gaussian', rows: 2, dim: 32 },
      pipelines: [{ transforms: [], quantizer: { id: 'mxfp4', params: {} } }],
    });
    expect((await teachApi.trace(config, 0, 0)).detail).toEqual([]);
  });
});

describe('teachApi.python', () => {
  it('EDEN b = 1: the script’s codebook is ±√(2/π) in float32 (the 1-bit Gaussian Lloyd–Max)', () => {
    const config = restoreConfig({
      v: 2,
      seed: 3,
      data: { source: 'gaussian', rows: 4, dim: 8 },
      pipelines: [
        { transforms: [{ id: 'wht', params: {} }], quantizer: { id: 'eden', params: { bits: 1 } } },
      ],
    });
    const { script, files } = teachApi.python(config, 0);
    expect(files.size).toBe(0); // 4 × 8 is inlined
    const levels = /LEVELS = np\.array\(\[([^\]]*)\]\)/.exec(script)![1].split(', ').map(Number);
    const c = Math.fround(Math.sqrt(2 / Math.PI));
    expect(levels).toEqual([-c, c]);
  });

  it('file data is refused with the reason', () => {
    const config = restoreConfig({
      v: 2,
      seed: 3,
      data: { source: 'file', path: 'w.npy' },
      pipelines: [{ transforms: [], quantizer: { id: 'eden', params: { bits: 1 } } }],
    });
    expect(() => teachApi.python(config, 0)).toThrow(/file data/);
  });
});
