/**
 * Orthonormal DCT-II and its inverse (the orthonormal DCT-III) for any length N, in float64.
 *
 *   X_k = s_k Σ_{n<N} x_n cos(π(2n+1)k / (2N)),   s_0 = √(1/N), s_k = √(2/N) (k ≥ 1)
 *
 * (Ahmed, Natarajan & Rao, "Discrete Cosine Transform", IEEE Trans. Computers C-23, 1974; the
 * orthonormal scaling is scipy.fft.dct(norm='ortho'), type 2.) The matrix is orthogonal, so the
 * inverse is its transpose, the orthonormal DCT-III.
 *
 * Algorithm: Makhoul, "A fast cosine transform in one and two dimensions", IEEE Trans. ASSP 28(1),
 * 1980: reorder v_n = x_{2n}, v_{N−1−n} = x_{2n+1}; with V = DFT_N(v),
 * C_k = Re(e^{−iπk/(2N)} V_k) and Im(e^{−iπk/(2N)} V_k) = −C_{N−k} (C_N = 0), which also gives the
 * inverse: V_k = e^{iπk/(2N)}(C_k − i·C_{N−k}), v = IDFT(V). One complex FFT of length N per
 * vector, O(N log N): radix-2 for powers of two, Bluestein's chirp-z (Bluestein 1970; Rabiner,
 * Schafer & Rader 1969) through a power-of-two FFT of length ≥ 2N−1 otherwise. Every twiddle is a
 * direct Math.cos/Math.sin of an exactly reduced angle, so errors stay at a few ulps·log N.
 *
 * `dctDirect` is the O(N²) definition, kept as a test oracle.
 */
import { isPowerOfTwo, nextPowerOfTwo } from './fwht';

/** In-place complex DFT of a fixed power-of-two length: X_k = Σ x_n e^{−2πink/n}. */
class Radix2Fft {
  readonly n: number;
  private readonly rev: Uint32Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(n: number) {
    if (!isPowerOfTwo(n)) throw new RangeError(`fft: length must be a power of two, got ${n}`);
    this.n = n;
    const bits = Math.round(Math.log2(n));
    this.rev = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) if (i & (1 << b)) r |= 1 << (bits - 1 - b);
      this.rev[i] = r;
    }
    const half = Math.max(n / 2, 1);
    this.cos = new Float64Array(half);
    this.sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      const a = (2 * Math.PI * k) / n;
      this.cos[k] = Math.cos(a);
      this.sin[k] = Math.sin(a);
    }
  }

  /** Forward (sign −1) if `inverse` is false, else the unnormalised sign +1 transform. */
  transform(re: Float64Array, im: Float64Array, inverse: boolean): void {
    const n = this.n;
    const rev = this.rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    const sgn = inverse ? 1 : -1;
    for (let size = 2; size <= n; size *= 2) {
      const half = size / 2;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let j = 0; j < half; j++) {
          const wr = this.cos[j * step];
          const wi = sgn * this.sin[j * step];
          const a = start + j;
          const b = a + half;
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }
}

/** In-place complex DFT of any length n ≥ 1 (radix-2 or Bluestein). */
export class ComplexFft {
  readonly n: number;
  private readonly pow2: Radix2Fft | null;
  // Bluestein state (null for powers of two).
  private readonly conv: Radix2Fft | null;
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  private readonly kernRe: Float64Array;
  private readonly kernIm: Float64Array;
  private readonly bufRe: Float64Array;
  private readonly bufIm: Float64Array;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`fft: length must be an integer ≥ 1, got ${n}`);
    this.n = n;
    if (isPowerOfTwo(n)) {
      this.pow2 = new Radix2Fft(n);
      this.conv = null;
      this.chirpRe = this.chirpIm = this.kernRe = this.kernIm = this.bufRe = this.bufIm = new Float64Array(0);
      return;
    }
    this.pow2 = null;
    const m = nextPowerOfTwo(2 * n - 1);
    this.conv = new Radix2Fft(m);
    // w_k = e^{−iπk²/n}; k² is reduced mod 2n exactly (k < 2^26 keeps k² < 2^53).
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const a = (Math.PI * ((k * k) % (2 * n))) / n;
      this.chirpRe[k] = Math.cos(a);
      this.chirpIm[k] = -Math.sin(a);
    }
    // Convolution kernel b_k = conj(w_k), wrapped: b_{m−k} = b_k.
    this.kernRe = new Float64Array(m);
    this.kernIm = new Float64Array(m);
    for (let k = 0; k < n; k++) {
      this.kernRe[k] = this.chirpRe[k];
      this.kernIm[k] = -this.chirpIm[k];
      if (k > 0) {
        this.kernRe[m - k] = this.chirpRe[k];
        this.kernIm[m - k] = -this.chirpIm[k];
      }
    }
    this.conv.transform(this.kernRe, this.kernIm, false);
    this.bufRe = new Float64Array(m);
    this.bufIm = new Float64Array(m);
  }

  /** In-place DFT of re/im[0 .. n): sign −1 (forward) or +1 (`inverse`, unnormalised). */
  transform(re: Float64Array, im: Float64Array, inverse = false): void {
    if (this.pow2) {
      this.pow2.transform(re, im, inverse);
      return;
    }
    const conv = this.conv as Radix2Fft;
    const n = this.n;
    const m = conv.n;
    const br = this.bufRe;
    const bi = this.bufIm;
    // The inverse is conj(DFT(conj(x))).
    const s = inverse ? -1 : 1;
    for (let k = 0; k < n; k++) {
      const xr = re[k];
      const xi = s * im[k];
      const wr = this.chirpRe[k];
      const wi = this.chirpIm[k];
      br[k] = xr * wr - xi * wi;
      bi[k] = xr * wi + xi * wr;
    }
    br.fill(0, n);
    bi.fill(0, n);
    conv.transform(br, bi, false);
    for (let k = 0; k < m; k++) {
      const xr = br[k];
      const xi = bi[k];
      const kr = this.kernRe[k];
      const ki = this.kernIm[k];
      br[k] = xr * kr - xi * ki;
      bi[k] = xr * ki + xi * kr;
    }
    conv.transform(br, bi, true);
    const inv = 1 / m;
    for (let k = 0; k < n; k++) {
      const cr = br[k] * inv;
      const ci = bi[k] * inv;
      const wr = this.chirpRe[k];
      const wi = this.chirpIm[k];
      re[k] = cr * wr - ci * wi;
      im[k] = s * (cr * wi + ci * wr);
    }
  }
}

