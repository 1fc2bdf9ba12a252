/**
 * FlatQuant: a per-layer invertible affine map P = P₁ ⊗ P₂ (Kronecker-factored), fitted on
 * calibration activations so that the quantized layer's output error is small; activations become
 * X·P and weights W·P⁻ᵀ, so (X·P)(W·P⁻ᵀ)ᵀ = X·Wᵀ.
 *
 * Reference: "FlatQuant: Flatness Matters for LLM Quantization", 2024 (arXiv; abstract and §3):
 * learn an optimal affine transform per linear layer, applied as X·P and P⁻¹·Wᵀ, Kronecker-
 * decomposed P = P₁ ⊗ P₂ to save runtime, calibrated with a lightweight objective on the layer
 * output, min ‖XWᵀ − Q(XP)·Q(P⁻¹Wᵀ)‖.
 *
 * Fitting (here): d = n₁·n₂ with n₁ the largest divisor of d not above √d (n₁ = 1 for a prime d:
 * P₂ is then a dense d × d map). Starting from P₁ = I, P₂ = I (deterministic: no randomness), Adam
 * (Kingma & Ba, ICLR 2015, Alg. 1; β = 0.9, 0.999, ε = 1e−8) runs `iterations` steps of
 * learning rate `lr` on
 *   L(P₁, P₂) = ‖Q_a(XP)·Q_w(WP⁻ᵀ)ᵀ − XWᵀ‖²_F / ‖XWᵀ‖²_F
 * with the proxy quantizers of FlatQuant's W4A4 setting: symmetric INT-`bits` round-to-nearest
 * with an absmax scale per token (Q_a, rows of XP) and per output channel (Q_w, rows of WP⁻ᵀ);
 * gradients pass the rounding by the straight-through estimator (Bengio et al., 2013), i.e.
 *   ∂L/∂P = Xᵀ·G_a − P⁻ᵀ·G_wᵀ·(WP⁻ᵀ),  G_a = 2E·Q_w/‖Y‖², G_w = 2Eᵀ·Q_a/‖Y‖², E = Q_aQ_wᵀ − Y,
 * contracted onto the factors: ∂L/∂P₁[a,b] = Σ_{c,e} ∂L/∂P[(a,c),(b,e)]·P₂[c,e] and likewise
 * for P₂. The P with the lowest L seen (the identity included) is kept, so the fit is never worse
 * than no transform on the proxy objective. Invertibility: every step inverts P₁ and P₂ by
 * Gauss–Jordan elimination with partial pivoting; a pivot below 1e−12 of the matrix's largest
 * entry stops the fit with an error naming the factor and the iteration.
 * The map is fitted on the layer analysis's weights (ctx.data, rows × d) and activations
 * (ctx.calibration, tokens × d); without activations (the pipeline table) it is the identity
 * P = I and says so in its `note`, as smoothquant does.
 *
 * Map: forward(w) = w·P⁻ᵀ (weights), inverse(w′) = w′·Pᵀ, dual(x) = x·P (activations); a row
 * times A ⊗ B is vec(Aᵀ·M·B) for the row reshaped to the n₁ × n₂ matrix M. outDim = d.
 * Basis storage (`basis`): "fused" (default): P⁻ᵀ is folded into the stored weights and P applied
 * online (FlatQuant's deployment), 0 bits; "stored": the two factors' n₁² + n₂² entries × 16 bits
 * are charged as side information over the rows × d matrix.
 * Cost per iteration: ≈ 3·tokens·rows·d + (tokens + rows)·d² + d²·(n₁ + n₂) multiply-adds.
 */
import { defineParams, typedParams } from '../params';
import type { Matrix, PreparedTransform, TransformDef } from '../types';
import { BASIS_PARAM } from './klt';

/** (n₁, n₂) with n₁·n₂ = d and n₁ the largest divisor of d with n₁ ≤ √d. */
export function kroneckerShape(d: number): [number, number] {
  let n1 = Math.floor(Math.sqrt(d));
  while (n1 > 1 && d % n1 !== 0) n1--;
  return [Math.max(n1, 1), d / Math.max(n1, 1)];
}

