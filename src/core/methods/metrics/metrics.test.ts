/** Metric definitions (CONTRACT.md §5) on small hand-checked cases. */
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../../rng';
import { vnmseMetric } from './vnmse';
import { mseMetric } from './mse';
import { sqnrDbMetric } from './sqnr-db';
import { cosineMetric } from './cosine';
import { ipRatioMetric } from './ip-ratio';
import { ipNvarMetric, unitQueries } from './ip-nvar';
import { expectClose } from '../../testing/expect';
import { METRICS } from './index';
import { addEntrySums, addRowSums, reconstructionSums, sumsFromRows } from './sums';
import { resetWasmHits, setWasmEnabled, wasmHits } from '../../wasm/kernels';
import { countDeadRows } from './dead-rows';

const rng = createRngFactory(0);
// Two rows of length 2: x = [[3, 4], [1, 0]], x̂ = [[3, 3], [2, 0]].
const x = { rows: 2, cols: 2, data: new Float32Array([3, 4, 1, 0]) };
const xHat = new Float32Array([3, 3, 2, 0]);

describe('metrics on a hand-checked 2×2 case', () => {
  it('vnmse = mean(1/25, 1/1) = 0.52', () => expectClose(vnmseMetric.compute(x, xHat, { rng }), 0.52, 1e-12));
  it('mse = (0 + 1 + 1 + 0)/4 = 0.5', () => expectClose(mseMetric.compute(x, xHat, { rng }), 0.5, 1e-12));
  it('sqnrDb = 10·log10(26/2)', () =>
    expectClose(sqnrDbMetric.compute(x, xHat, { rng }), 10 * Math.log10(13), 1e-12));
  it('cosine = mean(21/(5·√18), 1)', () =>
    expectClose(cosineMetric.compute(x, xHat, { rng }), (21 / (5 * Math.sqrt(18)) + 1) / 2, 1e-7));
  it('ipRatio = (21 + 2)/(25 + 1)', () =>
    expectClose(ipRatioMetric.compute(x, xHat, { rng }), 23 / 26, 1e-12));
  it('ipNvar = d·mean ⟨q,e⟩²/‖x‖² with the seeded unit queries', () => {
    const q = unitQueries(rng, 2);
    // e row 0 = [0, −1], ‖x₀‖² = 25; e row 1 = [1, 0], ‖x₁‖² = 1.
    let s0 = 0,
      s1 = 0;
    for (let k = 0; k < 64; k++) {
      s0 += q[2 * k + 1] ** 2;
      s1 += q[2 * k] ** 2;
    }
    const expected = (2 * (s0 / 64 / 25 + s1 / 64 / 1)) / 2;
    expectClose(ipNvarMetric.compute(x, xHat, { rng }), expected, 1e-7);
  });
});

describe('metric edge cases', () => {
  it('exact reconstruction: vnmse 0, sqnr +∞, cosine 1, ipRatio 1, ipNvar 0', () => {
    const same = new Float32Array(x.data);
    expect(vnmseMetric.compute(x, same, { rng })).toBe(0);
    expect(sqnrDbMetric.compute(x, same, { rng })).toBe(Infinity);
    expectClose(cosineMetric.compute(x, same, { rng }), 1, 1e-7);
    expect(ipRatioMetric.compute(x, same, { rng })).toBe(1);
    expect(ipNvarMetric.compute(x, same, { rng })).toBe(0);
  });

  it('zero rows are skipped by per-row metrics and all-zero data gives NaN', () => {
    const z = { rows: 2, cols: 2, data: new Float32Array([0, 0, 1, 0]) };
    const h = new Float32Array([5, 5, 0.5, 0]);
    expectClose(vnmseMetric.compute(z, h, { rng }), 0.25, 1e-12);
    const allZero = { rows: 1, cols: 2, data: new Float32Array(2) };
    expect(vnmseMetric.compute(allZero, new Float32Array(2), { rng })).toBeNaN();
    expect(cosineMetric.compute(z, new Float32Array(4), { rng })).toBe(0);
  });

  it('unit queries are unit length', () => {
    const q = unitQueries(createRngFactory(5), 100);
    for (let k = 0; k < 64; k++) {
      let n = 0;
      for (let j = 0; j < 100; j++) n += q[k * 100 + j] ** 2;
      expectClose(n, 1, 1e-12);
    }
  });

  it('ipNvar equals vNMSE in expectation for isotropic errors (E⟨q,e⟩² = ‖e‖²/d)', () => {
    // x̂ = x + isotropic Gaussian noise of variance σ²: vNMSE ≈ ipNvar ≈ σ²·d/‖x‖² averaged.
    const r = createRngFactory(9).stream('analysis', 'iso');
    const rows = 400,
      d = 64;
    const data = new Float32Array(rows * d);
    r.fillNormal(data);
    const noisy = Float32Array.from(data, (v) => v + 0.3 * r.normal());
    const m = { rows, cols: d, data };
    const v = vnmseMetric.compute(m, noisy, { rng });
    const ip = ipNvarMetric.compute(m, noisy, { rng });
    // Both ≈ 0.09·64/E‖x‖²·… ; their ratio is 1 up to Monte Carlo error (64 queries × 400 rows).
    expect(Math.abs(ip / v - 1)).toBeLessThan(0.05);
  });
});

