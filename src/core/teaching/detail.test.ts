/**
 * The step-through's quantizer sub-steps end exactly at the kernels' output, and their
 * intermediate quantities meet the closed forms: ‖z‖² = d for EDEN's normalisation, ‖u‖ = 1 for
 * TurboQuant's, and the MSE scale makes the residual orthogonal to q (⟨y − S·q, q⟩ = 0).
 */
import { describe, expect, it } from 'vitest';
import { quantizersById } from '../methods';
import { withDefaults } from '../methods/params';
import { createRngFactory } from '../rng';
import { quantizerDetail } from './detail';

function row(d: number): Float32Array {
  const s = createRngFactory(3).stream('data', 'detail-test');
  return Float32Array.from({ length: d }, () => s.normal());
}

describe('quantizerDetail', () => {
  it.each([
    ['eden', { bits: 2, scale: 'mse' }],
    ['eden', { bits: 3, scale: 'unbiased' }],
    ['turboquant-mse', { bits: 2 }],
    ['turboquant-mse', { bits: 4 }],
  ] as const)('%s %j ends at the kernel output', (id, p) => {
    const q = quantizersById.get(id)!;
    const params = withDefaults(q.params, p);
    const y = row(96);
    const out = new Float32Array(96);
    q.quantize(y, 1, 96, params, { rng: createRngFactory(1) }, out);
    const steps = quantizerDetail(id, params, y);
    expect(steps.map((s) => s.label)).toEqual(['normalise', 'codebook assignment', 'scale']);
    expect(Array.from(steps[2].values)).toEqual(Array.from(out));
    const n = Array.from(steps[0].values).reduce((a, v) => a + v * v, 0);
    expect(n).toBeCloseTo(id === 'eden' ? 96 : 1, 10);
  });
  it('EDEN MSE scale: the residual is orthogonal to q', () => {
    const y = row(64);
    const steps = quantizerDetail('eden', { bits: 2, scale: 'mse' }, y);
    const q = steps[1].values;
    const S = steps[2].scalar!.value;
    let dot = 0;
    for (let j = 0; j < 64; j++) dot += (y[j] - S * q[j]) * q[j];
    expect(Math.abs(dot)).toBeLessThan(1e-9);
  });
  it('has no sub-steps for a zero row or other quantizers', () => {
    expect(quantizerDetail('eden', { bits: 2, scale: 'mse' }, new Float32Array(8))).toEqual([]);
    expect(quantizerDetail('mxfp4', {}, row(8))).toEqual([]);
  });
});
