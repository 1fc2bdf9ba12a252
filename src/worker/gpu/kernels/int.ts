/**
 * Symmetric 'int' on the GPU at row or group granularity: absmax scale rounded to fp16 on the CPU
 * with the reference's roundScaleToFp16, round to nearest even, as
 * src/core/methods/quantizers/int.ts. Tensor granularity needs one absmax over the whole block,
 * which the kernel does not compute, so it stays on the CPU.
 */
import { num, str } from '../../../core/methods/params';
import type { Params } from '../../../core/methods/types';
import type { GpuQuantizerKernel } from '../kernel-types';

/** Bits and group length of a symmetric row/group int, or null for what the kernel leaves out. */
function intShape(params: Params, d: number): { bits: number; group: number } | null {
  const granularity = str(params, 'granularity');
  if (granularity !== 'row' && granularity !== 'group') return null;
  if (params.symmetric === false || params.rounding === 'stochastic') return null;
  return { bits: num(params, 'bits'), group: granularity === 'row' ? d : num(params, 'group') };
}

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
    const shape = intShape(req.quantizer.params, req.outDim);
    if (!shape) return false;
    req.yHat.set(await gpu.intSymmetric(req.y, req.rows, req.outDim, shape.bits, shape.group, signal));
    return true;
  },
  async inPlace(gpu, x, rows, d, params, signal) {
    const shape = intShape(params, d);
    if (!shape) return false;
    await gpu.intSymmetricInPlace(x, rows, d, shape.bits, shape.group, signal);
    return true;
  },
};
