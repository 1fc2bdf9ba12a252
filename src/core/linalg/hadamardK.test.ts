/**
 * Hadamard matrices of order K·2^n (hadamardK.ts) against
 *  - the definition: H·Hᵀ = K·I for every K, entries ±1;
 *  - the numpy generator's independent Paley constructions (fixtures/gen_formats2.py), entry by
 *    entry, and (H_K ⊗ H_P)/√N and its transpose applied to vectors (numpy.kron with
 *    scipy.linalg.hadamard), to 1e-12;
 *  - the smallest supported order ≥ n by brute force over the orders;
 * and the `size: 'exact'` option of wht, rht and block-hadamard: outDim, orthogonality
 * (‖y‖ = ‖x‖), inverse ∘ forward = identity, and bit-identity with 'pad' when no K is needed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../rng';
import { withDefaults } from '../methods/params';
import { blockHadamardTransform } from '../methods/transforms/blockHadamard';
import { rhtTransform } from '../methods/transforms/rht';
import { whtTransform } from '../methods/transforms/wht';
import type { ParamValue, TransformDef } from '../methods/types';
import { HADAMARD_K, hadamardMatrix, kronHadamardInPlace, smallestHadamardOrder } from './hadamardK';

interface Fixture {
  hadamardK: Record<string, string[]>;
  kron: { K: number; P: number; x: number[]; y: number[]; yT: number[] }[];
  smallestOrder: Record<string, number>;
}
const fx = JSON.parse(
  readFileSync(new URL('../testing/fixtures/formats2.json', import.meta.url), 'utf8'),
) as Fixture;

describe('H_K', () => {
  for (const K of HADAMARD_K)
    it(`K = ${K}: ±1 entries and H·Hᵀ = ${K}·I`, () => {
      const H = hadamardMatrix(K);
      expect(H.length).toBe(K * K);
      for (const v of H) expect(Math.abs(v)).toBe(1);
      for (let i = 0; i < K; i++)
        for (let j = 0; j < K; j++) {
          let s = 0;
          for (let t = 0; t < K; t++) s += H[i * K + t] * H[j * K + t];
          if (s !== (i === j ? K : 0)) throw new Error(`K=${K}: (H·Hᵀ)[${i},${j}] = ${s}`);
        }
    });
  for (const [k, rows] of Object.entries(fx.hadamardK))
    it(`K = ${k} equals the numpy Paley / Sylvester construction`, () => {
      const K = Number(k);
      const H = hadamardMatrix(K);
      rows.forEach((hex, i) => {
        for (let j = 0; j < K; j++) {
          const bit = (parseInt(hex[j >> 2], 16) >> (3 - (j & 3))) & 1;
          expect(H[i * K + j], `[${i},${j}]`).toBe(bit ? 1 : -1);
        }
      });
    });
  it('rejects an order it does not have', () => {
    expect(() => hadamardMatrix(44)).toThrow(/order 44/);
  });
});

describe('(H_K ⊗ H_P)/√N against numpy.kron', () => {
  for (const c of fx.kron)
    it(`K = ${c.K}, P = ${c.P}: forward and transpose`, () => {
      const N = c.K * c.P;
      const col = new Float64Array(2 * c.K);
      for (const [transpose, want] of [
        [false, c.y],
        [true, c.yT],
      ] as const) {
        const a = Float64Array.from(c.x, Math.fround);
        kronHadamardInPlace(a, 0, c.K, c.P, transpose, col);
        for (let i = 0; i < N; i++) expect(Math.abs(a[i] - want[i]), `${i}`).toBeLessThan(1e-12);
      }
    });
});

describe('inverse ∘ forward = identity for every K and several sizes', () => {
  for (const K of HADAMARD_K)
    it(`K = ${K}, P ∈ {1, 2, 8, 32}`, () => {
      for (const P of [1, 2, 8, 32]) {
        const N = K * P;
        const x = new Float64Array(N);
        createRngFactory(K * 100 + P)
          .stream('data', 'kron')
          .fillNormal(x);
        const a = x.slice();
        const col = new Float64Array(2 * K);
        kronHadamardInPlace(a, 0, K, P, false, col);
        kronHadamardInPlace(a, 0, K, P, true, col);
        for (let i = 0; i < N; i++) expect(Math.abs(a[i] - x[i]), `P=${P} i=${i}`).toBeLessThan(1e-12);
      }
    });
});

describe('smallest supported order', () => {
  it('matches a brute-force search over {2^j} ∪ {K·2^j}', () => {
    for (const [n, N] of Object.entries(fx.smallestOrder))
      expect(smallestHadamardOrder(Number(n)), n).toBe(N);
  });
  it('real widths: 11008 = 172·64, 14336 = 28·512, 120 = 60·2, 2880 → 3072 = 12·256', () => {
    expect([11008, 14336, 120, 2880].map(smallestHadamardOrder)).toEqual([11008, 14336, 120, 3072]);
  });
});

function prepared(t: TransformDef, params: Record<string, ParamValue>, rows: number, dim: number, seed = 5) {
  const p = withDefaults(t.params, params);
  const rng = createRngFactory(seed);
  const data = { rows, cols: dim, data: new Float32Array(rows * dim) };
  const r = createRngFactory(99).stream('data', 'hadamard-test');
  for (let i = 0; i < data.data.length; i++) data.data[i] = r.normal();
  return { p, data, prep: t.prepare(p, { rng, dim, data }) };
}

describe("size: 'exact' in wht, rht and block-hadamard", () => {
  const cases: [TransformDef, Record<string, ParamValue>, number, number][] = [
    [whtTransform, {}, 120, 120],
    [whtTransform, {}, 100, 104], // 52·2
    [whtTransform, {}, 333, 344], // 172·2
    [rhtTransform, { rounds: 1 }, 172, 172],
    [rhtTransform, { rounds: 2 }, 700, 768], // 12·64
    [blockHadamardTransform, { block: 32 }, 100, 96 + 4],
    [blockHadamardTransform, { block: 64 }, 76, 64 + 12],
    [blockHadamardTransform, { block: 16 }, 45, 32 + 16],
  ];
  for (const [t, params, dim, expected] of cases) {
    it(`${t.id} ${JSON.stringify(params)} dim ${dim}: outDim ${expected}`, () => {
      const { p, data, prep } = prepared(t, { ...params, size: 'exact' }, 6, dim);
      const outDim = t.outDim(p, dim);
      expect(outDim).toBe(expected);
      expect(prep.outDim).toBe(outDim);
      const y = new Float32Array(6 * outDim);
      prep.forward(data.data, 6, y);
      const back = new Float32Array(6 * dim);
      prep.inverse(y, 6, back);
      for (let r = 0; r < 6; r++) {
        let nx = 0;
        let ny = 0;
        for (let i = 0; i < dim; i++) nx += data.data[r * dim + i] ** 2;
        for (let i = 0; i < outDim; i++) ny += y[r * outDim + i] ** 2;
        expect(Math.abs(Math.sqrt(ny) - Math.sqrt(nx)) / Math.sqrt(nx)).toBeLessThan(1e-6);
      }
      for (let i = 0; i < back.length; i++) expect(Math.abs(back[i] - data.data[i])).toBeLessThan(1e-5);
    });
  }
  it("is 'pad', bit for bit, when the length is a power of two or the block divides dim", () => {
    for (const [t, params, dim] of [
      [whtTransform, {}, 256],
      [whtTransform, {}, 100], // smallest order 104 ≠ 128: checked to differ below
      [rhtTransform, { rounds: 2 }, 1024],
      [blockHadamardTransform, { block: 32 }, 96],
    ] as const) {
      const a = prepared(t, { ...params, size: 'pad' }, 4, dim);
      const b = prepared(t, { ...params, size: 'exact' }, 4, dim);
      if (a.prep.outDim !== b.prep.outDim) {
        expect(dim).toBe(100);
        continue;
      }
      const ya = new Float32Array(4 * a.prep.outDim);
      const yb = new Float32Array(4 * b.prep.outDim);
      a.prep.forward(a.data.data, 4, ya);
      b.prep.forward(b.data.data, 4, yb);
      expect(yb).toEqual(ya);
    }
  });
  it('pad stays the default (old links unchanged)', () => {
    for (const t of [whtTransform, rhtTransform, blockHadamardTransform]) {
      const spec = t.params.size;
      expect(spec.kind === 'enum' && spec.default).toBe('pad');
      expect(t.outDim(withDefaults(t.params), 120)).toBe(128);
    }
  });
});
