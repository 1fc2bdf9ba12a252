/**
 * Which canonical params each GPU quantizer kernel takes, by the rule its header states: int runs
 * symmetric nearest rounding at row or group granularity; the block and FP8 kernels decline
 * stochastic rounding (params spelled out by the core method's schema, as a validated config has
 * them).
 */
import { describe, expect, it } from 'vitest';
import { quantizersById } from '../../core/methods';
import { withDefaults } from '../../core/methods/params';
import type { ParamValue } from '../../core/methods/types';
import { gpuKernelFor } from './registry';

function supports(id: string, given: Record<string, ParamValue>, rows = 64, d = 256): boolean {
  const kernel = gpuKernelFor('quantize', id);
  if (!kernel) throw new Error(`no GPU kernel for ${id}`);
  return kernel.supports(withDefaults(quantizersById.get(id)!.params, given), rows, d);
}

describe('GPU quantizer kernels: the params they take', () => {
  it('int: symmetric, nearest, row or group only', () => {
    expect(supports('int', { granularity: 'group' })).toBe(true);
    expect(supports('int', { granularity: 'row' })).toBe(true);
    expect(supports('int', { granularity: 'tensor' })).toBe(false);
    expect(supports('int', { symmetric: false })).toBe(false);
    expect(supports('int', { rounding: 'stochastic' })).toBe(false);
  });

  it('fp8, mxfp4, nvfp4, nf4: nearest rounding only', () => {
    for (const id of ['fp8', 'mxfp4', 'nvfp4', 'nf4']) {
      expect(supports(id, { rounding: 'nearest' }), id).toBe(true);
      expect(supports(id, { rounding: 'stochastic' }), id).toBe(false);
    }
    expect(supports('fp8', { format: 'e5m2', granularity: 'tensor' })).toBe(true);
  });

  it('eden and qjl: any params; turboquant-prod: d > 1', () => {
    expect(supports('eden', { scale: 'unbiased' })).toBe(true);
    expect(supports('qjl', {})).toBe(true);
    expect(supports('turboquant-prod', {}, 4, 1)).toBe(false);
    expect(supports('turboquant-prod', {}, 4, 2)).toBe(true);
  });
});
