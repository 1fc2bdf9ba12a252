/** Pipeline colours follow identity, not position (reorder, add, remove, bits edits keep them). */
import { describe, expect, it } from 'vitest';
import { PIPELINE_COLORS, pipelineColors } from './colors';

const p = (t: string, q: string, bits = 2, label?: string) => ({
  transforms: [{ id: t, params: {} }],
  quantizer: { id: q, params: { bits } },
  ...(label ? { label } : {}),
});

describe('pipelineColors', () => {
  const a = p('haar', 'eden');
  const b = p('rht', 'turboquant-mse');
  const c = p('identity', 'mxfp4');
  it('reordering and bits edits keep each pipeline’s colour; all distinct', () => {
    const one = pipelineColors([a, b, c]);
    const two = pipelineColors([c, a, b]);
    expect(two).toEqual([one[2], one[0], one[1]]);
    expect(pipelineColors([p('haar', 'eden', 5), b, c])).toEqual(one);
    expect(new Set(one).size).toBe(3);
    for (const col of one) expect(PIPELINE_COLORS).toContain(col);
  });
  it('removing a pipeline keeps the others’ colours when nothing collided', () => {
    const one = pipelineColors([a, b, c]);
    const without = pipelineColors([a, c]);
    if (new Set(one).size === 3) expect(without).toEqual([one[0], one[2]]);
  });
  it('identical pipelines and 16+ pipelines still get distinct colours while the palette lasts', () => {
    const same = pipelineColors([a, a, a]);
    expect(new Set(same).size).toBe(3);
    const many = pipelineColors(Array.from({ length: 16 }, (_, i) => p('haar', 'int', (i % 7) + 2, `p${i}`)));
    expect(new Set(many).size).toBe(16);
  });
});

describe('pipelineColors: cost-axis edits never swap colours', () => {
  it('two EDEN pipelines sharing a hash slot keep their colours through any bits edit', () => {
    const mse = (bits: number) => ({
      transforms: [{ id: 'haar', params: {} }],
      quantizer: { id: 'eden', params: { bits, scale: 'mse' } },
    });
    const unb = (bits: number) => ({
      transforms: [{ id: 'haar', params: {} }],
      quantizer: { id: 'eden', params: { bits, scale: 'unbiased' } },
    });
    const first = pipelineColors([mse(2), unb(2)]);
    expect(first[0]).not.toBe(first[1]);
    for (const [a, b] of [
      [5, 2],
      [2, 5],
      [1, 8],
      [8, 1],
    ])
      expect(pipelineColors([mse(a), unb(b)])).toEqual(first);
  });
});
