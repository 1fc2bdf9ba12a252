/**
 * KV-cache methods (GEAR, Palu, coupled quantization, RotateKV) and their helpers (exact truncated
 * SVD, k-means) against the independent numpy references of src/core/testing/fixtures/gen_kv.py:
 * GEAR's three parts on a small fixed matrix, Lloyd's objective from the same initial centres,
 * Palu's Eckart–Young tails and a quantized case, and bits per coordinate counted item by item.
 */
import { describe, expect, it } from 'vitest';
import fixture from '../../testing/fixtures/kv.json';
import { expectArrayClose, expectClose } from '../../testing/expect';
import { createRngFactory } from '../../rng';
import { exactTruncatedSvd } from '../../linalg/svd';
import { bestRankSvd } from '../matrix/best-rank';
import { kmeans, kmeansPlusPlusSeeds, lloyd } from '../../linalg/kmeans';
import { typedParams, withDefaults } from '../params';
import type { QuantizerDef } from '../types';
import { GEAR_PARAMS, gearDecompose, gearQuantizer } from './gear';
import { PALU_PARAMS, paluProjection, paluQuantizer } from './palu';
import { COUPLED_PARAMS, coupledCodebooks, coupledQuantizer } from './coupled';
import { rotatekvChannelOrder, rotatekvQuantizer, sinkTokens } from './rotatekv';
import { intQuantizer } from './int';
import { roundToFp16 } from '../../formats/fp16';

const ctx = { rng: createRngFactory(3) };

function run(q: QuantizerDef, x: Float32Array, rows: number, d: number, given: Record<string, unknown> = {}) {
  const out = new Float32Array(rows * d);
  q.quantize(x, rows, d, withDefaults(q.params, given as Record<string, number>), ctx, out);
  return out;
}

function gaussian(rows: number, d: number, key: string): Float32Array {
  const x = new Float32Array(rows * d);
  createRngFactory(5).stream('data', key).fillNormal(x);
  return x;
}

function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i] - y[i]) ** 2;
    den += x[i] ** 2;
  }
  return Math.sqrt(num / den);
}

describe('exactTruncatedSvd', () => {
  it('matches numpy.linalg.svd singular values (GEAR residual, Palu matrix)', () => {
    const p = fixture.palu;
    const svd = exactTruncatedSvd(Float32Array.from(p.x), p.rows, p.d, p.d);
    expectArrayClose(svd.sigma, p.sigma, 1e-9, 'σ(palu x)');
    // The wide orientation (rows < cols) goes through AAᵀ: same values on the transpose.
    const xt = new Float64Array(p.rows * p.d);
    for (let i = 0; i < p.rows; i++) for (let t = 0; t < p.d; t++) xt[t * p.rows + i] = p.x[i * p.d + t];
    expectArrayClose(exactTruncatedSvd(xt, p.d, p.rows, p.d).sigma, p.sigma, 1e-9, 'σ(xᵀ)');
  });
});

describe('bestRankSvd beyond the exact limit', () => {
  it('min(rows, d) > 512: subspace iteration recovers a planted rank-3 SVD (DCT-II bases, σ = 5, 3, 1)', () => {
    const rows = 600;
    const d = 640;
    const dct = (n: number, i: number, t: number) =>
      Math.sqrt(2 / n) * Math.cos((Math.PI * (i + 0.5) * (t + 0.5)) / n);
    const sig = [5, 3, 1];
    const a = new Float64Array(rows * d);
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < rows; i++) {
        const ui = sig[c] * dct(rows, c + 1, i);
        for (let t = 0; t < d; t++) a[i * d + t] += ui * dct(d, c + 2, t);
      }
    const svd = bestRankSvd(a, rows, d, 3, () => createRngFactory(1).stream('sketch', 'test'));
    expect(svd.exact).toBe(false);
    expectArrayClose(svd.sigma, sig, 1e-9, 'σ');
    for (let c = 0; c < 3; c++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += svd.v[c][t] * dct(d, c + 2, t);
      expectClose(Math.abs(dot), 1, 1e-9, `|⟨v_${c}, planted⟩|`);
    }
  });
});

