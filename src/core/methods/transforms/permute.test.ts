/**
 * permute (channel reordering) against the numpy reference (fixtures/gen_formats2.py: sort by amax
 * and by norm, DuQuant's zigzag deal, the greedy mass balancing), inverse ∘ forward = identity,
 * and the side-information bits: the permutation (dim·⌈log2 dim⌉) and stored pca / duquant bases
 * (sideInfoBits) reach bitsPerCoordinate() and the run path alike.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../../rng';
import { bitsPerCoordinate, runExperiment, type PipelineSpec } from '../../pipeline';
import { withDefaults } from '../params';
import type { Matrix, ParamValue } from '../types';
import { duquantTransform } from './duquant';
import { pcaTransform } from './pca';
import { ceilLog2, permuteTransform } from './permute';
import { quantizersById, transformsById } from '..';

interface PermCase {
  rows: number;
  dim: number;
  block: number;
  x: number[];
  amax: number[];
  norm: number[];
  zigzag: number[];
  massdiff: number[];
}
const fx = JSON.parse(
  readFileSync(new URL('../../testing/fixtures/formats2.json', import.meta.url), 'utf8'),
) as { permute: PermCase[] };

function prepare(mode: string, block: number, data: Matrix) {
  const p = withDefaults(permuteTransform.params, { mode, block });
  return permuteTransform.prepare(p, { rng: createRngFactory(1), dim: data.cols, data });
}

describe('permutations equal the numpy reference', () => {
  for (const c of fx.permute) {
    const data: Matrix = { rows: c.rows, cols: c.dim, data: Float32Array.from(c.x) };
    for (const mode of ['amax', 'norm', 'zigzag', 'massdiff'] as const)
      it(`${mode}: ${c.rows}×${c.dim}, block ${c.block}`, () => {
        const t = prepare(mode, c.block, data);
        // forward puts old channel perm[j] at position j: read perm back from a one-hot probe.
        const probe = Float32Array.from({ length: c.dim }, (_, j) => j);
        const y = new Float32Array(c.dim);
        t.forward(probe, 1, y);
        expect(Array.from(y)).toEqual(c[mode]);
        const back = new Float32Array(c.rows * c.dim);
        const z = new Float32Array(c.rows * c.dim);
        t.forward(data.data, c.rows, z);
        t.inverse(z, c.rows, back);
        expect(back).toEqual(data.data);
      });
  }
  it('zigzag deals 0,1,…,K−1,K−1,…,0 (DuQuant §3.2): 8 channels, 2 blocks of 4', () => {
    // Decreasing amax order 7,6,…,0 → blocks: [7,4,3,0], [6,5,2,1].
    const x = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const t = prepare('zigzag', 4, { rows: 1, cols: 8, data: x });
    const y = new Float32Array(8);
    t.forward(x, 1, y);
    expect(Array.from(y)).toEqual([7, 4, 3, 0, 6, 5, 2, 1]);
  });
});

describe('side information bits', () => {
  const rows = 16;
  const dim = 48;
  const data: Matrix = { rows, cols: dim, data: new Float32Array(rows * dim) };
  createRngFactory(4).stream('data', 'permute-test').fillNormal(data.data);
  const spec = (transform: { id: string; params?: Record<string, ParamValue> }): PipelineSpec => {
    const t = transformsById.get(transform.id);
    const q = quantizersById.get('bfp');
    if (!t || !q) throw new Error('registry');
    return {
      transforms: [{ id: transform.id, params: withDefaults(t.params, transform.params) }],
      quantizer: { id: 'bfp', params: withDefaults(q.params, { block: 16 }) },
    };
  };
  const base = 4 + (8 * 3) / 48; // bfp m=4, B=16 on 48 coordinates

  it('permute: + dim·⌈log2 dim⌉/(rows·dim) in bitsPerCoordinate and in the run result', () => {
    expect(ceilLog2(48)).toBe(6);
    expect(ceilLog2(64)).toBe(6);
    expect(ceilLog2(1)).toBe(0);
    const s = spec({ id: 'permute', params: { mode: 'zigzag', block: 16 } });
    const want = base + (48 * 6) / (16 * 48);
    expect(bitsPerCoordinate(s, rows, dim)).toBeCloseTo(want, 14);
    const [r] = runExperiment({ seed: 1, pipelines: [s] }, data);
    expect(r.bitsPerCoord).toBeCloseTo(want, 14);
    expect(r.label).toBe('permute(zigzag)[block=16] → bfp m=4 b16');
  });
  it('pca basis: fused is free (default), stored charges 16·dim²', () => {
    expect(pcaTransform.sideInfoBits?.(withDefaults(pcaTransform.params), rows, dim)).toBe(0);
    const s = spec({ id: 'pca', params: { basis: 'stored' } });
    const want = base + (16 * 48 * 48) / (16 * 48);
    expect(bitsPerCoordinate(s, rows, dim)).toBeCloseTo(want, 12);
    const [fused, stored] = runExperiment({ seed: 1, pipelines: [spec({ id: 'pca' }), s] }, data);
    expect(fused.bitsPerCoord).toBeCloseTo(base, 14);
    expect(stored.bitsPerCoord).toBeCloseTo(want, 12);
    expect(stored.metrics.vnmse).toBe(fused.metrics.vnmse); // same map, only the cost differs
    expect(stored.label).toBe('pca[stored basis] → bfp m=4 b16');
    expect(fused.label).toBe('pca → bfp m=4 b16');
  });
  it('duquant basis stored: (D/B)·B²·16 per rotation, + D⌈log2 D⌉ for the zigzag (variant duquant)', () => {
    const p = (variant: string) =>
      withDefaults(duquantTransform.params, { basis: 'stored', block: 32, variant });
    // dim 48 pads to D = 64: 2 blocks of 32.
    expect(duquantTransform.sideInfoBits?.(p('duquant++'), rows, dim)).toBe(2 * 32 * 32 * 16);
    expect(duquantTransform.sideInfoBits?.(p('duquant'), rows, dim)).toBe(2 * 2 * 32 * 32 * 16 + 64 * 6);
    expect(duquantTransform.sideInfoBits?.(withDefaults(duquantTransform.params), rows, dim)).toBe(0);
  });
});
