/**
 * Row streaming (pipeline.ts RunOptions.rowBlock) must not change a single bit:
 *  - every transform maps rows independently (forward and inverse of a block of rows equal those
 *    rows of the whole matrix's output), which the streamed inverse relies on;
 *  - every quantizer that declares `rowLocal` for some params really is row-local for them
 *    (quantizing blocks of rows alone gives exactly the whole matrix's output), checked for the
 *    default params and for every single-param variation the schema allows;
 *  - the streamed metrics (the fused sums and ipNvar's stream) equal their whole-matrix values;
 *  - whole experiments, mixing row-local and whole-matrix quantizers, identity and padded chains,
 *    dead rows and a block size that divides nothing, give identical results with and without
 *    streaming.
 * The whole-matrix path is the one checked against the independent numpy references elsewhere;
 * this file proves the streamed path is the same computation.
 */
import { describe, expect, it } from 'vitest';
import { METRICS, QUANTIZERS, TRANSFORMS } from './methods';
import { withDefaults } from './methods/params';
import type { Matrix, ParamSpec, ParamValue, Params } from './methods/types';
import { createRngFactory } from './rng';
import { runExperiment, type PipelineSpec } from './pipeline';
import { createSumsAccumulator, reconstructionSums } from './methods/metrics/sums';

const ROWS = 23;
const DIM = 40;
const BLOCKS = [1, 3, 7];