describe('gear', () => {
  const g = fixture.gear;
  const x = Float32Array.from(g.x);
  const params = typedParams(GEAR_PARAMS, withDefaults(GEAR_PARAMS, g.params));

  it('sparse part: the k largest |x| by index, fp16 values (numpy lexsort)', () => {
    const parts = gearDecompose(x, g.rows, g.d, params, ctx);
    expect(Array.from(parts.outlierIndex)).toEqual(g.outlierIndex);
    expect(Array.from(parts.outlierValue)).toEqual(g.outlierValue);
  });

  it('quantized bulk equals the numpy asymmetric INT2 g8 of X − S exactly', () => {
    const parts = gearDecompose(x, g.rows, g.d, params, ctx);
    expect(Array.from(parts.bulk)).toEqual(g.bulk);
  });

  it('low-rank part: rank-2 SVD of the residual with fp32 factors (numpy svd), and X̂ = D̂ + L + S', () => {
    const parts = gearDecompose(x, g.rows, g.d, params, ctx);
    expect(parts.rank).toBe(2);
    expectArrayClose(parts.lowRank, g.lowRank, 1e-6, 'L');
    expectArrayClose(run(gearQuantizer, x, g.rows, g.d, g.params), g.xhat, 1e-5, 'x̂');
  });

  it('bits: every code, scale, zero-point, outlier value + index and factor counted (numpy listing)', () => {
    expectClose(gearQuantizer.bitsPerCoord(params, g.rows, g.d), g.bitsFp32, 1e-12, 'bits fp32');
    const p16 = withDefaults(gearQuantizer.params, { ...g.params, lowRankFormat: 'fp16' });
    expectClose(gearQuantizer.bitsPerCoord(p16, g.rows, g.d), g.bitsFp16, 1e-12, 'bits fp16');
  });

  it('each part helps: the low-rank and sparse parts lower the error of the bulk alone', () => {
    const rows = 128;
    const d = 64;
    const y = gaussian(rows, d, 'gear');
    for (let i = 0; i < rows; i++) y[i * d + 5] *= 12; // an outlier channel
    const e = (given: Record<string, unknown>) =>
      relErr(y, run(gearQuantizer, y, rows, d, { bits: 2, group: 32, ...given }));
    const bulkOnly = e({ rank: 0, outliers: 0 });
    expect(e({ rank: 4, outliers: 0 })).toBeLessThan(bulkOnly);
    expect(e({ rank: 0, outliers: 2 })).toBeLessThan(bulkOnly);
    expect(e({ rank: 4, outliers: 2 })).toBeLessThan(
      Math.min(e({ rank: 4, outliers: 0 }), e({ rank: 0, outliers: 2 })),
    );
  });
});

describe('k-means', () => {
  const k = fixture.kmeans;
  const x = Float64Array.from(k.x);

  it('Lloyd from the same initial centres: numpy objective per iteration, assignment and centres', () => {
    for (const c of k.cases) {
      const init = new Float64Array(c.init.length * k.dim);
      c.init.forEach((idx, j) => {
        for (let q = 0; q < k.dim; q++) init[j * k.dim + q] = x[idx * k.dim + q];
      });
      const r = lloyd(x, k.n, k.dim, init, c.iters);
      expectArrayClose(r.objective, c.objective, 1e-9, `objective, init ${c.init.join(',')}`);
      expect(Array.from(r.assign)).toEqual(c.assign);
      expectArrayClose(r.centroids, c.centroids, 1e-12, 'centroids');
      // Lloyd's monotonicity.
      for (let i = 1; i < r.objective.length; i++)
        expect(r.objective[i]).toBeLessThanOrEqual(r.objective[i - 1] + 1e-12);
    }
  });

  it('k-means++ is determined by the seed: same seed ⇒ identical codebooks; another seed differs', () => {
    const a = kmeans(x, k.n, k.dim, 4, 5, createRngFactory(9).stream('sketch', 'k'));
    const b = kmeans(x, k.n, k.dim, 4, 5, createRngFactory(9).stream('sketch', 'k'));
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    const s1 = kmeansPlusPlusSeeds(x, k.n, k.dim, 4, createRngFactory(9).stream('sketch', 'k'));
    const seedsDiffer = [10, 11, 12, 13].some((seed) => {
      const s2 = kmeansPlusPlusSeeds(x, k.n, k.dim, 4, createRngFactory(seed).stream('sketch', 'k'));
      return s2.some((v, i) => v !== s1[i]);
    });
    expect(seedsDiffer).toBe(true);
    // D² seeding on 4 well-separated blobs of 15 picks one point per blob.
    expect(new Set(Array.from(s1, (i) => Math.floor(i / 15))).size).toBe(4);
  });
});

