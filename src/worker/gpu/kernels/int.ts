/**
 * Symmetric 'int' on the GPU at row or group granularity: absmax scale rounded to fp16 on the CPU
 * with the reference's roundScaleToFp16, round to nearest even, as
 * src/core/methods/quantizers/int.ts. Tensor granularity needs one absmax over the whole block,
 * which the kernel does not compute, so it stays on the CPU.
 */
import { paramReader } from '../../../core/methods/param-reader';
import { intQuantizer } from '../../../core/methods/quantizers/int';
import type { GpuQuantizerKernel } from '../kernel-types';

const read = paramReader(intQuantizer, {
  bits: 'number',
  granularity: ['tensor', 'row', 'group'],
  group: 'number',
  symmetric: 'boolean',
  rounding: ['nearest', 'stochastic'],
});

export const intGpuKernel: GpuQuantizerKernel = {
  methodId: 'int',
  stage: 'quantize',
  tolerance: {
    kind: 'exact',
    why:
      'identical fp16 scales, the float32 quotient corrected by exact comparisons with (q ± ½)·s ' +
      '(≤ 20 significant bits), and q·s exact (float32-subnormal outputs excepted)',
  },
  supports: (params) => {
    const p = read(params);
    return p.symmetric && p.rounding !== 'stochastic' && p.granularity !== 'tensor';
  },
  async run(gpu, req, signal) {
    const p = read(req.quantizer.params);
    const granularity = p.granularity;
    if (granularity !== 'row' && granularity !== 'group') return false;
    const group = granularity === 'row' ? req.outDim : p.group;
    const bits = p.bits;
    req.yHat.set(await gpu.intSymmetric(req.y, req.rows, req.outDim, bits, group, signal));
    return true;
  },
};