/** Inverse of an n × n matrix by Gauss–Jordan with partial pivoting; null when singular. */
export function invertMatrix(a: Float64Array, n: number): Float64Array | null {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    const piv = m[p * n + c];
    if (!(Math.abs(piv) > 1e-12 * scale)) return null;
    if (p !== c)
      for (let k = 0; k < n; k++) {
        [m[p * n + k], m[c * n + k]] = [m[c * n + k], m[p * n + k]];
        [inv[p * n + k], inv[c * n + k]] = [inv[c * n + k], inv[p * n + k]];
      }
    for (let k = 0; k < n; k++) {
      m[c * n + k] /= piv;
      inv[c * n + k] /= piv;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        m[r * n + k] -= f * m[c * n + k];
        inv[r * n + k] -= f * inv[c * n + k];
      }
    }
  }
  return inv;
}

function transpose(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  return t;
}

/**
 * out (rows × n₁n₂) = in · (A ⊗ B), row by row: vec(Aᵀ·M·B) with M the row as an n₁ × n₂ matrix.
 */
export function kronRight(
  input: ArrayLike<number>,
  rows: number,
  A: Float64Array,
  n1: number,
  B: Float64Array,
  n2: number,
  out: Float64Array | Float32Array,
): void {
  const d = n1 * n2;
  const t = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    // T = M·B (n₁ × n₂).
    for (let a = 0; a < n1; a++)
      for (let e = 0; e < n2; e++) {
        let s = 0;
        for (let c = 0; c < n2; c++) s += input[base + a * n2 + c] * B[c * n2 + e];
        t[a * n2 + e] = s;
      }
    // out = Aᵀ·T.
    for (let b = 0; b < n1; b++)
      for (let e = 0; e < n2; e++) {
        let s = 0;
        for (let a = 0; a < n1; a++) s += A[a * n1 + b] * t[a * n2 + e];
        out[base + b * n2 + e] = s;
      }
  }
}

/** Per-row symmetric INT-bits absmax round-to-nearest (the fit's proxy quantizer). */
function proxyQuantize(m: Float64Array, rows: number, d: number, bits: number, out: Float64Array): void {
  const qmax = 2 ** (bits - 1) - 1;
  for (let r = 0; r < rows; r++) {
    let amax = 0;
    for (let j = 0; j < d; j++) amax = Math.max(amax, Math.abs(m[r * d + j]));
    const s = amax / qmax;
    for (let j = 0; j < d; j++)
      out[r * d + j] = s > 0 ? Math.max(-qmax - 1, Math.min(qmax, Math.round(m[r * d + j] / s))) * s : 0;
  }
}

/** A·Bᵀ for row-major A (n × k), B (m × k): n × m. */
function mulT(a: Float64Array, n: number, b: Float64Array, m: number, k: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t] * b[j * k + t];
      out[i * m + j] = s;
    }
  return out;
}

/** Aᵀ·B for row-major A (n × p), B (n × q): p × q. */
function tMul(a: Float64Array, p: number, b: Float64Array, q: number, n: number): Float64Array {
  const out = new Float64Array(p * q);
  for (let t = 0; t < n; t++)
    for (let i = 0; i < p; i++) {
      const ai = a[t * p + i];
      if (ai === 0) continue;
      for (let j = 0; j < q; j++) out[i * q + j] += ai * b[t * q + j];
    }
  return out;
}

export interface FlatQuantFit {
  readonly n1: number;
  readonly n2: number;
  readonly p1: Float64Array;
  readonly p2: Float64Array;
  /** Proxy loss of the identity and of the kept P. */
  readonly lossIdentity: number;
  readonly loss: number;
}

