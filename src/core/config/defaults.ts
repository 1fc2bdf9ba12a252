/**
 * The default experiment shown on first load and by `lab run` examples: Gaussian 256×1024 rows
 * through the rotation + scalar family and a hardware format, so the first screen already
 * answers "EDEN vs TurboQuant" (EDEN note, seed 003) and shows MXFP4's cost on isotropic data.
 * New links start from it, so they compute metrics in the transformed domain with float32 dense
 * products (CONTRACT.md §5).
 */
import { canonicalize, CONFIG_VERSION, type CanonicalConfig } from './schema';

export const DEFAULT_CONFIG: CanonicalConfig = canonicalize({
  v: CONFIG_VERSION,
  seed: 7,
  data: { source: 'gaussian', rows: 256, dim: 1024 },
  pipelines: [
    {
      transforms: [{ id: 'haar', params: {} }],
      quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } },
    },
    { transforms: [{ id: 'haar', params: {} }], quantizer: { id: 'turboquant-mse', params: { bits: 2 } } },
    {
      transforms: [{ id: 'rht', params: { rounds: 2 } }],
      quantizer: { id: 'eden', params: { bits: 2, scale: 'unbiased' } },
    },
    {
      transforms: [{ id: 'rht', params: { rounds: 2 } }],
      quantizer: { id: 'turboquant-prod', params: { bits: 3 } },
    },
    { transforms: [], quantizer: { id: 'mxfp4', params: {} } },
  ],
  // Metrics after the last (orthogonal) transform, without its inverse: the same numbers within
  // float32 rounding at a fraction of the cost (pipeline.ts RunOptions.metricDomain). Dense
  // rotations and sketch products in float32 arithmetic, as a GPU or PyTorch computes them
  // (RunOptions.denseProducts, CONTRACT.md §5.2): equal within float32 rounding, twice the SIMD
  // lanes. Links made before either lack the fields and keep the data domain and float64.
  numerics: { metricDomain: 'transformed', denseProducts: 'float32' },
});
