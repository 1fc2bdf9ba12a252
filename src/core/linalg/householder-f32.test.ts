/**
 * The float32 dense-products mode of Householder rotations (numerics.denseProducts = 'float32',
 * CONTRACT.md §5.2; householder.ts reflectRowsF32 and the WASM kernel householder_tiled_f32)
 * against independent references and derived bounds.
 *
 *  - numpy (fixtures/gen_householder_f32.py) states the mode's definition in numpy float32
 *    arithmetic: both paths must give its bits; the exact product Q·x (float64, dense Q) bounds
 *    the error.
 *  - Error bound, derived for one reflection H = I − βvvᵀ on a row w with m active coordinates
 *    (u = 2⁻²⁴, first order in u): the float32 dot product ŝ of v and w is within γ_m·‖v‖‖w‖ ≈
 *    m·u·‖v‖‖w‖ of the exact one (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed.,
 *    §3.1); with β‖v‖² = 2 that moves t·v by ≤ 2m·u·‖w‖. β rounded to float32 (2u·‖w‖ on t·v),
 *    t = β·ŝ rounded (2u·‖w‖), each product t·v_i (≤ u·|t|‖v‖ ≤ 2u·‖w‖) and each difference
 *    (≤ u·‖w − tv‖ ≤ 3u·‖w‖) add 9u·‖w‖: ‖fl(Hw) − Hw‖ ≤ (2m + 9)·u·‖w‖. The exact H are
 *    orthogonal, so errors neither grow nor shrink along the product, and for a full rotation
 *    (m = d − k, k = 0 … d − 2) ‖ŷ − Qx‖/‖x‖ ≤ u·Σ(2(d − k) + 9) = (d² + 10d − 11)·u (skipped
 *    reflectors add nothing). That bound assumes every error aligned; the errors of separate
 *    operations behave as independent and mean-zero (Higham & Mary, "A new approach to
 *    probabilistic rounding error analysis", SIAM J. Sci. Comput. 41(5), 2019), so the d − 1
 *    reflections' errors, each O(u)·‖x‖ in unrelated directions, add in quadrature: ≈ c·√d·u.
 *    Checked with c = 4 on fixed seeds (measured c = 0.6–1.2 for d = 16 … 4096).
 *  - vNMSE of haar → turboquant-mse (transformed metric domain): with y' = y + δ, ‖δ‖ ≤ ρ‖y‖,
 *    turboquant-mse's error e = dist(y, ‖y‖·L^d) (L its levels) moves by ≤ ‖δ‖ + ρ·‖ŷ‖ ≤
 *    ρ‖y‖(2 + a), a = e/‖y‖; so a moves by ≤ ρ(2 + 2a) to first order and a² (the row's vNMSE)
 *    by ≤ 4ρ·a(1 + a). Averaged over rows (mean a ≤ √vnmse): |Δvnmse| ≤ 4ρ_max·(√vnmse + vnmse).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateHouseholderRotation, HouseholderApplier, type HouseholderRotation } from './householder';
import { createRngFactory } from '../rng';
import { resetWasmHits, setWasmEnabled, wasmHits } from '../wasm/kernels';
import { runExperiment, type ExperimentSpec } from '../pipeline';
import type { DenseProducts } from '../methods/types';
import { pcaTransform } from '../methods/transforms/pca';
import fixtures from '../testing/fixtures/householder_f32.json';

const U = 2 ** -24;

afterEach(() => setWasmEnabled(true));

/** max over rows of ‖a_r − b_r‖ / ‖x_r‖. */
function worstRelative(a: ArrayLike<number>, b: ArrayLike<number>, x: ArrayLike<number>, d: number): number {
  let worst = 0;
  for (let r = 0; r * d < x.length; r++) {
    let e = 0;
    let n = 0;
    for (let i = r * d; i < (r + 1) * d; i++) {
      e += (a[i] - b[i]) ** 2;
      n += x[i] ** 2;
    }
    worst = Math.max(worst, Math.sqrt(e / n));
  }
  return worst;
}

