/**
 * KLT·H: rotate into the eigenbasis of the channel covariance (Karhunen–Loève transform), then
 * apply a Walsh–Hadamard transform, so the energy the KLT sorts into a few leading coordinates is
 * spread evenly over all of them.
 *
 * Reference: "MambaQuant: Quantizing the Mamba Family with Variance Aligned Rotation Methods",
 * ICLR 2025, the "KLT-enhanced rotation": H_K = K·H with K the eigenvectors of the
 * covariance of the calibration activations and H a Hadamard matrix, applied as X·K·H (and
 * Wᵀ ↦ HᵀKᵀWᵀ), which equalises the channel variances a plain Hadamard leaves unequal.
 *
 * Here, with ctx.data (rows × dim; the layer analysis fits on the activations by default):
 *   C = (X − μ)ᵀ(X − μ)/N (centered covariance, float64), K = its unit eigenvectors by decreasing
 *   eigenvalue (src/core/linalg/eig.ts), each with its largest-magnitude component positive (the
 *   pca transform's convention); y = H_n·(Kᵀx ‖ 0) with H_n the orthonormal WHT of size
 *   n = outDim = nextPow2(dim) (zero-padding, the quantizer is charged for all n coordinates).
 * Orthogonal: inverse(y) = K·(first dim coordinates of H_nᵀy). No randomness.
 *
 * Basis storage (`basis`): "fused" (default) when K·H is folded into the neighbouring layers'
 * weights offline, as MambaQuant does, so it costs nothing per coordinate; "stored" when it is
 * kept beside the quantized matrix: dim² entries × 16 bits (K in fp16; H is implicit), charged as
 * side information over the rows × dim matrix (sideInfoBits).
 * Cost: prepare N·dim²/2 + O(dim³) (dense eigendecomposition; maxDim 4096), apply dim² +
 * n·log2 n per row.
 */
import { symmetricEigen } from '../../linalg/eig';
import { SignedHadamard } from '../../linalg/signedHadamard';
import { defineParams, typedParams } from '../params';
import type { ParamSpec, PreparedTransform, TransformDef } from '../types';

export const BASIS_PARAM = {
  kind: 'enum',
  default: 'fused',
  options: ['fused', 'stored'],
  doc: 'fused: folded into neighbouring layers (free); stored: kept with the matrix, charged 16 bits per basis entry.',
} as const satisfies ParamSpec;

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Centered covariance eigenvectors (rows of the result, descending eigenvalue, sign-normalised). */
export function covarianceEigenvectors(data: Float32Array, rows: number, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) mean[j] += data[r * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= Math.max(rows, 1);
  const c = new Float64Array(dim * dim);
  const z = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dim; j++) z[j] = data[r * dim + j] - mean[j];
    for (let i = 0; i < dim; i++) {
      const zi = z[i];
      if (zi === 0) continue;
      for (let j = i; j < dim; j++) c[i * dim + j] += zi * z[j];
    }
  }
  const inv = rows > 0 ? 1 / rows : 0;
  for (let i = 0; i < dim; i++)
    for (let j = i; j < dim; j++) {
      const v = c[i * dim + j] * inv;
      c[i * dim + j] = v;
      c[j * dim + i] = v;
    }
  const V = symmetricEigen(c, dim).vectors as Float64Array;
  for (let i = 0; i < dim; i++) {
    let best = 0;
    for (let j = 1; j < dim; j++) if (Math.abs(V[i * dim + j]) > Math.abs(V[i * dim + best])) best = j;
    if (V[i * dim + best] < 0) for (let j = 0; j < dim; j++) V[i * dim + j] = -V[i * dim + j];
  }
  return V;
}

const KLT_PARAMS = defineParams({ basis: BASIS_PARAM });

export const kltTransform: TransformDef = {
  id: 'klt',
  label: 'KLT·Hadamard',
  description:
    'Eigenvectors of the channel covariance (KLT), then a Walsh–Hadamard transform that equalises the variances (MambaQuant).',
  reference:
    'MambaQuant: Quantizing the Mamba Family with Variance Aligned Rotation Methods, ICLR 2025 (KLT-enhanced rotation).',
  params: KLT_PARAMS,
  maxDim: 4096,
  // H_n·Kᵀ with K's columns orthonormal eigenvectors: orthogonal (padding: an isometry into ℝ^n).
  orthogonal: true,
  outDim: (_params, dim) => nextPow2(dim),
  sideInfoBits: (params, _rows, dim) =>
    typedParams(KLT_PARAMS, params).basis === 'stored' ? dim * dim * 16 : 0,
  prepare(_params, ctx): PreparedTransform {
    const dim = ctx.dim;
    const { data } = ctx;
    if (data.cols !== dim) throw new RangeError(`klt: data has ${data.cols} columns, expected dim ${dim}`);
    const V = covarianceEigenvectors(data.data, data.rows, dim);
    const n = nextPow2(dim);
    const h = new SignedHadamard(dim, n, n, [null]);
    const zx = new Float32Array(dim);
    const zy = new Float32Array(dim);
    return {
      outDim: n,
      forward(input, rows, out) {
        for (let r = 0; r < rows; r++) {
          const base = r * dim;
          for (let i = 0; i < dim; i++) {
            const vi = i * dim;
            let s = 0;
            for (let j = 0; j < dim; j++) s += V[vi + j] * input[base + j];
            zx[i] = s;
          }
          h.forward(zx, 1, out.subarray(r * n, (r + 1) * n));
        }
      },
      inverse(input, rows, out) {
        const acc = new Float64Array(dim);
        for (let r = 0; r < rows; r++) {
          h.inverse(input.subarray(r * n, (r + 1) * n), 1, zy);
          acc.fill(0);
          for (let i = 0; i < dim; i++) {
            const yi = zy[i];
            if (yi === 0) continue;
            const vi = i * dim;
            for (let j = 0; j < dim; j++) acc[j] += yi * V[vi + j];
          }
          for (let j = 0; j < dim; j++) out[r * dim + j] = acc[j];
        }
      },
    };
  },
};
