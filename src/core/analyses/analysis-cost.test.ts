/**
 * The analyses' declared costs (AnalysisDef.cost) against hand-counted closed forms of the cost
 * model (src/core/cost.ts), and the registry contract that every analysis declares one.
 *
 * Cost-model constants used below: an element-wise quantizer (int) is 30 flops per coordinate,
 * the metrics 6 + 128 = 134 per coordinate and pipeline (so identity → int is 164·r·d per run);
 * Haar is 40·d² to build plus 2·r·d² per application (forward once per chain, inverse per
 * pipeline). The analyses' own TypeScript loops count at TS (cost.ts TS_LOOP_WEIGHT, 8) per
 * operation; pipeline work is already in model units.
 */
import { describe, expect, it } from 'vitest';
import { ANALYSES, analysesById } from '.';
import { withDefaults } from '../methods/params';
import type { PipelineSpec } from '../pipeline';
import { matmulFlops, NORMAL_FLOPS, pipelineWork, runFlops, sortFlops, TS } from './analysis-cost';
import { pqFlops } from './pq';

const intPipe = (transforms: PipelineSpec['transforms'] = []): PipelineSpec => ({
  transforms,
  quantizer: { id: 'int', params: { bits: 4 } },
});
const haar = [{ id: 'haar', params: {} }];
const r = 64;
const d = 256;

function cost(id: string, params: Record<string, number | string | boolean>, pipelines: PipelineSpec[]) {
  const def = analysesById.get(id);
  if (!def) throw new Error(id);
  return def.cost(withDefaults(def.params, params), { rows: r, dim: d }, pipelines);
}

describe('analysis cost contract', () => {
  it('every registered analysis declares a finite, positive cost at its defaults', () => {
    const pipelines = [intPipe(), intPipe(haar)];
    for (const def of ANALYSES) {
      expect(typeof def.cost, def.id).toBe('function');
      const c = def.cost(withDefaults(def.params), { rows: 256, dim: 1024 }, pipelines);
      expect(Number.isFinite(c) && c > 0, `${def.id}: ${c}`).toBe(true);
    }
  });
});

describe('building blocks', () => {
  it('TypeScript loops weigh 8', () => expect(TS).toBe(8));

  it('matmul 2·m·n·k, sort n·⌈log₂n⌉, one run of identity → int 164·r·d', () => {
    expect(matmulFlops(2, 3, 4)).toBe(48);
    expect(sortFlops(1000)).toBe(10_000);
    expect(sortFlops(1)).toBe(0);
    expect(runFlops(r, d, [intPipe()])).toBe(164 * r * d);
    expect(pipelineWork(r, d, [intPipe()])).toBe(30 * r * d);
  });

  it('PQ k-means: rows=4, d=4, subdim=2, 1 bit, 1 iteration', () => {
    // M = 2 subspaces, k = 2: 2 assignment passes × 4 rows × 2 centroids × (3·4 + 2) = 224, one
    // update 4·4 + 2·4 = 24.
    expect(pqFlops(4, 4, 2, 1, 1)).toBe(248);
  });
});

describe('declared costs', () => {
  it('seeds: N full runs', () => {
    expect(cost('seeds', { count: 5 }, [intPipe()])).toBe(5 * 164 * r * d);
  });

  it('rate-distortion: int swept over bits 2…8 (7 runs)', () => {
    expect(cost('rate-distortion', {}, [intPipe()])).toBe(7 * 164 * r * d);
  });

  it('rate-distortion behind Haar: the chain forward once, inverse and build per variant', () => {
    // Variant 1 applies the chain twice, the 6 others once; every variant declares the build.
    const expected = 7 * 40 * d * d + 8 * 2 * r * d * d + 7 * 164 * r * d;
    expect(cost('rate-distortion', {}, [intPipe(haar)])).toBe(expected);
  });

  it('layer: tokens drawn, Y, per pipeline work on tokens + rows and four products, α points', () => {
    const t = 32;
    const product = 2 * t * r * d;
    const smooth = 4 * (t + r) * d;
    const work = 30 * (t + r) * d;
    const sweep = 3;
    const expected =
      TS * (NORMAL_FLOPS * t * d + product) +
      work +
      TS * 4 * product +
      sweep * (work + TS * (product + smooth));
    expect(cost('layer', { tokens: t, sweep, smoothing: false }, [intPipe()])).toBe(expected);
  });

  it('attention: queries and V drawn, exact logits, per pipeline work, logits and two outputs', () => {
    const nq = 8;
    const logits = TS * (2 * nq * r * d + 20 * nq * r);
    const perPipeline = 30 * (2 * r + nq) * d + logits + TS * 2 * (2 * nq * d * r);
    expect(cost('attention', { queries: nq, values: true }, [intPipe()])).toBe(
      TS * NORMAL_FLOPS * (nq + r) * d + logits + perPipeline,
    );
  });

  it('channel-entropy: binning plus a key and a map update per group size', () => {
    // c = 1, 2, 4: groups d, d/2, d/4.
    const expected = TS * (10 * r * d + r * d * 140 + r * (d / 2) * 180 + r * (d / 4) * 260);
    expect(cost('channel-entropy', { maxChannels: 4 }, [])).toBe(expected);
  });

  it('scale-rule: per sample and d, normals plus 10 rule × codebook quantizations', () => {
    // d = 16, 32, 64: Σd = 112; per coordinate 20 + 3 + 10·(20 + 2).
    expect(cost('scale-rule', { minDim: 16, maxDim: 64, samples: 100, bits: 2 }, [])).toBe(
      TS * 100 * 243 * 112,
    );
  });

  it('rotation-quality: per d, draws × (normals, signs, 4 inputs with a WHT) + 12 KS statistics', () => {
    const draws = 1000;
    const per = (dd: number) =>
      draws * (24 * dd + 4 * (7 * dd + dd * Math.log2(dd))) + 12 * (draws * 10 + 200 * draws);
    expect(cost('rotation-quality', { draws, minDim: 16, maxDim: 64, factor: 4 }, [])).toBe(
      TS * (per(16) + per(64)),
    );
  });

  it('estimator: pipelines on the database, PQ, and per method the projections and query scores', () => {
    const nq = 16;
    const n = r - nq;
    const perMethod = 6 * n * d + 2 * nq * n * d + nq * (30 * n + n * Math.ceil(Math.log2(n)));
    const expected =
      164 * n * d + TS * (pqFlops(n, d, 2, 4, 10) + (NORMAL_FLOPS + 12) * n * d + 3 * perMethod);
    expect(cost('estimator', { queries: nq, pqSubdim: 2, pqBits: 4, pqIters: 10 }, [intPipe()])).toBe(
      expected,
    );
  });
});
