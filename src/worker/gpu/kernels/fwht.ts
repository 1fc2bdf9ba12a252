/**
 * 'wht' and 'rht' on the GPU: the FWHT as radix-2 butterflies, one dispatch per stage, in the order
 * of src/core/linalg/fwht.ts (Walsh–Hadamard; RHT = H·diag(s) per round, Ailon & Chazelle 2009).
 * Only the full-width, unpadded form (block = outDim = dim, a power of two) runs here. The
 * resident form (resident.ts) adds the inverse: (H·diag(s)/√d)⁻¹ = diag(s)·H/√d per round, rounds
 * reversed (H symmetric, H² = d·I), as SignedHadamard.inverse.
 */
import { SignedHadamard } from '../../../core/linalg/signedHadamard';
import type { GpuTransformKernel } from '../kernel-types';

const isPow2 = (d: number) => d > 0 && (d & (d - 1)) === 0;

function fwhtKernel(methodId: 'wht' | 'rht'): GpuTransformKernel {
  return {
    methodId,
    stage: 'forward',
    tolerance: {
      kind: 'relative-log2d',
      ulps: 4,
      why: 'float32 butterflies on the GPU vs float64 per row on the CPU',
    },
    supports: (_params, _rows, d) => isPow2(d),
    async run(gpu, req, signal) {
      const p = req.prepared;
      const { rows } = req.x;
      if (!(p instanceof SignedHadamard) || p.block !== p.outDim || p.dim !== p.outDim) return false;
      const ones = new Float32Array(p.outDim).fill(1);
      let cur = req.x.data;
      for (const s of p.signs)
        cur = await gpu.fwht(cur, rows, p.outDim, { signs: s ? Float32Array.from(s) : ones, signal });
      req.y.set(cur);
      return true;
    },
    // Resident: the rounds' signs uploaded once, every round in one submission each way
    // (GpuKernels.hadamardRounds); the inverse is the butterflies then s/√d per round, reversed.
    resident(gpu, p, rows) {
      if (!(p instanceof SignedHadamard) || p.block !== p.outDim || p.dim !== p.outDim || !isPow2(p.outDim))
        return null;
      const d = p.outDim;
      const n = rows * d;
      const signs = p.signs.map((s) => (s ? gpu.upload(Float32Array.from(s)) : null));
      return {
        async forward(src, dst, signal) {
          gpu.copy(src, dst, n);
          await gpu.hadamardRounds(dst, rows, d, signs, false, signal);
        },
        async inverse(src, dst, signal) {
          gpu.copy(src, dst, n);
          await gpu.hadamardRounds(dst, rows, d, signs, true, signal);
        },
        destroy() {
          for (const s of signs) s?.destroy();
        },
      };
    },
  };
}

export const whtGpuKernel = fwhtKernel('wht');
export const rhtGpuKernel = fwhtKernel('rht');
