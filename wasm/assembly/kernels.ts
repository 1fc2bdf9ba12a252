// WebAssembly SIMD (v128) kernels for QuantScope's hot paths (DESIGN.md "Performance
// targets"). AssemblyScript, compiled by scripts/build-wasm.ts into src/core/wasm/kernels.wasm.ts.
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
// product keeps the sequential order of the TS loop. Two passes per reflection (dot, then
// update). The library calls householder_tiled below; this first schedule is kept as the
// baseline that `npm run bench` measures it against in the same run.

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

// ───────────────────────── Householder products, tiled (householder_tiled) ─────────────────────────
// Same arithmetic as householder_apply (and reflectRows in householder.ts), scheduled for the
// memory hierarchy. Each reflection needs a full pass over the rows it touches (its dot product
// must be complete before its update starts), but the update of reflector k and the dot product of
// the next reflector can share one pass: at coordinate i the element is first updated, then its
// new value enters the next dot product, which is exactly the order the reference reaches it in
// (its dot loop runs after the whole update, in increasing i). One read and one write of the rows
// per reflection instead of two reads and a write, and each loaded reflector element serves
// HT rows held in registers. Rows are held transposed in groups of HT (W[i·HT + r], float64), and
// all groups of a call go through one reflector before the next, so the reflector is read from
// memory once per call: it is promoted once to a float64 copy that stays in L1 across the groups
// (the inner loops then broadcast-load it, with no conversion per element and row group).
//
// Registers: HT = 8 rows are 4 f64x2 accumulators plus 4 pending update factors, which with the
// loaded elements fit the 16 vector registers of x86-64 (16 rows spill).

const HT: i32 = 8;

/** acc += v·w over coordinates [lo, hi) of one group (accumulators at accP, 4 × f64x2). */
function hhDot(W: usize, lo: i32, hi: i32, v: usize, accP: usize): void {
  let a0 = v128.load(accP, 0);
  let a1 = v128.load(accP, 16);
  let a2 = v128.load(accP, 32);
  let a3 = v128.load(accP, 48);
  let row = W + ((<usize>lo * <usize>HT) << 3);
  let pv = v;
  for (let i = lo; i < hi; i++) {
    const vi = v128.load64_splat(pv);
    a0 = f64x2.add(a0, f64x2.mul(vi, v128.load(row, 0)));
    a1 = f64x2.add(a1, f64x2.mul(vi, v128.load(row, 16)));
    a2 = f64x2.add(a2, f64x2.mul(vi, v128.load(row, 32)));
    a3 = f64x2.add(a3, f64x2.mul(vi, v128.load(row, 48)));
    row += (<usize>HT) << 3;
    pv += 8;
  }
  v128.store(accP, a0, 0);
  v128.store(accP, a1, 16);
  v128.store(accP, a2, 32);
  v128.store(accP, a3, 48);
}

/** w −= t·v over coordinates [lo, hi) of one group (update factors at tP, 4 × f64x2). */
function hhUpdate(W: usize, lo: i32, hi: i32, v: usize, tP: usize): void {
  const t0 = v128.load(tP, 0);
  const t1 = v128.load(tP, 16);
  const t2 = v128.load(tP, 32);
  const t3 = v128.load(tP, 48);
  let row = W + ((<usize>lo * <usize>HT) << 3);
  let pv = v;
  for (let i = lo; i < hi; i++) {
    const vi = v128.load64_splat(pv);
    v128.store(row, f64x2.sub(v128.load(row, 0), f64x2.mul(t0, vi)), 0);
    v128.store(row, f64x2.sub(v128.load(row, 16), f64x2.mul(t1, vi)), 16);
    v128.store(row, f64x2.sub(v128.load(row, 32), f64x2.mul(t2, vi)), 32);
    v128.store(row, f64x2.sub(v128.load(row, 48), f64x2.mul(t3, vi)), 48);
    row += (<usize>HT) << 3;
    pv += 8;
  }
}

/** Over [lo, hi): w −= t·u (pending reflector u), then acc += v·w with the updated w. */
function hhBoth(W: usize, lo: i32, hi: i32, u: usize, tP: usize, v: usize, accP: usize): void {
  const t0 = v128.load(tP, 0);
  const t1 = v128.load(tP, 16);
  const t2 = v128.load(tP, 32);
  const t3 = v128.load(tP, 48);
  let a0 = v128.load(accP, 0);
  let a1 = v128.load(accP, 16);
  let a2 = v128.load(accP, 32);
  let a3 = v128.load(accP, 48);
  let row = W + ((<usize>lo * <usize>HT) << 3);
  let pu = u;
  let pv = v;
  for (let i = lo; i < hi; i++) {
    const ui = v128.load64_splat(pu);
    const vi = v128.load64_splat(pv);
    const w0 = f64x2.sub(v128.load(row, 0), f64x2.mul(t0, ui));
    const w1 = f64x2.sub(v128.load(row, 16), f64x2.mul(t1, ui));
    const w2 = f64x2.sub(v128.load(row, 32), f64x2.mul(t2, ui));
    const w3 = f64x2.sub(v128.load(row, 48), f64x2.mul(t3, ui));
    v128.store(row, w0, 0);
    v128.store(row, w1, 16);
    v128.store(row, w2, 32);
    v128.store(row, w3, 48);
    a0 = f64x2.add(a0, f64x2.mul(vi, w0));
    a1 = f64x2.add(a1, f64x2.mul(vi, w1));
    a2 = f64x2.add(a2, f64x2.mul(vi, w2));
    a3 = f64x2.add(a3, f64x2.mul(vi, w3));
    row += (<usize>HT) << 3;
    pu += 8;
    pv += 8;
  }
  v128.store(accP, a0, 0);
  v128.store(accP, a1, 16);
  v128.store(accP, a2, 32);
  v128.store(accP, a3, 48);
}

/**
 * Same contract as householder_apply, tiled as described above. workP holds
 * ⌈rows/HT⌉ × (d·HT + 16) + 2·d float64: the transposed groups, then per group 4 f64x2 pending
 * update factors and 4 f64x2 dot accumulators, then float64 copies of the current and pending
 * reflectors.
 */
export function householder_tiled(
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
  const groups = (rows + HT - 1) / HT;
  const gBytes = (<usize>d * <usize>HT) << 3;
  const stateP = workP + <usize>groups * gBytes; // per group: t (64 B) then acc (64 B)
  const reflP = stateP + ((<usize>groups) << 7); // two float64 reflector copies of d entries
  for (let r = 0; r < groups * HT; r++) {
    const W = workP + <usize>(r / HT) * gBytes + ((<usize>(r % HT)) << 3);
    const src = inP + ((<usize>r * <usize>inStride) << 2);
    for (let i = 0; i < d; i++) {
      const dst = W + ((<usize>i * <usize>HT) << 3);
      if (r >= rows) store<f64>(dst, 0.0);
      else {
        const x = <f64>load<f32>(src + ((<usize>i) << 2));
        store<f64>(dst, transpose ? x : load<f64>(signP + ((<usize>i) << 3)) * x);
      }
    }
  }
  // Reflectors in application order (forward: K−1 … 0; transpose: 0 … K−1), skipping β = 0 as
  // the reference does. `prev` is the reflector whose update is pending (−1: none yet).
  let prev = -1;
  let cur = 0; // which float64 copy receives the next reflector (the other holds `prev`)
  for (let s = 0; s < nRefl; s++) {
    const k = transpose ? s : nRefl - 1 - s;
    const beta = load<f64>(betaP + ((<usize>k) << 3));
    if (beta == 0) continue;
    // v_k promoted into the copy not holding the pending reflector, indexed by coordinate.
    const vk = reflP + ((<usize>cur * <usize>d) << 3);
    const vp = reflP + ((<usize>(cur ^ 1) * <usize>d) << 3);
    const src = vecP + ((<usize>(k * d - ((k * (k - 1)) >> 1))) << 2);
    for (let i = k; i < d; i++)
      store<f64>(vk + ((<usize>i) << 3), <f64>load<f32>(src + ((<usize>(i - k)) << 2)));
    const b = f64x2.splat(beta);
    for (let g = 0; g < groups; g++) {
      const W = workP + <usize>g * gBytes;
      const tP = stateP + ((<usize>g) << 7);
      const accP = tP + 64;
      const z = f64x2.splat(0);
      v128.store(accP, z, 0);
      v128.store(accP, z, 16);
      v128.store(accP, z, 32);
      v128.store(accP, z, 48);
      if (prev < 0) hhDot(W, k, d, vk + ((<usize>k) << 3), accP);
      else if (k < prev) {
        // Forward: reflector k also covers [k, prev), which the pending update leaves alone.
        hhDot(W, k, prev, vk + ((<usize>k) << 3), accP);
        hhBoth(W, prev, d, vp + ((<usize>prev) << 3), tP, vk + ((<usize>prev) << 3), accP);
      } else {
        // Transpose: the pending update covers [prev, k) too, outside reflector k.
        hhUpdate(W, prev, k, vp + ((<usize>prev) << 3), tP);
        hhBoth(W, k, d, vp + ((<usize>k) << 3), tP, vk + ((<usize>k) << 3), accP);
      }
      // t = β·(v·w), as `ta = beta * da` in the reference.
      v128.store(tP, f64x2.mul(b, v128.load(accP, 0)), 0);
      v128.store(tP, f64x2.mul(b, v128.load(accP, 16)), 16);
      v128.store(tP, f64x2.mul(b, v128.load(accP, 32)), 32);
      v128.store(tP, f64x2.mul(b, v128.load(accP, 48)), 48);
    }
    prev = k;
    cur ^= 1;
  }
  if (prev >= 0) {
    const vp = reflP + ((<usize>(cur ^ 1) * <usize>d) << 3) + ((<usize>prev) << 3);
    for (let g = 0; g < groups; g++)
      hhUpdate(workP + <usize>g * gBytes, prev, d, vp, stateP + ((<usize>g) << 7));
  }
  for (let r = 0; r < rows; r++) {
    const W = workP + <usize>(r / HT) * gBytes + ((<usize>(r % HT)) << 3);
    const dst = outP + ((<usize>r * <usize>outStride) << 2);
    for (let i = 0; i < d; i++) {
      const w = load<f64>(W + ((<usize>i * <usize>HT) << 3));
      store<f32>(dst + ((<usize>i) << 2), <f32>(transpose ? load<f64>(signP + ((<usize>i) << 3)) * w : w));
    }
  }
}

// ───────────────────────── Householder products in float32 (householder_tiled_f32) ─────────────────────────
// Reference: src/core/linalg/householder.ts reflectRowsF32 (the float32 dense-products mode,
// CONTRACT.md §5.2): every product, sum and update rounded to binary32 in the order of the float64
// reference, one running dot product per row, β rounded to float32. The schedule is
// householder_tiled's (the update of the pending reflector shares its pass with the next dot
// product; all groups of a call take one reflector before the next), with f32x4 lanes: a group is
// HT4 = 16 rows held transposed (W[i·HT4 + r], float32), 4 f32x4 accumulators plus 4 f32x4 update
// factors in registers, so each instruction does twice the float64 kernel's work. The reflectors
// are float32 already and are broadcast-loaded in place (no promoted copy): v_k's coordinate i
// sits at vecP + 4·(offset(k) − k + i).

const HT4: i32 = 16;

