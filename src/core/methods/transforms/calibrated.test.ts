/**
 * The calibrated transforms (smoothquant, klt, flatquant) against
 *  - numpy references (testing/fixtures/gen_calibrated.py → calibrated.json): SmoothQuant's s_j
 *    for several α, and the KLT·H matrix applied to probe vectors;
 *  - the laws they must keep: inverse ∘ forward = identity, dual(X)·forward(W)ᵀ = X·Wᵀ
 *    (the layer's product), orthogonality of KLT·H;
 *  - FlatQuant's fit: its proxy loss never above the identity's, and well below it on outlier
 *    channels; stored-basis bits by hand; identity with a note without calibration.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matmulT, relativeError } from '../../analyses/layer-common';
import { createRngFactory } from '../../rng';
import { withDefaults } from '../params';
import type { Matrix } from '../types';
import { FLATQUANT_NOTE, fitFlatQuant, flatquantTransform, invertMatrix, kroneckerShape } from './flatquant';
import { kltTransform } from './klt';
import { SMOOTHQUANT_NOTE, smoothQuantScales, smoothquantTransform } from './smoothquant';

interface Fixture {
  smoothquant: {
    tokens: number;
    rows: number;
    d: number;
    x: number[];
    w: number[];
    cases: { alpha: number; s: number[] }[];
  };
  klt: { rows: number; d: number; n: number; data: number[]; probes: number[]; y: number[] };
}
const fx = JSON.parse(
  readFileSync(new URL('../../testing/fixtures/calibrated.json', import.meta.url), 'utf8'),
) as Fixture;
const rng = createRngFactory(3);

function mat(rows: number, cols: number, data: ArrayLike<number>): Matrix {
  return { rows, cols, data: Float32Array.from(data) };
}

function apply(f: (i: Float32Array, r: number, o: Float32Array) => void, m: Matrix, outCols: number): Matrix {
  const out = new Float32Array(m.rows * outCols);
  f(m.data, m.rows, out);
  return { rows: m.rows, cols: outCols, data: out };
}

function randomMatrix(rows: number, cols: number, key: string, outliers: number[] = [], scale = 1): Matrix {
  const data = new Float32Array(rows * cols);
  createRngFactory(11).stream('data', key, rows, cols).fillNormal(data);
  for (let r = 0; r < rows; r++) for (const c of outliers) data[r * cols + c] *= scale;
  return { rows, cols, data };
}

describe('smoothquant', () => {
  const { tokens, rows, d } = fx.smoothquant;
  const x = mat(tokens, d, fx.smoothquant.x);
  const w = mat(rows, d, fx.smoothquant.w);
  it.each(fx.smoothquant.cases.map((c) => [c.alpha, c] as const))('s_j at α = %s match numpy', (_a, c) => {
    const s = smoothQuantScales(x, w, c.alpha);
    for (let j = 0; j < d; j++) expect(Math.abs(s[j] - c.s[j])).toBeLessThanOrEqual(1e-12 * Math.abs(c.s[j]));
    expect(s[5]).toBe(1); // all-zero activation channel
  });

  it('keeps the product (dual on X, forward on W) and inverts', () => {
    const t = smoothquantTransform.prepare(withDefaults(smoothquantTransform.params), {
      rng,
      dim: d,
      data: w,
      calibration: x,
    });
    const dualFn = t.dual;
    if (!dualFn) throw new Error('smoothquant must define dual');
    const xs = apply(dualFn, x, d);
    const ws = apply(t.forward, w, d);
    expect(relativeError(matmulT(x, w), matmulT(xs, ws))).toBeLessThan(1e-6);
    const back = apply(t.inverse, ws, d);
    for (let i = 0; i < w.data.length; i++) expect(back.data[i]).toBeCloseTo(w.data[i], 6);
  });

  it('without calibration activations: the identity, with a note saying so', () => {
    const t = smoothquantTransform.prepare(withDefaults(smoothquantTransform.params), {
      rng,
      dim: d,
      data: w,
    });
    expect(t.note).toBe(SMOOTHQUANT_NOTE);
    expect(Array.from(apply(t.forward, w, d).data)).toEqual(Array.from(w.data));
  });
});

describe('klt (KLT·H)', () => {
  const { rows, d, n } = fx.klt;
  const data = mat(rows, d, fx.klt.data);
  const t = kltTransform.prepare(withDefaults(kltTransform.params), { rng, dim: d, data });
  it('matches numpy’s H·Kᵀ on probe vectors and pads to a power of two', () => {
    expect(t.outDim).toBe(n);
    const y = apply(t.forward.bind(t), mat(3, d, fx.klt.probes), n);
    for (let i = 0; i < y.data.length; i++) expect(Math.abs(y.data[i] - fx.klt.y[i])).toBeLessThan(1e-5);
  });
  it('is orthogonal: inverse ∘ forward = identity, norms kept', () => {
    const y = apply(t.forward.bind(t), data, n);
    const back = apply(t.inverse.bind(t), y, d);
    expect(relativeError(data.data, back.data)).toBeLessThan(1e-6);
    let nx = 0;
    let ny = 0;
    for (const v of data.data) nx += v * v;
    for (const v of y.data) ny += v * v;
    expect(Math.abs(ny / nx - 1)).toBeLessThan(1e-6);
  });
  it('charges d²·16 bits only for a stored basis', () => {
    const stored = withDefaults(kltTransform.params, { basis: 'stored' });
    expect(kltTransform.sideInfoBits?.(stored, 256, 512)).toBe(512 * 512 * 16);
    expect(kltTransform.sideInfoBits?.(withDefaults(kltTransform.params), 256, 512)).toBe(0);
  });
});

describe('flatquant', () => {
  it('Kronecker shapes and the Gauss–Jordan inverse', () => {
    expect(kroneckerShape(512)).toEqual([16, 32]);
    expect(kroneckerShape(48)).toEqual([6, 8]);
    expect(kroneckerShape(13)).toEqual([1, 13]);
    const a = Float64Array.from([2, 1, 0, 1, 3, 1, 0, 1, 4]);
    const inv = invertMatrix(a, 3);
    if (!inv) throw new Error('invertible');
    // A·A⁻¹ = I.
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += a[i * 3 + k] * inv[k * 3 + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    expect(invertMatrix(Float64Array.from([1, 2, 2, 4]), 2)).toBeNull();
  });

  const d = 48;
  const w = randomMatrix(32, d, 'w');
  const x = randomMatrix(96, d, 'x', [3, 30], 25);

  it('fits below the identity’s proxy loss on outlier channels (fixed iterations, no randomness)', () => {
    const fit = fitFlatQuant(w, x, 4, 50, 0.05);
    // Measured (the defaults: 50 Adam steps, lr 0.05): identity 0.0352 → 0.0166.
    expect(fit.loss).toBeLessThan(0.6 * fit.lossIdentity);
    const again = fitFlatQuant(w, x, 4, 50, 0.05);
    expect(Array.from(again.p1)).toEqual(Array.from(fit.p1));
  });

  it('keeps the product and inverts; stored factors cost 16·(n₁² + n₂²) bits', () => {
    const p = withDefaults(flatquantTransform.params, { iterations: 20 });
    const t = flatquantTransform.prepare(p, { rng, dim: d, data: w, calibration: x });
    const dualFn = t.dual;
    if (!dualFn) throw new Error('flatquant must define dual');
    const xs = apply(dualFn, x, d);
    const ws = apply(t.forward, w, d);
    expect(relativeError(matmulT(x, w), matmulT(xs, ws))).toBeLessThan(1e-5);
    const back = apply(t.inverse, ws, d);
    expect(relativeError(w.data, back.data)).toBeLessThan(1e-5);
    const stored = withDefaults(flatquantTransform.params, { basis: 'stored' });
    expect(flatquantTransform.sideInfoBits?.(stored, 32, d)).toBe(16 * (36 + 64));
    expect(flatquantTransform.sideInfoBits?.(p, 32, d)).toBe(0);
  });

  it('without calibration activations: the identity, with a note saying so', () => {
    const t = flatquantTransform.prepare(withDefaults(flatquantTransform.params), { rng, dim: d, data: w });
    expect(t.note).toBe(FLATQUANT_NOTE);
    expect(Array.from(apply(t.forward, w, d).data)).toEqual(Array.from(w.data));
  });
});
