/**
 * Symmetric 'int' on the GPU at row or group granularity: absmax scale rounded to fp16 on the CPU
 * with the reference's roundScaleToFp16, round to nearest even, as
 * src/core/methods/quantizers/int.ts. Tensor granularity needs one absmax over the whole block,
 * which the kernel does not compute, so it stays on the CPU.
 */
import { num, str } from '../../../core/methods/params';
import type { GpuQuantizerKernel } from '../kernel-types';

export const intGpuKernel: GpuQuantizerKernel = {
  methodId: 'int',
  stage: 'quantize',
  tolerance: {
    kind: 'exact',
    why:
      'identical fp16 scales, the float32 quotient corrected by exact comparisons with (q ± ½)·s ' +
      '(≤ 20 significant bits), and q·s exact (float32-subnormal outputs excepted)',
  },
  supports: (params) =>
    params.symmetric !== false && params.rounding !== 'stochastic' && params.granularity !== 'tensor',
  async run(gpu, req, signal) {
    const granularity = str(req.quantizer.params, 'granularity');
    if (granularity !== 'row' && granularity !== 'group') return false;
    const group = granularity === 'row' ? req.outDim : num(req.quantizer.params, 'group');
    const bits = num(req.quantizer.params, 'bits');
    req.yHat.set(await gpu.intSymmetric(req.y, req.rows, req.outDim, bits, group, signal));
    return true;
  },
};