/** acc += v·w over coordinates [lo, hi) of one float32 group (accumulators at accP, 4 × f32x4). */
function hhDot32(W: usize, lo: i32, hi: i32, v: usize, accP: usize): void {
  let a0 = v128.load(accP, 0);
  let a1 = v128.load(accP, 16);
  let a2 = v128.load(accP, 32);
  let a3 = v128.load(accP, 48);
  let row = W + ((<usize>lo * <usize>HT4) << 2);
  let pv = v + ((<usize>lo) << 2);
  for (let i = lo; i < hi; i++) {
    const vi = v128.load32_splat(pv);
    a0 = f32x4.add(a0, f32x4.mul(vi, v128.load(row, 0)));
    a1 = f32x4.add(a1, f32x4.mul(vi, v128.load(row, 16)));
    a2 = f32x4.add(a2, f32x4.mul(vi, v128.load(row, 32)));
    a3 = f32x4.add(a3, f32x4.mul(vi, v128.load(row, 48)));
    row += (<usize>HT4) << 2;
    pv += 4;
  }
  v128.store(accP, a0, 0);
  v128.store(accP, a1, 16);
  v128.store(accP, a2, 32);
  v128.store(accP, a3, 48);
}

/** w −= t·v over coordinates [lo, hi) of one float32 group (update factors at tP, 4 × f32x4). */
function hhUpdate32(W: usize, lo: i32, hi: i32, v: usize, tP: usize): void {
  const t0 = v128.load(tP, 0);
  const t1 = v128.load(tP, 16);
  const t2 = v128.load(tP, 32);
  const t3 = v128.load(tP, 48);
  let row = W + ((<usize>lo * <usize>HT4) << 2);
  let pv = v + ((<usize>lo) << 2);
  for (let i = lo; i < hi; i++) {
    const vi = v128.load32_splat(pv);
    v128.store(row, f32x4.sub(v128.load(row, 0), f32x4.mul(t0, vi)), 0);
    v128.store(row, f32x4.sub(v128.load(row, 16), f32x4.mul(t1, vi)), 16);
    v128.store(row, f32x4.sub(v128.load(row, 32), f32x4.mul(t2, vi)), 32);
    v128.store(row, f32x4.sub(v128.load(row, 48), f32x4.mul(t3, vi)), 48);
    row += (<usize>HT4) << 2;
    pv += 4;
  }
}

/** Over [lo, hi): w −= t·u (pending reflector u), then acc += v·w with the updated w (float32). */
function hhBoth32(W: usize, lo: i32, hi: i32, u: usize, tP: usize, v: usize, accP: usize): void {
  const t0 = v128.load(tP, 0);
  const t1 = v128.load(tP, 16);
  const t2 = v128.load(tP, 32);
  const t3 = v128.load(tP, 48);
  let a0 = v128.load(accP, 0);
  let a1 = v128.load(accP, 16);
  let a2 = v128.load(accP, 32);
  let a3 = v128.load(accP, 48);
  let row = W + ((<usize>lo * <usize>HT4) << 2);
  let pu = u + ((<usize>lo) << 2);
  let pv = v + ((<usize>lo) << 2);
  for (let i = lo; i < hi; i++) {
    const ui = v128.load32_splat(pu);
    const vi = v128.load32_splat(pv);
    const w0 = f32x4.sub(v128.load(row, 0), f32x4.mul(t0, ui));
    const w1 = f32x4.sub(v128.load(row, 16), f32x4.mul(t1, ui));
    const w2 = f32x4.sub(v128.load(row, 32), f32x4.mul(t2, ui));
    const w3 = f32x4.sub(v128.load(row, 48), f32x4.mul(t3, ui));
    v128.store(row, w0, 0);
    v128.store(row, w1, 16);
    v128.store(row, w2, 32);
    v128.store(row, w3, 48);
    a0 = f32x4.add(a0, f32x4.mul(vi, w0));
    a1 = f32x4.add(a1, f32x4.mul(vi, w1));
    a2 = f32x4.add(a2, f32x4.mul(vi, w2));
    a3 = f32x4.add(a3, f32x4.mul(vi, w3));
    row += (<usize>HT4) << 2;
    pu += 4;
    pv += 4;
  }
  v128.store(accP, a0, 0);
  v128.store(accP, a1, 16);
  v128.store(accP, a2, 32);
  v128.store(accP, a3, 48);
}

/**
 * householder_tiled's contract in float32 arithmetic: betaP holds nRefl float32 β (β = 0 skips
 * the reflector), signP d float64 signs (±1, so each signed coordinate is exact in float32).
 * workP holds ⌈rows/HT4⌉ × (d·HT4 + 32) float32: the transposed groups, then per group 4 f32x4
 * pending update factors and 4 f32x4 dot accumulators.
 */
export function householder_tiled_f32(
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
  const groups = (rows + HT4 - 1) / HT4;
  const gBytes = (<usize>d * <usize>HT4) << 2;
  const stateP = workP + <usize>groups * gBytes; // per group: t (64 B) then acc (64 B)
  for (let r = 0; r < groups * HT4; r++) {
    const W = workP + <usize>(r / HT4) * gBytes + ((<usize>(r % HT4)) << 2);
    const src = inP + ((<usize>r * <usize>inStride) << 2);
    for (let i = 0; i < d; i++) {
      const dst = W + ((<usize>i * <usize>HT4) << 2);
      if (r >= rows) store<f32>(dst, 0.0);
      else {
        const x = load<f32>(src + ((<usize>i) << 2));
        store<f32>(dst, transpose ? x : <f32>(load<f64>(signP + ((<usize>i) << 3)) * <f64>x));
      }
    }
  }
  // Reflectors in application order, β = 0 skipped; `prev` is the pending one (−1: none yet).
  let prev = -1;
  let up: usize = 0; // v_prev indexed by coordinate
  for (let s = 0; s < nRefl; s++) {
    const k = transpose ? s : nRefl - 1 - s;
    const beta = load<f32>(betaP + ((<usize>k) << 2));
    if (beta == 0) continue;
    const vk = vecP + ((<usize>(k * d - ((k * (k - 1)) >> 1) - k)) << 2);
    const b = f32x4.splat(beta);
    for (let g = 0; g < groups; g++) {
      const W = workP + <usize>g * gBytes;
      const tP = stateP + ((<usize>g) << 7);
      const accP = tP + 64;
      const z = f32x4.splat(0);
      v128.store(accP, z, 0);
      v128.store(accP, z, 16);
      v128.store(accP, z, 32);
      v128.store(accP, z, 48);
      if (prev < 0) hhDot32(W, k, d, vk, accP);
      else if (k < prev) {
        hhDot32(W, k, prev, vk, accP);
        hhBoth32(W, prev, d, up, tP, vk, accP);
      } else {
        hhUpdate32(W, prev, k, up, tP);
        hhBoth32(W, k, d, up, tP, vk, accP);
      }
      // t = β·(v·w), as `ta = fround(beta * da)` in the reference.
      v128.store(tP, f32x4.mul(b, v128.load(accP, 0)), 0);
      v128.store(tP, f32x4.mul(b, v128.load(accP, 16)), 16);
      v128.store(tP, f32x4.mul(b, v128.load(accP, 32)), 32);
      v128.store(tP, f32x4.mul(b, v128.load(accP, 48)), 48);
    }
    prev = k;
    up = vk;
  }
  if (prev >= 0)
    for (let g = 0; g < groups; g++)
      hhUpdate32(workP + <usize>g * gBytes, prev, d, up, stateP + ((<usize>g) << 7));
  for (let r = 0; r < rows; r++) {
    const W = workP + <usize>(r / HT4) * gBytes + ((<usize>(r % HT4)) << 2);
    const dst = outP + ((<usize>r * <usize>outStride) << 2);
    for (let i = 0; i < d; i++) {
      const w = load<f32>(W + ((<usize>i * <usize>HT4) << 2));
      store<f32>(
        dst + ((<usize>i) << 2),
        transpose ? <f32>(load<f64>(signP + ((<usize>i) << 3)) * <f64>w) : w,
      );
    }
  }
}

// ───────────────────────── QJL sketch products ─────────────────────────
// Reference: src/core/methods/quantizers/qjl.ts qjlEstimateBlock (before its final scaling).
// One sketch row against one data row at a time; the library calls qjl_tiled below, and this
// first schedule is kept as the baseline `npm run bench` measures it against.
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

// ───────────────────────── QJL sketch products, tiled (qjl_tiled) ─────────────────────────
// Same sums as qjl_block in the same order, blocked four sketch rows at a time: each loaded
// element of a data row feeds four dot products (8 f64x2 accumulators), and each accumulator
// element is loaded once for four signed additions, applied in sketch-row order, so every output
// still sees acc ± s_i for i = 0, 1, 2, … in turn. The four sketch rows are promoted to float64
// once per call into the scratch (reused by every data row), so the inner loops convert nothing.
// acc − s is computed as acc + (−s) (IEEE 754 §5.4.1 defines subtraction as that addition, and
// negation is exact), reading the negated copy of the row: no per-element work for the sign.

/** Four partial sums → the reference's d0 + d1 + (d2 + d3), with the scalar tail added to d0. */
function qjlFinish(lo: v128, hi: v128, sc: usize, x: usize, j0: i32, d: i32): f64 {
  let d0 = f64x2.extract_lane(lo, 0);
  for (let j = j0; j < d; j++) d0 += load<f64>(sc + ((<usize>j) << 3)) * load<f64>(x + ((<usize>j) << 3));
  return d0 + f64x2.extract_lane(lo, 1) + (f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1));
}

/**
 * Four sketch rows against one data row x, then acc ± s in row order. sc holds the four rows as
 * float64 (stride d) and, 4·d further on, their negations, so the sign picks a row instead of
 * costing an operation per element.
 */
function qjlFour(sc: usize, d: i32, x: usize, acc: usize): void {
  const rb = (<usize>d) << 3;
  const s0 = sc;
  const s1 = sc + rb;
  const s2 = s1 + rb;
  const s3 = s2 + rb;
  const neg = rb << 2;
  let l0 = f64x2.splat(0);
  let h0 = f64x2.splat(0);
  let l1 = f64x2.splat(0);
  let h1 = f64x2.splat(0);
  let l2 = f64x2.splat(0);
  let h2 = f64x2.splat(0);
  let l3 = f64x2.splat(0);
  let h3 = f64x2.splat(0);
  let j = 0;
  for (; j + 3 < d; j += 4) {
    const o = (<usize>j) << 3;
    const xl = v128.load(x + o);
    const xh = v128.load(x + o, 16);
    l0 = f64x2.add(l0, f64x2.mul(v128.load(s0 + o), xl));
    h0 = f64x2.add(h0, f64x2.mul(v128.load(s0 + o, 16), xh));
    l1 = f64x2.add(l1, f64x2.mul(v128.load(s1 + o), xl));
    h1 = f64x2.add(h1, f64x2.mul(v128.load(s1 + o, 16), xh));
    l2 = f64x2.add(l2, f64x2.mul(v128.load(s2 + o), xl));
    h2 = f64x2.add(h2, f64x2.mul(v128.load(s2 + o, 16), xh));
    l3 = f64x2.add(l3, f64x2.mul(v128.load(s3 + o), xl));
    h3 = f64x2.add(h3, f64x2.mul(v128.load(s3 + o, 16), xh));
  }
  // sign(0) = +1, as in the reference: a negative (or NaN) dot product subtracts the row.
  const p0 = qjlFinish(l0, h0, s0, x, j, d) >= 0 ? s0 : s0 + neg;
  const p1 = qjlFinish(l1, h1, s1, x, j, d) >= 0 ? s1 : s1 + neg;
  const p2 = qjlFinish(l2, h2, s2, x, j, d) >= 0 ? s2 : s2 + neg;
  const p3 = qjlFinish(l3, h3, s3, x, j, d) >= 0 ? s3 : s3 + neg;
  let t = 0;
  for (; t + 1 < d; t += 2) {
    const o = (<usize>t) << 3;
    let a = v128.load(acc + o);
    a = f64x2.add(a, v128.load(p0 + o));
    a = f64x2.add(a, v128.load(p1 + o));
    a = f64x2.add(a, v128.load(p2 + o));
    a = f64x2.add(a, v128.load(p3 + o));
    v128.store(acc + o, a);
  }
  if (t < d) {
    const o = (<usize>t) << 3;
    store<f64>(
      acc + o,
      load<f64>(acc + o) + load<f64>(p0 + o) + load<f64>(p1 + o) + load<f64>(p2 + o) + load<f64>(p3 + o),
    );
  }
}

