/** The dense form of a prepared rotation that the GPU 'haar' kernel multiplies by (dense.ts). */
import { describe, expect, it } from 'vitest';
import { transformsById } from '../../../core/methods';
import { withDefaults } from '../../../core/methods/params';
import { createRngFactory } from '../../../core/rng';
import { denseMatrixOf } from './dense';

function haar(seed: number, d: number) {
  const def = transformsById.get('haar');
  if (!def) throw new Error('haar missing');
  const data = { rows: 1, cols: d, data: new Float32Array(d) };
  return def.prepare(withDefaults(def.params, {}), { rng: createRngFactory(seed), dim: d, data });
}

describe('denseMatrixOf', () => {
  it('is orthogonal (M·Mᵀ = I to float32) and x·M is the transform of x', () => {
    const d = 48;
    const p = haar(3, d);
    const m = denseMatrixOf(p, d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += m[i * d + k] * m[j * d + k];
        expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-6);
      }
    const x = new Float32Array(d);
    createRngFactory(9).stream('data', 'dense-test').fillNormal(x);
    const y = new Float32Array(d);
    p.forward(x, 1, y);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += x[i] * m[i * d + j];
      expect(Math.abs(s - y[j])).toBeLessThan(1e-5);
    }
  });

  it('is reused for the same rotation prepared again, and differs for another seed', () => {
    const a = denseMatrixOf(haar(3, 32), 32);
    expect(denseMatrixOf(haar(3, 32), 32)).toBe(a);
    expect(denseMatrixOf(haar(4, 32), 32)).not.toBe(a);
  });
});
