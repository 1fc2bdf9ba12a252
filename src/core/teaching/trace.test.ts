/**
 * The step-through must show the experiment's own numbers: the traced row's x̂ equals the x̂ row the
 * orchestrator lends to collectors, for chains with data-dependent and random stages; orthogonal
 * stages keep the norm (closed form: ‖Rx‖ = ‖x‖) and carry the quantizer's error back unchanged.
 */
import { describe, expect, it } from 'vitest';
import { restoreConfig } from '../config/schema';
import { generateData } from '../data-loader';
import { runExperiment } from '../pipeline';
import { traceVector } from './trace';

const config = restoreConfig({
  v: 2,
  seed: 5,
  data: { source: 'gaussian', rows: 24, dim: 64 },
  pipelines: [
    { transforms: [{ id: 'haar', params: {} }], quantizer: { id: 'eden', params: { bits: 2 } } },
    {
      transforms: [
        { id: 'pca', params: {} },
        { id: 'rht', params: {} },
      ],
      quantizer: { id: 'nvfp4', params: {} },
    },
    { transforms: [], quantizer: { id: 'mxfp4', params: {} } },
  ],
});

describe('traceVector', () => {
  const { source, ...params } = config.data;
  const x = generateData(source, params, config.seed);
  const xHat = new Map<number, Float32Array>();
  runExperiment(config, x, { collect: (b) => xHat.set(b.index, b.xHat.slice()) });

  it.each([0, 1, 2])('pipeline %i: the traced x̂ row is the run’s x̂ row', (p) => {
    for (const row of [0, 7, 23]) {
      const t = traceVector(config, x, p, row);
      const last = t.stages[t.stages.length - 1];
      expect(Array.from(last.values)).toEqual(Array.from(xHat.get(p)!.subarray(row * 64, row * 64 + 64)));
    }
  });

  it('orthogonal stages keep the norm and the error', () => {
    const t = traceVector(config, x, 0, 3);
    expect(t.stages.map((s) => s.kind)).toEqual(['input', 'forward', 'quantize', 'inverse']);
    expect(t.stages[1].norm).toBeCloseTo(t.stages[0].norm, 4);
    expect(t.stages[3].relError).toBeCloseTo(t.stages[2].relError, 5);
    expect(t.stages[2].relError).toBeGreaterThan(0.2); // EDEN b=2: ‖y−ŷ‖/‖y‖ ≈ √0.1175 ≈ 0.34
    expect(t.stages[2].relError).toBeLessThan(0.5);
  });

  it('names bad rows and pipelines', () => {
    expect(() => traceVector(config, x, 9, 0)).toThrow(/pipeline 9/);
    expect(() => traceVector(config, x, 0, 24)).toThrow(/row 24/);
  });
});