/** One sketch row (float64 at sc, its negation 4·d further on) against one data row. */
function qjlOne(sc: usize, d: i32, x: usize, acc: usize): void {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let j = 0;
  for (; j + 3 < d; j += 4) {
    const o = (<usize>j) << 3;
    lo = f64x2.add(lo, f64x2.mul(v128.load(sc + o), v128.load(x + o)));
    hi = f64x2.add(hi, f64x2.mul(v128.load(sc + o, 16), v128.load(x + o, 16)));
  }
  const p = qjlFinish(lo, hi, sc, x, j, d) >= 0 ? sc : sc + (((<usize>d) << 3) << 2);
  for (let t = 0; t < d; t++) {
    const o = (<usize>t) << 3;
    store<f64>(acc + o, load<f64>(acc + o) + load<f64>(p + o));
  }
}

/**
 * qjl_block's contract (acc, count × d float64, zeroed here, = Sᵀ sign(S·r_k)), tiled as above.
 * scratchP holds 8 × d float64 (four rows and their negations).
 */
export function qjl_tiled(
  sketchP: usize,
  m: i32,
  d: i32,
  srcP: usize,
  count: i32,
  accP: usize,
  scratchP: usize,
): void {
  memory.fill(accP, 0, (<usize>count * <usize>d) << 3);
  const rowBytes = (<usize>d) << 3;
  for (let i0 = 0; i0 < m; i0 += 4) {
    const n = min(4, m - i0);
    const sk = sketchP + ((<usize>i0 * <usize>d) << 2);
    const negP = scratchP + (((<usize>d) << 2) << 3);
    // Promote (exactly) and negate four entries at a time: this pass reads the whole sketch once
    // per call, so its per-entry cost matters beside the count rows' products.
    const total = n * d;
    let j = 0;
    for (; j + 3 < total; j += 4) {
      const v = v128.load(sk + ((<usize>j) << 2));
      const lo = f64x2.promote_low_f32x4(v);
      const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
      const o = (<usize>j) << 3;
      v128.store(scratchP + o, lo);
      v128.store(scratchP + o, hi, 16);
      v128.store(negP + o, f64x2.neg(lo));
      v128.store(negP + o, f64x2.neg(hi), 16);
    }
    for (; j < total; j++) {
      const v = <f64>load<f32>(sk + ((<usize>j) << 2));
      store<f64>(scratchP + ((<usize>j) << 3), v);
      store<f64>(negP + ((<usize>j) << 3), -v);
    }
    for (let k = 0; k < count; k++) {
      const x = srcP + <usize>k * rowBytes;
      const acc = accP + <usize>k * rowBytes;
      if (n == 4) qjlFour(scratchP, d, x, acc);
      else for (let s = 0; s < n; s++) qjlOne(scratchP + <usize>s * rowBytes, d, x, acc);
    }
  }
}

// ───────────────────────── QJL sketch products, float32 (qjl_tiled_f32) ─────────────────────────
// Reference: src/core/methods/quantizers/qjl.ts qjlSketchProductsF32 (the float32 numeric mode).
// Everything is float32: the data row x (rounded once from float64 by the caller), the sketch, the
// dot products and the accumulated Sᵀ sign(S·x). The reference's dot keeps four partial sums
// p0..p3 over j ≡ 0..3 (mod 4), adds the tail j ≥ 4⌊d/4⌋ to p0 in order and returns
// (p0 + p1) + (p2 + p3); here the four partial sums are the four lanes of one f32x4, so each sees
// the same operations in the same order. f32x4.mul and f32x4.add round each lane separately (no
// fused multiply-add in WASM SIMD 1.0), as Math.fround does after each float64 op in the reference
// (exact for one f32 operation on f32 operands: double rounding through float64 is innocuous for
// +, −, × since 53 ≥ 2·24 + 2).
//
// Schedule: passes of QR = 8 sketch rows. Data rows go through a pass two at a time: the dot
// products run four sketch rows against both data rows at once (8 f32x4 accumulators; each loaded
// sketch vector feeds two products and each loaded data vector four, which measured 1.2–1.25×
// faster than eight sketch rows against one data row: fewer loads and address computations per
// flop, and 2 + 4 loaded vectors plus 8 accumulators still fit x86-64's 16 vector registers), twice
// per pass. Then each accumulator vector of a data row is loaded once for the pass's eight signed
// additions in sketch-row order, so every output still receives acc ± s_i for i = 0, 1, 2, … in
// turn. The sign costs no operation: the eight rows' negations are written once per pass into the
// scratch (negation is exact, and acc + (−s) = acc − s, IEEE 754 §5.4.1) and the sign picks the
// row to read. An odd last data row takes the eight rows alone; rows left over from a pass of 8 go
// one by one. The call covers sketch rows [i0, i1) and adds to acc (the caller zeroes it), so the
// library calls it in slices of about SLICE_ELEMS sketch entries (a single long call would stay in
// V8's baseline compiler). An interleaved copy of the pass's rows (one pointer, immediate offsets)
// measured 0.7× and was dropped.

const QR: i32 = 8;

/** f32x4 partial sums (plus the scalar tail into lane 0) → (p0 + p1) + (p2 + p3). */
function qjlFinishF32(a: v128, s: usize, x: usize, j0: i32, d: i32): f32 {
  let p0 = f32x4.extract_lane(a, 0);
  for (let j = j0; j < d; j++) p0 += load<f32>(s + ((<usize>j) << 2)) * load<f32>(x + ((<usize>j) << 2));
  return p0 + f32x4.extract_lane(a, 1) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
}

/** Eight sketch rows (at s, stride d; negations at ng) against one data row x, then acc ± s_i. */
function qjlEightF32(s: usize, ng: usize, d: i32, x: usize, acc: usize): void {
  const rb = (<usize>d) << 2;
  const s0 = s;
  const s1 = s0 + rb;
  const s2 = s1 + rb;
  const s3 = s2 + rb;
  const s4 = s3 + rb;
  const s5 = s4 + rb;
  const s6 = s5 + rb;
  const s7 = s6 + rb;
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0);
  let a5 = f32x4.splat(0);
  let a6 = f32x4.splat(0);
  let a7 = f32x4.splat(0);
  let j = 0;
  for (; j + 3 < d; j += 4) {
    const o = (<usize>j) << 2;
    const xv = v128.load(x + o);
    a0 = f32x4.add(a0, f32x4.mul(v128.load(s0 + o), xv));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(s1 + o), xv));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(s2 + o), xv));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(s3 + o), xv));
    a4 = f32x4.add(a4, f32x4.mul(v128.load(s4 + o), xv));
    a5 = f32x4.add(a5, f32x4.mul(v128.load(s5 + o), xv));
    a6 = f32x4.add(a6, f32x4.mul(v128.load(s6 + o), xv));
    a7 = f32x4.add(a7, f32x4.mul(v128.load(s7 + o), xv));
  }
  // sign(0) = +1, as in the reference: a negative (or NaN) dot product adds the negated row.
  const n0 = ng - s;
  const p0 = qjlFinishF32(a0, s0, x, j, d) >= 0 ? s0 : s0 + n0;
  const p1 = qjlFinishF32(a1, s1, x, j, d) >= 0 ? s1 : s1 + n0;
  const p2 = qjlFinishF32(a2, s2, x, j, d) >= 0 ? s2 : s2 + n0;
  const p3 = qjlFinishF32(a3, s3, x, j, d) >= 0 ? s3 : s3 + n0;
  const p4 = qjlFinishF32(a4, s4, x, j, d) >= 0 ? s4 : s4 + n0;
  const p5 = qjlFinishF32(a5, s5, x, j, d) >= 0 ? s5 : s5 + n0;
  const p6 = qjlFinishF32(a6, s6, x, j, d) >= 0 ? s6 : s6 + n0;
  const p7 = qjlFinishF32(a7, s7, x, j, d) >= 0 ? s7 : s7 + n0;
  let t = 0;
  for (; t + 3 < d; t += 4) {
    const o = (<usize>t) << 2;
    let a = v128.load(acc + o);
    a = f32x4.add(a, v128.load(p0 + o));
    a = f32x4.add(a, v128.load(p1 + o));
    a = f32x4.add(a, v128.load(p2 + o));
    a = f32x4.add(a, v128.load(p3 + o));
    a = f32x4.add(a, v128.load(p4 + o));
    a = f32x4.add(a, v128.load(p5 + o));
    a = f32x4.add(a, v128.load(p6 + o));
    a = f32x4.add(a, v128.load(p7 + o));
    v128.store(acc + o, a);
  }
  for (; t < d; t++) {
    const o = (<usize>t) << 2;
    let a = load<f32>(acc + o);
    a += load<f32>(p0 + o);
    a += load<f32>(p1 + o);
    a += load<f32>(p2 + o);
    a += load<f32>(p3 + o);
    a += load<f32>(p4 + o);
    a += load<f32>(p5 + o);
    a += load<f32>(p6 + o);
    a += load<f32>(p7 + o);
    store<f32>(acc + o, a);
  }
}

/** One sketch row (at s; its negation at ng) against one data row: the rows left over from QR. */
function qjlOneF32(s: usize, ng: usize, d: i32, x: usize, acc: usize): void {
  let a0 = f32x4.splat(0);
  let j = 0;
  for (; j + 3 < d; j += 4) {
    const o = (<usize>j) << 2;
    a0 = f32x4.add(a0, f32x4.mul(v128.load(s + o), v128.load(x + o)));
  }
  const p = qjlFinishF32(a0, s, x, j, d) >= 0 ? s : ng;
  let t = 0;
  for (; t + 3 < d; t += 4) {
    const o = (<usize>t) << 2;
    v128.store(acc + o, f32x4.add(v128.load(acc + o), v128.load(p + o)));
  }
  for (; t < d; t++) {
    const o = (<usize>t) << 2;
    store<f32>(acc + o, load<f32>(acc + o) + load<f32>(p + o));
  }
}

