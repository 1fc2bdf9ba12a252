/**
 * Distributional tests of the random rotations against the coordinate law of a uniform unit
 * vector in ℝ^d: f(t) ∝ (1 − t²)^((d−3)/2) on [−1, 1], i.e. (t+1)/2 ~ Beta((d−1)/2, (d−1)/2)
 * (ALGORITHMS.md, seed 003). The CDF is computed here by quadrature (independent of
 * src/core/linalg/special.ts) and checked against scipy.stats.beta values in the fixture.
 *
 * KS decision rule: reject at α = 0.001, critical value K⁻¹(0.999)/√n = 1.9495/√n (Kolmogorov's
 * asymptotic law; 0.0436 for n = 2000).
 */
import { describe, it } from 'vitest';
import fixtures from '../../testing/fixtures/transforms.json';
import { createRngFactory } from '../../rng';
import { generateHouseholderRotation, HouseholderApplier } from '../../linalg/householder';
import { ksCriticalValue, ksStatistic } from '../../linalg/stats';
import { expectClose } from '../../testing/expect';
import { withDefaults } from '../params';
import { rhtTransform } from './rht';

/** CDF of one coordinate of a uniform unit vector in ℝ^d (d ≥ 2), by trapezoid quadrature. */
function sphereCoordinateCdfTable(d: number): (t: number) => number {
  const m = 200_000;
  const h = 2 / m;
  const dens = (t: number) => Math.pow(Math.max(1 - t * t, 0), (d - 3) / 2);
  const cum = new Float64Array(m + 1);
  // For d = 2 the density is integrable but infinite at ±1: integrate in θ = arcsin t instead.
  if (d === 2) return (t: number) => 0.5 + Math.asin(Math.max(-1, Math.min(1, t))) / Math.PI;
  let prev = dens(-1);
  for (let i = 1; i <= m; i++) {
    const cur = dens(-1 + i * h);
    cum[i] = cum[i - 1] + ((prev + cur) * h) / 2;
    prev = cur;
  }
  const z = cum[m];
  return (t: number) => {
    if (t <= -1) return 0;
    if (t >= 1) return 1;
    const u = (t + 1) / h;
    const i = Math.min(Math.floor(u), m - 1);
    const f = u - i;
    return (cum[i] * (1 - f) + cum[i + 1] * f) / z;
  };
}

describe('sphere coordinate CDF (test oracle)', () => {
  it('matches scipy.stats.beta((d−1)/2, (d−1)/2).cdf((t+1)/2)', () => {
    for (const { d, t, cdf } of fixtures.sphereCdf) {
      const F = sphereCoordinateCdfTable(d);
      t.forEach((ti, i) => expectClose(F(ti), cdf[i], 1e-8, `F_${d}(${ti})`));
    }
  });
});

describe('Haar rotation: coordinate law (KS, α = 0.001)', () => {
  const n = 2000;
  const crit = ksCriticalValue(0.001, n);
  it(`critical value for n = ${n} is 1.9495/√n ≈ 0.0436`, () => {
    expectClose(crit, 0.04359, 1e-4, 'D crit');
  });
  for (const d of [3, 8, 64]) {
    it(`d = ${d}: first and last coordinates of Q·u (u fixed, not a basis vector) follow the law`, () => {
      const u = new Float32Array(d);
      let nn = 0;
      for (let i = 0; i < d; i++) nn += (i + 1) * (i + 1);
      for (let i = 0; i < d; i++) u[i] = (i + 1) / Math.sqrt(nn);
      const first = new Float64Array(n);
      const last = new Float64Array(n);
      const y = new Float32Array(d);
      for (let seed = 0; seed < n; seed++) {
        const q = generateHouseholderRotation(createRngFactory(seed).stream('rotation', 'haar', d), d);
        new HouseholderApplier(q).forward(u, 1, y);
        first[seed] = y[0];
        last[seed] = y[d - 1];
      }
      const F = d === 3 ? (t: number) => Math.min(1, Math.max(0, (t + 1) / 2)) : sphereCoordinateCdfTable(d);
      const dFirst = ksStatistic(first, F);
      const dLast = ksStatistic(last, F);
      expectClose(dFirst, 0, crit, `KS first coordinate d=${d}`);
      expectClose(dLast, 0, crit, `KS last coordinate d=${d}`);
      // The test has power: without Mezzadri's sign correction (D = I) the same product of
      // reflections is not Haar (Q·e₁ = −sign(x₁)·x/‖x‖ has a negative first coordinate), and the
      // same KS test must reject it. (On a generic u the first coordinate's marginal happens to
      // survive the missing signs, so e₁ is the discriminating input.)
      if (d === 8) {
        const unsigned = new Float64Array(n);
        const e1 = new Float32Array(d);
        e1[0] = 1;
        for (let seed = 0; seed < n; seed++) {
          const q = generateHouseholderRotation(createRngFactory(seed).stream('rotation', 'haar', d), d);
          new HouseholderApplier({ ...q, signs: new Float64Array(d).fill(1) }).forward(e1, 1, y);
          unsigned[seed] = y[0];
        }
        const dBad = ksStatistic(unsigned, F);
        if (!(dBad > crit))
          throw new Error(`unsigned Householder product should be rejected, D=${dBad} ≤ ${crit}`);
      }
    });
  }
});

describe('RHT: one block vs two blocks for x = e₁ at d = 256 (CATALOGUE §1.A.3)', () => {
  it('two-block KS distance to the Haar marginal is far below one-block (≈0.34)', () => {
    const d = 256;
    const draws = 3000;
    const F = sphereCoordinateCdfTable(d);
    const e1 = new Float32Array(d);
    e1[0] = 1;
    const y = new Float32Array(d);
    const ks: number[] = [];
    for (const rounds of [1, 2]) {
      const p = withDefaults(rhtTransform.params, { rounds });
      const coord = new Float64Array(draws);
      for (let seed = 0; seed < draws; seed++) {
        const t = rhtTransform.prepare(p, {
          rng: createRngFactory(seed),
          dim: d,
          data: { rows: 1, cols: d, data: e1 },
        });
        t.forward(e1, 1, y);
        coord[seed] = y[3];
      }
      ks.push(ksStatistic(coord, F));
    }
    // One block: ±1/16 with probability ½ each; the Haar CDF at 1/16 is ≈ 0.84, so D ≈ 0.34.
    expectClose(ks[0], 0.34, 0.03, 'one-block KS');
    // Two blocks: ≈ 0.027 with 20k draws (CATALOGUE); with 3000 draws add the KS noise (0.0355 at
    // α = 0.001). Bound 0.07: five times smaller than one block.
    if (!(ks[1] < 0.07)) throw new Error(`two-block KS ${ks[1]} ≥ 0.07 (one-block ${ks[0]})`);
    if (!(ks[1] > 0.005)) throw new Error(`two-block KS ${ks[1]} implausibly small: the law is a lattice`);
  });
});
