/**
 * The low-rank methods' SVD and fp16 range fixes:
 *  - exactTruncatedSvd against numpy.linalg.svd (testing/fixtures/gen_calibrated.py): top-4
 *    singular values and the rank-4 approximation, wide and tall;
 *  - Eckart–Young: the exact rank-r residual is never above the randomized one (2 power steps);
 *  - old v1 links that omit `svd` keep the randomized algorithm (src/core/config/migrate.ts), new
 *    configs get 'exact';
 *  - inputs beyond the fp16 range (1e6) give finite reconstructions in llm-int8, kivi, svdquant
 *    and eora (saturation at ±65504), where IEEE conversion used to give ±Inf and NaN metrics.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { restoreConfig } from '../core/config/schema';
import { runConfig } from './experiment';
import { createRngFactory } from '../core/rng';
import { withDefaults } from '../core/methods/params';
import { eoraQuantizer } from '../core/methods/quantizers/eora';
import { kiviQuantizer } from '../core/methods/quantizers/kivi';
import { llmInt8Quantizer } from '../core/methods/quantizers/llm-int8';
import { svdquantQuantizer } from '../core/methods/quantizers/svdquant';
import type { QuantizerDef } from '../core/methods/types';
import {
  exactTruncatedSvd,
  matrixOperator,
  truncatedSvd,
  type TruncatedSvd,
} from '../core/methods/matrix/lowrank';

interface SvdCase {
  rows: number;
  cols: number;
  a: number[];
  sigma: number[];
  approx: number[];
}
const fx = JSON.parse(
  readFileSync(new URL('../core/testing/fixtures/calibrated.json', import.meta.url), 'utf8'),
) as { svd: SvdCase[] };

function approx(svd: TruncatedSvd, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  svd.sigma.forEach((s, c) => {
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) out[i * cols + j] += s * svd.u[c][i] * svd.v[c][j];
  });
  return out;
}

describe('exact truncated SVD', () => {
  it.each(fx.svd.map((c) => [`${c.rows}×${c.cols}`, c] as const))('%s matches numpy', (_n, c) => {
    const svd = exactTruncatedSvd(matrixOperator(c.a, c.rows, c.cols), 4);
    for (let i = 0; i < 4; i++) expect(Math.abs(svd.sigma[i] - c.sigma[i])).toBeLessThan(1e-12 * c.sigma[0]);
    const a = approx(svd, c.rows, c.cols);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - c.approx[i])).toBeLessThan(1e-11);
  });

  it('is never worse than the randomized 2-step sketch (Eckart–Young)', () => {
    const rows = 96;
    const cols = 160;
    const a = new Float32Array(rows * cols);
    createRngFactory(2).stream('data', 'svd-gauss').fillNormal(a);
    const resid = (svd: TruncatedSvd) => {
      const b = approx(svd, rows, cols);
      let s = 0;
      for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
      return s;
    };
    const exact = resid(exactTruncatedSvd(matrixOperator(a, rows, cols), 16));
    const rand = resid(
      truncatedSvd(matrixOperator(a, rows, cols), 16, createRngFactory(2).stream('sketch', 'x')),
    );
    expect(exact).toBeLessThanOrEqual(rand * (1 + 1e-12));
  });
});

describe('svd param: old links keep randomized-2, new configs get exact', () => {
  const base = { v: 1, seed: 1, data: { source: 'gaussian', rows: 8, dim: 16 } };
  it('a v1 config without svd is pinned to randomized-2; an explicit svd is kept', () => {
    const old = restoreConfig({
      ...base,
      pipelines: [
        { transforms: [{ id: 'identity' }], quantizer: { id: 'svdquant', params: { rank: 4 } } },
        { transforms: [{ id: 'identity' }], quantizer: { id: 'eora' } },
        { transforms: [{ id: 'identity' }], quantizer: { id: 'resq', params: { svd: 'exact' } } },
        { transforms: [{ id: 'identity' }], quantizer: { id: 'int' } },
      ],
    });
    expect(old.pipelines.map((p) => p.quantizer.params.svd)).toEqual([
      'randomized-2',
      'randomized-2',
      'exact',
      undefined,
    ]);
    expect(withDefaults(svdquantQuantizer.params).svd).toBe('exact');
  });
});

describe('values beyond the fp16 range saturate (no NaN metrics)', () => {
  const rows = 16;
  const d = 64;
  const x = new Float32Array(rows * d);
  createRngFactory(4).stream('data', 'fp16-range').fillNormal(x);
  x[3 * d + 5] = 1e6;
  x[9 * d + 40] = -1e6;
  const rng = createRngFactory(4);
  const cases: [QuantizerDef, Record<string, string | number | boolean>][] = [
    [llmInt8Quantizer, {}],
    [kiviQuantizer, { residual: 0 }],
    [svdquantQuantizer, { rank: 4 }],
    [eoraQuantizer, { rank: 4 }],
  ];
  it.each(cases.map(([q, p]) => [q.id, q, p] as const))('%s', (_id, q, p) => {
    const out = new Float32Array(rows * d);
    q.quantize(x, rows, d, withDefaults(q.params, p), { rng }, out);
    for (let i = 0; i < out.length; i++) expect(Number.isFinite(out[i]), `out[${i}] = ${out[i]}`).toBe(true);
  });
  it('llm-int8 stores the 1e6 outlier as 65504', () => {
    const out = new Float32Array(rows * d);
    llmInt8Quantizer.quantize(x, rows, d, withDefaults(llmInt8Quantizer.params), { rng }, out);
    expect(out[3 * d + 5]).toBe(65504);
    expect(out[9 * d + 40]).toBe(-65504);
  });
  it('a file-like config with 1e6 gets numbers, not nulls', async () => {
    const out = await runConfig(
      restoreConfig({
        v: 1,
        seed: 1,
        data: { source: 'outlier-channels', rows: 16, dim: 64, channels: 2, scale: 1e6 },
        pipelines: [{ transforms: [{ id: 'identity' }], quantizer: { id: 'llm-int8' } }],
      }),
    );
    expect(Number.isFinite(out.results[0].metrics.vnmse)).toBe(true);
  });
});