/** Four sketch rows (at s, stride rb) against two data rows xa, xb: the 8 float32 dots to out. */
function qjlDotFourTwoF32(s: usize, rb: usize, xa: usize, xb: usize, d: i32, out: usize): void {
  const s0 = s;
  const s1 = s0 + rb;
  const s2 = s1 + rb;
  const s3 = s2 + rb;
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0);
  let b1 = f32x4.splat(0);
  let b2 = f32x4.splat(0);
  let b3 = f32x4.splat(0);
  let j = 0;
  for (; j + 3 < d; j += 4) {
    const o = (<usize>j) << 2;
    const xav = v128.load(xa + o);
    const xbv = v128.load(xb + o);
    const v0 = v128.load(s0 + o);
    a0 = f32x4.add(a0, f32x4.mul(v0, xav));
    b0 = f32x4.add(b0, f32x4.mul(v0, xbv));
    const v1 = v128.load(s1 + o);
    a1 = f32x4.add(a1, f32x4.mul(v1, xav));
    b1 = f32x4.add(b1, f32x4.mul(v1, xbv));
    const v2 = v128.load(s2 + o);
    a2 = f32x4.add(a2, f32x4.mul(v2, xav));
    b2 = f32x4.add(b2, f32x4.mul(v2, xbv));
    const v3 = v128.load(s3 + o);
    a3 = f32x4.add(a3, f32x4.mul(v3, xav));
    b3 = f32x4.add(b3, f32x4.mul(v3, xbv));
  }
  store<f32>(out, qjlFinishF32(a0, s0, xa, j, d));
  store<f32>(out, qjlFinishF32(a1, s1, xa, j, d), 4);
  store<f32>(out, qjlFinishF32(a2, s2, xa, j, d), 8);
  store<f32>(out, qjlFinishF32(a3, s3, xa, j, d), 12);
  store<f32>(out, qjlFinishF32(b0, s0, xb, j, d), 32);
  store<f32>(out, qjlFinishF32(b1, s1, xb, j, d), 36);
  store<f32>(out, qjlFinishF32(b2, s2, xb, j, d), 40);
  store<f32>(out, qjlFinishF32(b3, s3, xb, j, d), 44);
}

/** acc ± s_r for the eight rows (at s, negations at ng, stride rb), signs from the 8 dots at dots. */
function qjlAddEightF32(s: usize, ng: usize, rb: usize, d: i32, dots: usize, acc: usize): void {
  const n0 = ng - s;
  // sign(0) = +1, as in the reference: a negative (or NaN) dot product adds the negated row.
  const p0 = load<f32>(dots) >= 0 ? s : s + n0;
  const p1 = (load<f32>(dots, 4) >= 0 ? s : s + n0) + rb;
  const p2 = (load<f32>(dots, 8) >= 0 ? s : s + n0) + 2 * rb;
  const p3 = (load<f32>(dots, 12) >= 0 ? s : s + n0) + 3 * rb;
  const p4 = (load<f32>(dots, 16) >= 0 ? s : s + n0) + 4 * rb;
  const p5 = (load<f32>(dots, 20) >= 0 ? s : s + n0) + 5 * rb;
  const p6 = (load<f32>(dots, 24) >= 0 ? s : s + n0) + 6 * rb;
  const p7 = (load<f32>(dots, 28) >= 0 ? s : s + n0) + 7 * rb;
  let t = 0;
  for (; t + 3 < d; t += 4) {
    const o = (<usize>t) << 2;
    let a = v128.load(acc + o);
    a = f32x4.add(a, v128.load(p0 + o));
    a = f32x4.add(a, v128.load(p1 + o));
    a = f32x4.add(a, v128.load(p2 + o));
    a = f32x4.add(a, v128.load(p3 + o));
    a = f32x4.add(a, v128.load(p4 + o));
    a = f32x4.add(a, v128.load(p5 + o));
    a = f32x4.add(a, v128.load(p6 + o));
    a = f32x4.add(a, v128.load(p7 + o));
    v128.store(acc + o, a);
  }
  for (; t < d; t++) {
    const o = (<usize>t) << 2;
    let a = load<f32>(acc + o);
    a += load<f32>(p0 + o);
    a += load<f32>(p1 + o);
    a += load<f32>(p2 + o);
    a += load<f32>(p3 + o);
    a += load<f32>(p4 + o);
    a += load<f32>(p5 + o);
    a += load<f32>(p6 + o);
    a += load<f32>(p7 + o);
    store<f32>(acc + o, a);
  }
}

/**
 * acc (count × d float32, not zeroed here) += Σ_{i0 ≤ i < i1} sign(s_i·x_k)·s_i for the `count`
 * float32 rows x_k at srcP, s_i the rows of the float32 sketch at sketchP (stride d). negP holds
 * QR × d + 16 float32: the current pass's negated rows, then the dot products of two data rows.
 */
export function qjl_tiled_f32(
  sketchP: usize,
  d: i32,
  i0: i32,
  i1: i32,
  srcP: usize,
  count: i32,
  accP: usize,
  negP: usize,
): void {
  const rowBytes = (<usize>d) << 2;
  const dots = negP + <usize>QR * rowBytes;
  for (let b = i0; b < i1; b += QR) {
    const n = min(QR, i1 - b);
    const sk = sketchP + <usize>b * rowBytes;
    const total = n * d;
    let j = 0;
    for (; j + 3 < total; j += 4) {
      const o = (<usize>j) << 2;
      v128.store(negP + o, f32x4.neg(v128.load(sk + o)));
    }
    for (; j < total; j++) {
      const o = (<usize>j) << 2;
      store<f32>(negP + o, -load<f32>(sk + o));
    }
    if (n == QR) {
      let k = 0;
      for (; k + 1 < count; k += 2) {
        const xa = srcP + <usize>k * rowBytes;
        const xb = xa + rowBytes;
        qjlDotFourTwoF32(sk, rowBytes, xa, xb, d, dots);
        qjlDotFourTwoF32(sk + 4 * rowBytes, rowBytes, xa, xb, d, dots + 16);
        const acc = accP + <usize>k * rowBytes;
        qjlAddEightF32(sk, negP, rowBytes, d, dots, acc);
        qjlAddEightF32(sk, negP, rowBytes, d, dots + 32, acc + rowBytes);
      }
      if (k < count) qjlEightF32(sk, negP, d, srcP + <usize>k * rowBytes, accP + <usize>k * rowBytes);
    } else
      for (let k = 0; k < count; k++) {
        const x = srcP + <usize>k * rowBytes;
        const acc = accP + <usize>k * rowBytes;
        for (let r = 0; r < n; r++)
          qjlOneF32(sk + <usize>r * rowBytes, negP + <usize>r * rowBytes, d, x, acc);
      }
  }
}

// ───────────────────────── EDEN quantize–dequantize ─────────────────────────
// Reference: src/core/methods/quantizers/eden.ts (quantize with levelsByCount / levelsBySearch).
// All arithmetic is scalar float64 in the reference's order (‖y‖², then ⟨y,q⟩ and ‖q‖² in j order,
// then one f64 product rounded to f32 per coordinate); the level index is a branch-free count of
// the thresholds below y·k (the binary search for more than 7 thresholds), which is the same
// index: WASM comparisons give 0/1 without branches, so no misprediction on random data.

/**
 * Rows of d float32 at inP → outP: q_j = levels[#{t : y_j·k > t}] with k = √(d/‖y‖²), then
 * ŷ = S·q with S = ⟨y,q⟩/‖q‖² (or ‖y‖²/⟨y,q⟩ when unbiased ≠ 0); zero rows give zeros.
 * thrP: nThr ascending float64 thresholds; levelsP: nThr + 1 float32 levels.
 */
export function eden_rows(
  inP: usize,
  rows: i32,
  d: i32,
  thrP: usize,
  nThr: i32,
  levelsP: usize,
  unbiased: i32,
  outP: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const src = inP + ((<usize>r * <usize>d) << 2);
    const dst = outP + ((<usize>r * <usize>d) << 2);
    let n2: f64 = 0;
    for (let j = 0; j < d; j++) {
      const y = <f64>load<f32>(src + ((<usize>j) << 2));
      n2 += y * y;
    }
    if (n2 == 0) {
      memory.fill(dst, 0, (<usize>d) << 2);
      continue;
    }
    const k = Math.sqrt(<f64>d / n2);
    let yq: f64 = 0;
    let qq: f64 = 0;
    for (let j = 0; j < d; j++) {
      const y = <f64>load<f32>(src + ((<usize>j) << 2));
      const z = y * k;
      let idx: i32 = 0;
      if (nThr <= 7) {
        for (let t = 0; t < nThr; t++) idx += <i32>(z > load<f64>(thrP + ((<usize>t) << 3)));
      } else {
        let hi = nThr;
        while (idx < hi) {
          const mid = (idx + hi) >>> 1;
          if (z > load<f64>(thrP + ((<usize>mid) << 3))) idx = mid + 1;
          else hi = mid;
        }
      }
      const q32 = load<f32>(levelsP + ((<usize>idx) << 2));
      store<f32>(dst + ((<usize>j) << 2), q32);
      const q = <f64>q32;
      yq += y * q;
      qq += q * q;
    }
    const s = unbiased ? n2 / yq : yq / qq;
    for (let j = 0; j < d; j++) {
      const o = dst + ((<usize>j) << 2);
      store<f32>(o, <f32>(<f64>load<f32>(o) * s));
    }
  }
}

// ───────────────────────── dense linear algebra for spectra ─────────────────────────
// References: src/core/linalg/eig.ts (Gram matrix of singularValues, Householder
// tridiagonalisation of symmetricEigen) and src/core/linalg/lanczos.ts (the Gram products of
// estimateSpectrum). Every output element is one float64 sum accumulated in the reference's index
// order; SIMD lanes and register blocks only ever hold different output elements, so the results
// are bit-identical to the TypeScript loops (for finite data: the references skip exact zero
// multipliers, which only differs from adding ±0 when the other factor is ±∞ or NaN, so callers
// route non-finite inputs to TypeScript). Inputs are float32 promoted exactly to float64.

