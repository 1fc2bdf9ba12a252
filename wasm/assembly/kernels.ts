// WebAssembly SIMD (v128) kernels for QuantScope's hot paths (issue 5; DESIGN.md "Performance
// targets"). AssemblyScript, compiled by scripts/build-wasm.mjs into src/core/wasm/kernels.wasm.ts.
//
// Parity rule: every kernel here performs the same IEEE operations in the same order as its
// TypeScript reference, so results are bit for bit identical to the TS path (not only within a
// tolerance). SIMD lanes are only ever used across independent outputs (butterflies, rows of a
// batch, the (d0,d1)/(d2,d3) partial sums the TS code already keeps), never to reorder one sum.
// No fused multiply-add exists in WASM SIMD 1.0, so a*b+c rounds twice here exactly as in JS.
//
// Memory: the JS side (src/core/wasm/kernels.ts) owns the linear memory above heapBase() and passes
// byte pointers; these functions allocate nothing.

export function heapBase(): usize {
  return __heap_base;
}

// ───────────────────────── FWHT ─────────────────────────
// Reference: src/core/linalg/fwht.ts fwhtInPlace (radix-2, span loop outermost, unnormalised).

/** In-place unnormalised FWHT of n float32 at p (n a power of two). */
export function fwht_f32(p: usize, n: i32): void {
  if (n < 4) {
    for (let h = 1; h < n; h <<= 1) {
      for (let i = 0; i < n; i += h << 1) {
        for (let j = i; j < i + h; j++) {
          const u = load<f32>(p + ((<usize>j) << 2));
          const v = load<f32>(p + ((<usize>(j + h)) << 2));
          store<f32>(p + ((<usize>j) << 2), u + v);
          store<f32>(p + ((<usize>(j + h)) << 2), u - v);
        }
      }
    }
    return;
  }
  // h = 1 and h = 2 inside one vector: [a,b,c,d] → [a+b, a−b, c+d, c−d] → [.. +/− pairs at 2].
  for (let i = 0; i < n; i += 4) {
    const q = p + ((<usize>i) << 2);
    const x = v128.load(q);
    const y = v128.shuffle<f32>(x, x, 1, 0, 3, 2);
    const s = f32x4.add(x, y);
    const d = f32x4.sub(y, x);
    const z = v128.shuffle<f32>(s, d, 0, 5, 2, 7);
    const w = v128.shuffle<f32>(z, z, 2, 3, 0, 1);
    const s2 = f32x4.add(z, w);
    const d2 = f32x4.sub(w, z);
    v128.store(q, v128.shuffle<f32>(s2, d2, 0, 1, 6, 7));
  }
  for (let h = 4; h < n; h <<= 1) {
    const hb = (<usize>h) << 2;
    for (let i = 0; i < n; i += h << 1) {
      const base = p + ((<usize>i) << 2);
      for (let j: usize = 0; j < hb; j += 16) {
        const a = base + j;
        const u = v128.load(a);
        const v = v128.load(a + hb);
        v128.store(a, f32x4.add(u, v));
        v128.store(a + hb, f32x4.sub(u, v));
      }
    }
  }
}

/** In-place unnormalised FWHT of n float64 at p (n a power of two). */
export function fwht_f64(p: usize, n: i32): void {
  if (n < 2) return;
  // h = 1 inside one vector: [a,b] → [a+b, a−b].
  for (let i = 0; i < n; i += 2) {
    const q = p + ((<usize>i) << 3);
    const x = v128.load(q);
    const y = v128.shuffle<f64>(x, x, 1, 0);
    v128.store(q, v128.shuffle<f64>(f64x2.add(x, y), f64x2.sub(y, x), 0, 3));
  }
  for (let h = 2; h < n; h <<= 1) {
    const hb = (<usize>h) << 3;
    for (let i = 0; i < n; i += h << 1) {
      const base = p + ((<usize>i) << 3);
      for (let j: usize = 0; j < hb; j += 16) {
        const a = base + j;
        const u = v128.load(a);
        const v = v128.load(a + hb);
        v128.store(a, f64x2.add(u, v));
        v128.store(a + hb, f64x2.sub(u, v));
      }
    }
  }
}

function mulInPlace(w: usize, s: usize, n: i32): void {
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const o = (<usize>i) << 3;
    v128.store(w + o, f64x2.mul(v128.load(w + o), v128.load(s + o)));
  }
  if (i < n)
    store<f64>(w + ((<usize>i) << 3), load<f64>(w + ((<usize>i) << 3)) * load<f64>(s + ((<usize>i) << 3)));
}

