/**
 * Parity of every WASM SIMD kernel with its TypeScript reference (issue 5). The kernels keep the
 * reference's operation order, so the check is exact equality of the bits, at several sizes
 * including non-powers of two, odd row counts and partial SIMD lane groups. No timings here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fwhtInPlace } from '../linalg/fwht';
import { SignedHadamard, randomSigns } from '../linalg/signedHadamard';
import { generateHouseholderRotation, HouseholderApplier } from '../linalg/householder';
import { createRngFactory } from '../rng';
import { fwhtF32Wasm, setWasmEnabled, wasmKernels } from './kernels';
import { qjlEstimateBlock, qjlQuantizer } from '../methods/quantizers/qjl';
import { quantizersById } from '../methods';
import { ipNvarMetric } from '../methods/metrics/ip-nvar';
import { edenQuantizer } from '../methods/quantizers/eden';
import { lloydMaxGaussian, nearestLevelIndex } from '../linalg/lloydmax';
import { singularValues, symmetricEigen } from '../linalg/eig';
import { estimateSpectrum } from '../linalg/lanczos';

function filled(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  createRngFactory(seed).stream('data', 'wasm-test', n).fillNormal(a);
  return a;
}

/** Run `fn` with the TS path and with the WASM path; returns both results. */
function both<T>(fn: () => T): [T, T] {
  setWasmEnabled(false);
  const ts = fn();
  setWasmEnabled(true);
  const wasm = fn();
  return [ts, wasm];
}

function expectSameBits(a: Float32Array | Float64Array, b: Float32Array | Float64Array): void {
  expect(b.length).toBe(a.length);
  expect(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    ),
  ).toBe(true);
}

afterEach(() => setWasmEnabled(true));