describe('fused one-pass sums', () => {
  it('fromSums equals compute bit for bit (zero rows, zero reconstructions, exact rows)', () => {
    const rows = 7;
    const cols = 33;
    const a = new Float32Array(rows * cols);
    const b = new Float32Array(rows * cols);
    const g = createRngFactory(4).stream('data', 'sums-test');
    g.fillNormal(a);
    g.fillNormal(b);
    a.fill(0, cols, 2 * cols); // ‖x‖ = 0
    b.fill(0, 3 * cols, 4 * cols); // x̂ = 0
    b.set(a.subarray(5 * cols, 6 * cols), 5 * cols); // exact row
    const m = { rows, cols, data: a };
    const sums = reconstructionSums(m, b);
    let fused = 0;
    for (const def of METRICS) {
      if (!def.fromSums) continue;
      fused++;
      expect(Object.is(def.fromSums(sums), def.compute(m, b, { rng }))).toBe(true);
    }
    expect(fused).toBe(5);
    const exact = reconstructionSums(m, a);
    for (const def of METRICS)
      if (def.fromSums) expect(Object.is(def.fromSums(exact), def.compute(m, a, { rng }))).toBe(true);
  });
});

describe('dead rows (dead-rows.ts: ‖x_i‖ ≤ 1e-12·max‖x_j‖)', () => {
  // x = [[3, 4], [1e-39, 1e-39], [0, 0], [1, 0]] with x̂ = [[3, 3], [0, 0], [0, 0], [2, 0]]: the
  // denormal row would add ‖x−x̂‖²/‖x‖² = 1 and cosine 0 if it were counted.
  const xd = { rows: 4, cols: 2, data: new Float32Array([3, 4, 1e-39, 1e-39, 0, 0, 1, 0]) };
  const hd = new Float32Array([3, 3, 0, 0, 0, 0, 2, 0]);
  it('counts the denormal and the zero row as dead', () => {
    expect(countDeadRows(xd)).toBe(2);
    expect(reconstructionSums(xd, hd).deadRows).toBe(2);
    // 1e-12·‖[3, 4]‖ = 5e-12: a row of norm 6e-12 is live, 4e-12 dead.
    expect(countDeadRows({ rows: 2, cols: 2, data: new Float32Array([3, 4, 6e-12, 0]) })).toBe(0);
    expect(countDeadRows({ rows: 2, cols: 2, data: new Float32Array([3, 4, 4e-12, 0]) })).toBe(1);
  });
  it('vnmse and cosine skip them (same values as the 2×2 case), mse and sqnrDb keep every row', () => {
    expectClose(vnmseMetric.compute(xd, hd, { rng }), 0.52, 1e-12);
    expectClose(cosineMetric.compute(xd, hd, { rng }), (21 / (5 * Math.sqrt(18)) + 1) / 2, 1e-7);
    const v = Math.fround(1e-39); // the denormal as stored in float32
    expectClose(mseMetric.compute(xd, hd, { rng }), (2 + 2 * v * v) / 8, 1e-12);
    expectClose(
      sqnrDbMetric.compute(xd, hd, { rng }),
      10 * Math.log10((26 + 2 * v * v) / (2 + 2 * v * v)),
      1e-12,
    );
  });
  it('fused sums equal the metrics’ own loops bit for bit with dead rows present', () => {
    const sums = reconstructionSums(xd, hd);
    for (const def of METRICS)
      if (def.fromSums) expect(Object.is(def.fromSums(sums), def.compute(xd, hd, { rng }))).toBe(true);
  });
  it('ipNvar skips them too (equal to the value without the dead rows)', () => {
    const live = { rows: 2, cols: 2, data: new Float32Array([3, 4, 1, 0]) };
    expect(ipNvarMetric.compute(xd, hd, { rng })).toBe(
      ipNvarMetric.compute(live, new Float32Array([3, 3, 2, 0]), { rng }),
    );
  });
});

