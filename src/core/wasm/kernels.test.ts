/**
 * Parity of every WASM SIMD kernel with its TypeScript reference. The kernels keep the
 * reference's operation order, so the check is exact equality of the bits, at several sizes
 * including non-powers of two, odd row counts and partial SIMD lane groups. No timings here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fwhtInPlace } from '../linalg/fwht';
import { SignedHadamard, randomSigns } from '../linalg/signedHadamard';
import { generateHouseholderRotation, HouseholderApplier } from '../linalg/householder';
import { createRngFactory } from '../rng';
import { fwhtF32Wasm, resetWasmHits, setWasmEnabled, wasmHits, wasmKernels } from './kernels';
import { qjlEstimateBlock, qjlEstimateBlockF32, qjlQuantizer } from '../methods/quantizers/qjl';
import { quantizersById } from '../methods';
import { withDefaults } from '../methods/params';
import { ipNvarMetric } from '../methods/metrics/ip-nvar';
import { edenQuantizer } from '../methods/quantizers/eden';
import { lloydMaxGaussian, nearestLevelIndex } from '../linalg/lloydmax';
import { singularValues, symmetricEigen } from '../linalg/eig';
import { estimateSpectrum } from '../linalg/lanczos';
import { intQuantizer } from '../methods/quantizers/int';
import { mxfp4Quantizer } from '../methods/quantizers/mxfp4';
import { nvfp4Quantizer } from '../methods/quantizers/nvfp4';
import { nf4Quantizer } from '../methods/quantizers/nf4';
import { fp8Quantizer } from '../methods/quantizers/fp8';
import { E2M1, E4M3, E5M2, UE4M3, roundValue } from '../formats/minifloat';
import { roundMinifloatInPlace } from './blocks';
import type { QuantizerDef } from '../methods/types';

function filled(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  createRngFactory(seed).stream('data', 'wasm-test', n).fillNormal(a);
  return a;
}

/**
 * Run `fn` with the TS path and with the WASM path; returns both results. The kernels' hit
 * counters must show that the TS run took no WASM path and the WASM run took `path` (every one
 * listed): a fast path that is silently skipped fails here instead of comparing TS with itself.
 */
