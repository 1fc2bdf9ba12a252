/**
 * Loader and memory arena for the WebAssembly SIMD kernels (wasm/assembly/kernels.ts, built by
 * `npm run build:wasm` into ./kernels.wasm.ts). DESIGN.md "Performance targets".
 *
 * Loading: the module is compiled synchronously from embedded bytes on first use, so kernels keep
 * their synchronous signatures and work the same in node (CLI, vitest), in the Vite-built worker
 * and on the page. Only `WebAssembly.Module`/`Instance` are used (allowed by a CSP with
 * 'wasm-unsafe-eval'; no eval, no fetch). If compilation is refused (old engine without SIMD, a
 * stricter CSP, a main-thread size limit), `wasmKernels()` returns null and every caller runs its
 * TypeScript reference.
 *
 * Determinism: each kernel performs the same IEEE operations in the same order as its TypeScript
 * reference (see the kernel source header), so results are bit-for-bit identical whichever path
 * runs; the parity tests (kernels.test.ts) check exact equality.
 *
 * Memory: one linear memory per instance, laid out per call by `claim` above the module's static
 * data. Callers stream their rows through it in bounded chunks (CHUNK_BYTES), so the WASM copy
 * stays a few MiB beside the Float32Array buffers (the 16M-coordinate memory target). Large
 * operands that do not change between calls (a QJL sketch, Householder reflectors) are kept in
 * place while the same owner claims the same layout again, and re-copied otherwise.
 */
import { KERNEL_EXPORT_NAMES, KERNELS_WASM_BASE64, type KernelExports } from './kernels.wasm';

/**
 * The kernels' exports. The interface is generated from the AssemblyScript signatures by
 * scripts/build-wasm.ts (names, parameter names, JS-side types), and `instantiate` checks the
 * instance has every generated name, so a kernel renamed or re-typed in wasm/assembly/kernels.ts
 * breaks the callers' typecheck instead of failing at run time.
 */
export type WasmKernels = KernelExports;

/** Rows held transposed per call of ipnvar_block (the kernel's LANES). */
export const WASM_LANES = 16;
/** Rows held transposed per group of householder_tiled (the kernel's HT). */
export const HOUSEHOLDER_TILE_ROWS = 8;
/** Rows held transposed per group of householder_tiled_f32 (the kernel's HT4: 4 f32x4 vectors). */
export const HOUSEHOLDER_TILE_ROWS_F32 = 16;
/** Target size of one streamed chunk of rows (input or output), bytes. */
export const CHUNK_BYTES = 1 << 22;
/**
 * Elements per call of the element-wise kernels (normals, block quantizers). V8 runs a
 * WASM function in its baseline compiler (Liftoff) until the optimising tier has compiled it in the
 * background, and a running call is never switched over (no on-stack replacement for WASM): one
 * call over 16M coordinates would run entirely in baseline code. Slices of 64K elements let the
 * optimised code take over after the first few calls while keeping the per-call overhead small.
 */
export const SLICE_ELEMS = 1 << 16;

let instance: WasmKernels | null | undefined;
let enabled = true;

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function instantiate(): WasmKernels | null {
  try {
    if (typeof WebAssembly === 'undefined') return null;
    const module = new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
    const inst = new WebAssembly.Instance(module, {
      env: {
        abort: () => {
          throw new Error('wasm kernel abort');
        },
      },
    });
    const ex = inst.exports;
    if (!(ex.memory instanceof WebAssembly.Memory)) return null;
    for (const name of KERNEL_EXPORT_NAMES) if (typeof ex[name] !== 'function') return null;
    return ex as unknown as WasmKernels;
  } catch {
    return null;
  }
}

/** The kernels, or null when WebAssembly SIMD is unavailable or disabled (TS fallback). */
export function wasmKernels(): WasmKernels | null {
  if (!enabled) return null;
  if (instance === undefined) instance = instantiate();
  return instance;
}

/**
 * Turn the WASM path on or off (parity tests run both; `lab` could expose it). Results do not
 * depend on it, only speed.
 */
export function setWasmEnabled(on: boolean): void {
  enabled = on;
}

const hits = new Map<string, number>();

/**
 * Record that a caller ran its WASM path (one count per call site and call). Parity tests assert
 * the count moved, so a fast path that is silently skipped (unavailable module, a guard that no
 * longer matches) fails the test instead of comparing the TS reference with itself.
 */
export function noteWasmHit(path: string): void {
  hits.set(path, (hits.get(path) ?? 0) + 1);
}

/** How many times `path` ran on WASM since the last reset (tests, bench). */
export function wasmHits(path: string): number {
  return hits.get(path) ?? 0;
}

export function resetWasmHits(): void {
  hits.clear();
}

let lastOwner: object | null = null;
let lastLayout = '';

/** A claimed layout: byte pointers of the regions and whether they still hold the owner's data. */
export interface Claim {
  readonly ptrs: number[];
  /** True when the same owner claimed the same layout last, so persistent regions are intact. */
  readonly kept: boolean;
}

/**
 * Lay out regions of the given byte sizes (16-byte aligned) from the heap base, growing memory as
 * needed. Views of `memory.buffer` taken before a claim may be detached by it: take them after.
 */
export function claim(k: WasmKernels, owner: object, sizes: readonly number[]): Claim {
  const ptrs: number[] = [];
  let p = (k.heapBase() + 15) & ~15;
  for (const s of sizes) {
    ptrs.push(p);
    p += (s + 15) & ~15;
  }
  const have = k.memory.buffer.byteLength;
  if (p > have) k.memory.grow(Math.ceil((p - have) / 65536));
  const layout = sizes.join(',');
  const kept = lastOwner === owner && lastLayout === layout;
  lastOwner = owner;
  lastLayout = layout;
  return { ptrs, kept };
}

/** In-place unnormalised FWHT of a[offset .. offset+n) with the WASM kernel (bench and tests). */
export function fwhtF32Wasm(k: WasmKernels, a: Float32Array, offset: number, n: number): void {
  const { ptrs } = claim(k, fwhtF32Wasm, [n * 4]);
  const view = new Float32Array(k.memory.buffer, ptrs[0], n);
  view.set(a.subarray(offset, offset + n));
  k.fwht_f32(ptrs[0], n);
  a.set(view, offset);
}

/**
 * True when every entry is finite. The linear-algebra kernels skip nothing where the TypeScript
 * references skip exact-zero multipliers; the two agree bit for bit unless a skipped product
 * would have been 0·∞ or 0·NaN, so callers check this and keep non-finite inputs on TypeScript.
 */
export function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}