/** f64x2 of two consecutive float32 at p, promoted exactly (small: asc -O3 inlines it). */
function load2f32(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

/**
 * Gram matrix G[i·kp + j] += Σ_t P[t·kp + i]·P[t·kp + j] over t in [t0, t1) and rows i in
 * [i0, i1) (multiples of 4; split into several calls for the reason given at tridiagonalize), for
 * the upper triangle in 4 × 4 blocks (the lower part of diagonal blocks is written too). P: n × kp float32
 * (column i of P is the vector whose dot products are wanted, so t runs along the shared
 * dimension); kp a multiple of 4 (callers pad with zero columns). Each G element adds its products
 * in ascending t, as `s += a·b` does in singularValues, and keeps its partial sum between t-blocks
 * in G, so blocking the t range (for cache) changes nothing in the result.
 */
export function gram_upper(P: usize, kp: i32, t0: i32, t1: i32, i0: i32, i1: i32, G: usize): void {
  const rowB = (<usize>kp) << 2;
  for (let i = i0; i < i1; i += 4) {
    for (let j = i; j < kp; j += 4) {
      const g0 = G + ((<usize>i * <usize>kp + <usize>j) << 3);
      const g1 = g0 + ((<usize>kp) << 3);
      const g2 = g1 + ((<usize>kp) << 3);
      const g3 = g2 + ((<usize>kp) << 3);
      let a00 = v128.load(g0, 0);
      let a01 = v128.load(g0, 16);
      let a10 = v128.load(g1, 0);
      let a11 = v128.load(g1, 16);
      let a20 = v128.load(g2, 0);
      let a21 = v128.load(g2, 16);
      let a30 = v128.load(g3, 0);
      let a31 = v128.load(g3, 16);
      let pi = P + <usize>t0 * rowB + ((<usize>i) << 2);
      let pj = P + <usize>t0 * rowB + ((<usize>j) << 2);
      for (let t = t0; t < t1; t++) {
        const b0 = load2f32(pj);
        const b1 = load2f32(pj + 8);
        let s = f64x2.splat(<f64>load<f32>(pi, 0));
        a00 = f64x2.add(a00, f64x2.mul(s, b0));
        a01 = f64x2.add(a01, f64x2.mul(s, b1));
        s = f64x2.splat(<f64>load<f32>(pi, 4));
        a10 = f64x2.add(a10, f64x2.mul(s, b0));
        a11 = f64x2.add(a11, f64x2.mul(s, b1));
        s = f64x2.splat(<f64>load<f32>(pi, 8));
        a20 = f64x2.add(a20, f64x2.mul(s, b0));
        a21 = f64x2.add(a21, f64x2.mul(s, b1));
        s = f64x2.splat(<f64>load<f32>(pi, 12));
        a30 = f64x2.add(a30, f64x2.mul(s, b0));
        a31 = f64x2.add(a31, f64x2.mul(s, b1));
        pi += rowB;
        pj += rowB;
      }
      v128.store(g0, a00, 0);
      v128.store(g0, a01, 16);
      v128.store(g1, a10, 0);
      v128.store(g1, a11, 16);
      v128.store(g2, a20, 0);
      v128.store(g2, a21, 16);
      v128.store(g3, a30, 0);
      v128.store(g3, a31, 16);
    }
  }
}

/**
 * Householder tridiagonalisation of the symmetric n × n float64 matrix at A (both triangles, exactly
 * symmetric), step for step as the first loop of symmetricEigen, steps k0 ≤ k < k1 (callers run
 * k = 0 … n−3 in several calls: V8 runs a call that is already under way in its baseline compiler
 * to the end, so short calls let the optimised code take over early): fills diag (n), off (n − 1)
 * and betas (n − 2) and leaves the Householder vector of step k in A[k, k+1 .. n). p: n float64
 * scratch. The product p = β·A₂₂·v is formed column-wise, p[i] += A₂₂[j, i]·v[j] for j ascending:
 * A₂₂ stays exactly symmetric (each update subtracts v_i·w_j + w_i·v_j, the same two products in
 * either order), so A₂₂[j, i] = A₂₂[i, j] bit for bit and every p[i] is the reference's row sum in
 * the reference's order, while rows are read contiguously and lanes hold consecutive i.
 */
export function tridiagonalize(
  A: usize,
  n: i32,
  k0: i32,
  k1: i32,
  diag: usize,
  off: usize,
  betas: usize,
  p: usize,
): void {
  const nB = (<usize>n) << 3;
  for (let k = k0; k < k1; k++) {
    const m = n - k - 1;
    const row = A + (<usize>k * <usize>n + <usize>k + 1) * 8;
    let tail: f64 = 0;
    for (let i = 1; i < m; i++) {
      const x = load<f64>(row + ((<usize>i) << 3));
      tail += x * x;
    }
    const x0 = load<f64>(row);
    store<f64>(diag + ((<usize>k) << 3), load<f64>(A + (<usize>k * <usize>n + <usize>k) * 8));
    if (tail == 0) {
      store<f64>(off + ((<usize>k) << 3), x0);
      store<f64>(betas + ((<usize>k) << 3), 0);
      continue;
    }
    const norm = Math.sqrt(x0 * x0 + tail);
    const alpha = x0 >= 0 ? -norm : norm;
    const v0 = x0 - alpha;
    store<f64>(row, v0);
    const beta = 2 / (v0 * v0 + tail);
    store<f64>(betas + ((<usize>k) << 3), beta);
    store<f64>(off + ((<usize>k) << 3), alpha);
    // p = A₂₂ v, column-wise, four rows j at a time (each p[i] still adds j in ascending order).
    const blk = A + (<usize>(k + 1) * <usize>n + <usize>k + 1) * 8;
    memory.fill(p, 0, (<usize>m) << 3);
    let j = 0;
    for (; j + 3 < m; j += 4) {
      const r0 = blk + <usize>j * nB;
      const r1 = r0 + nB;
      const r2 = r1 + nB;
      const r3 = r2 + nB;
      const v0s = f64x2.splat(load<f64>(row + ((<usize>j) << 3)));
      const v1s = f64x2.splat(load<f64>(row + ((<usize>(j + 1)) << 3)));
      const v2s = f64x2.splat(load<f64>(row + ((<usize>(j + 2)) << 3)));
      const v3s = f64x2.splat(load<f64>(row + ((<usize>(j + 3)) << 3)));
      let i = 0;
      for (; i + 1 < m; i += 2) {
        const o = (<usize>i) << 3;
        let acc = v128.load(p + o);
        acc = f64x2.add(acc, f64x2.mul(v128.load(r0 + o), v0s));
        acc = f64x2.add(acc, f64x2.mul(v128.load(r1 + o), v1s));
        acc = f64x2.add(acc, f64x2.mul(v128.load(r2 + o), v2s));
        acc = f64x2.add(acc, f64x2.mul(v128.load(r3 + o), v3s));
        v128.store(p + o, acc);
      }
      if (i < m) {
        const o = (<usize>i) << 3;
        let acc = load<f64>(p + o);
        acc += load<f64>(r0 + o) * load<f64>(row + ((<usize>j) << 3));
        acc += load<f64>(r1 + o) * load<f64>(row + ((<usize>(j + 1)) << 3));
        acc += load<f64>(r2 + o) * load<f64>(row + ((<usize>(j + 2)) << 3));
        acc += load<f64>(r3 + o) * load<f64>(row + ((<usize>(j + 3)) << 3));
        store<f64>(p + o, acc);
      }
    }
    for (; j < m; j++) {
      const r0 = blk + <usize>j * nB;
      const vj = load<f64>(row + ((<usize>j) << 3));
      const vs = f64x2.splat(vj);
      let i = 0;
      for (; i + 1 < m; i += 2) {
        const o = (<usize>i) << 3;
        v128.store(p + o, f64x2.add(v128.load(p + o), f64x2.mul(v128.load(r0 + o), vs)));
      }
      if (i < m) {
        const o = (<usize>i) << 3;
        store<f64>(p + o, load<f64>(p + o) + load<f64>(r0 + o) * vj);
      }
    }
    // p ← β·p, pv = Σ p_i v_i, w = p − (β·pv/2)·v (scalar, as the reference).
    let pv: f64 = 0;
    for (let i = 0; i < m; i++) {
      const o = (<usize>i) << 3;
      const s = load<f64>(p + o) * beta;
      store<f64>(p + o, s);
      pv += s * load<f64>(row + o);
    }
    const K = (beta * pv) / 2;
    for (let i = 0; i < m; i++) {
      const o = (<usize>i) << 3;
      store<f64>(p + o, load<f64>(p + o) - K * load<f64>(row + o));
    }
    // A₂₂ ← A₂₂ − v wᵀ − w vᵀ, element (i, j): a − (v_i·w_j + w_i·v_j).
    for (let i = 0; i < m; i++) {
      const ri = blk + <usize>i * nB;
      const vi = load<f64>(row + ((<usize>i) << 3));
      const wi = load<f64>(p + ((<usize>i) << 3));
      const vis = f64x2.splat(vi);
      const wis = f64x2.splat(wi);
      let jj = 0;
      for (; jj + 1 < m; jj += 2) {
        const o = (<usize>jj) << 3;
        const upd = f64x2.add(f64x2.mul(vis, v128.load(p + o)), f64x2.mul(wis, v128.load(row + o)));
        v128.store(ri + o, f64x2.sub(v128.load(ri + o), upd));
      }
      if (jj < m) {
        const o = (<usize>jj) << 3;
        store<f64>(ri + o, load<f64>(ri + o) - (vi * load<f64>(p + o) + wi * load<f64>(row + o)));
      }
    }
  }
}

/**
 * Y[i·P + p] = Σ_j A[i·cols + j]·X[j·P + p] (j ascending from 0) for i < rows, p < P: the row dot
 * products of a float32 matrix with P float64 vectors stored interleaved (P even). Four rows share
 * each load of X. Reference: the `s += data·tmp` / `s += data·v` loops of estimateSpectrum.
 */
export function rows_dot(A: usize, rows: i32, cols: i32, X: usize, P: i32, Y: usize): void {
  const rowB = (<usize>cols) << 2;
  const xB = (<usize>P) << 3;
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const a0 = A + <usize>i * rowB;
    for (let p = 0; p < P; p += 2) {
      let c0 = f64x2.splat(0);
      let c1 = f64x2.splat(0);
      let c2 = f64x2.splat(0);
      let c3 = f64x2.splat(0);
      let x = X + ((<usize>p) << 3);
      for (let j = 0; j < cols; j++) {
        const xv = v128.load(x);
        const o = (<usize>j) << 2;
        c0 = f64x2.add(c0, f64x2.mul(f64x2.splat(<f64>load<f32>(a0 + o)), xv));
        c1 = f64x2.add(c1, f64x2.mul(f64x2.splat(<f64>load<f32>(a0 + rowB + o)), xv));
        c2 = f64x2.add(c2, f64x2.mul(f64x2.splat(<f64>load<f32>(a0 + 2 * rowB + o)), xv));
        c3 = f64x2.add(c3, f64x2.mul(f64x2.splat(<f64>load<f32>(a0 + 3 * rowB + o)), xv));
        x += xB;
      }
      const y = Y + (<usize>i * <usize>P + <usize>p) * 8;
      v128.store(y, c0);
      v128.store(y + xB, c1);
      v128.store(y + 2 * xB, c2);
      v128.store(y + 3 * xB, c3);
    }
  }
  for (; i < rows; i++) {
    const a0 = A + <usize>i * rowB;
    for (let p = 0; p < P; p += 2) {
      let c0 = f64x2.splat(0);
      let x = X + ((<usize>p) << 3);
      for (let j = 0; j < cols; j++) {
        c0 = f64x2.add(c0, f64x2.mul(f64x2.splat(<f64>load<f32>(a0 + ((<usize>j) << 2))), v128.load(x)));
        x += xB;
      }
      v128.store(Y + (<usize>i * <usize>P + <usize>p) * 8, c0);
    }
  }
}

/**
 * Y[j·P + p] = Σ_i C[i·P + p]·A[i·cols + j] (i ascending from 0) for j < cols, p < P: the
 * transposed product, as the reference's row-by-row accumulation `tmp[j] += v_i·a_ij`. Four rows
 * are added into each loaded Y element in ascending order before it is stored again. P even.
 */
