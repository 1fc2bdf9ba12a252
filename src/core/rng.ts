/**
 * Seeded random streams, one per purpose (CONTRACT.md §1): everything random derives from the
 * experiment `seed` plus the stream's purpose and keys (e.g. 'rotation', 'haar', d), never from a
 * pipeline's position, so two pipelines with the same transform see the same rotation and
 * comparisons are paired.
 *
 * Generator: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
 * ACM TOMS 2021), 128-bit state, period 2^128 − 1, passes BigCrush; 32-bit integer arithmetic only,
 * so it is exact and identical in node, workers and browsers. The state is seeded by hashing the
 * key string with a 4-lane MurmurHash3-style mixer (fmix32 finaliser, Appleby 2011) so nearby
 * seeds give unrelated streams.
 *
 * Normals: Marsaglia's polar method (Marsaglia & Bray 1964) on 53-bit uniforms, both outputs
 * used. It needs only sqrt (correctly rounded by IEEE 754) and a logarithm, for which we use our
 * own `portableLog` built from +, −, ×, ÷ only: engines' Math.log/sin/cos may differ in the last
 * ulp (V8 versions, SpiderMonkey, JavaScriptCore), which would make a permalink's numbers depend
 * on the browser. With this, the same seed gives bit-identical draws everywhere.
 *
 * Speed: fillNormal and fillUniform hand long fills to the WASM kernels `fill_normal` /
 * `fill_uniform` (wasm/assembly/kernels.ts), the same operations in the same order on a copy of
 * the generator state, which is copied back after each slice, so the draws are bit-identical and a
 * stream continues seamlessly whichever path produced its earlier values.
 */
import { claim, noteWasmHit, SLICE_ELEMS, wasmKernels } from './wasm/kernels';

/** Fills shorter than this stay in TypeScript (the state copies would dominate). */
const WASM_FILL_MIN = 256;

const LN2_HI = 6.9314718036912381649e-1; // fdlibm's split of ln 2: LN2_HI has 32 trailing zero bits
const LN2_LO = 1.90821492927058770002e-10;
const SQRT_HALF = Math.SQRT1_2;

/**
 * Natural logarithm for finite x > 0 using only IEEE-exact operations (so every engine returns the
 * same double). x = m·2^e with m ∈ [√½, √2) by exact scaling; ln m = 2·atanh(s), s = (m−1)/(m+1),
 * |s| ≤ 0.1716, summed to s^25 (remainder < 1e-19 relative). Max error ≈ 2 ulp (tested against
 * Math.log).
 */
export function portableLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) {
    if (x === 0) return -Infinity;
    return x === Infinity ? Infinity : NaN;
  }
  let e = 0;
  let m = x;
  // Exact power-of-two scaling (no rounding: only the exponent changes, subnormals included).
  while (m >= 1.4142135623730951) {
    if (m >= 2 ** 64) {
      m *= 2 ** -64;
      e += 64;
    } else {
      m *= 0.5;
      e += 1;
    }
  }
  while (m < SQRT_HALF) {
    if (m < 2 ** -64) {
      m *= 2 ** 64;
      e -= 64;
    } else {
      m *= 2;
      e -= 1;
    }
  }
  const f = m - 1;
  const s = f / (2 + f);
  const s2 = s * s;
  // 2·atanh(s) = 2s(1 + s²/3 + s⁴/5 + …), Horner from the smallest term.
  let p = 1 / 25;
  for (let k = 23; k >= 3; k -= 2) p = p * s2 + 1 / k;
  const twoS = 2 * s;
  const log1p = twoS + twoS * s2 * p;
  return e * LN2_HI + (e * LN2_LO + log1p);
}

export type StreamPurpose =
  'data' | 'rotation' | 'sketch' | 'rounding' | 'queries' | 'subsample' | 'analysis';

export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Uniform integer in [0, n). n ≤ 2^32. */
  int(n: number): number;
  /** +1 or −1 with probability ½ each. */
  sign(): 1 | -1;
  /** Fill with N(0,1) draws. */
  fillNormal(out: Float32Array | Float64Array): void;
  /** Fill with uniform() draws, in order (out[i] is the i-th call's value). */
  fillUniform(out: Float64Array): void;
}

