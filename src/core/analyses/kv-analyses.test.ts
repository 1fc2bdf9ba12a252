/**
 * The channel-entropy analysis and the attention view's RoPE / multi-head path against the numpy
 * references of src/core/testing/fixtures/gen_kv.py, plus the invariants that keep old links'
 * numbers: default params take the single-head path unchanged.
 */
import { describe, expect, it } from 'vitest';
import fixture from '../testing/fixtures/kv.json';
import { expectArrayClose, expectClose } from '../testing/expect';
import { createRngFactory } from '../rng';
import { withDefaults } from '../methods/params';
import type { Matrix } from '../methods/types';
import type { PipelineSpec } from '../pipeline';
import { channelEntropyAnalysis, type ChannelEntropyResult } from './channel-entropy';
import { applyRope, attentionAnalysis, type AttentionResult } from './attention';
import { generateActivations } from './layer-common';

const rng = createRngFactory(9);

function pipe(q: string, params: Record<string, number | string | boolean>): PipelineSpec {
  return { transforms: [{ id: 'identity', params: {} }], quantizer: { id: q, params } } as PipelineSpec;
}

describe('channel-entropy', () => {
  it('marginal and joint plug-in entropies per channel match numpy (np.unique counts)', () => {
    const e = fixture.entropy;
    const r = channelEntropyAnalysis.run({
      seed: 1,
      rng,
      data: { rows: e.rows, cols: e.d, data: Float32Array.from(e.x) },
      pipelines: [],
      params: withDefaults(channelEntropyAnalysis.params, { bits: e.bits, maxChannels: 8 }),
    }) as ChannelEntropyResult;
    expect(r.points.map((p) => p.channels)).toEqual(e.points.map((p) => p.channels));
    r.points.forEach((p, i) => {
      const ref = e.points[i];
      expect(p.groups).toBe(ref.groups);
      expectClose(p.marginalPerChannel, ref.marginalPerChannel, 1e-12, `marginal c=${p.channels}`);
      expectClose(p.jointPerChannel, ref.jointPerChannel, 1e-12, `joint c=${p.channels}`);
      expectClose(p.ceilingPerChannel, ref.ceilingPerChannel, 1e-12, `ceiling c=${p.channels}`);
      // Subadditivity: the joint never exceeds the sum of the marginals.
      expect(p.jointPerChannel).toBeLessThanOrEqual(p.marginalPerChannel + 1e-12);
    });
  });
});

describe('attention with RoPE and heads', () => {
  it('applyRope equals the Hugging Face rotate_half formula per head (numpy)', () => {
    const f = fixture.rope;
    const m: Matrix = { rows: f.rows, cols: f.d, data: Float32Array.from(f.x) };
    const out = applyRope(m, f.head, f.base, (r) => r + f.offset);
    expectArrayClose(out.data, f.out, 2e-6, 'RoPE(x)');
  });

  it('RoPE keeps norms and makes scores depend only on relative position', () => {
    const d = 16;
    const a: Matrix = { rows: 1, cols: d, data: new Float32Array(d) };
    const b: Matrix = { rows: 1, cols: d, data: new Float32Array(d) };
    rng.stream('data', 'ropeA').fillNormal(a.data);
    rng.stream('data', 'ropeB').fillNormal(b.data);
    const dot = (p: number, q: number) => {
      const x = applyRope(a, d, 10000, () => p).data;
      const y = applyRope(b, d, 10000, () => q).data;
      let s = 0;
      for (let i = 0; i < d; i++) s += x[i] * y[i];
      return s;
    };
    expectClose(dot(10, 3), dot(27, 20), 1e-4, '⟨RoPE(a,10), RoPE(b,3)⟩ vs shift by 17');
  });

  const keys = generateActivations(rng, 'outlier-channels', 64, 32, 2, 10, 'keys');
  const run = (params: Record<string, number | string | boolean>, pipelines: PipelineSpec[]) =>
    attentionAnalysis.run({
      seed: 1,
      rng,
      data: keys,
      pipelines,
      params: withDefaults(attentionAnalysis.params, { queries: 8, ...params }),
    }) as AttentionResult;
  const int8 = pipe('int', { bits: 8, granularity: 'row', group: 128, symmetric: true, rounding: 'nearest' });
  const int2 = pipe('int', {
    bits: 2,
    granularity: 'row',
    group: 128,
    symmetric: false,
    rounding: 'nearest',
  });

  it('defaults (rope none, one head) give the original single-head numbers, and headDim = dim is the same path', () => {
    const base = run({}, [int2]);
    expect(base.rope).toBeUndefined();
    expect(run({ headDim: 32 }, [int2])).toEqual(base);
  });

  it('pre and post RoPE: KL ≥ 0, near 0 at 8 bits, and the two modes differ at 2 bits', () => {
    for (const rope of ['pre', 'post']) {
      const r = run({ rope, headDim: 16 }, [int8, int2]);
      expect(r.heads).toBe(2);
      expect(r.pipelines[0].kl).toBeGreaterThanOrEqual(0);
      expect(r.pipelines[0].kl).toBeLessThan(1e-3);
      expect(r.pipelines[1].kl).toBeGreaterThan(r.pipelines[0].kl);
    }
    const pre = run({ rope: 'pre', headDim: 16 }, [int2]).pipelines[0].kl;
    const post = run({ rope: 'post', headDim: 16 }, [int2]).pipelines[0].kl;
    expect(pre).not.toBe(post);
  });

  it('a headDim that does not divide the dim is refused with a message naming it', () => {
    expect(() => run({ rope: 'post', headDim: 12 }, [int2])).toThrow(
      /headDim 12 does not divide the data dim 32/,
    );
  });
});