describe('coupled', () => {
  it('same experiment seed ⇒ identical codebooks and output; the bits per channel of CQ-8c8b', () => {
    const rows = 300;
    const d = 16;
    const x = gaussian(rows, d, 'cq');
    const params = typedParams(COUPLED_PARAMS, withDefaults(COUPLED_PARAMS, { channels: 4, codeBits: 4 }));
    const a = coupledCodebooks(x, rows, d, params, { rng: createRngFactory(7) });
    const b = coupledCodebooks(x, rows, d, params, { rng: createRngFactory(7) });
    expect(a.map((c) => Array.from(c.centroids))).toEqual(b.map((c) => Array.from(c.centroids)));
    expect(a).toHaveLength(4);
    // The stored centroids are fp16 values.
    for (const c of a) for (const v of c.centroids) expect(Math.fround(v)).toBe(v);
  });

  it('bits: codes plus fp16 codebooks counted per group (numpy listing), partial last group', () => {
    for (const c of fixture.bits.coupled) {
      const p = withDefaults(coupledQuantizer.params, { channels: c.channels, codeBits: c.codeBits });
      expectClose(
        coupledQuantizer.bitsPerCoord(p, c.rows, c.d),
        c.bits,
        1e-12,
        `${c.channels}c${c.codeBits}b`,
      );
    }
  });

  it('exploits dependence: on correlated channel pairs 2c4b beats 1c2b (same 2 bits per channel + codebook)', () => {
    const rows = 2048;
    const d = 8;
    const x = gaussian(rows, d, 'pairs');
    for (let i = 0; i < rows; i++)
      for (let t = 1; t < d; t += 2) x[i * d + t] = 0.95 * x[i * d + t - 1] + 0.3 * x[i * d + t];
    const joint = relErr(x, run(coupledQuantizer, x, rows, d, { channels: 2, codeBits: 4 }));
    const marginal = relErr(x, run(coupledQuantizer, x, rows, d, { channels: 1, codeBits: 2 }));
    expect(joint).toBeLessThan(0.8 * marginal);
  });

  it('with K ≥ rows every token is its own centroid: error only from fp16 rounding', () => {
    const x = gaussian(20, 6, 'tiny');
    const out = run(coupledQuantizer, x, 20, 6, { channels: 3, codeBits: 6 });
    expect(relErr(x, out)).toBeLessThan(1e-3);
  });
});

describe('palu', () => {
  const p = fixture.palu;
  const x = Float32Array.from(p.x);

  it('rank-r projection error = Eckart–Young tail Σ_{i>r} σ_i² (numpy), exact at full rank', () => {
    let total = 0;
    for (const v of p.x) total += v * v;
    for (let r = 1; r <= p.d; r++) {
      const proj = paluProjection(
        x,
        p.rows,
        p.d,
        typedParams(PALU_PARAMS, withDefaults(PALU_PARAMS, { rank: r, basisFormat: 'fp32' })),
        ctx,
      );
      let err = 0;
      for (let i = 0; i < x.length; i++) err += (x[i] - proj.projected[i]) ** 2;
      expectClose(err, p.tails[r - 1], 1e-6 * total, `tail r=${r}`);
    }
  });

  it('G-LRD (2 channel groups): projection error = Σ of each group’s tail; bits by listing (numpy)', () => {
    let total = 0;
    for (const v of p.x) total += v * v;
    for (const g of p.grouped) {
      const params = typedParams(
        PALU_PARAMS,
        withDefaults(PALU_PARAMS, { rank: g.rank, groups: 2, basisFormat: 'fp32' }),
      );
      const proj = paluProjection(x, p.rows, p.d, params, ctx);
      let err = 0;
      for (let i = 0; i < x.length; i++) err += (x[i] - proj.projected[i]) ** 2;
      expectClose(err, g.tail, 1e-6 * total, `grouped tail r=${g.rank}`);
      expect(proj.bases.map((b) => b.length / (p.d / 2))).toEqual(g.shares);
      const bitsParams = withDefaults(paluQuantizer.params, { rank: g.rank, groups: 2, bits: 4, group: 8 });
      expectClose(
        paluQuantizer.bitsPerCoord(bitsParams, p.rows, p.d),
        g.bits,
        1e-12,
        `grouped bits r=${g.rank}`,
      );
    }
    // Full rank per group: exact up to 8-bit latent quantization.
    const out = run(paluQuantizer, x, p.rows, p.d, { rank: p.d, groups: 2, bits: 8, basisFormat: 'fp32' });
    expect(relErr(x, out)).toBeLessThan(0.01);
  });

  it('full rank with 8-bit latents: only the latent quantization remains (relative error < 1%)', () => {
    const out = run(paluQuantizer, x, p.rows, p.d, { rank: p.d, bits: 8, basisFormat: 'fp32' });
    expect(relErr(x, out)).toBeLessThan(0.01);
  });

  it('quantized latents after the Hadamard match the numpy reference', () => {
    const q = p.quantized;
    expectArrayClose(run(paluQuantizer, x, p.rows, p.d, q.params), q.xhat, 1e-6, 'x̂');
    expectClose(
      paluQuantizer.bitsPerCoord(withDefaults(paluQuantizer.params, q.params), p.rows, p.d),
      q.bits,
      1e-12,
      'bits',
    );
  });
});

