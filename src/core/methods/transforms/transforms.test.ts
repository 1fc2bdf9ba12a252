import { describe, it } from 'vitest';
import fixtures from '../../testing/fixtures/transforms.json';
import { createRngFactory } from '../../rng';
import { expectArrayClose, expectClose } from '../../testing/expect';
import { withDefaults } from '../params';
import type { Matrix, ParamValue, TransformDef } from '../types';
import { blockHadamardTransform } from './blockHadamard';
import { dctTransform } from './dct';
import { haarTransform } from './haar';
import { identityTransform } from './identity';
import { pcaTransform } from './pca';
import { rhtTransform } from './rht';
import { whtTransform } from './wht';

const ALL: { def: TransformDef; params?: Record<string, ParamValue> }[] = [
  { def: identityTransform },
  { def: whtTransform },
  { def: rhtTransform },
  { def: rhtTransform, params: { rounds: 2 } },
  { def: rhtTransform, params: { rounds: 4 } },
  { def: blockHadamardTransform },
  { def: blockHadamardTransform, params: { block: 2 } },
  { def: haarTransform },
  { def: dctTransform },
  { def: pcaTransform },
];

function randomRows(rows: number, dim: number, seed: number): Matrix {
  const data = new Float32Array(rows * dim);
  createRngFactory(seed).stream('data', 'test', rows, dim).fillNormal(data);
  // Uneven column scales so PCA has a non-trivial spectrum.
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) data[r * dim + j] *= 1 + (j % 7);
  return { rows, cols: dim, data };
}

function run(def: TransformDef, params: Record<string, ParamValue> | undefined, x: Matrix, seed = 3) {
  const p = withDefaults(def.params, params);
  const t = def.prepare(p, { rng: createRngFactory(seed), dim: x.cols, data: x });
  const y = new Float32Array(x.rows * t.outDim);
  t.forward(x.data, x.rows, y);
  const back = new Float32Array(x.rows * x.cols);
  t.inverse(y, x.rows, back);
  return { t, p, y, back };
}

function rowNorm(a: Float32Array, r: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[r * n + i] * a[r * n + i];
  return Math.sqrt(s);
}

describe('every transform is orthogonal for any dim', () => {
  for (const { def, params } of ALL) {
    const name = `${def.id}${params ? ' ' + JSON.stringify(params) : ''}`;
    it(`${name}: ‖Rx‖ = ‖x‖ and inverse(forward(x)) = x at dims 1, 3, 100, 1000 (and 1024)`, () => {
      // PCA's O(dim³) eigensolve takes seconds per call at dim ≈ 1000, so it runs one large dim.
      const dims = def.id === 'pca' ? [1, 3, 100, 1000] : [1, 3, 100, 1000, 1024];
      for (const dim of dims) {
        const x = randomRows(3, dim, dim);
        const { t, p, y, back } = run(def, params, x);
        expectClose(t.outDim, def.outDim(p, dim), 0, `${name} outDim(${dim})`);
        if (t.outDim < dim) throw new Error(`${name}: outDim ${t.outDim} < dim ${dim}`);
        for (let r = 0; r < x.rows; r++) {
          const nx = rowNorm(x.data, r, dim);
          expectClose(rowNorm(y, r, t.outDim), nx, 2e-6 * nx, `${name} ‖y‖ row ${r} dim ${dim}`);
        }
        let scale = 0;
        for (const v of x.data) scale = Math.max(scale, Math.abs(v));
        expectArrayClose(back, x.data, 4e-6 * scale, `${name} round trip dim ${dim}`);
      }
    });
  }

  it('padding rules: wht/rht → nextPow2(dim), block-hadamard → multiple of block, others → dim', () => {
    const dflt = (def: TransformDef, given: Record<string, ParamValue> = {}) =>
      withDefaults(def.params, given);
    expectClose(whtTransform.outDim(dflt(whtTransform), 100), 128, 0, 'wht 100');
    expectClose(rhtTransform.outDim(dflt(rhtTransform), 1025), 2048, 0, 'rht 1025');
    expectClose(blockHadamardTransform.outDim(dflt(blockHadamardTransform), 100), 128, 0, 'bh 100/32');
    expectClose(
      blockHadamardTransform.outDim(dflt(blockHadamardTransform, { block: 64 }), 130),
      192,
      0,
      'bh 130/64',
    );
    for (const def of [identityTransform, haarTransform, dctTransform, pcaTransform]) {
      expectClose(def.outDim(dflt(def), 1000), 1000, 0, `${def.id} 1000`);
    }
  });
});