/** Fit P₁ ⊗ P₂ on weights w (rows × d) and activations x (tokens × d); see the header. */
export function fitFlatQuant(
  w: Matrix,
  x: Matrix,
  bits: number,
  iterations: number,
  lr: number,
): FlatQuantFit {
  const d = w.cols;
  const [n1, n2] = kroneckerShape(d);
  const X = Float64Array.from(x.data);
  const W = Float64Array.from(w.data);
  const T = x.rows;
  const R = w.rows;
  const Y = mulT(X, T, W, R, d);
  let yy = 0;
  for (const v of Y) yy += v * v;
  const eye = (n: number) => {
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) m[i * n + i] = 1;
    return m;
  };
  const P = [eye(n1), eye(n2)];
  const ns = [n1, n2];
  const mom = [new Float64Array(n1 * n1), new Float64Array(n2 * n2)];
  const vel = [new Float64Array(n1 * n1), new Float64Array(n2 * n2)];
  const Xp = new Float64Array(T * d);
  const Wp = new Float64Array(R * d);
  const Xq = new Float64Array(T * d);
  const Wq = new Float64Array(R * d);
  let best = { p1: P[0].slice(), p2: P[1].slice(), loss: Infinity };
  let lossIdentity = NaN;
  for (let it = 0; it <= iterations; it++) {
    const inv = P.map((m, k) => invertMatrix(m, ns[k]));
    inv.forEach((m, k) => {
      if (!m)
        throw new RangeError(
          `flatquant: factor P${k + 1} (${ns[k]} × ${ns[k]}) became singular at iteration ${it}; lower lr`,
        );
    });
    const i1 = inv[0] as Float64Array;
    const i2 = inv[1] as Float64Array;
    kronRight(X, T, P[0], n1, P[1], n2, Xp);
    kronRight(W, R, transpose(i1, n1), n1, transpose(i2, n2), n2, Wp);
    proxyQuantize(Xp, T, d, bits, Xq);
    proxyQuantize(Wp, R, d, bits, Wq);
    const E = mulT(Xq, T, Wq, R, d);
    let ee = 0;
    for (let i = 0; i < E.length; i++) {
      E[i] -= Y[i];
      ee += E[i] * E[i];
    }
    const loss = yy > 0 ? ee / yy : 0;
    if (it === 0) lossIdentity = loss;
    if (loss < best.loss) best = { p1: P[0].slice(), p2: P[1].slice(), loss };
    if (it === iterations || yy === 0) break;
    // G_a = 2E·Q_w/‖Y‖² (T × d), G_w = 2Eᵀ·Q_a/‖Y‖² (R × d).
    const c = 2 / yy;
    const Ga = new Float64Array(T * d);
    for (let t = 0; t < T; t++)
      for (let r = 0; r < R; r++) {
        const e = E[t * R + r] * c;
        if (e === 0) continue;
        for (let j = 0; j < d; j++) Ga[t * d + j] += e * Wq[r * d + j];
      }
    const Gw = tMul(E, R, Xq, d, T);
    for (let i = 0; i < Gw.length; i++) Gw[i] *= c;
    // ∂L/∂P = XᵀG_a − P⁻ᵀ(G_wᵀW′); P⁻ᵀ·M = (P₁⁻ᵀ ⊗ P₂⁻ᵀ)·M applied to M's columns, i.e.
    // (P⁻ᵀM)ᵀ = Mᵀ·P⁻¹ = Mᵀ·(P₁⁻¹ ⊗ P₂⁻¹) row-wise.
    const G = tMul(X, d, Ga, d, T);
    const M2t = tMul(Wp, d, Gw, d, R); // (G_wᵀW′)ᵀ = W′ᵀG_w
    const S = new Float64Array(d * d);
    kronRight(M2t, d, i1, n1, i2, n2, S); // S = (P⁻ᵀM₂)ᵀ
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) G[i * d + j] -= S[j * d + i];
    // Contract onto the factors: index (a,c) = a·n₂ + c.
    const g1 = new Float64Array(n1 * n1);
    const g2 = new Float64Array(n2 * n2);
    for (let a = 0; a < n1; a++)
      for (let b = 0; b < n1; b++)
        for (let cc = 0; cc < n2; cc++)
          for (let e = 0; e < n2; e++) {
            const gv = G[(a * n2 + cc) * d + b * n2 + e];
            g1[a * n1 + b] += gv * P[1][cc * n2 + e];
            g2[cc * n2 + e] += gv * P[0][a * n1 + b];
          }
    const grads = [g1, g2];
    for (let k = 0; k < 2; k++) {
      const g = grads[k];
      const m = mom[k];
      const v = vel[k];
      const b1 = 1 - 0.9 ** (it + 1);
      const b2 = 1 - 0.999 ** (it + 1);
      for (let i = 0; i < g.length; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        P[k][i] -= (lr * (m[i] / b1)) / (Math.sqrt(v[i] / b2) + 1e-8);
      }
    }
  }
  return { n1, n2, p1: best.p1, p2: best.p2, lossIdentity, loss: best.loss };
}

