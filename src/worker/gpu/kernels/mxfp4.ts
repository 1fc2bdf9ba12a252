/**
 * 'mxfp4' on the GPU: OCP MX v1.0 §5 and §6.3 (E8M0 block scale = floor(log2 amax) − 2, E2M1
 * elements rounded to nearest even), as src/core/methods/quantizers/mxfp4.ts.
 */
import { paramReader } from '../../../core/methods/param-reader';
import { mxfp4Quantizer } from '../../../core/methods/quantizers/mxfp4';
import type { GpuQuantizerKernel } from '../kernel-types';

const readMxfp4 = paramReader(mxfp4Quantizer, { rounding: ['nearest', 'stochastic'] });

export const mxfp4GpuKernel: GpuQuantizerKernel = {
  methodId: 'mxfp4',
  stage: 'quantize',
  tolerance: {
    kind: 'exact',
    why: 'power-of-two scales make x·2⁻ᵉ exact in float32 (blocks whose output is float32-subnormal excepted)',
  },
  supports: (params) => readMxfp4(params).rounding !== 'stochastic',
  async run(gpu, req, signal) {
    req.yHat.set(await gpu.mxfp4(req.y, req.rows, req.outDim, signal));
    return true;
  },
  async inPlace(gpu, x, rows, d, params, signal) {
    if (readMxfp4(params).rounding === 'stochastic') return false;
    await gpu.mxfp4InPlace(x, rows, d, signal);
    return true;
  },
};