/** Orthonormal FWHT of every `block`-sized block of w[0..outDim) (fwhtOrthonormalInPlace). */
function blocksOrthonormal(w: usize, outDim: i32, block: i32): void {
  const sc = 1.0 / Math.sqrt(<f64>block);
  const scv = f64x2.splat(sc);
  for (let b = 0; b < outDim; b += block) {
    const q = w + ((<usize>b) << 3);
    fwht_f64(q, block);
    if (block >= 2) {
      for (let i = 0; i < block; i += 2) {
        const o = q + ((<usize>i) << 3);
        v128.store(o, f64x2.mul(v128.load(o), scv));
      }
    } else {
      store<f64>(q, load<f64>(q) * sc);
    }
  }
}

/**
 * SignedHadamard forward / inverse (src/core/linalg/signedHadamard.ts): rows of float32 at inP,
 * float64 working row at workP (outDim), `rounds` sign vectors of outDim float64 at signsP (an
 * unsigned round is passed as ones: x·1 = x exactly).
 */
export function signed_hadamard(
  inP: usize,
  rows: i32,
  dim: i32,
  outDim: i32,
  block: i32,
  signsP: usize,
  rounds: i32,
  outP: usize,
  workP: usize,
  inverse: i32,
): void {
  const inLen = inverse ? outDim : dim;
  const outLen = inverse ? dim : outDim;
  for (let r = 0; r < rows; r++) {
    const src = inP + ((<usize>r * <usize>inLen) << 2);
    for (let i = 0; i < inLen; i++)
      store<f64>(workP + ((<usize>i) << 3), <f64>load<f32>(src + ((<usize>i) << 2)));
    for (let i = inLen; i < outDim; i++) store<f64>(workP + ((<usize>i) << 3), 0.0);
    if (inverse) {
      for (let k = rounds - 1; k >= 0; k--) {
        blocksOrthonormal(workP, outDim, block);
        mulInPlace(workP, signsP + ((<usize>k * <usize>outDim) << 3), outDim);
      }
    } else {
      for (let k = 0; k < rounds; k++) {
        mulInPlace(workP, signsP + ((<usize>k * <usize>outDim) << 3), outDim);
        blocksOrthonormal(workP, outDim, block);
      }
    }
    const dst = outP + ((<usize>r * <usize>outLen) << 2);
    for (let i = 0; i < outLen; i++)
      store<f32>(dst + ((<usize>i) << 2), <f32>load<f64>(workP + ((<usize>i) << 3)));
  }
}

// ───────────────────────── Householder products ─────────────────────────
// Reference: src/core/linalg/householder.ts reflectRows. A chunk of up to LANES rows is held
// transposed (W[i·LANES + r], float64) so that SIMD lanes run across rows and each row's dot
// product keeps the sequential order of the TS loop.

const LANES: i32 = 16;

function reflect(vecP: usize, beta: f64, off: i32, k: i32, m: i32, W: usize): void {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  let a4 = f64x2.splat(0);
  let a5 = f64x2.splat(0);
  let a6 = f64x2.splat(0);
  let a7 = f64x2.splat(0);
  const v0 = vecP + ((<usize>off) << 2);
  const w0 = W + ((<usize>k * <usize>LANES) << 3);
  for (let i = 0; i < m; i++) {
    const vi = f64x2.splat(<f64>load<f32>(v0 + ((<usize>i) << 2)));
    const row = w0 + ((<usize>i * <usize>LANES) << 3);
    a0 = f64x2.add(a0, f64x2.mul(vi, v128.load(row, 0)));
    a1 = f64x2.add(a1, f64x2.mul(vi, v128.load(row, 16)));
    a2 = f64x2.add(a2, f64x2.mul(vi, v128.load(row, 32)));
    a3 = f64x2.add(a3, f64x2.mul(vi, v128.load(row, 48)));
    a4 = f64x2.add(a4, f64x2.mul(vi, v128.load(row, 64)));
    a5 = f64x2.add(a5, f64x2.mul(vi, v128.load(row, 80)));
    a6 = f64x2.add(a6, f64x2.mul(vi, v128.load(row, 96)));
    a7 = f64x2.add(a7, f64x2.mul(vi, v128.load(row, 112)));
  }
  const b = f64x2.splat(beta);
  a0 = f64x2.mul(b, a0);
  a1 = f64x2.mul(b, a1);
  a2 = f64x2.mul(b, a2);
  a3 = f64x2.mul(b, a3);
  a4 = f64x2.mul(b, a4);
  a5 = f64x2.mul(b, a5);
  a6 = f64x2.mul(b, a6);
  a7 = f64x2.mul(b, a7);
  for (let i = 0; i < m; i++) {
    const vi = f64x2.splat(<f64>load<f32>(v0 + ((<usize>i) << 2)));
    const row = w0 + ((<usize>i * <usize>LANES) << 3);
    v128.store(row, f64x2.sub(v128.load(row, 0), f64x2.mul(a0, vi)), 0);
    v128.store(row, f64x2.sub(v128.load(row, 16), f64x2.mul(a1, vi)), 16);
    v128.store(row, f64x2.sub(v128.load(row, 32), f64x2.mul(a2, vi)), 32);
    v128.store(row, f64x2.sub(v128.load(row, 48), f64x2.mul(a3, vi)), 48);
    v128.store(row, f64x2.sub(v128.load(row, 64), f64x2.mul(a4, vi)), 64);
    v128.store(row, f64x2.sub(v128.load(row, 80), f64x2.mul(a5, vi)), 80);
    v128.store(row, f64x2.sub(v128.load(row, 96), f64x2.mul(a6, vi)), 96);
    v128.store(row, f64x2.sub(v128.load(row, 112), f64x2.mul(a7, vi)), 112);
  }
}

