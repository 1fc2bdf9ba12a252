/**
 * Chains of transforms (config v2): a pipeline applies its transforms in order and inverts them in
 * reverse. Checked against closed forms: inverse ∘ forward = identity, norms kept by orthogonal
 * chains, padding charged along the chain, a one-stage chain equal to the v1 single transform, and
 * independent streams for repeated stages.
 */
import { describe, expect, it } from 'vitest';
import { createRngFactory } from './rng';
import { bitsPerCoordinate, chainDims, pipelineLabel, prepareChain, runExperiment } from './pipeline';
import { transformsById } from './methods';
import { withDefaults } from './methods/params';
import type { Matrix } from './methods/types';
import { restoreConfig } from './config/schema';

const ROWS = 12;
const DIM = 40;
function gaussian(seed: number, rows = ROWS, dim = DIM): Matrix {
  const rng = createRngFactory(seed).stream('data', 'chain-test');
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { rows, cols: dim, data };
}
const ref = (id: string, params: Record<string, number | string | boolean> = {}) => ({
  id,
  params: withDefaults(transformsById.get(id)!.params, params),
});

describe('transform chains', () => {
  it.each([
    [[ref('haar'), ref('rht')]],
    [[ref('wht'), ref('block-hadamard', { block: 16 })]],
    [[ref('dct'), ref('rht', { rounds: 2 }), ref('haar')]],
  ])('inverse ∘ forward is the identity and orthogonal chains keep norms (%#)', (chain) => {
    const x = gaussian(3);
    const prepared = prepareChain(chain, createRngFactory(5), x);
    const dims = chainDims(chain, DIM);
    expect(prepared.outDim).toBe(dims[dims.length - 1]);
    const y = new Float32Array(ROWS * prepared.outDim);
    prepared.forward(x.data, ROWS, y);
    const back = new Float32Array(ROWS * DIM);
    prepared.inverse(y, ROWS, back);
    let err = 0;
    let nx = 0;
    let ny = 0;
    for (let i = 0; i < x.data.length; i++) {
      err += (back[i] - x.data[i]) ** 2;
      nx += x.data[i] ** 2;
    }
    for (const v of y) ny += v * v;
    expect(Math.sqrt(err / nx)).toBeLessThan(1e-5);
    expect(Math.abs(ny / nx - 1)).toBeLessThan(1e-5);
  });

  it('charges the padding of the last stage over the original dim', () => {
    // wht pads 40 → 64; int b=4 per row stores 64 codes + one fp16 scale: (4·64 + 16)/40 per coordinate.
    const bits = bitsPerCoordinate(
      {
        transforms: [ref('wht'), ref('haar')],
        quantizer: {
          id: 'int',
          params: { bits: 4, granularity: 'row', symmetric: true, group: 128, rounding: 'nearest' },
        },
      },
      ROWS,
      DIM,
    );
    expect(bits).toBeCloseTo((4 * 64 + 16) / 40, 12);
  });

  it('a one-stage chain gives what a v1 single transform gave, bit for bit', () => {
    const v1 = restoreConfig({
      v: 1,
      seed: 9,
      data: { source: 'gaussian', rows: 32, dim: 64 },
      pipelines: [
        { transform: { id: 'rht', params: { rounds: 2 } }, quantizer: { id: 'eden', params: { bits: 2 } } },
        { transform: { id: 'identity' }, quantizer: { id: 'mxfp4' } },
      ],
    });
    expect(v1.v).toBe(2);
    expect(v1.pipelines[0].transforms.map((t) => t.id)).toEqual(['rht']);
    expect(v1.pipelines[1].transforms).toEqual([]);
    const x = gaussian(1, 32, 64);
    const viaChain = runExperiment(v1, x);
    // The same rotation prepared directly as a transform, as v1 did.
    const rht = transformsById.get('rht')!;
    const prepared = rht.prepare(v1.pipelines[0].transforms[0].params, {
      rng: createRngFactory(9),
      dim: 64,
      data: x,
    });
    const y = new Float32Array(32 * 64);
    prepared.forward(x.data, 32, y);
    const single = prepareChain(v1.pipelines[0].transforms, createRngFactory(9), x);
    const y2 = new Float32Array(32 * 64);
    single.forward(x.data, 32, y2);
    expect(y2).toEqual(y);
    expect(viaChain[0].label).toBe('rht×2 → eden b=2 mse');
    expect(viaChain[1].label).toMatch(/^identity → mxfp4 /);
    expect(viaChain[1].transform).toBe('identity');
  });

  it('repeated stages draw independent streams', () => {
    const x = gaussian(2, 4, 64);
    const one = prepareChain([ref('rht')], createRngFactory(4), x);
    const two = prepareChain([ref('rht'), ref('rht')], createRngFactory(4), x);
    const y1 = new Float32Array(4 * 64);
    const y2 = new Float32Array(4 * 64);
    one.forward(x.data, 4, y1);
    two.forward(y1, 4, y2);
    // y2 applies stage 1's rotation twice; a chain whose second stage reused those signs would equal it.
    const chained = new Float32Array(4 * 64);
    two.forward(x.data, 4, chained);
    expect(chained).not.toEqual(y2);
  });

  it('labels join the stages with arrows', () => {
    expect(
      pipelineLabel({
        transforms: [ref('wht'), ref('rht', { rounds: 2 })],
        quantizer: {
          id: 'int',
          params: { bits: 4, granularity: 'group', symmetric: true, group: 128, rounding: 'nearest' },
        },
      }),
    ).toMatch(/^wht → rht×2 → int /);
  });
});