describe('against independent references', () => {
  it('wht equals scipy.linalg.hadamard(n)/√n · x', () => {
    for (const { n, x, y } of fixtures.wht) {
      const { y: out } = run(whtTransform, undefined, { rows: 1, cols: n, data: Float32Array.from(x) });
      expectArrayClose(out, y, 2e-6, `wht n=${n}`);
    }
  });

  it('wht on a non-power of two equals the padded reference: dim 5 → first column block of H_8/√8', () => {
    const x = Float32Array.from([1, -2, 0.5, 3, -1]);
    const { y } = run(whtTransform, undefined, { rows: 1, cols: 5, data: x });
    const ref = fixtures.wht.find((f) => f.n === 8);
    if (!ref) throw new Error('fixture n=8 missing');
    // H_8 entry (i, j) = (−1)^popcount(i & j); the reference checks that formula on its own input.
    const h = (i: number, j: number) => ((popcount(i & j) & 1) === 0 ? 1 : -1) / Math.sqrt(8);
    const mine = Array.from({ length: 8 }, (_, i) => ref.x.reduce((s, v, j) => s + h(i, j) * v, 0));
    expectArrayClose(mine, ref.y, 1e-6, 'Sylvester formula vs scipy');
    const expected = Array.from({ length: 8 }, (_, i) =>
      Array.from(x).reduce((s, v, j) => s + h(i, j) * v, 0),
    );
    expectArrayClose(y, expected, 1e-6, 'padded wht');
  });

  it('dct equals scipy.fft.dct(x, norm="ortho")', () => {
    for (const { n, x, y } of fixtures.dct) {
      const { y: out } = run(dctTransform, undefined, { rows: 1, cols: n, data: Float32Array.from(x) });
      expectArrayClose(out, y, 2e-6, `dct n=${n}`);
    }
  });

  it('pca components match numpy.linalg.eigh of XᵀX/rows (up to sign), by decreasing eigenvalue', () => {
    const f = fixtures.pca;
    const data: Matrix = { rows: f.rows, cols: f.dim, data: Float32Array.from(f.data) };
    const t = pcaTransform.prepare({}, { rng: createRngFactory(0), dim: f.dim, data });
    // Rows of the basis: forward(e_j) gives column j of Vᵀ, i.e. component j of every eigenvector.
    const eye = new Float32Array(f.dim * f.dim);
    for (let j = 0; j < f.dim; j++) eye[j * f.dim + j] = 1;
    const cols = new Float32Array(f.dim * f.dim);
    t.forward(eye, f.dim, cols);
    for (let i = 0; i < f.dim; i++) {
      const mine = Array.from({ length: f.dim }, (_, j) => cols[j * f.dim + i]);
      const ref = f.vectors.slice(i * f.dim, (i + 1) * f.dim);
      const dot = mine.reduce((s, v, j) => s + v * ref[j], 0);
      expectArrayClose(
        mine.map((v) => v * Math.sign(dot)),
        ref,
        1e-6,
        `eigenvector ${i}`,
      );
    }
    // Energy per output coordinate = eigenvalue (uncentered second moment), descending.
    const y = new Float32Array(f.rows * f.dim);
    t.forward(data.data, f.rows, y);
    for (let i = 0; i < f.dim; i++) {
      let e = 0;
      for (let r = 0; r < f.rows; r++) e += (y[r * f.dim + i] * y[r * f.dim + i]) / f.rows;
      expectClose(e, f.values[i], 1e-5 * f.values[0], `E[y_${i}²] = λ_${i}`);
    }
  });
});

describe('random streams', () => {
  it('the same seed and params give the same rotation; another seed a different one', () => {
    const x = randomRows(2, 100, 1);
    for (const def of [rhtTransform, blockHadamardTransform, haarTransform]) {
      const a = run(def, undefined, x, 9).y;
      const b = run(def, undefined, x, 9).y;
      const c = run(def, undefined, x, 10).y;
      expectArrayClose(a, b, 0, `${def.id} same seed`);
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - c[i]));
      if (!(diff > 0.1))
        throw new Error(`${def.id}: seeds 9 and 10 gave nearly the same output (max diff ${diff})`);
    }
  });

  it('rht rounds=2 is rounds=1 followed by one more (signs, WHT) block', () => {
    const x = randomRows(2, 64, 2);
    const y1 = run(rhtTransform, { rounds: 1 }, x, 4).y;
    const y2 = run(rhtTransform, { rounds: 2 }, x, 4).y;
    // Round index 1 has its own stream, so rounds=2 reuses round 0's signs (shared with rounds=1).
    const s2 = createRngFactory(4).stream('rotation', 'rht', 64, 'round', 1);
    const signs = Array.from({ length: 64 }, () => s2.sign());
    const expected = new Float64Array(2 * 64);
    for (let r = 0; r < 2; r++) {
      for (let i = 0; i < 64; i++) {
        let s = 0;
        for (let j = 0; j < 64; j++)
          s += (((popcount(i & j) & 1) === 0 ? 1 : -1) * signs[j] * y1[r * 64 + j]) / 8;
        expected[r * 64 + i] = s;
      }
    }
    expectArrayClose(y2, expected, 1e-5, 'rounds=2 vs (H/8)·D₂·(rounds=1 output)');
  });

  it('rht one block maps e₁ to ±1/√d in every coordinate, the sign a fair coin over seeds', () => {
    // H·D·e₁/√d = s₁·(1, …, 1)/√d: a Rademacher coordinate (CATALOGUE §1.A.3 [T]).
    const d = 256;
    const e1 = new Float32Array(d);
    e1[0] = 1;
    let plus = 0;
    const seeds = 400;
    for (let seed = 0; seed < seeds; seed++) {
      const { y } = run(rhtTransform, { rounds: 1 }, { rows: 1, cols: d, data: e1 }, seed);
      for (const v of y)
        if (Math.abs(v) !== 1 / 16) throw new Error(`seed ${seed}: coordinate ${v} is not ±1/16`);
      if (y[0] > 0) plus++;
    }
    // Binomial(400, ½): sd 10; allow 4.5 sd.
    expectClose(plus, seeds / 2, 45, 'seeds with y₀ = +1/16');
  });
});

function popcount(v: number): number {
  let c = 0;
  for (let x = v; x; x &= x - 1) c++;
  return c;
}