export function rows_axpy(A: usize, rows: i32, cols: i32, C: usize, P: i32, Y: usize): void {
  const rowB = (<usize>cols) << 2;
  const yB = (<usize>P) << 3;
  memory.fill(Y, 0, <usize>cols * yB);
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const a0 = A + <usize>i * rowB;
    for (let p = 0; p < P; p += 2) {
      const cp = C + (<usize>i * <usize>P + <usize>p) * 8;
      const c0 = v128.load(cp);
      const c1 = v128.load(cp + yB);
      const c2 = v128.load(cp + 2 * yB);
      const c3 = v128.load(cp + 3 * yB);
      let y = Y + ((<usize>p) << 3);
      for (let j = 0; j < cols; j++) {
        const o = (<usize>j) << 2;
        let acc = v128.load(y);
        acc = f64x2.add(acc, f64x2.mul(c0, f64x2.splat(<f64>load<f32>(a0 + o))));
        acc = f64x2.add(acc, f64x2.mul(c1, f64x2.splat(<f64>load<f32>(a0 + rowB + o))));
        acc = f64x2.add(acc, f64x2.mul(c2, f64x2.splat(<f64>load<f32>(a0 + 2 * rowB + o))));
        acc = f64x2.add(acc, f64x2.mul(c3, f64x2.splat(<f64>load<f32>(a0 + 3 * rowB + o))));
        v128.store(y, acc);
        y += yB;
      }
    }
  }
  for (; i < rows; i++) {
    const a0 = A + <usize>i * rowB;
    for (let p = 0; p < P; p += 2) {
      const c0 = v128.load(C + (<usize>i * <usize>P + <usize>p) * 8);
      let y = Y + ((<usize>p) << 3);
      for (let j = 0; j < cols; j++) {
        const a = f64x2.splat(<f64>load<f32>(a0 + ((<usize>j) << 2)));
        v128.store(y, f64x2.add(v128.load(y), f64x2.mul(c0, a)));
        y += yB;
      }
    }
  }
}

// ───────────────────────── random streams ─────────────────────────
// Reference: src/core/rng.ts (Xoshiro128: nextU32, uniform, normal by Marsaglia's polar method
// with portableLog). The generator state lives at stateP: u32 s0, s1, s2, s3 (+0 … +12), f64 spare
// (+16), i32 hasSpare (+24); the JS side copies it in before and out after each call, so a stream
// continues exactly where either path left it. Everything is scalar f64 in the reference's order
// (the polar method's rejection loop has no SIMD form that keeps the draw order).

let xs0: u32 = 0;
let xs1: u32 = 0;
let xs2: u32 = 0;
let xs3: u32 = 0;

// @inline
function nextU32(): u32 {
  const s1 = xs1;
  const t = s1 << 9;
  const r = rotl<u32>(s1 * 5, 7) * 9;
  xs2 ^= xs0;
  xs3 ^= xs1;
  xs1 ^= xs2;
  xs0 ^= xs3;
  xs2 ^= t;
  xs3 = rotl<u32>(xs3, 11);
  return r;
}

// @inline
function uniform53(): f64 {
  const hi = nextU32() >>> 5;
  const lo = nextU32() >>> 6;
  return (<f64>hi * 67108864.0 + <f64>lo) * (1.0 / 9007199254740992.0);
}

const LN2_HI: f64 = 6.9314718036912381649e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;

/** portableLog of rng.ts for the polar method's s ∈ (0, 1) (finite, positive): same operations. */
function portableLogPos(x: f64): f64 {
  let e: f64 = 0;
  let m = x;
  while (m >= 1.4142135623730951) {
    if (m >= 18446744073709551616.0) {
      m *= 5.421010862427522e-20;
      e += 64;
    } else {
      m *= 0.5;
      e += 1;
    }
  }
  while (m < 0.7071067811865476) {
    if (m < 5.421010862427522e-20) {
      m *= 18446744073709551616.0;
      e -= 64;
    } else {
      m *= 2;
      e -= 1;
    }
  }
  const f = m - 1;
  const s = f / (2 + f);
  const s2 = s * s;
  // The reference's loop `p = p·s² + 1/k`, k = 23 … 3, unrolled with each 1/k folded at compile
  // time (the same correctly rounded quotient): no divisions on the hot path.
  let p: f64 = 1.0 / 25.0;
  p = p * s2 + 1.0 / 23.0;
  p = p * s2 + 1.0 / 21.0;
  p = p * s2 + 1.0 / 19.0;
  p = p * s2 + 1.0 / 17.0;
  p = p * s2 + 1.0 / 15.0;
  p = p * s2 + 1.0 / 13.0;
  p = p * s2 + 1.0 / 11.0;
  p = p * s2 + 1.0 / 9.0;
  p = p * s2 + 1.0 / 7.0;
  p = p * s2 + 1.0 / 5.0;
  p = p * s2 + 1.0 / 3.0;
  const twoS = 2 * s;
  const log1p = twoS + twoS * s2 * p;
  return e * LN2_HI + (e * LN2_LO + log1p);
}

let spare: f64 = 0;
let hasSpare: i32 = 0;

function loadState(stateP: usize): void {
  xs0 = load<u32>(stateP, 0);
  xs1 = load<u32>(stateP, 4);
  xs2 = load<u32>(stateP, 8);
  xs3 = load<u32>(stateP, 12);
  spare = load<f64>(stateP, 16);
  hasSpare = load<i32>(stateP, 24);
}

function saveState(stateP: usize): void {
  store<u32>(stateP, xs0, 0);
  store<u32>(stateP, xs1, 4);
  store<u32>(stateP, xs2, 8);
  store<u32>(stateP, xs3, 12);
  store<f64>(stateP, spare, 16);
  store<i32>(stateP, hasSpare, 24);
}

/** Scratch for four accepted polar pairs: u at +0, v at +32, s at +64 (float64 each). */
const POLAR = memory.data(96, 16);

/**
 * portableLogPos on two lanes: the same operations per lane. The reference's two scaling loops
 * produce the unique m ∈ [√2/2, √2) and integer e with x = m·2^e; here they come straight from the
 * exponent field (m0 ∈ [1, 2), halved when ≥ √2: exact), which is the same pair for every normal
 * x — and s ≥ 2^−106 is normal.
 */
// @inline
function logLanes(x: v128): v128 {
  const e0 = i64x2.sub(i64x2.shr_u(x, 52), i64x2.splat(1023));
  const m0 = v128.or(v128.and(x, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3ff0000000000000));
  const big = f64x2.ge(m0, f64x2.splat(1.4142135623730951));
  const m = v128.bitselect(f64x2.mul(m0, f64x2.splat(0.5)), m0, big);
  const ei = i64x2.sub(e0, big); // big lanes are all ones (−1): e0 + 1
  const e = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(ei, ei, 0, 2, 0, 2));
  const f = f64x2.sub(m, f64x2.splat(1));
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2), f));
  const s2 = f64x2.mul(s, s);
  let p = f64x2.splat(1.0 / 25.0);
  p = f64x2.add(f64x2.mul(p, s2), f64x2.splat(1.0 / 23.0));
  p = f64x2.add(f64x2.mul(p, s2), f64x2.splat(1.0 / 21.0));
  p = f64x2.add(f64x2.mul(p, s2), f64x2.splat(1.0 / 19.0));
  p = f64x2.add(f64x2.mul(p, s2), f64x2.splat(1.0 / 17.0));
  p = f64x2.add(f64x2.mul(p, s2), f64x2.splat(1.0 / 15.0));
  p = f64x2.add(f64x2.mul(p, s2), f64x2.splat(1.0 / 13.0));
  p = f64x2.add(f64x2.mul(p, s2), f64x2.splat(1.0 / 11.0));
  p = f64x2.add(f64x2.mul(p, s2), f64x2.splat(1.0 / 9.0));
  p = f64x2.add(f64x2.mul(p, s2), f64x2.splat(1.0 / 7.0));
  p = f64x2.add(f64x2.mul(p, s2), f64x2.splat(1.0 / 5.0));
  p = f64x2.add(f64x2.mul(p, s2), f64x2.splat(1.0 / 3.0));
  const twoS = f64x2.mul(f64x2.splat(2), s);
  const log1p = f64x2.add(twoS, f64x2.mul(f64x2.mul(twoS, s2), p));
  return f64x2.add(f64x2.mul(e, f64x2.splat(LN2_HI)), f64x2.add(f64x2.mul(e, f64x2.splat(LN2_LO)), log1p));
}

/**
 * n N(0,1) draws into outP as float32 (f64out = 0) or float64 (f64out ≠ 0): rng.fillNormal, i.e.
 * normal() n times. The polar method's pair (u·f, v·f) is produced inline with the generator
 * state in locals (normal() and nextU32() above keep it in globals, which the engine reloads and
 * stores on every step); a pair cut by the end of the fill leaves v·f as the spare, as normal()
 * does.
 */
