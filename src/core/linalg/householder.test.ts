import { describe, it } from 'vitest';
import { createRngFactory } from '../rng';
import { expectClose } from '../testing/expect';
import {
  clearHouseholderCache,
  generateHouseholderRotation,
  HouseholderApplier,
  householderCacheSize,
  householderRotation,
  type HouseholderRotation,
} from './householder';

/** Dense Q (row-major) by applying the rotation to the identity rows: row i = Q e_i = column i. */
function denseColumns(q: HouseholderRotation): Float32Array {
  const d = q.d;
  const eye = new Float32Array(d * d);
  for (let i = 0; i < d; i++) eye[i * d + i] = 1;
  const cols = new Float32Array(d * d);
  new HouseholderApplier(q).forward(eye, d, cols);
  return cols;
}

describe('Householder (Stewart) rotation', () => {
  it('is orthogonal: QᵀQ = I and Qᵀ(Qx) = x for d = 1, 2, 3, 17, 128', () => {
    for (const d of [1, 2, 3, 17, 128]) {
      const q = generateHouseholderRotation(createRngFactory(5).stream('rotation', 'test', d), d);
      const cols = denseColumns(q);
      let worst = 0;
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += cols[i * d + k] * cols[j * d + k];
          worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
        }
      }
      expectClose(worst, 0, 1e-6, `max |QᵀQ − I| at d=${d}`);
      // transpose ∘ forward on the dense columns gives back the identity.
      const back = new Float32Array(d * d);
      new HouseholderApplier(q).transpose(cols, d, back);
      let err = 0;
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++) err = Math.max(err, Math.abs(back[i * d + j] - (i === j ? 1 : 0)));
      expectClose(err, 0, 1e-6, `max |QᵀQe_i − e_i| at d=${d}`);
    }
  });

  it('stores d(d+1)/2 − 1 reflector floats and a ±1 sign per coordinate', () => {
    const d = 50;
    const q = generateHouseholderRotation(createRngFactory(1).stream('rotation', 'test', d), d);
    expectClose(q.vectors.length, (d * (d + 1)) / 2 - 1, 0, 'packed length');
    for (const s of q.signs) expectClose(Math.abs(s), 1, 0, 'sign');
  });

  it('Haar moments of Q: E[Q₁₁] = 0, E[Q₁₁²] = E[Q_dd²] = 1/d; the unsigned QR variant fails', () => {
    // 3000 rotations at d = 8. Under Haar, Q₁₁ has sd 1/√8 = 0.354, so the standard error of the
    // mean is 0.0065; Q₁₁² has mean 1/8 and sd ≈ 0.156 (Beta(1/2, 7/2): var = 2·7/(8²·10)), s.e. 0.0029.
    // Bounds are 5 standard errors. Dropping the sign correction makes Q₁₁ = −|x₁|/‖x‖ < 0 always
    // (mean ≈ −0.27), which the same test must reject.
    const d = 8;
    const n = 3000;
    let m11 = 0;
    let s11 = 0;
    let mdd = 0;
    let sdd = 0;
    let m11Unsigned = 0;
    for (let seed = 0; seed < n; seed++) {
      const q = generateHouseholderRotation(createRngFactory(seed).stream('rotation', 'haar-test', d), d);
      const cols = denseColumns(q); // cols[i·d + k] = Q[k, i]
      const q11 = cols[0];
      const qdd = cols[(d - 1) * d + d - 1];
      m11 += q11 / n;
      s11 += (q11 * q11) / n;
      mdd += qdd / n;
      sdd += (qdd * qdd) / n;
      const unsigned = { ...q, signs: new Float64Array(d).fill(1) };
      m11Unsigned += denseColumns(unsigned)[0] / n;
    }
    expectClose(m11, 0, 5 * 0.0065, 'mean Q₁₁');
    expectClose(mdd, 0, 5 * 0.0065, 'mean Q_dd');
    expectClose(s11, 1 / d, 5 * 0.0029, 'mean Q₁₁²');
    expectClose(sdd, 1 / d, 5 * 0.0029, 'mean Q_dd²');
    if (!(m11Unsigned < -0.2))
      throw new Error(`sign-uncorrected Q₁₁ should be biased negative, mean ${m11Unsigned}`);
  });

  it('memoises by stream fingerprint and d, and evicts beyond the LRU capacity', () => {
    clearHouseholderCache();
    const f = createRngFactory(42);
    const a = householderRotation(() => f.stream('rotation', 'haar', 64), 64);
    const b = householderRotation(() => createRngFactory(42).stream('rotation', 'haar', 64), 64);
    if (a !== b) throw new Error('same stream and d should return the memoised rotation');
    const c = householderRotation(() => createRngFactory(43).stream('rotation', 'haar', 64), 64);
    if (a === c) throw new Error('a different seed must give a different rotation');
    for (let s = 0; s < 10; s++)
      householderRotation(() => createRngFactory(100 + s).stream('rotation', 'haar', 8), 8);
    if (householderCacheSize() > 4) throw new Error(`cache holds ${householderCacheSize()} > 4 rotations`);
    const d = householderRotation(() => f.stream('rotation', 'haar', 64), 64);
    if (d === a) throw new Error('evicted rotation should be rebuilt');
    for (let i = 0; i < a.vectors.length; i++)
      if (a.vectors[i] !== d.vectors[i]) throw new Error('rebuilt rotation differs');
    clearHouseholderCache();
  });
});
