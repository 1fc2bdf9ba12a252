/**
 * `lab run --dense-products` (CONTRACT.md §5.2, §6): the flag sets config.numerics.denseProducts,
 * so the printed config and permalink carry it, beside a metric domain already in the config; a
 * Haar pipeline's numbers then come from float32 products (within float32 rounding of the float64
 * ones, and not the same bits), a pipeline without dense products is unchanged bit for bit; a
 * bad value exits 2 naming the flag.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from './testing/run-main';
import { decodePermalink } from '../core/config/codec';

const run = runMain;

const dir = mkdtempSync(join(tmpdir(), 'cli-dense-products-'));
const path = join(dir, 'config.json');
writeFileSync(
  path,
  JSON.stringify({
    v: 2,
    seed: 3,
    data: { source: 'gaussian', rows: 16, dim: 64 },
    pipelines: [
      { transforms: [{ id: 'haar' }], quantizer: { id: 'int', params: { bits: 4 } } },
      { transforms: [{ id: 'wht' }], quantizer: { id: 'int', params: { bits: 4 } } },
    ],
    numerics: { metricDomain: 'transformed' },
  }),
);

interface RunJson {
  config: { numerics?: unknown };
  permalink: string;
  results: { metrics: Record<string, number> }[];
}

describe('lab run --dense-products', () => {
  it('sets the config field and the permalink; only dense products change, within float32 rounding', async () => {
    const plain = await run(['run', path, '--json']);
    const f32 = await run(['run', path, '--json', '--dense-products', 'float32']);
    expect(plain.code).toBe(0);
    expect(f32.code).toBe(0);
    const a = JSON.parse(plain.out) as RunJson;
    const b = JSON.parse(f32.out) as RunJson;
    expect(a.config.numerics).toEqual({ metricDomain: 'transformed' });
    expect(b.config.numerics).toEqual({ metricDomain: 'transformed', denseProducts: 'float32' });
    expect(decodePermalink(b.permalink).numerics).toEqual({
      metricDomain: 'transformed',
      denseProducts: 'float32',
    });
    // wht has no dense product: the same bits.
    expect(b.results[1].metrics).toEqual(a.results[1].metrics);
    // haar: float32 products. vnmse of int4 is ≈ 1e-2; a coordinate moves by ≲ d·2⁻²⁴ relative
    // (householder-f32.test.ts), far below one int4 step, so vnmse agrees to ~1e-4 relative —
    // but a rounding decision near a midpoint may flip, so not to the bit.
    const va = a.results[0].metrics.vnmse;
    const vb = b.results[0].metrics.vnmse;
    expect(Math.abs(vb - va) / va).toBeLessThan(1e-3);
    expect(vb).not.toBe(va);
    const back = await run(['run', b.permalink, '--json', '--dense-products', 'float64']);
    expect((JSON.parse(back.out) as RunJson).results).toEqual(a.results);
    expect((JSON.parse(back.out) as RunJson).config.numerics).toEqual({ metricDomain: 'transformed' });
  });

  it('prints the mode under the table', async () => {
    const r = await run(['run', path, '--dense-products', 'float32']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/dense products: float32/);
  });

  it('refuses an unknown arithmetic naming the flag', async () => {
    const r = await run(['run', path, '--dense-products', 'float16']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--dense-products: expected float64 or float32/);
  });
});