/**
 * HouseholderApplier.forward (transpose = 0: out = H_0⋯H_{K−1}·D·x) or .transpose (transpose = 1:
 * out = D·H_{K−1}⋯H_0·x) for `rows` rows; K = nRefl reflectors packed as in householder.ts.
 * workP holds d × LANES float64.
 */
export function householder_apply(
  vecP: usize,
  betaP: usize,
  nRefl: i32,
  signP: usize,
  d: i32,
  inP: usize,
  inStride: i32,
  rows: i32,
  outP: usize,
  outStride: i32,
  workP: usize,
  transpose: i32,
): void {
  for (let r0 = 0; r0 < rows; r0 += LANES) {
    const n = min(LANES, rows - r0);
    for (let r = 0; r < LANES; r++) {
      const src = inP + ((<usize>(r0 + r) * <usize>inStride) << 2);
      for (let i = 0; i < d; i++) {
        const dst = workP + ((<usize>(i * LANES + r)) << 3);
        if (r >= n) store<f64>(dst, 0.0);
        else {
          const x = <f64>load<f32>(src + ((<usize>i) << 2));
          store<f64>(dst, transpose ? x : load<f64>(signP + ((<usize>i) << 3)) * x);
        }
      }
    }
    if (transpose) {
      for (let k = 0; k < nRefl; k++) {
        const beta = load<f64>(betaP + ((<usize>k) << 3));
        if (beta != 0) reflect(vecP, beta, k * d - ((k * (k - 1)) >> 1), k, d - k, workP);
      }
    } else {
      for (let k = nRefl - 1; k >= 0; k--) {
        const beta = load<f64>(betaP + ((<usize>k) << 3));
        if (beta != 0) reflect(vecP, beta, k * d - ((k * (k - 1)) >> 1), k, d - k, workP);
      }
    }
    for (let r = 0; r < n; r++) {
      const dst = outP + ((<usize>(r0 + r) * <usize>outStride) << 2);
      for (let i = 0; i < d; i++) {
        const w = load<f64>(workP + ((<usize>(i * LANES + r)) << 3));
        store<f32>(dst + ((<usize>i) << 2), <f32>(transpose ? load<f64>(signP + ((<usize>i) << 3)) * w : w));
      }
    }
  }
}

// ───────────────────────── QJL sketch products ─────────────────────────
// Reference: src/core/methods/quantizers/qjl.ts qjlEstimateBlock (before its final scaling).
// The TS dot keeps four partial sums d0..d3 over j ≡ 0..3 (mod 4) and returns d0+d1+(d2+d3);
// here (d0,d1) and (d2,d3) are the two lanes of two vectors, so every partial sum sees the same
// operations in the same order.