export function fill_normal(stateP: usize, outP: usize, n: i32, f64out: i32): void {
  let s0 = load<u32>(stateP, 0);
  let s1 = load<u32>(stateP, 4);
  let s2 = load<u32>(stateP, 8);
  let s3 = load<u32>(stateP, 12);
  let sp = load<f64>(stateP, 16);
  let has = load<i32>(stateP, 24);
  const sh: usize = f64out ? 3 : 2;
  let i = 0;
  if (has != 0 && n > 0) {
    if (f64out) store<f64>(outP, sp);
    else store<f32>(outP, <f32>sp);
    has = 0;
    i = 1;
  }
  // Four accepted pairs at a time: candidates are drawn and rejected one by one (the stream's
  // order), then the logarithms, square roots and products of two pairs share each f64x2, which
  // overlaps the long dependency chains of two pairs per vector.
  while (i + 8 <= n) {
    for (let c: usize = 0; c < 4; c++) {
      let u: f64 = 0;
      let v: f64 = 0;
      let s: f64 = 0;
      do {
        let t = s1 << 9;
        const r0 = rotl<u32>(s1 * 5, 7) * 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl<u32>(s3, 11);
        t = s1 << 9;
        const r1 = rotl<u32>(s1 * 5, 7) * 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl<u32>(s3, 11);
        t = s1 << 9;
        const r2 = rotl<u32>(s1 * 5, 7) * 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl<u32>(s3, 11);
        t = s1 << 9;
        const r3 = rotl<u32>(s1 * 5, 7) * 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl<u32>(s3, 11);
        u = 2 * ((<f64>(r0 >>> 5) * 67108864.0 + <f64>(r1 >>> 6)) * (1.0 / 9007199254740992.0)) - 1;
        v = 2 * ((<f64>(r2 >>> 5) * 67108864.0 + <f64>(r3 >>> 6)) * (1.0 / 9007199254740992.0)) - 1;
        s = u * u + v * v;
      } while (s >= 1 || s == 0);
      store<f64>(POLAR + (c << 3), u);
      store<f64>(POLAR + (c << 3), v, 32);
      store<f64>(POLAR + (c << 3), s, 64);
    }
    for (let h: usize = 0; h < 32; h += 16) {
      const uu = v128.load(POLAR + h);
      const vv = v128.load(POLAR + h, 32);
      const ss = v128.load(POLAR + h, 64);
      const f = f64x2.sqrt(f64x2.div(f64x2.mul(f64x2.splat(-2), logLanes(ss)), ss));
      const a = f64x2.mul(uu, f);
      const b = f64x2.mul(vv, f);
      const lo = v128.shuffle<f64>(a, b, 0, 2); // u0·f0, v0·f0
      const hi = v128.shuffle<f64>(a, b, 1, 3); // u1·f1, v1·f1
      const o = outP + ((<usize>i) << sh);
      if (f64out) {
        v128.store(o, lo);
        v128.store(o, hi, 16);
      } else {
        v128.store64_lane(o, f32x4.demote_f64x2_zero(lo), 0);
        v128.store64_lane(o, f32x4.demote_f64x2_zero(hi), 0, 8);
      }
      i += 4;
    }
  }
  while (i < n) {
    let u: f64 = 0;
    let v: f64 = 0;
    let s: f64 = 0;
    do {
      // Four xoshiro128** steps (rng.ts nextU32): two 53-bit uniforms.
      let t = s1 << 9;
      const r0 = rotl<u32>(s1 * 5, 7) * 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl<u32>(s3, 11);
      t = s1 << 9;
      const r1 = rotl<u32>(s1 * 5, 7) * 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl<u32>(s3, 11);
      t = s1 << 9;
      const r2 = rotl<u32>(s1 * 5, 7) * 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl<u32>(s3, 11);
      t = s1 << 9;
      const r3 = rotl<u32>(s1 * 5, 7) * 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl<u32>(s3, 11);
      u = 2 * ((<f64>(r0 >>> 5) * 67108864.0 + <f64>(r1 >>> 6)) * (1.0 / 9007199254740992.0)) - 1;
      v = 2 * ((<f64>(r2 >>> 5) * 67108864.0 + <f64>(r3 >>> 6)) * (1.0 / 9007199254740992.0)) - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    const f = Math.sqrt((-2 * portableLogPos(s)) / s);
    const a = u * f;
    const b = v * f;
    const o = outP + ((<usize>i) << sh);
    if (f64out) store<f64>(o, a);
    else store<f32>(o, <f32>a);
    i++;
    if (i < n) {
      if (f64out) store<f64>(o, b, 8);
      else store<f32>(o, <f32>b, 4);
      i++;
    } else {
      sp = b;
      has = 1;
    }
  }
  store<u32>(stateP, s0, 0);
  store<u32>(stateP, s1, 4);
  store<u32>(stateP, s2, 8);
  store<u32>(stateP, s3, 12);
  store<f64>(stateP, sp, 16);
  store<i32>(stateP, has, 24);
}

/** n uniform [0, 1) doubles (53 bits) into outP as float64: rng.uniform() n times. */
export function fill_uniform(stateP: usize, outP: usize, n: i32): void {
  loadState(stateP);
  for (let i = 0; i < n; i++) store<f64>(outP + ((<usize>i) << 3), uniform53());
  saveState(stateP);
}

// ───────────────────────── block scalar quantizers ─────────────────────────
// References: src/core/methods/quantizers/int.ts, mxfp4.ts, nvfp4.ts. Each format runs in two
// passes per chunk of rows: per-block statistics here (absmax, or min/max widened to 0), the block
// scales in TypeScript (fp16 / E8M0 / UE4M3 scale rounding stays in its one reference
// implementation), then the element rounding here. Blocks of g coordinates never cross rows (the
// last block of a row may be shorter). Max and min are exact and order-free (NaN never wins a
// comparison, as in the reference's `a > amax`), so lanes may reduce them; the element rounding
// is per coordinate with the reference's f64 operations.

/** stat[b] = max |x| over each block (0 for all-zero or all-NaN blocks), as float64. */
export function block_absmax(inP: usize, rows: i32, d: i32, g: i32, statP: usize): void {
  let b: usize = 0;
  for (let r = 0; r < rows; r++) {
    const row = inP + ((<usize>r * <usize>d) << 2);
    for (let s = 0; s < d; s += g) {
      const end = min(s + g, d);
      let j = s;
      let m4 = f32x4.splat(0);
      for (; j + 4 <= end; j += 4) {
        // pmax(m, a) = m < a ? a : m: a NaN lane never replaces m.
        m4 = f32x4.pmax(m4, f32x4.abs(v128.load(row + ((<usize>j) << 2))));
      }
      let m = max(
        max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)),
        max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)),
      );
      for (; j < end; j++) {
        const a = abs(load<f32>(row + ((<usize>j) << 2)));
        if (a > m) m = a;
      }
      store<f64>(statP + (b << 3), <f64>m);
      b++;
    }
  }
}