describe('rotatekv', () => {
  const o = fixture.rotatekvOrder;
  const x = Float32Array.from(o.x);

  it('sink = the token with the massive activation; channel order by mean |x| without it (numpy)', () => {
    const sinks = sinkTokens(x, o.rows, o.d, 1);
    expect(Array.from(sinks)).toEqual(o.sinks);
    const skip = new Uint8Array(o.rows);
    for (const s of sinks) skip[s] = 1;
    expect(Array.from(rotatekvChannelOrder(x, o.rows, o.d, skip))).toEqual(o.order);
  });

  it('sink tokens are stored in fp16; with no rotation, reorder or sinks it is plain asymmetric INT', () => {
    const out = run(rotatekvQuantizer, x, o.rows, o.d, { sinks: 1 });
    for (let t = 0; t < o.d; t++) expect(out[6 * o.d + t]).toBe(roundToFp16(x[6 * o.d + t]));
    expectClose(out[6 * o.d + 9], 300, 0, 'sink value (exact in fp16)');
    const plain = run(rotatekvQuantizer, x, o.rows, o.d, { sinks: 0, reorder: false, block: 1, group: 8 });
    const ref = run(intQuantizer, x, o.rows, o.d, {
      bits: 2,
      granularity: 'group',
      group: 8,
      symmetric: false,
    });
    expect(Array.from(plain)).toEqual(Array.from(ref));
  });

  it('bits: codes, scales, zero-points, sink tokens + indices, permutation (numpy listing)', () => {
    for (const c of fixture.bits.rotatekv) {
      const p = withDefaults(rotatekvQuantizer.params, {
        bits: c.bits,
        group: c.group,
        sinks: c.sinks,
        reorder: c.reorder,
      });
      expectClose(
        rotatekvQuantizer.bitsPerCoord(p, c.rows, c.d),
        c.value,
        1e-12,
        `rotatekv ${c.rows}×${c.d}`,
      );
    }
  });

  it('reordering + FWHT beats the FWHT alone, which beats no rotation, on keys with outlier channels', () => {
    const rows = 256;
    const d = 512;
    const y = gaussian(rows, d, 'keys');
    for (const c of [3, 77, 200, 301, 450]) for (let i = 0; i < rows; i++) y[i * d + c] *= 15;
    const e = (given: Record<string, unknown>) =>
      relErr(y, run(rotatekvQuantizer, y, rows, d, { sinks: 0, ...given }));
    const none = e({ block: 1, reorder: false });
    const fwht = e({ reorder: false });
    const both = e({});
    expect(fwht).toBeLessThan(none);
    expect(both).toBeLessThan(fwht);
  });
});

describe('odd shapes and degenerate inputs', () => {
  const shapes: [number, number][] = [
    [1, 1],
    [1, 13],
    [3, 5],
    [7, 130],
    [40, 3],
  ];
  const cases: [QuantizerDef, Record<string, unknown>][] = [
    [gearQuantizer, {}],
    [gearQuantizer, { rank: 50, outliers: 50, group: 8 }],
    [paluQuantizer, {}],
    [paluQuantizer, { rank: 1, hadamard: false }],
    [coupledQuantizer, {}],
    [coupledQuantizer, { channels: 3, codeBits: 2, iters: 0 }],
    [rotatekvQuantizer, {}],
    [rotatekvQuantizer, { block: 4, group: 8, sinks: 100 }],
  ];
  it('finite output, input untouched, finite positive bits; zero input gives zero output', () => {
    for (const [q, given] of cases)
      for (const [rows, d] of shapes) {
        const x = gaussian(rows, d, `odd${rows}x${d}`);
        const copy = x.slice();
        const out = run(q, x, rows, d, given);
        const what = `${q.id} ${JSON.stringify(given)} ${rows}×${d}`;
        expect(Array.from(x), what).toEqual(Array.from(copy));
        expect(
          out.every((v) => Number.isFinite(v)),
          what,
        ).toBe(true);
        const bits = q.bitsPerCoord(withDefaults(q.params, given as Record<string, number>), rows, d);
        expect(Number.isFinite(bits) && bits > 0, what).toBe(true);
        const zero = run(q, new Float32Array(rows * d), rows, d, given);
        expect(
          zero.every((v) => v === 0),
          `${what} zero input`,
        ).toBe(true);
      }
  });
});
