/**
 * The float32 numeric mode of the QJL sketch products (qjl.ts qjlEstimateBlockF32) against the
 * float64 path (qjlEstimateBlock), within bounds derived from the float32 operation order stated in
 * qjl.ts (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., §3.1: a sum whose
 * terms pass through at most n roundings is off by at most γ_n·Σ|terms|, γ_n = n·u/(1 − n·u)).
 * Independent references here: each dot product S_i·r summed sequentially in float64, Σ_j|S_ij r_j|
 * and Σ_i|S_it|. Bit parity of the WASM kernel with the TypeScript reference is in
 * src/core/wasm/kernels.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../../rng';
import { qjlDotF32, qjlEstimateBlock, qjlEstimateBlockF32 } from './qjl';

const U32 = 2 ** -24;
const U64 = 2 ** -53;
const gamma = (n: number, u: number) => (n * u) / (1 - n * u);

function normals(n: number, seed: number, purpose: string): Float32Array {
  const a = new Float32Array(n);
  createRngFactory(seed).stream('data', purpose, n).fillNormal(a);
  return a;
}

/** Make row 0 of `rows` orthogonal to the first `n` sketch rows (Gram–Schmidt in float64, twice). */
function orthogonalise(rows: Float64Array, d: number, sketch: Float32Array, n: number): void {
  const q: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = Float64Array.from(sketch.subarray(i * d, (i + 1) * d));
    for (let pass = 0; pass < 2; pass++)
      for (const b of q) {
        let c = 0;
        for (let j = 0; j < d; j++) c += b[j] * v[j];
        for (let j = 0; j < d; j++) v[j] -= c * b[j];
      }
    let n2 = 0;
    for (let j = 0; j < d; j++) n2 += v[j] * v[j];
    q.push(v.map((e) => e / Math.sqrt(n2)));
  }
  for (let pass = 0; pass < 2; pass++)
    for (const b of q) {
      let c = 0;
      for (let j = 0; j < d; j++) c += b[j] * rows[j];
      for (let j = 0; j < d; j++) rows[j] -= c * b[j];
    }
}

describe('QJL float32 sketch products vs float64', () => {
  it('signs differ only below the float32 dot-product error bound; reconstructions within the derived bound', () => {
    let flips = 0;
    let forcedFlips = 0;
    let dots = 0;
    let worstRel = 0;
    for (const [m, d, count, seed] of [
      [1024, 1024, 16, 1],
      [300, 131, 16, 2], // m ≠ d, odd d
      [64, 257, 7, 3],
      [40, 96, 5, 4],
    ] as const) {
      const sketch = normals(m * d, seed, 'sketch');
      // Rows as callers pass them: float64 (turboquant-prod's residuals are not float32 values),
      // with a few large and tiny scales; the last row is zero.
      const src = Float64Array.from(normals(count * d, seed, 'rows'), (v, j) => {
        const k = Math.floor(j / d);
        return k === count - 1 ? 0 : v * 10 ** ((k % 5) - 2) * (1 + (j % 7) * 1e-9);
      });
      // Row 0 orthogonal (in float64) to the first eight sketch rows: their dot products are
      // ~1e-16 in float64 and pure rounding noise in float32, so signs flip there and the bounds
      // are exercised where they matter.
      orthogonalise(src, d, sketch, 8);
      const x = Float32Array.from(src);
      const y64 = new Float64Array(count * d);
      const y32 = new Float64Array(count * d);
      qjlEstimateBlock(sketch, m, d, src, count, y64);
      qjlEstimateBlockF32(sketch, m, d, src, count, y32);

      // Float32 dot: one rounding of r_j, one of the product, ≤ ⌊d/4⌋ + 3 in its partial sum and
      // two when the partial sums combine. The float64 references' own error: γ64 over d terms.
      const g32dot = gamma(Math.floor(d / 4) + 7, U32);
      const g64dot = gamma(d + 1, U64);
      // Accumulation: m sequential float32 additions per output (the float64 path: m in float64).
      const g32acc = gamma(m, U32);
      const g64acc = gamma(m, U64);
      const absCol = new Float64Array(d);
      for (let i = 0; i < m; i++) for (let t = 0; t < d; t++) absCol[t] += Math.abs(sketch[i * d + t]);

      for (let k = 0; k < count; k++) {
        const off = k * d;
        // Sketch rows whose sign may differ between the two paths, weighted per output t.
        const flipped = new Float64Array(d);
        let rowFlips = 0;
        for (let i = 0; i < m; i++) {
          let dot64 = 0;
          let abs = 0;
          for (let j = 0; j < d; j++) {
            const p = sketch[i * d + j] * src[off + j];
            dot64 += p;
            abs += Math.abs(p);
          }
          const dot32 = qjlDotF32(sketch, i * d, x, off, d);
          dots++;
          if (dot32 >= 0 !== dot64 >= 0) {
            if (k === 0 && i < 8) forcedFlips++;
            else flips++;
            // 0 lies between the two values, so |dot64| ≤ |dot64 − dot32| ≤ the two error bounds.
            expect(Math.abs(dot64), `m=${m} d=${d} row ${k} sketch row ${i}`).toBeLessThanOrEqual(
              (g32dot + g64dot) * abs,
            );
          }
          // Counted as possibly flipped: a sign that differs, or a float64 dot so close to 0 that
          // the float64 path's own summation order may disagree with this reference's.
          if (dot32 >= 0 !== dot64 >= 0 || Math.abs(dot64) <= 2 * g64dot * abs) {
            rowFlips++;
            for (let t = 0; t < d; t++) flipped[t] += Math.abs(sketch[i * d + t]);
          }
        }
        let n2 = 0;
        for (let j = 0; j < d; j++) n2 += src[off + j] * src[off + j];
        const scale = (Math.sqrt(Math.PI / 2) / m) * Math.sqrt(n2);
        let e2 = 0;
        let r2 = 0;
        for (let t = 0; t < d; t++) {
          const a = y32[off + t];
          const b = y64[off + t];
          if (n2 === 0) {
            expect(a === 0 && b === 0).toBe(true);
            continue;
          }
          // |acc32 − acc64| ≤ γ32_m·Σ|S_it| + γ64_m·Σ|S_it| + 2·Σ_flipped|S_it|, then both are
          // multiplied by the same scale (one float64 rounding each).
          const bound =
            scale * ((g32acc + g64acc) * absCol[t] + 2 * flipped[t]) + U64 * (Math.abs(a) + Math.abs(b));
          expect(Math.abs(a - b), `m=${m} d=${d} row ${k} output ${t}`).toBeLessThanOrEqual(bound);
          e2 += (a - b) ** 2;
          r2 += b * b;
        }
        if (n2 > 0 && rowFlips === 0) worstRel = Math.max(worstRel, Math.sqrt(e2 / r2));
      }
    }
    // The orthogonal row's signs are coin flips in float32 (20 of its 32 flipped with these seeds),
    // so the bounds above were checked where signs do differ.
    expect(forcedFlips).toBeGreaterThan(0);
    // Elsewhere a flip needs |S·r| within ~γ32·Σ|S r| of 0 (probability ≈ 1e-4 per dot here); none
    // occurred with these seeds among the 21 800 dots, and a few would be allowed.
    expect(flips).toBeLessThanOrEqual(Math.ceil(dots * 1e-3));
    // Stated tolerance (fixed seeds): rows without a flip differ by a random walk of float32
    // roundings, far below the worst case; observed ≤ 5.7e-7 relative (‖ŷ32 − ŷ64‖/‖ŷ64‖).
    expect(worstRel).toBeLessThan(1e-5);
  });
});