export const FLATQUANT_NOTE =
  'flatquant: no calibration activations here, so P = I (identity); the layer view fits P';

const FLATQUANT_PARAMS = defineParams({
  bits: {
    kind: 'int',
    default: 4,
    min: 2,
    max: 8,
    step: 1,
    doc: 'Bits of the fit’s proxy quantizers (per-token activations, per-channel weights, symmetric INT).',
  },
  iterations: {
    kind: 'int',
    default: 50,
    min: 0,
    max: 1000,
    step: 1,
    doc: 'Adam steps of the fit (0 = identity).',
  },
  lr: {
    kind: 'number',
    default: 0.05,
    min: 0,
    max: 1,
    step: 0.001,
    doc: 'Adam learning rate.',
  },
  basis: BASIS_PARAM,
});

export const flatquantTransform: TransformDef = {
  id: 'flatquant',
  label: 'FlatQuant',
  description:
    'Kronecker-factored affine map P = P₁⊗P₂ fitted (Adam, straight-through) to the layer output error: X·P, W·P⁻ᵀ (layer view).',
  reference:
    'FlatQuant: Flatness Matters for LLM Quantization, 2024 (Kronecker-decomposed affine transforms).',
  params: FLATQUANT_PARAMS,
  // A fitted invertible affine map P⁻ᵀ, in general not orthogonal.
  orthogonal: false,
  outDim: (_params, dim) => dim,
  sideInfoBits(params, _rows, dim) {
    if (typedParams(FLATQUANT_PARAMS, params).basis !== 'stored') return 0;
    const [n1, n2] = kroneckerShape(dim);
    return 16 * (n1 * n1 + n2 * n2);
  },
  prepare(params, ctx): PreparedTransform {
    const x = ctx.calibration;
    if (!x) {
      const dim = ctx.dim;
      const copy = (input: Float32Array, rows: number, out: Float32Array) =>
        out.set(input.subarray(0, rows * dim));
      return { outDim: dim, forward: copy, inverse: copy, dual: copy, note: FLATQUANT_NOTE };
    }
    if (x.cols !== ctx.dim || ctx.data.cols !== ctx.dim)
      throw new RangeError(
        `flatquant: activations have ${x.cols} columns and weights ${ctx.data.cols}, expected dim ${ctx.dim}`,
      );
    const p = typedParams(FLATQUANT_PARAMS, params);
    const fit = fitFlatQuant(ctx.data, x, p.bits, p.iterations, p.lr);
    const { n1, n2, p1, p2 } = fit;
    const i1 = invertMatrix(p1, n1);
    const i2 = invertMatrix(p2, n2);
    if (!i1 || !i2) throw new RangeError('flatquant: the fitted P is not invertible; lower lr');
    const i1t = transpose(i1, n1);
    const i2t = transpose(i2, n2);
    const p1t = transpose(p1, n1);
    const p2t = transpose(p2, n2);
    return {
      outDim: ctx.dim,
      forward: (input, rows, out) => kronRight(input, rows, i1t, n1, i2t, n2, out),
      inverse: (input, rows, out) => kronRight(input, rows, p1t, n1, p2t, n2, out),
      dual: (input, rows, out) => kronRight(input, rows, p1, n1, p2, n2, out),
    };
  },
};