describe('row-split metrics (the threaded run: rows in any thread, combined in row order)', () => {
  // 37 rows × 70: a zero row, a denormal (dead) row, a zero reconstruction, an exact row.
  const rows = 37;
  const cols = 70;
  const a = new Float32Array(rows * cols);
  const b = new Float32Array(rows * cols);
  const g = createRngFactory(12).stream('data', 'split-test');
  g.fillNormal(a);
  g.fillNormal(b);
  a.fill(0, 2 * cols, 3 * cols);
  a.fill(1e-39, 9 * cols, 10 * cols);
  b.fill(0, 4 * cols, 5 * cols);
  b.set(a.subarray(6 * cols, 7 * cols), 6 * cols);
  const m = { rows, cols, data: a };
  // Blocks of 5 rows, computed last block first (a worker may finish any block first).
  const blocks = Array.from({ length: Math.ceil(rows / 5) }, (_, k) => [5 * k, Math.min(rows, 5 * k + 5)]);

  it('addRowSums + addEntrySums + sumsFromRows equal the fused pass bit for bit', () => {
    const into = {
      rowErrs: new Float64Array(rows),
      rowNorms: new Float64Array(rows),
      rowDots: new Float64Array(rows),
      rowHats: new Float64Array(rows),
    };
    for (const [r0, r1] of [...blocks].reverse())
      addRowSums(m, r0, r1 - r0, b.subarray(r0 * cols, r1 * cols), into);
    const totals = { err: 0, signal: 0, dot: 0 };
    for (const [r0, r1] of blocks) addEntrySums(m, r0, r1 - r0, b.subarray(r0 * cols, r1 * cols), totals);
    const split = sumsFromRows(cols, into, totals);
    const fused = reconstructionSums(m, b);
    for (const key of Object.keys(fused) as (keyof typeof fused)[])
      expect(Object.is(split[key], fused[key]), key).toBe(true);
    expect(fused.deadRows).toBe(2);
  });

  it('ipNvar rowTerms equal compute bit for bit, on the WASM path and the TypeScript one', () => {
    const split = ipNvarMetric.rowTerms;
    if (!split) throw new Error('ipNvar has no rowTerms');
    const viaRows = () => {
      const terms = new Float64Array(rows * split.width);
      const fn = split.rows(m, { rng });
      for (const [r0, r1] of [...blocks].reverse())
        fn(r0, r1 - r0, b.subarray(r0 * cols, r1 * cols), terms.subarray(r0 * split.width, r1 * split.width));
      return split.combine(terms, rows, cols);
    };
    try {
      for (const wasm of [true, false]) {
        setWasmEnabled(wasm);
        resetWasmHits();
        const whole = ipNvarMetric.compute(m, b, { rng });
        expect(Object.is(viaRows(), whole)).toBe(true);
        expect(wasmHits('ipNvar') > 0).toBe(wasm);
      }
      // Across the paths too: rows from the TypeScript loop, the whole from WASM.
      setWasmEnabled(false);
      const ts = viaRows();
      setWasmEnabled(true);
      expect(Object.is(ts, ipNvarMetric.compute(m, b, { rng }))).toBe(true);
    } finally {
      setWasmEnabled(true);
    }
  });
});