function matrix(seed: number, rows = ROWS, dim = DIM): Matrix {
  const rng = createRngFactory(seed).stream('data', 'row-stream');
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * (i % dim === 5 ? 12 : 1);
  // A numerically dead row (a pruned channel stored as a denormal) and an exact zero row.
  data.fill(1e-39, 4 * dim, 5 * dim);
  data.fill(0, 9 * dim, 10 * dim);
  return { rows, cols: dim, data };
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

function variants(schema: Readonly<Record<string, ParamSpec>>): Params[] {
  const base = withDefaults(schema);
  const out: Params[] = [base];
  for (const [name, spec] of Object.entries(schema)) {
    const values: ParamValue[] =
      spec.kind === 'enum' ? [...spec.options] : spec.kind === 'bool' ? [true, false] : [];
    for (const v of values) if (v !== base[name]) out.push({ ...base, [name]: v });
  }
  return out;
}

describe.each(TRANSFORMS.map((t) => [t.id, t] as const))('transform %s maps rows independently', (_id, t) => {
  it('forward and inverse of a block of rows equal those rows of the whole output', () => {
    const x = matrix(2);
    const params = withDefaults(t.params);
    const prepared = t.prepare(params, { rng: createRngFactory(9), dim: DIM, data: x });
    const out = prepared.outDim;
    const y = new Float32Array(ROWS * out);
    prepared.forward(x.data, ROWS, y);
    const back = new Float32Array(ROWS * DIM);
    prepared.inverse(y, ROWS, back);
    for (const block of BLOCKS) {
      const yb = new Float32Array(ROWS * out);
      const xb = new Float32Array(ROWS * DIM);
      for (let r0 = 0; r0 < ROWS; r0 += block) {
        const n = Math.min(block, ROWS - r0);
        prepared.forward(x.data.subarray(r0 * DIM, (r0 + n) * DIM), n, yb.subarray(r0 * out, (r0 + n) * out));
        prepared.inverse(y.subarray(r0 * out, (r0 + n) * out), n, xb.subarray(r0 * DIM, (r0 + n) * DIM));
      }
      expect(sameBits(yb, y), `forward, blocks of ${block}`).toBe(true);
      expect(sameBits(xb, back), `inverse, blocks of ${block}`).toBe(true);
    }
  });
});

const rowLocalCases = QUANTIZERS.flatMap((q) =>
  variants(q.params)
    .filter((p) => q.rowLocal?.(p))
    .map((p) => [`${q.id} ${JSON.stringify(p)}`, q, p] as const),
);

describe('quantizers declaring rowLocal', () => {
  it('are the block formats, EDEN, TurboQuant_mse/_prod and QJL at their defaults', () => {
    const ids = QUANTIZERS.filter((q) => q.rowLocal?.(withDefaults(q.params))).map((q) => q.id);
    for (const id of [
      'int',
      'mxfp4',
      'nf4',
      'mx',
      'bfp',
      'ternary',
      'eden',
      'turboquant-mse',
      'turboquant-prod',
      'qjl',
    ])
      expect(ids).toContain(id);
    // NVFP4's fp32 tensor scale is a statistic over every row.
    expect(ids).not.toContain('nvfp4');
  });

  it.each(rowLocalCases)('%s: blocks of rows quantize exactly as the whole matrix', (_name, q, params) => {
    const x = matrix(3);
    const whole = new Float32Array(ROWS * DIM);
    q.quantize(x.data, ROWS, DIM, params, { rng: createRngFactory(11) }, whole);
    for (const block of BLOCKS) {
      const out = new Float32Array(ROWS * DIM);
      for (let r0 = 0; r0 < ROWS; r0 += block) {
        const n = Math.min(block, ROWS - r0);
        q.quantize(
          x.data.subarray(r0 * DIM, (r0 + n) * DIM),
          n,
          DIM,
          params,
          { rng: createRngFactory(11) },
          out.subarray(r0 * DIM, (r0 + n) * DIM),
        );
      }
      expect(sameBits(out, whole), `blocks of ${block}`).toBe(true);
    }
  });
});

describe('streamed metrics', () => {
  const x = matrix(4);
  const xHat = new Float32Array(x.data.length);
  const noise = createRngFactory(5).stream('data', 'noise');
  for (let i = 0; i < xHat.length; i++) xHat[i] = x.data[i] + 0.1 * noise.normal();

  it('the fused sums fed in blocks equal one pass', () => {
    const whole = reconstructionSums(x, xHat);
    for (const block of BLOCKS) {
      const acc = createSumsAccumulator(x);
      for (let r0 = 0; r0 < ROWS; r0 += block) {
        const n = Math.min(block, ROWS - r0);
        acc.add(r0, n, xHat.subarray(r0 * DIM, (r0 + n) * DIM));
      }
      expect(acc.finish()).toEqual(whole);
    }
  });

  it('refuses rows out of order and an unfinished pass', () => {
    const acc = createSumsAccumulator(x);
    expect(() => acc.add(3, 1, xHat.subarray(3 * DIM, 4 * DIM))).toThrow(/in order/);
    acc.add(0, 2, xHat.subarray(0, 2 * DIM));
    expect(() => acc.finish()).toThrow(/2 of 23/);
  });

  it.each(METRICS.filter((m) => m.stream).map((m) => [m.id, m] as const))(
    '%s fed in blocks equals compute',
    (_id, m) => {
      const rng = createRngFactory(6);
      const whole = m.compute(x, xHat, { rng });
      for (const block of BLOCKS) {
        const s = m.stream?.(x, { rng });
        if (!s) throw new Error('no stream');
        for (let r0 = 0; r0 < ROWS; r0 += block) {
          const n = Math.min(block, ROWS - r0);
          s.add(r0, n, xHat.subarray(r0 * DIM, (r0 + n) * DIM));
        }
        expect(Object.is(s.finish(), whole)).toBe(true);
      }
    },
  );

  it('every metric can be streamed (from the sums or its own stream)', () => {
    for (const m of METRICS) expect(Boolean(m.fromSums || m.stream), m.id).toBe(true);
  });
});

describe('whole experiments with and without row streaming', () => {
  const ref = (id: string, params: Params = {}) => {
    const def = [...QUANTIZERS, ...TRANSFORMS].find((m) => m.id === id);
    if (!def) throw new Error(id);
    return { id, params: withDefaults(def.params, params) };
  };
  const pipelines: PipelineSpec[] = [
    { transforms: [], quantizer: ref('int', { bits: 4, granularity: 'group', group: 16 }) },
    { transforms: [], quantizer: ref('mxfp4') },
    { transforms: [], quantizer: ref('nvfp4') },
    { transforms: [ref('rht')], quantizer: ref('mxfp4') },
    { transforms: [ref('rht')], quantizer: ref('nvfp4') },
    { transforms: [ref('rht')], quantizer: ref('eden') },
    { transforms: [ref('haar')], quantizer: ref('turboquant-prod', { bits: 2 }) },
    { transforms: [ref('rht'), ref('rht')], quantizer: ref('int', { bits: 3, rounding: 'stochastic' }) },
    { transforms: [], quantizer: ref('int', { bits: 8, granularity: 'tensor' }) },
  ];
  const spec = { seed: 17, pipelines };

  it.each([[1], [5 * DIM], [7 * DIM + 3], [1 << 18]])('rowBlock %d gives the same results', (rowBlock) => {
    const x = matrix(8);
    const copy = x.data.slice();
    const whole = runExperiment(spec, x);
    const streamed = runExperiment(spec, x, { rowBlock });
    expect(sameBits(x.data, copy)).toBe(true);
    expect(streamed.map((r) => [r.label, r.bitsPerCoord, r.metrics])).toEqual(
      whole.map((r) => [r.label, r.bitsPerCoord, r.metrics]),
    );
    for (let i = 0; i < whole.length; i++)
      for (const id of Object.keys(whole[i].metrics))
        expect(Object.is(streamed[i].metrics[id], whole[i].metrics[id]), `${whole[i].label} ${id}`).toBe(
          true,
        );
  });

  it('a collector or calibration turns streaming off (they need whole buffers)', () => {
    const x = matrix(8);
    let seen = 0;
    runExperiment(spec, x, {
      rowBlock: DIM,
      collect: (b) => {
        expect(b.xHat.length).toBe(ROWS * DIM);
        seen++;
      },
    });
    expect(seen).toBe(pipelines.length);
  });
});