export interface RngFactory {
  readonly seed: number;
  /** A fresh, independent stream for (seed, purpose, ...keys). Same arguments → same stream. */
  stream(purpose: StreamPurpose, ...keys: (string | number)[]): Rng;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash a string to four 32-bit words (never all zero). */
export function hash128(key: string): [number, number, number, number] {
  let h1 = 0x9e3779b9,
    h2 = 0x243f6a88,
    h3 = 0xb7e15162,
    h4 = 0x85a308d3;
  for (let i = 0; i < key.length; i++) {
    const k = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ k, 0xcc9e2d51);
    h1 = (h1 << 15) | (h1 >>> 17);
    h2 = Math.imul(h2 ^ k, 0x1b873593);
    h2 = (h2 << 13) | (h2 >>> 19);
    h3 = Math.imul(h3 ^ k, 0x38b34ae5);
    h3 = (h3 << 17) | (h3 >>> 15);
    h4 = Math.imul(h4 ^ k, 0xa1e38b93);
    h4 = (h4 << 19) | (h4 >>> 13);
    h1 = (h1 + h2) | 0;
    h2 = (h2 + h3) | 0;
    h3 = (h3 + h4) | 0;
    h4 = (h4 + h1) | 0;
  }
  const n = key.length;
  const out: [number, number, number, number] = [
    fmix32(h1 ^ n),
    fmix32(h2 ^ Math.imul(n, 3)),
    fmix32(h3 ^ Math.imul(n, 5)),
    fmix32(h4 ^ Math.imul(n, 7)),
  ];
  if ((out[0] | out[1] | out[2] | out[3]) === 0) out[0] = 1;
  return out;
}

const TWO_POW_M32 = 1 / 4294967296;
const TWO_POW_M53 = 1 / 9007199254740992;

/** xoshiro128** from an explicit 128-bit state. */
export class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = false;

  constructor(state: readonly [number, number, number, number]) {
    this.s0 = state[0] >>> 0;
    this.s1 = state[1] >>> 0;
    this.s2 = state[2] >>> 0;
    this.s3 = state[3] >>> 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextU32(): number {
    const s1 = this.s1;
    const t = s1 << 9;
    let r = Math.imul(s1, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9);
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return r >>> 0;
  }

  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_M53;
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const f = Math.sqrt((-2 * portableLog(s)) / s);
      this.spare = v * f;
      this.hasSpare = true;
      return u * f;
    }
  }

  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`rng.int: n must be ≥ 1, got ${n}`);
    if (n <= 4294967296) {
      // Lemire-style rejection to remove modulo bias.
      const limit = 4294967296 - (4294967296 % n);
      for (;;) {
        const v = this.nextU32();
        if (v < limit) return v % n;
      }
    }
    return Math.floor(this.uniform() * n);
  }

  sign(): 1 | -1 {
    return (this.nextU32() & 0x80000000) !== 0 ? -1 : 1;
  }

  fillNormal(out: Float32Array | Float64Array): void {
    if (out.length >= WASM_FILL_MIN && this.fillWasm(out, 'normal')) return;
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
  }

  fillUniform(out: Float64Array): void {
    if (out.length >= WASM_FILL_MIN && this.fillWasm(out, 'uniform')) return;
    for (let i = 0; i < out.length; i++) out[i] = this.uniform();
  }

  /** The WASM path of fillNormal / fillUniform: slices through the module, state copied in and out. */
  private fillWasm(out: Float32Array | Float64Array, kind: 'normal' | 'uniform'): boolean {
    const k = wasmKernels();
    if (!k) return false;
    const wide = out instanceof Float64Array;
    const { ptrs } = claim(k, Xoshiro128, [32, SLICE_ELEMS * 8]);
    const [stP, outP] = ptrs;
    const st = new Uint32Array(k.memory.buffer, stP, 8);
    const stF = new Float64Array(k.memory.buffer, stP + 16, 1);
    st[0] = this.s0;
    st[1] = this.s1;
    st[2] = this.s2;
    st[3] = this.s3;
    stF[0] = this.spare;
    st[6] = this.hasSpare ? 1 : 0;
    const view = wide
      ? new Float64Array(k.memory.buffer, outP, SLICE_ELEMS)
      : new Float32Array(k.memory.buffer, outP, SLICE_ELEMS);
    for (let i = 0; i < out.length; i += SLICE_ELEMS) {
      const n = Math.min(SLICE_ELEMS, out.length - i);
      if (kind === 'normal') k.fill_normal(stP, outP, n, wide ? 1 : 0);
      else k.fill_uniform(stP, outP, n);
      out.set(view.subarray(0, n), i);
    }
    this.s0 = st[0];
    this.s1 = st[1];
    this.s2 = st[2];
    this.s3 = st[3];
    this.spare = stF[0];
    this.hasSpare = st[6] !== 0;
    noteWasmHit(`rng.${kind}`);
    return true;
  }

  /** Uniform double in [0,1) from 32 bits only (cheaper; for stochastic rounding). */
  uniform32(): number {
    return this.nextU32() * TWO_POW_M32;
  }
}

export function streamKey(seed: number, purpose: string, keys: readonly (string | number)[]): string {
  return `qs1|${seed}|${purpose}|${keys.join('|')}`;
}

export function createRngFactory(seed: number): RngFactory {
  return {
    seed,
    stream(purpose, ...keys) {
      return new Xoshiro128(hash128(streamKey(seed, purpose, keys)));
    },
  };
}