/** lo[b] = min(0, min x), hi[b] = max(0, max x) over each block (int.ts quantizeAsymmetric). */
export function block_minmax(inP: usize, rows: i32, d: i32, g: i32, loP: usize, hiP: usize): void {
  let b: usize = 0;
  for (let r = 0; r < rows; r++) {
    const row = inP + ((<usize>r * <usize>d) << 2);
    for (let s = 0; s < d; s += g) {
      const end = min(s + g, d);
      let j = s;
      let lo4 = f32x4.splat(0);
      let hi4 = f32x4.splat(0);
      for (; j + 4 <= end; j += 4) {
        const v = v128.load(row + ((<usize>j) << 2));
        lo4 = f32x4.pmin(lo4, v);
        hi4 = f32x4.pmax(hi4, v);
      }
      let lo = min(
        min(f32x4.extract_lane(lo4, 0), f32x4.extract_lane(lo4, 1)),
        min(f32x4.extract_lane(lo4, 2), f32x4.extract_lane(lo4, 3)),
      );
      let hi = max(
        max(f32x4.extract_lane(hi4, 0), f32x4.extract_lane(hi4, 1)),
        max(f32x4.extract_lane(hi4, 2), f32x4.extract_lane(hi4, 3)),
      );
      for (; j < end; j++) {
        const v = load<f32>(row + ((<usize>j) << 2));
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      store<f64>(loP + (b << 3), <f64>lo);
      store<f64>(hiP + (b << 3), <f64>hi);
      b++;
    }
  }
}

/**
 * Symmetric INT: x̂ = s·clamp(rint_even(x/s), −qmax−1, qmax) per block with scale s = scale[b]
 * (0: the block is zeros). Two coordinates per f64x2: division, nearest-even, pmin/pmax clamps
 * (a NaN passes through as in the reference's if-ladder) and the product are per lane.
 */
export function int_sym_apply(
  inP: usize,
  rows: i32,
  d: i32,
  g: i32,
  scaleP: usize,
  qmax: f64,
  outP: usize,
): void {
  let b: usize = 0;
  const hi2 = f64x2.splat(qmax);
  const lo2 = f64x2.splat(-qmax - 1);
  for (let r = 0; r < rows; r++) {
    const off = (<usize>r * <usize>d) << 2;
    const src = inP + off;
    const dst = outP + off;
    for (let s = 0; s < d; s += g) {
      const end = min(s + g, d);
      const sc = load<f64>(scaleP + (b << 3));
      b++;
      if (sc == 0) {
        memory.fill(dst + ((<usize>s) << 2), 0, (<usize>(end - s)) << 2);
        continue;
      }
      const s2 = f64x2.splat(sc);
      let j = s;
      for (; j + 2 <= end; j += 2) {
        const x = f64x2.promote_low_f32x4(v128.load64_zero(src + ((<usize>j) << 2)));
        let q = f64x2.nearest(f64x2.div(x, s2));
        q = f64x2.pmin(q, hi2);
        q = f64x2.pmax(q, lo2);
        v128.store64_lane(dst + ((<usize>j) << 2), f32x4.demote_f64x2_zero(f64x2.mul(q, s2)), 0);
      }
      for (; j < end; j++) {
        let q: f64 = nearest<f64>(<f64>load<f32>(src + ((<usize>j) << 2)) / sc);
        if (q > qmax) q = qmax;
        else if (q < -qmax - 1) q = -qmax - 1;
        store<f32>(dst + ((<usize>j) << 2), <f32>(q * sc));
      }
    }
  }
}

/**
 * Asymmetric INT: x̂ = s·(clamp(rint_even(x/s) + z, 0, levels) − z) per block with s = scale[b],
 * z = zero[b] (s = 0: zeros).
 */
export function int_asym_apply(
  inP: usize,
  rows: i32,
  d: i32,
  g: i32,
  scaleP: usize,
  zeroP: usize,
  levels: f64,
  outP: usize,
): void {
  let b: usize = 0;
  const hi2 = f64x2.splat(levels);
  const lo2 = f64x2.splat(0);
  for (let r = 0; r < rows; r++) {
    const off = (<usize>r * <usize>d) << 2;
    const src = inP + off;
    const dst = outP + off;
    for (let s = 0; s < d; s += g) {
      const end = min(s + g, d);
      const sc = load<f64>(scaleP + (b << 3));
      const z = load<f64>(zeroP + (b << 3));
      b++;
      if (sc == 0) {
        memory.fill(dst + ((<usize>s) << 2), 0, (<usize>(end - s)) << 2);
        continue;
      }
      const s2 = f64x2.splat(sc);
      const z2 = f64x2.splat(z);
      let j = s;
      for (; j + 2 <= end; j += 2) {
        const x = f64x2.promote_low_f32x4(v128.load64_zero(src + ((<usize>j) << 2)));
        let q = f64x2.add(f64x2.nearest(f64x2.div(x, s2)), z2);
        q = f64x2.pmin(q, hi2);
        q = f64x2.pmax(q, lo2);
        v128.store64_lane(
          dst + ((<usize>j) << 2),
          f32x4.demote_f64x2_zero(f64x2.mul(f64x2.sub(q, z2), s2)),
          0,
        );
      }
      for (; j < end; j++) {
        let q: f64 = nearest<f64>(<f64>load<f32>(src + ((<usize>j) << 2)) / sc) + z;
        if (q > levels) q = levels;
        else if (q < 0) q = 0;
        store<f32>(dst + ((<usize>j) << 2), <f32>((q - z) * sc));
      }
    }
  }
}

// E2M1 round-to-nearest-even by quarter steps: minifloat.ts roundE2M1 (same tables).
const E2M1_INTERIOR: StaticArray<f64> = [
  0, 0.5, 0.5, 1, 1, 1.5, 1.5, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 6, 6, 6, 6, 6,
];
const E2M1_POINT: StaticArray<f64> = [
  0, 0, 0.5, 1, 1, 1, 1.5, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 6, 6, 6, 6,
];

// @inline
function roundE2M1(x: f64): f64 {
  if (x != x) return NaN;
  const neg = reinterpret<u64>(x) >> 63 != 0;
  const a4 = abs(x) * 4;
  let r: f64;
  if (a4 >= 24) r = 6;
  else {
    const k = <i32>a4;
    r = a4 == <f64>k ? unchecked(E2M1_POINT[k]) : unchecked(E2M1_INTERIOR[k]);
  }
  return neg ? -r : r;
}

/**
 * roundE2M1 on two lanes without tables: E2M1's magnitudes are multiples of ½ below 2, of 1 in
 * [2, 4) and of 2 in [4, 6], so nearest-even on the scaled value (exact power-of-two scalings) is
 * the spec's nearest-even on the grid, and every tie lands on the even code as in the tables
 * (0.25→0, 0.75→1, 1.25→1, 1.75→2, 2.5→2, 3.5→4, 5→4); |x| ≥ 6 saturates. The sign of x is put
 * back (−0 stays −0); NaN lanes give the reference's NaN constant.
 */
// @inline
function roundE2M1x2(x: v128): v128 {
  const a = f64x2.abs(x);
  const r1 = f64x2.mul(f64x2.nearest(f64x2.mul(a, f64x2.splat(2))), f64x2.splat(0.5));
  const r2 = f64x2.nearest(a);
  const r3 = f64x2.min(
    f64x2.mul(f64x2.nearest(f64x2.mul(a, f64x2.splat(0.5))), f64x2.splat(2)),
    f64x2.splat(6),
  );
  let r = v128.bitselect(r2, r3, f64x2.lt(a, f64x2.splat(4)));
  r = v128.bitselect(r1, r, f64x2.lt(a, f64x2.splat(2)));
  r = v128.or(r, v128.and(x, i64x2.splat(0x8000000000000000)));
  return v128.bitselect(f64x2.splat(NaN), r, f64x2.ne(x, x));
}

/**
 * E2M1 elements with a per-block scale: divide ≠ 0 → x̂ = E2M1(x / a)·a (nvfp4.ts, a = sb·st);
 * divide = 0 → x̂ = E2M1(x·a)·c (mxfp4.ts, a = 2^−e, c = 2^e). a = 0 marks a zero block.
 */
export function e2m1_apply(
  inP: usize,
  rows: i32,
  d: i32,
  g: i32,
  aP: usize,
  cP: usize,
  divide: i32,
  outP: usize,
): void {
  let b: usize = 0;
  for (let r = 0; r < rows; r++) {
    const off = (<usize>r * <usize>d) << 2;
    const src = inP + off;
    const dst = outP + off;
    for (let s = 0; s < d; s += g) {
      const end = min(s + g, d);
      const a = load<f64>(aP + (b << 3));
      b++;
      if (a == 0) {
        memory.fill(dst + ((<usize>s) << 2), 0, (<usize>(end - s)) << 2);
        continue;
      }
      let j = s;
      const a2 = f64x2.splat(a);
      if (divide) {
        for (; j + 2 <= end; j += 2) {
          const x = f64x2.promote_low_f32x4(v128.load64_zero(src + ((<usize>j) << 2)));
          const q = f64x2.mul(roundE2M1x2(f64x2.div(x, a2)), a2);
          v128.store64_lane(dst + ((<usize>j) << 2), f32x4.demote_f64x2_zero(q), 0);
        }
        for (; j < end; j++) {
          const x = <f64>load<f32>(src + ((<usize>j) << 2));
          store<f32>(dst + ((<usize>j) << 2), <f32>(roundE2M1(x / a) * a));
        }
      } else {
        const c = load<f64>(cP + ((b - 1) << 3));
        const c2 = f64x2.splat(c);
        for (; j + 2 <= end; j += 2) {
          const x = f64x2.promote_low_f32x4(v128.load64_zero(src + ((<usize>j) << 2)));
          const q = f64x2.mul(roundE2M1x2(f64x2.mul(x, a2)), c2);
          v128.store64_lane(dst + ((<usize>j) << 2), f32x4.demote_f64x2_zero(q), 0);
        }
        for (; j < end; j++) {
          const x = <f64>load<f32>(src + ((<usize>j) << 2));
          store<f32>(dst + ((<usize>j) << 2), <f32>(roundE2M1(x * a) * c));
        }
      }
    }
  }
}

// ───────────────────────── ip-nvar, whole blocks of rows ─────────────────────────
// Reference: src/core/methods/metrics/ip-nvar.ts compute. Per row: err_j = x̂_j − x_j and
// ‖x‖² in j order; per query k: dot = Σ_j q_kj·err_j in j order; acc = Σ_k dot² in k order. The
// caller divides and sums over rows as the reference does.

/** Shared-dimension tile of ipnvar_block: 256 rows of errT (32 KiB) stay in L1 for all queries. */
const IP_TILE = 256;

/**
 * For `rows` ≤ LANES rows of x (float32 at xP) and x̂ (hP), d columns, and nQ float64 queries at
 * qP (nQ × d): out[2r] = Σ_k (q_k·(x̂_r − x_r))², out[2r + 1] = ‖x_r‖². eP (d × LANES float64) and
 * cP (nQ × LANES float64) are scratch. The products run in tiles of the shared dimension, each
 * partial sum kept in cP between tiles, so every dot still adds its terms in ascending j.
 */
export function ipnvar_block(
  xP: usize,
  hP: usize,
  rows: i32,
  d: i32,
  qP: usize,
  nQ: i32,
  eP: usize,
  cP: usize,
  outP: usize,
): void {
  if (rows < LANES) memory.fill(eP, 0, (<usize>d * <usize>LANES) << 3);
  for (let r = 0; r < rows; r++) {
    const xr = xP + ((<usize>r * <usize>d) << 2);
    const hr = hP + ((<usize>r * <usize>d) << 2);
    let norm: f64 = 0;
    for (let j = 0; j < d; j++) {
      const v = <f64>load<f32>(xr + ((<usize>j) << 2));
      store<f64>(
        eP + ((<usize>j * <usize>LANES + <usize>r) << 3),
        <f64>load<f32>(hr + ((<usize>j) << 2)) - v,
      );
      norm += v * v;
    }
    store<f64>(outP + ((<usize>r) << 4), norm, 8);
  }
  memory.fill(cP, 0, (<usize>nQ * <usize>LANES) << 3);
  for (let k0 = 0; k0 < d; k0 += IP_TILE) {
    const k1 = min(d, k0 + IP_TILE);
    for (let n = 0; n < nQ; n++) {
      const bRow = qP + ((<usize>n * <usize>d) << 3);
      const c = cP + ((<usize>n * <usize>LANES) << 3);
      let a0 = v128.load(c, 0);
      let a1 = v128.load(c, 16);
      let a2 = v128.load(c, 32);
      let a3 = v128.load(c, 48);
      let a4 = v128.load(c, 64);
      let a5 = v128.load(c, 80);
      let a6 = v128.load(c, 96);
      let a7 = v128.load(c, 112);
      for (let k = k0; k < k1; k++) {
        const b = f64x2.splat(load<f64>(bRow + ((<usize>k) << 3)));
        const row = eP + ((<usize>k * <usize>LANES) << 3);
        a0 = f64x2.add(a0, f64x2.mul(b, v128.load(row, 0)));
        a1 = f64x2.add(a1, f64x2.mul(b, v128.load(row, 16)));
        a2 = f64x2.add(a2, f64x2.mul(b, v128.load(row, 32)));
        a3 = f64x2.add(a3, f64x2.mul(b, v128.load(row, 48)));
        a4 = f64x2.add(a4, f64x2.mul(b, v128.load(row, 64)));
        a5 = f64x2.add(a5, f64x2.mul(b, v128.load(row, 80)));
        a6 = f64x2.add(a6, f64x2.mul(b, v128.load(row, 96)));
        a7 = f64x2.add(a7, f64x2.mul(b, v128.load(row, 112)));
      }
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
  for (let r = 0; r < rows; r++) {
    let acc: f64 = 0;
    for (let n = 0; n < nQ; n++) {
      const dot = load<f64>(cP + ((<usize>n * <usize>LANES + <usize>r) << 3));
      acc += dot * dot;
    }
    store<f64>(outP + ((<usize>r) << 4), acc);
  }
}

// ───────────────────────── NF4 ─────────────────────────
// Reference: src/core/methods/quantizers/nf4.ts quantizeBlock with formats/nf4.ts nf4Nearest.

/**
 * NF4 nearest rounding per block: t = x / A with A = amax[b] (0: the block is zeros); code 0 for
 * t ≤ −1, 15 for t ≥ 1, otherwise the lower bracket end i = #{m ∈ 1..14 : V_m ≤ t} (the binary
 * search's answer on the ascending table) and i + 1 when t − V_i > V_{i+1} − t (ties go low);
 * x̂ = V_code·A, NaN for NaN input. valuesP: the 16 NF4 levels as float64.
 */
export function nf4_apply(
  inP: usize,
  rows: i32,
  d: i32,
  g: i32,
  amaxP: usize,
  valuesP: usize,
  outP: usize,
): void {
  let b: usize = 0;
  for (let r = 0; r < rows; r++) {
    const off = (<usize>r * <usize>d) << 2;
    const src = inP + off;
    const dst = outP + off;
    for (let s = 0; s < d; s += g) {
      const end = min(s + g, d);
      const A = load<f64>(amaxP + (b << 3));
      b++;
      if (A == 0) {
        memory.fill(dst + ((<usize>s) << 2), 0, (<usize>(end - s)) << 2);
        continue;
      }
      for (let j = s; j < end; j++) {
        const t = <f64>load<f32>(src + ((<usize>j) << 2)) / A;
        let out: f64;
        if (t != t) out = NaN;
        else {
          let code: i32;
          if (!(t > -1)) code = 0;
          else if (t >= 1) code = 15;
          else {
            let i: i32 = 0;
            for (let m = 1; m < 15; m++) i += <i32>(load<f64>(valuesP + ((<usize>m) << 3)) <= t);
            const lo = load<f64>(valuesP + ((<usize>i) << 3));
            const hi = load<f64>(valuesP + ((<usize>(i + 1)) << 3));
            code = t - lo > hi - t ? i + 1 : i;
          }
          out = load<f64>(valuesP + ((<usize>code) << 3)) * A;
        }
        store<f32>(dst + ((<usize>j) << 2), <f32>out);
      }
    }
  }
}

// ───────────────────────── FP8 (E4M3 / E5M2) ─────────────────────────
// Reference: src/core/methods/quantizers/fp8.ts quantizeSpan with formats/minifloat.ts roundValue
// ('nearest-even', saturating): the grid index t = a·2^(M − e) (e = ⌊log2 a⌋, or emin below the
// normal range) is rounded to nearest even (floor + fraction test = f64.nearest for t ≥ 0) and
// scaled back; powers of two are built from their exponent bits (exact, as the reference's table).

// @inline
function pow2i(k: i32): f64 {
  return reinterpret<f64>((<u64>(k + 1023)) << 52);
}

/**
 * out = roundValue(f, x / s)·s for n float32 at inP, f = (mbits, emin, maxFinite, hasInf): a span
 * (tensor or row) with one scale s > 0.
 */
export function fp8_apply(
  inP: usize,
  n: i32,
  s: f64,
  mbits: i32,
  emin: i32,
  maxFinite: f64,
  hasInf: i32,
  outP: usize,
): void {
  const minNormal = pow2i(emin);
  for (let i = 0; i < n; i++) {
    const x = <f64>load<f32>(inP + ((<usize>i) << 2)) / s;
    const v = roundMinifloat(x, mbits, emin, minNormal, maxFinite, hasInf, 1);
    store<f32>(outP + ((<usize>i) << 2), <f32>(v * s));
  }
}

/** roundValue(f, x) ('nearest-even', saturating) for f = (mbits, emin, maxFinite, hasInf, signed). */
// @inline
function roundMinifloat(
  x: f64,
  mbits: i32,
  emin: i32,
  minNormal: f64,
  maxFinite: f64,
  hasInf: i32,
  signed: i32,
): f64 {
  if (x != x) return NaN;
  const neg = reinterpret<u64>(x) >> 63 != 0;
  if (neg && !signed) return 0;
  let a = abs(x);
  if (a == Infinity) a = hasInf ? Infinity : maxFinite;
  else if (a != 0) {
    const e = a < minNormal ? emin : <i32>((reinterpret<u64>(a) >> 52) & 0x7ff) - 1023;
    const shift = mbits - e;
    a = nearest<f64>(a * pow2i(shift)) * pow2i(-shift);
    if (a > maxFinite) a = maxFinite;
  }
  return neg ? -a : a;
}

/** In place: p[i] = roundValue(f, p[i]) for n float64 (block scales, e.g. NVFP4's UE4M3). */
export function minifloat_round(
  p: usize,
  n: i32,
  mbits: i32,
  emin: i32,
  maxFinite: f64,
  hasInf: i32,
  signed: i32,
): void {
  const minNormal = pow2i(emin);
  for (let i = 0; i < n; i++) {
    const q = p + ((<usize>i) << 3);
    store<f64>(q, roundMinifloat(load<f64>(q), mbits, emin, minNormal, maxFinite, hasInf, signed));
  }
}
