/**
 * Holds a GPU result to its kernel's declared parity tolerance (kernel-types.ts) against the CPU
 * reference: the check e2e/gpu-parity.webgpu.spec.ts applies to every registered kernel, and the
 * parity column of `npm run bench:gpu`. Pure, so Vitest checks it on hand-made arrays.
 */
import type { GpuParityTolerance } from './kernel-types';

export interface ParityStats {
  readonly n: number;
  /** Elements that differ at all. */
  readonly mismatches: number;
  /** max |gpu − cpu| / max |cpu| over the whole block. */
  readonly maxRelErr: number;
  /** max over rows of max |gpu − cpu| / ‖cpu row‖. */
  readonly maxRowRelErr: number;
  /** Elements outside the tolerance's per-element bound (row-relative; else = mismatches). */
  readonly outside: number;
  readonly ok: boolean;
  /** The limit that was applied, in words. */
  readonly limit: string;
}

/** Compare rows × d values of a GPU result with the CPU reference under `tol`. */
export function checkParity(
  gpu: ArrayLike<number>,
  cpu: ArrayLike<number>,
  rows: number,
  d: number,
  tol: GpuParityTolerance,
): ParityStats {
  const n = rows * d;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(cpu[i]));
  let mismatches = 0;
  let worst = 0;
  let worstRow = 0;
  let outside = 0;
  const bound = tol.kind === 'row-relative' ? tol.bound : 0;
  for (let r = 0; r < rows; r++) {
    let n2 = 0;
    for (let j = r * d; j < (r + 1) * d; j++) n2 += cpu[j] * cpu[j];
    const norm = Math.sqrt(n2);
    for (let j = r * d; j < (r + 1) * d; j++) {
      const e = Math.abs(gpu[j] - cpu[j]);
      const same = e === 0 || (gpu[j] !== gpu[j] && cpu[j] !== cpu[j]); // NaN stays NaN
      if (same) continue;
      mismatches++;
      if (!(e <= worst)) worst = e;
      const rel = norm > 0 ? e / norm : e;
      if (!(rel <= worstRow)) worstRow = rel;
      if (!(rel <= bound)) outside++;
    }
  }
  const base = { n, mismatches, maxRelErr: scale > 0 ? worst / scale : worst, maxRowRelErr: worstRow };
  switch (tol.kind) {
    case 'exact':
      return { ...base, outside: mismatches, ok: mismatches === 0, limit: 'bit-identical' };
    case 'relative-log2d': {
      const lim = tol.ulps * Math.log2(Math.max(2, d)) * 2 ** -24;
      return {
        ...base,
        outside: mismatches,
        ok: worstRow <= lim,
        limit: `|Δ|/‖row‖ ≤ ${lim.toExponential(2)}`,
      };
    }
    case 'mismatch-fraction': {
      const lim = Math.ceil(tol.fraction * n);
      return { ...base, outside: mismatches, ok: mismatches <= lim, limit: `≤ ${lim} elements differ` };
    }
    case 'row-relative': {
      const lim = Math.floor(tol.fraction * n);
      return {
        ...base,
        outside,
        ok: outside <= lim,
        limit: `|Δ|/‖row‖ ≤ ${tol.bound.toExponential(2)} but ≤ ${lim} elements`,
      };
    }
    case 'sums-relative':
      return { ...base, outside: mismatches, ok: false, limit: 'sums-relative applies to sums only' };
  }
}

/** Named reduced values (sums, metrics) within `bound` relative of their CPU values. */
export function checkSums(
  gpu: Readonly<Record<string, number>>,
  cpu: Readonly<Record<string, number>>,
  bound: number,
): { ok: boolean; worst: number; detail: string } {
  let worst = 0;
  const parts: string[] = [];
  for (const k of Object.keys(cpu)) {
    const c = cpu[k];
    const g = gpu[k];
    const rel = c === g ? 0 : Math.abs(g - c) / Math.max(Math.abs(c), Number.MIN_VALUE);
    if (!(rel <= worst)) worst = rel;
    parts.push(`${k}: ${rel.toExponential(1)}`);
  }
  return { ok: worst <= bound, worst, detail: parts.join(', ') };
}