function qjlDot(sk: usize, src: usize, d: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let j = 0;
  for (; j + 3 < d; j += 4) {
    const s = v128.load(sk + ((<usize>j) << 2));
    const sl = f64x2.promote_low_f32x4(s);
    const sh = f64x2.promote_low_f32x4(v128.shuffle<f32>(s, s, 2, 3, 2, 3));
    const o = src + ((<usize>j) << 3);
    lo = f64x2.add(lo, f64x2.mul(sl, v128.load(o)));
    hi = f64x2.add(hi, f64x2.mul(sh, v128.load(o, 16)));
  }
  let d0 = f64x2.extract_lane(lo, 0);
  for (; j < d; j++) d0 += <f64>load<f32>(sk + ((<usize>j) << 2)) * load<f64>(src + ((<usize>j) << 3));
  return d0 + f64x2.extract_lane(lo, 1) + (f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1));
}

function qjlAccumulate(sk: usize, acc: usize, d: i32, positive: bool): void {
  let t = 0;
  for (; t + 3 < d; t += 4) {
    const s = v128.load(sk + ((<usize>t) << 2));
    const sl = f64x2.promote_low_f32x4(s);
    const sh = f64x2.promote_low_f32x4(v128.shuffle<f32>(s, s, 2, 3, 2, 3));
    const o = acc + ((<usize>t) << 3);
    if (positive) {
      v128.store(o, f64x2.add(v128.load(o), sl));
      v128.store(o, f64x2.add(v128.load(o, 16), sh), 16);
    } else {
      v128.store(o, f64x2.sub(v128.load(o), sl));
      v128.store(o, f64x2.sub(v128.load(o, 16), sh), 16);
    }
  }
  for (; t < d; t++) {
    const o = acc + ((<usize>t) << 3);
    const s = <f64>load<f32>(sk + ((<usize>t) << 2));
    store<f64>(o, positive ? load<f64>(o) + s : load<f64>(o) - s);
  }
}

/** acc (count × d float64, zeroed here) = Sᵀ sign(S·r_k) for the `count` rows r_k at srcP. */
export function qjl_block(sketchP: usize, m: i32, d: i32, srcP: usize, count: i32, accP: usize): void {
  memory.fill(accP, 0, (<usize>count * <usize>d) << 3);
  const rowBytes = (<usize>d) << 3;
  for (let i = 0; i < m; i++) {
    const sk = sketchP + ((<usize>i * <usize>d) << 2);
    for (let k = 0; k < count; k++) {
      const dot = qjlDot(sk, srcP + <usize>k * rowBytes, d);
      // sign(0) = +1, as in the TS reference.
      qjlAccumulate(sk, accP + <usize>k * rowBytes, d, dot >= 0);
    }
  }
}

// ───────────────────────── many dot products, rows in lanes ─────────────────────────

/**
 * C[n·LANES + r] = Σ_k B[n·K + k] · At[k·LANES + r] (k ascending) for n < N, r < LANES: N dot
 * products per row for a chunk of LANES rows held transposed. Reference: the sequential
 * `dot += q[k]·e[k]` loops of ip-nvar.ts.
 */
export function dots_lanes(BP: usize, N: i32, K: i32, AtP: usize, CP: usize): void {
  for (let n = 0; n < N; n++) {
    const bRow = BP + ((<usize>n * <usize>K) << 3);
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    let a4 = f64x2.splat(0);
    let a5 = f64x2.splat(0);
    let a6 = f64x2.splat(0);
    let a7 = f64x2.splat(0);
    for (let k = 0; k < K; k++) {
      const b = f64x2.splat(load<f64>(bRow + ((<usize>k) << 3)));
      const row = AtP + ((<usize>k * <usize>LANES) << 3);
      a0 = f64x2.add(a0, f64x2.mul(b, v128.load(row, 0)));
      a1 = f64x2.add(a1, f64x2.mul(b, v128.load(row, 16)));
      a2 = f64x2.add(a2, f64x2.mul(b, v128.load(row, 32)));
      a3 = f64x2.add(a3, f64x2.mul(b, v128.load(row, 48)));
      a4 = f64x2.add(a4, f64x2.mul(b, v128.load(row, 64)));
      a5 = f64x2.add(a5, f64x2.mul(b, v128.load(row, 80)));
      a6 = f64x2.add(a6, f64x2.mul(b, v128.load(row, 96)));
      a7 = f64x2.add(a7, f64x2.mul(b, v128.load(row, 112)));
    }
    const c = CP + ((<usize>n * <usize>LANES) << 3);
    v128.store(c, a0, 0);
    v128.store(c, a1, 16);
    v128.store(c, a2, 32);
    v128.store(c, a3, 48);
    v128.store(c, a4, 64);
    v128.store(c, a5, 80);
    v128.store(c, a6, 96);
    v128.store(c, a7, 112);
  }
}