/** Orthonormal DCT-II / DCT-III of one length, with its own scratch (not re-entrant). */
export class DctPlan {
  readonly n: number;
  private readonly fft: ComplexFft;
  private readonly twCos: Float64Array;
  private readonly twSin: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly s0: number;
  private readonly sk: number;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`dct: length must be an integer ≥ 1, got ${n}`);
    this.n = n;
    this.fft = new ComplexFft(n);
    this.twCos = new Float64Array(n);
    this.twSin = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const a = (Math.PI * k) / (2 * n);
      this.twCos[k] = Math.cos(a);
      this.twSin[k] = Math.sin(a);
    }
    this.re = new Float64Array(n);
    this.im = new Float64Array(n);
    this.s0 = Math.sqrt(1 / n);
    this.sk = Math.sqrt(2 / n);
  }

  /** dst[dOff + k] = X_k (orthonormal DCT-II) of src[sOff .. sOff+n). src and dst may alias. */
  forward(src: ArrayLike<number>, sOff: number, dst: Float32Array | Float64Array, dOff: number): void {
    const n = this.n;
    const re = this.re;
    const im = this.im;
    const half = (n + 1) >> 1;
    for (let i = 0; i < half; i++) re[i] = src[sOff + 2 * i];
    for (let i = 0; 2 * i + 1 < n; i++) re[n - 1 - i] = src[sOff + 2 * i + 1];
    im.fill(0);
    this.fft.transform(re, im, false);
    // C_k = Re(e^{−iθ}V_k) = cosθ·Re V_k + sinθ·Im V_k, θ = πk/(2N).
    dst[dOff] = re[0] * this.s0;
    for (let k = 1; k < n; k++) dst[dOff + k] = (this.twCos[k] * re[k] + this.twSin[k] * im[k]) * this.sk;
  }

  /** dst[dOff + i] = x_i, the orthonormal DCT-III (inverse of `forward`). May alias. */
  inverse(src: ArrayLike<number>, sOff: number, dst: Float32Array | Float64Array, dOff: number): void {
    const n = this.n;
    const re = this.re;
    const im = this.im;
    // Undo the orthonormal scaling: C_0 = X_0·√N, C_k = X_k·√(N/2); V_k = e^{iθ}(C_k − i·C_{N−k}).
    const u0 = 1 / this.s0;
    const uk = 1 / this.sk;
    re[0] = src[sOff] * u0;
    im[0] = 0;
    for (let k = 1; k < n; k++) {
      const a = src[sOff + k] * uk;
      const b = -src[sOff + n - k] * uk;
      const c = this.twCos[k];
      const s = this.twSin[k];
      re[k] = a * c - b * s;
      im[k] = a * s + b * c;
    }
    this.fft.transform(re, im, true);
    const inv = 1 / n;
    const half = (n + 1) >> 1;
    for (let i = 0; i < half; i++) dst[dOff + 2 * i] = re[i] * inv;
    for (let i = 0; 2 * i + 1 < n; i++) dst[dOff + 2 * i + 1] = re[n - 1 - i] * inv;
  }
}

const plans = new Map<number, DctPlan>();

/**
 * A shared plan for length n (O(n) memory; kept for the process lifetime, at most 16 lengths).
 * Plans own scratch, so callers on one thread must not interleave calls on the same plan.
 */
export function dctPlan(n: number): DctPlan {
  let p = plans.get(n);
  if (!p) {
    if (plans.size >= 16) plans.clear();
    p = new DctPlan(n);
    plans.set(n, p);
  }
  return p;
}

/** O(N²) orthonormal DCT-II straight from the definition (test oracle). */
export function dctDirect(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let acc = 0;
    // cos(π(2i+1)k/(2N)) with the angle index (2i+1)k reduced mod 4N exactly.
    for (let i = 0; i < n; i++) acc += x[i] * Math.cos((Math.PI * (((2 * i + 1) * k) % (4 * n))) / (2 * n));
    out[k] = acc * (k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n));
  }
  return out;
}
