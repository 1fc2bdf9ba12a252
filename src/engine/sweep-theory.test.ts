/**
 * The rate–distortion sweep carries the chart's theory curves (solved where the sweep runs, never
 * on the page's main thread) and the query key of its config (the page refuses to draw a sweep
 * under another config's legend).
 */
import { describe, expect, it } from 'vitest';
import { restoreConfig } from '../core/config/schema';
import { sweepConfig, sweepKey } from './artifacts';

describe('sweepConfig: theory curves and key', () => {
  it('returns the Lloyd–Max D_b (Max 1960, Table I) and 4^−b with the config’s sweep key', async () => {
    const config = restoreConfig({
      v: 2,
      seed: 3,
      data: { source: 'gaussian', rows: 4, dim: 16 },
      pipelines: [{ transforms: [], quantizer: { id: 'int', params: { bits: 2 } } }],
    });
    const rd = await sweepConfig(config);
    expect(rd.key).toBe(sweepKey(config));
    const byId = Object.fromEntries((rd.theory ?? []).map((c) => [c.id, c.values]));
    // Max (1960) Table I, Gaussian source, MSE of the optimum quantizer for 2, 4, 8, 16 levels.
    [0.3634, 0.1175, 0.03455, 0.009501].forEach((d, i) => expect(byId['lloyd-max'][i]).toBeCloseTo(d, 4));
    byId['lower-bound'].forEach((v, i) => expect(v).toBe(4 ** -(i + 1)));
  });
});
