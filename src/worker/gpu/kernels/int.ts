/**
 * Symmetric 'int' on the GPU at row or group granularity: absmax scale rounded to fp16 on the CPU
 * with the reference's roundScaleToFp16, round to nearest even, as
 * src/core/methods/quantizers/int.ts. Tensor granularity needs one absmax over the whole block,
 * which the kernel does not compute, so it stays on the CPU.
 */
import { paramReader } from '../../../core/methods/param-reader';
import { intQuantizer } from '../../../core/methods/quantizers/int';
import type { GpuQuantizerKernel } from '../kernel-types';

const readInt = paramReader(intQuantizer, {
  bits: 'number',
  granularity: ['tensor', 'row', 'group'],
  group: 'number',
  symmetric: 'boolean',
  rounding: ['nearest', 'stochastic'],
});

/** Bits and group length of a symmetric row/group int, or null for what the kernel leaves out. */
function intShape(
  params: Readonly<Record<string, unknown>>,
  d: number,
): { bits: number; group: number } | null {
  const p = readInt(params);
  if (p.granularity !== 'row' && p.granularity !== 'group') return null;
  if (!p.symmetric || p.rounding === 'stochastic') return null;
  return { bits: p.bits, group: p.granularity === 'row' ? d : p.group };
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
  supports: (params) => {
    const p = readInt(params);
    return p.symmetric && p.rounding !== 'stochastic' && p.granularity !== 'tensor';
  },
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