function both<T>(path: string | readonly string[], fn: () => T): [T, T] {
  const paths = typeof path === 'string' ? [path] : path;
  resetWasmHits();
  setWasmEnabled(false);
  const ts = fn();
  for (const p of paths) expect(wasmHits(p), `${p} ran on WASM while disabled`).toBe(0);
  setWasmEnabled(true);
  const wasm = fn();
  for (const p of paths) expect(wasmHits(p), `${p}: the WASM path was not taken`).toBeGreaterThan(0);
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
      const [yTs, yW] = both('signedHadamard', () => {
        const y = new Float32Array(rows * outDim);
        h.forward(x, rows, y);
        return y;
      });
      expectSameBits(yTs, yW);
      const [xTs, xW] = both('signedHadamard', () => {
        const back = new Float32Array(rows * dim);
        h.inverse(yTs, rows, back);
        return back;
      });
      expectSameBits(xTs, xW);
    }
  });

  /**
   * TS vs WASM Householder products of one precision: full, partial and β-skipping products
   * (β = 0, H_k = I, is skipped by both paths: every third one is zeroed, so the tiled kernel's
   * pending-update chain crosses skipped reflectors in both directions), forward and transpose,
   * with row strides. `other` is the other precision's hit counter, which must stay at 0.
   */
  function householderParity(
    precision: 'float64' | 'float32',
    hit: string,
    other: string,
    cases: readonly (readonly [number, number])[],
  ): void {
    for (const [d, rows] of cases) {
      const q = generateHouseholderRotation(createRngFactory(d).stream('rotation', 'haar', d), d);
      const partial = { ...q, betas: q.betas.subarray(0, Math.floor((d - 1) / 2)) };
      const skipping = { ...q, betas: q.betas.map((b, k) => (k % 3 === 1 ? 0 : b)) };
      for (const rot of [q, partial, skipping]) {
        const applier = new HouseholderApplier(rot, precision);
        const stride = d + 3;
        const x = filled(rows * stride, d + rows);
        const [fTs, fW] = both(hit, () => {
          const y = new Float32Array(rows * stride);
          applier.forward(x, rows, y, stride, stride);
          return y;
        });
        expectSameBits(fTs, fW);
        const [tTs, tW] = both(hit, () => {
          const y = new Float32Array(rows * d);
          applier.transpose(x, rows, y, stride, d);
          return y;
        });
        expectSameBits(tTs, tW);
        expect(wasmHits(other), `${precision} took the ${other} kernel`).toBe(0);
      }
    }
  }

  it('Householder forward and transpose are identical (full, partial and skipping products, strides)', () => {
    householderParity('float64', 'householder', 'householder-f32', [
      [1, 3],
      [2, 1],
      [7, 17],
      [33, 16],
      [130, 40],
      [257, 75], // several row groups per call, the last one partial
    ]);
  });

  it('float32 Householder (householder_tiled_f32) forward and transpose equal the float32 reference', () => {
    householderParity('float32', 'householder-f32', 'householder', [
      [1, 3],
      [2, 1],
      [7, 17],
      [33, 16],
      [130, 40],
      [257, 75], // several 16-row groups per call, the last one partial
      [64, 300], // more rows than one call holds (several chunks)
    ]);
  });

  it('QJL sketch products are identical (m = d and m ≠ d, odd d, partial blocks)', () => {
    for (const [m, d, count] of [
      [3, 3, 1],
      [7, 7, 16],
      [5, 9, 4],
      [64, 64, 13],
      [130, 130, 16],
      [259, 131, 16], // sketch rows in blocks of four plus three left over, odd d
    ] as const) {
      const sketch = filled(m * d, m * 31 + d);
      const src = Float64Array.from(filled(count * d, d));
      const [aTs, aW] = both('qjl', () => {
        const acc = new Float64Array(count * d);
        qjlEstimateBlock(sketch, m, d, src, count, acc);
        return acc;
      });
      expectSameBits(aTs, aW);
    }
  });

  it('float32 QJL sketch products are identical (m ≠ d, odd d, rows left over from 8, several slices)', () => {
    for (const [m, d, count] of [
      [3, 3, 1], // fewer sketch rows than one pass of 8
      [11, 2, 3], // d < 4: no vector loop, scalar tails only
      [9, 5, 4], // one pass of 8 plus one row left over, d = 4 + 1
      [64, 64, 13],
      [133, 131, 16], // 16 passes plus five rows left over, odd d
      [1100, 67, 5], // two slices of qjl_tiled_f32 (976 rows, then 124), odd d, m ≠ d
    ] as const) {
      const sketch = filled(m * d, m * 37 + d);
      const src = Float64Array.from(filled(count * d, d + 1), (v, j) => v * (1 + j * 1e-9));
      const [aTs, aW] = both('qjlF32', () => {
        const acc = new Float64Array(count * d);
        qjlEstimateBlockF32(sketch, m, d, src, count, acc);
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
      const [oTs, oW] = both('qjl', () => {
        const out = new Float32Array(rows * d);
        def.quantize(y, rows, d, params, { rng: createRngFactory(9) }, out);
        return out;
      });
      expectSameBits(oTs, oW);
    }
  });

  it('qjl, turboquant-prod and qjl-kv in the float32 dense-products mode give identical outputs', () => {
    const rows = 21;
    const d = 72;
    const y = filled(rows * d, 6);
    for (const [def, params] of [
      [qjlQuantizer, { sketch: 0 }],
      [qjlQuantizer, { sketch: 30 }],
      [quantizersById.get('turboquant-prod'), { bits: 3 }],
      [quantizersById.get('qjl-kv'), {}],
    ] as const) {
      if (!def) throw new Error('quantizer missing');
      const full = withDefaults(def.params, params);
      const [oTs, oW] = both('qjlF32', () => {
        const out = new Float32Array(rows * d);
        def.quantize(y, rows, d, full, { rng: createRngFactory(9), denseProducts: 'float32' }, out);
        return out;
      });
      expectSameBits(oTs, oW);
      // The float32 mode really took the float32 path: the float64 kernel was not used.
      resetWasmHits();
      def.quantize(
        y,
        rows,
        d,
        full,
        { rng: createRngFactory(9), denseProducts: 'float32' },
        new Float32Array(rows * d),
      );
      expect(wasmHits('qjl')).toBe(0);
    }
  });

  it('ipNvar metric is identical', () => {
    for (const [rows, d] of [
      [1, 5],
      [17, 64],
      [40, 130],
      [33, 600], // several tiles of the shared dimension, the last one partial
    ] as const) {
      const x = { rows, cols: d, data: filled(rows * d, rows) };
      const xHat = filled(rows * d, rows + 1);
      const [a, b] = both('ipNvar', () => ipNvarMetric.compute(x, xHat, { rng: createRngFactory(2) }));
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
        const [oTs, oW] = both('eden', () => {
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
      // The Gram kernel needs k = min(rows, cols) ≥ 4; smaller k stays on TypeScript by design.
      const [sTs, sW] = both(Math.min(rows, cols) >= 4 ? 'eig.gram' : [], () =>
        singularValues(a, rows, cols),
      );
      expectSameBits(sTs, sW);
    }
    for (const n of [3, 4, 5, 17, 64]) {
      const a = Float64Array.from(filled(n * n, n));
      const [eTs, eW] = both('eig.tridiagonalize', () => symmetricEigen(a, n));
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
      const [eTs, eW] = both('lanczos.gram', () =>
        estimateSpectrum(a, rows, cols, { exactMaxK: 8, probes, steps: 12 }),
      );
      expect(eW.method).toBe('slq');
      expectSameBits(eTs.values, eW.values);
      expectSameBits(eTs.weights, eW.weights);
    }
  });

  it('normal and uniform fills equal the scalar stream (f32 and f64, odd spare, beyond one slice)', () => {
    for (const n of [256, 1001, 70001]) {
      for (const wide of [false, true]) {
        const [a, b] = both(['rng.normal', 'rng.uniform'], () => {
          const r = createRngFactory(n).stream('data', 'fill', n);
          r.normal(); // leaves a spare: the fill must start with it
          const out = wide ? new Float64Array(n) : new Float32Array(n);
          r.fillNormal(out);
          const u = new Float64Array(n + 3);
          r.fillUniform(u);
          // The stream continues where the fill left it (spare and generator state).
          return { out, u, after: Float64Array.of(r.normal(), r.normal(), r.uniform(), r.nextU32()) };
        });
        expectSameBits(a.out, b.out);
        expectSameBits(a.u, b.u);
        expectSameBits(a.after, b.after);
      }
    }
  });

  /** Normal data with the awkward cases: a zero block, exact ties, ±0, subnormals, NaN and ±∞. */
  function awkward(rows: number, d: number, seed: number, specials: boolean): Float32Array {
    const y = filled(rows * d, seed);
    for (let i = 0; i < y.length; i++) if (i % 97 === 5) y[i] *= 40; // outliers set the scales
    if (!specials) return y;
    y.fill(0, 0, Math.min(d, 40)); // a zero block at the start
    const ties = [7, 0.5, 1.5, 2.5, -0.5, -2.5, -0, 3.5, 0.25, 0.75, 1.25, 1.75, 5, -5, 6, 4];
    if (y.length >= 64 + ties.length) y.set(ties, 64);
    if (y.length > 200) {
      y.set([1e-40, -3e-41, 1e-45, 0], 128); // subnormal float32
      y.fill(1e-42, 160, 192);
    }
    return y;
  }

  function quantizeBoth(
    def: QuantizerDef,
    path: string,
    y: Float32Array,
    rows: number,
    d: number,
    params: object,
  ) {
    return both(path, () => {
      const out = new Float32Array(rows * d).fill(7);
      def.quantize(y, rows, d, params as never, { rng: createRngFactory(3) }, out);
      return out;
    });
  }

  it('int (sym/asym; tensor, row, group; long rows and long blocks) is identical', () => {
    const shapes: [rows: number, d: number][] = [
      [1, 5],
      [7, 100],
      [3, 70001], // rows longer than one WASM slice
      [300, 300], // tensor granularity spans several slices
    ];
    for (const [rows, d] of shapes) {
      for (const specials of [false, true]) {
        const y = awkward(rows, d, rows + d, specials);
        for (const granularity of ['tensor', 'row', 'group'] as const) {
          for (const symmetric of [true, false]) {
            for (const bits of [2, 4, 8]) {
              const params = { bits, granularity, group: 32, symmetric, rounding: 'nearest' };
              const [a, b] = quantizeBoth(intQuantizer, 'int', y, rows, d, params);
              expectSameBits(a, b);
            }
          }
        }
      }
    }
  });

  it('int with NaN and ±∞ inputs is identical', () => {
    const y = awkward(4, 64, 9, true);
    y[3] = NaN;
    y[70] = Infinity;
    y[140] = -Infinity;
    for (const symmetric of [true, false]) {
      const params = { bits: 4, granularity: 'group', group: 16, symmetric, rounding: 'nearest' };
      const [a, b] = quantizeBoth(intQuantizer, 'int', y, 4, 64, params);
      expectSameBits(a, b);
    }
  });

  it('mxfp4 and nvfp4 (ties, subnormal scales, NaN/∞ blocks, partial blocks, long rows) are identical', () => {
    for (const [rows, d] of [
      [1, 7],
      [5, 100],
      [2, 70001],
      [64, 256],
    ] as const) {
      for (const specials of [false, true]) {
        const y = awkward(rows, d, 3 * rows + d, specials);
        const [a, b] = quantizeBoth(mxfp4Quantizer, 'mxfp4', y, rows, d, { rounding: 'nearest' });
        expectSameBits(a, b);
        const [c, e] = quantizeBoth(nvfp4Quantizer, 'nvfp4', y, rows, d, { rounding: 'nearest' });
        expectSameBits(c, e);
      }
    }
    const y = awkward(3, 64, 4, true);
    y[5] = NaN;
    y[100] = Infinity;
    for (const def of [mxfp4Quantizer, nvfp4Quantizer]) {
      const [a, b] = quantizeBoth(def, def.id, y, 3, 64, { rounding: 'nearest' });
      expectSameBits(a, b);
    }
    // An all-zero tensor (NVFP4's tensor scale 0).
    const z = new Float32Array(48);
    const [a, b] = quantizeBoth(nvfp4Quantizer, 'nvfp4', z, 3, 16, { rounding: 'nearest' });
    expectSameBits(a, b);
  });

  it('nf4 (block 64 and 8, partial blocks, long rows, NaN/∞, zero blocks) is identical', () => {
    for (const [rows, d] of [
      [1, 7],
      [5, 100],
      [2, 70001],
    ] as const) {
      for (const specials of [false, true]) {
        const y = awkward(rows, d, 5 * rows + d, specials);
        if (specials && y.length > 300) {
          y[3] = NaN;
          y[250] = Infinity;
        }
        for (const block of [64, 8]) {
          const [a, b] = quantizeBoth(nf4Quantizer, 'nf4', y, rows, d, { block, rounding: 'nearest' });
          expectSameBits(a, b);
        }
      }
    }
  });

  it('fp8 (e4m3/e5m2, tensor/row, subnormal codes, ties, NaN, long rows) is identical', () => {
    for (const [rows, d] of [
      [1, 7],
      [5, 100],
      [2, 70001],
    ] as const) {
      for (const specials of [false, true]) {
        const y = awkward(rows, d, 7 * rows + d, specials);
        if (specials && y.length > 300) y[3] = NaN;
        for (const format of ['e4m3', 'e5m2'] as const) {
          for (const granularity of ['tensor', 'row'] as const) {
            const params = { format, granularity, rounding: 'nearest' };
            const [a, b] = quantizeBoth(fp8Quantizer, 'fp8', y, rows, d, params);
            expectSameBits(a, b);
          }
        }
      }
    }
  });

  it('minifloat_round equals roundValue (E2M1, E4M3, E5M2, UE4M3; ties, subnormals, ±0, ±∞, NaN, overflow)', () => {
    const k = wasmKernels();
    if (!k) throw new Error('wasm unavailable');
    for (const f of [E2M1, E4M3, E5M2, UE4M3]) {
      const vals: number[] = [
        0,
        -0,
        NaN,
        Infinity,
        -Infinity,
        f.maxFinite,
        2 * f.maxFinite,
        1e300,
        1e-300,
        5e-324,
      ];
      // Every grid point, midpoint and near-midpoint from the smallest subnormal to past the max.
      for (let v = f.minSubnormal / 4; v < f.maxFinite * 1.5; v *= 1.0009765625) vals.push(v, -v);
      for (let c = 0; c < 1 << 8; c++) {
        const a = c * (f.minSubnormal / 2);
        vals.push(a, -a, a * (1 + 2 ** -40), a * (1 - 2 ** -40));
      }
      const got = Float64Array.from(vals);
      roundMinifloatInPlace(k, got, f);
      const want = Float64Array.from(vals, (v) => roundValue(f, v));
      expectSameBits(want, got);
    }
  });
});