/** The worst-case bound above, plus 1% for the second-order terms. */
function worstCaseBound(d: number): number {
  return 1.01 * (d * d + 10 * d - 11) * U;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

describe('float32 Householder products (numerics.denseProducts)', () => {
  it('equal numpy’s float32 statement of the definition bit for bit, on TypeScript and WASM', () => {
    for (const c of fixtures.cases) {
      const { d, rows } = c;
      const q: HouseholderRotation = {
        d,
        vectors: Float32Array.from(c.vectors),
        betas: Float64Array.from(c.betas),
        signs: Float64Array.from(c.signs),
      };
      const x = Float32Array.from(c.x);
      for (const wasm of [false, true]) {
        setWasmEnabled(wasm);
        resetWasmHits();
        const applier = new HouseholderApplier(q, 'float32');
        const y = new Float32Array(rows * d);
        const z = new Float32Array(rows * d);
        applier.forward(x, rows, y);
        applier.transpose(x, rows, z);
        expect(wasmHits('householder-f32'), `wasm ${wasm}`).toBe(wasm ? 2 : 0);
        expect(sameBits(y, Float32Array.from(c.forward32)), `forward d=${d} wasm ${wasm}`).toBe(true);
        expect(sameBits(z, Float32Array.from(c.transpose32)), `transpose d=${d} wasm ${wasm}`).toBe(true);
        expect(worstRelative(y, c.forwardExact, x, d)).toBeLessThanOrEqual(worstCaseBound(d));
        expect(worstRelative(y, c.forwardExact, x, d)).toBeLessThanOrEqual(4 * Math.sqrt(d) * U);
        expect(worstRelative(z, c.transposeExact, x, d)).toBeLessThanOrEqual(4 * Math.sqrt(d) * U);
      }
      // The float64 mode: exact to its float32 output rounding (u per coordinate).
      const y64 = new Float32Array(rows * d);
      new HouseholderApplier(q).forward(x, rows, y64);
      expect(worstRelative(y64, c.forwardExact, x, d)).toBeLessThanOrEqual(1.01 * U);
    }
  });

  it('stay within the derived bounds of the float64 mode: forward and QᵀQx − x, d = 16 … 1024', () => {
    for (const d of [16, 63, 256, 1024]) {
      const q = generateHouseholderRotation(createRngFactory(d).stream('rotation', 'haar', d), d);
      const rows = 16;
      const x = new Float32Array(rows * d);
      createRngFactory(d + 1)
        .stream('data', 'householder-f32', d)
        .fillNormal(x);
      const y64 = new Float32Array(rows * d);
      const y32 = new Float32Array(rows * d);
      const back = new Float32Array(rows * d);
      new HouseholderApplier(q).forward(x, rows, y64);
      const f32 = new HouseholderApplier(q, 'float32');
      f32.forward(x, rows, y32);
      f32.transpose(y32, rows, back);
      // y64 itself is within u of Qx (its output rounding), hence the + U.
      const forward = worstRelative(y32, y64, x, d);
      expect(forward, `d=${d}`).toBeLessThanOrEqual(worstCaseBound(d) + U);
      expect(forward, `d=${d}`).toBeLessThanOrEqual(4 * Math.sqrt(d) * U + U);
      // Forward then transpose: two products' errors.
      const orth = worstRelative(back, x, x, d);
      expect(orth, `d=${d}`).toBeLessThanOrEqual(2 * worstCaseBound(d));
      expect(orth, `d=${d}`).toBeLessThanOrEqual(2 * 4 * Math.sqrt(d) * U);
      // Not the float64 numbers: the float32 arithmetic really ran.
      expect(forward).toBeGreaterThan(0);
    }
  });

  it('pca’s Householder basis (Gram path, rows < dim) follows the mode within the same bound', () => {
    const rows = 24;
    const dim = 96;
    const data = new Float32Array(rows * dim);
    createRngFactory(5).stream('data', 'pca-f32', dim).fillNormal(data);
    const matrix = { rows, cols: dim, data };
    const prep = (denseProducts: DenseProducts) =>
      pcaTransform.prepare({}, { rng: createRngFactory(1), dim, data: matrix, denseProducts });
    const y64 = new Float32Array(rows * dim);
    const y32 = new Float32Array(rows * dim);
    prep('float64').forward(data, rows, y64);
    prep('float32').forward(data, rows, y32);
    const err = worstRelative(y32, y64, data, dim);
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThanOrEqual(4 * Math.sqrt(dim) * U + U);
  });

  it('move haar → turboquant-mse’s vNMSE (transformed domain) within 4ρ(√v + v)', () => {
    const rows = 64;
    const dim = 256;
    const data = new Float32Array(rows * dim);
    createRngFactory(9).stream('data', 'vnmse-f32', dim).fillNormal(data);
    const x = { rows, cols: dim, data };
    const spec: ExperimentSpec = {
      seed: 4,
      pipelines: [
        {
          transforms: [{ id: 'haar', params: {} }],
          quantizer: { id: 'turboquant-mse', params: { bits: 2 } },
        },
      ],
    };
    const run = (denseProducts: DenseProducts) => {
      let y = new Float32Array(0);
      const [r] = runExperiment(spec, x, {
        metricDomain: 'transformed',
        denseProducts,
        collect: (b) => {
          y = b.y.slice();
        },
      });
      return { vnmse: r.metrics.vnmse, y };
    };
    const a = run('float64');
    const b = run('float32');
    const rho = worstRelative(b.y, a.y, a.y, dim);
    expect(rho).toBeGreaterThan(0);
    const v = a.vnmse;
    const bound = 1.01 * 4 * rho * (Math.sqrt(v) + v);
    expect(Math.abs(b.vnmse - v)).toBeLessThanOrEqual(bound);
  });
});