describe('wasm kernels', () => {
  it('load in node with SIMD', () => {
    expect(wasmKernels()).not.toBeNull();
  });

  it('fwht_f32 equals fwhtInPlace bit for bit, n = 1 … 2^12', () => {
    const k = wasmKernels();
    if (!k) throw new Error('wasm unavailable');
    for (let n = 1; n <= 4096; n *= 2) {
      const ref = filled(n + 3, n);
      const got = ref.slice();
      fwhtInPlace(ref, 3, n);
      fwhtF32Wasm(k, got, 3, n);
      expectSameBits(ref, got);
    }
  });

  it('SignedHadamard (wht, rht ×1/×2, block) forward and inverse are identical', () => {
    const cases: [dim: number, outDim: number, block: number, rounds: (boolean | null)[]][] = [
      [1, 1, 1, [true]],
      [5, 8, 8, [null]],
      [100, 128, 128, [true]],
      [1000, 1024, 1024, [true, true]],
      [1024, 1024, 32, [true]],
      [70, 72, 8, [true, null, true]],
      [3, 4, 2, [true]],
    ];
    for (const [dim, outDim, block, rounds] of cases) {
      const rng = createRngFactory(dim);
      const signs = rounds.map((r, i) => (r ? randomSigns(rng.stream('rotation', 'test', i), outDim) : null));
      const h = new SignedHadamard(dim, outDim, block, signs);
      const rows = 7;
      const x = filled(rows * dim, dim + 1);
      const [yTs, yW] = both(() => {
        const y = new Float32Array(rows * outDim);
        h.forward(x, rows, y);
        return y;
      });
      expectSameBits(yTs, yW);
      const [xTs, xW] = both(() => {
        const back = new Float32Array(rows * dim);
        h.inverse(yTs, rows, back);
        return back;
      });
      expectSameBits(xTs, xW);
    }
  });

  it('Householder forward and transpose are identical (full and partial products, strides)', () => {
    for (const [d, rows] of [
      [1, 3],
      [2, 1],
      [7, 17],
      [33, 16],
      [130, 40],
    ] as const) {
      const q = generateHouseholderRotation(createRngFactory(d).stream('rotation', 'haar', d), d);
      const partial = { ...q, betas: q.betas.subarray(0, Math.floor((d - 1) / 2)) };
      for (const rot of [q, partial]) {
        const applier = new HouseholderApplier(rot);
        const stride = d + 3;
        const x = filled(rows * stride, d + rows);
        const [fTs, fW] = both(() => {
          const y = new Float32Array(rows * stride);
          applier.forward(x, rows, y, stride, stride);
          return y;
        });
        expectSameBits(fTs, fW);
        const [tTs, tW] = both(() => {
          const y = new Float32Array(rows * d);
          applier.transpose(x, rows, y, stride, d);
          return y;
        });
        expectSameBits(tTs, tW);
      }
    }
  });

  it('QJL sketch products are identical (m = d and m ≠ d, odd d, partial blocks)', () => {
    for (const [m, d, count] of [
      [3, 3, 1],
      [7, 7, 16],
      [5, 9, 4],
      [64, 64, 13],
      [130, 130, 16],
    ] as const) {
      const sketch = filled(m * d, m * 31 + d);
      const src = Float64Array.from(filled(count * d, d));
      const [aTs, aW] = both(() => {
        const acc = new Float64Array(count * d);
        qjlEstimateBlock(sketch, m, d, src, count, acc);
        return acc;
      });
      expectSameBits(aTs, aW);
    }
  });

  it('qjl and turboquant-prod quantizers give identical outputs', () => {
    const rows = 37;
    const d = 96;
    const y = filled(rows * d, 5);
    for (const [def, params] of [
      [qjlQuantizer, { sketch: 0 }],
      [qjlQuantizer, { sketch: 40 }],
      [quantizersById.get('turboquant-prod'), { bits: 3 }],
    ] as const) {
      if (!def) throw new Error('quantizer missing');
      const [oTs, oW] = both(() => {
        const out = new Float32Array(rows * d);
        def.quantize(y, rows, d, params, { rng: createRngFactory(9) }, out);
        return out;
      });
      expectSameBits(oTs, oW);
    }
  });

  it('ipNvar metric is identical', () => {
    for (const [rows, d] of [
      [1, 5],
      [17, 64],
      [40, 130],
    ] as const) {
      const x = { rows, cols: d, data: filled(rows * d, rows) };
      const xHat = filled(rows * d, rows + 1);
      const [a, b] = both(() => ipNvarMetric.compute(x, xHat, { rng: createRngFactory(2) }));
      expect(Object.is(a, b)).toBe(true);
    }
  });

  it('eden equals the binary-search reference bit for bit, b = 1 … 5, both scales, zero rows', () => {
    const rows = 9;
    const d = 70;
    const y = filled(rows * d, 11);
    y.fill(0, 2 * d, 3 * d); // a zero row
    for (let bits = 1; bits <= 5; bits++) {
      for (const scale of ['mse', 'unbiased'] as const) {
        // The original loop: nearestLevelIndex, and S from the fp32 values read back from out.
        const cb = lloydMaxGaussian(bits);
        const ref = new Float32Array(rows * d);
        for (let r = 0; r < rows; r++) {
          const off = r * d;
          let n2 = 0;
          for (let j = 0; j < d; j++) n2 += y[off + j] * y[off + j];
          if (n2 === 0) continue;
          const k = Math.sqrt(d / n2);
          let yq = 0;
          let qq = 0;
          for (let j = 0; j < d; j++) {
            ref[off + j] = cb.levels[nearestLevelIndex(cb.thresholds, y[off + j] * k)];
            const q = ref[off + j];
            yq += y[off + j] * q;
            qq += q * q;
          }
          const s = scale === 'unbiased' ? n2 / yq : yq / qq;
          for (let j = 0; j < d; j++) ref[off + j] *= s;
        }
        const [oTs, oW] = both(() => {
          const out = new Float32Array(rows * d).fill(7);
          edenQuantizer.quantize(y, rows, d, { bits, scale }, { rng: createRngFactory(1) }, out);
          return out;
        });
        expectSameBits(ref, oTs);
        expectSameBits(ref, oW);
      }
    }
  });

  it('Gram matrix and tridiagonalisation: singularValues and symmetricEigen are identical', () => {
    for (const [rows, cols] of [
      [3, 7],
      [6, 6],
      [13, 30],
      [41, 9],
      [70, 70],
    ] as const) {
      const a = filled(rows * cols, rows * 100 + cols);
      const [sTs, sW] = both(() => singularValues(a, rows, cols));
      expectSameBits(sTs, sW);
    }
    for (const n of [3, 4, 5, 17, 64]) {
      const a = Float64Array.from(filled(n * n, n));
      const [eTs, eW] = both(() => symmetricEigen(a, n));
      expectSameBits(eTs.values, eW.values);
      expectSameBits(eTs.vectors ?? new Float64Array(0), eW.vectors ?? new Float64Array(0));
    }
  });

  it('estimateSpectrum (SLQ Gram products) is identical, wide and tall, odd probe counts', () => {
    for (const [rows, cols, probes] of [
      [24, 40, 4],
      [40, 24, 3],
      [33, 33, 1],
    ] as const) {
      const a = filled(rows * cols, rows + cols);
      const [eTs, eW] = both(() => estimateSpectrum(a, rows, cols, { exactMaxK: 8, probes, steps: 12 }));
      expect(eW.method).toBe('slq');
      expectSameBits(eTs.values, eW.values);
      expectSameBits(eTs.weights, eW.weights);
    }
  });
});
