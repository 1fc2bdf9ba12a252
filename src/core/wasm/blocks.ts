/**
 * Streaming driver for the block-scaled quantizer kernels (wasm/assembly/kernels.ts: block_absmax,
 * block_minmax, int_sym_apply, int_asym_apply, e2m1_apply), shared by int.ts, mxfp4.ts and
 * nvfp4.ts.
 *
 * Layout: rows × d float32, blocks of g consecutive coordinates that never cross a row (the last
 * block of a row may be shorter), numbered row by row. Two passes, each in slices of at most
 * SLICE_ELEMS coordinates (see kernels.ts for why slices): `blockStats` returns every block's
 * statistic; the caller derives the block parameters in TypeScript with its own reference scale
 * rounding (fp16, E8M0, UE4M3), then `blockApply` rounds the elements. A block longer than a slice
 * (tensor or row granularity on long rows) is cut into pieces whose statistics are reduced here:
 * max and min are exact and independent of order, so the result equals the one-pass reference.
 */
import type { MinifloatFormat } from '../formats/minifloat';
import { claim, SLICE_ELEMS, type WasmKernels } from './kernels';

/** One kernel call: `rows` rows of `d` coordinates starting at `start`, blocks of g, first block index. */
interface Segment {
  readonly start: number;
  readonly rows: number;
  readonly d: number;
  readonly g: number;
  readonly firstBlock: number;
  readonly blocks: number;
  /** True when the segment is a piece of one longer block (its statistic must be reduced). */
  readonly piece: boolean;
}

export function blockCount(rows: number, d: number, g: number): number {
  return rows * Math.ceil(d / g);
}

function* segments(rows: number, d: number, g: number, slice: number): Generator<Segment> {
  const perRow = Math.ceil(d / g);
  if (g > slice) {
    // Long blocks: each block in pieces of `slice` coordinates.
    for (let r = 0; r < rows; r++) {
      for (let b = 0; b < perRow; b++) {
        const from = r * d + b * g;
        const end = r * d + Math.min((b + 1) * g, d);
        for (let s = from; s < end; s += slice) {
          const len = Math.min(slice, end - s);
          yield { start: s, rows: 1, d: len, g: len, firstBlock: r * perRow + b, blocks: 1, piece: true };
        }
      }
    }
    return;
  }
  if (d <= slice) {
    const chunkRows = Math.max(1, Math.floor(slice / d));
    for (let r = 0; r < rows; r += chunkRows) {
      const n = Math.min(chunkRows, rows - r);
      yield { start: r * d, rows: n, d, g, firstBlock: r * perRow, blocks: n * perRow, piece: false };
    }
    return;
  }
  // Long rows, short blocks: pieces of whole blocks within each row.
  const cols = Math.floor(slice / g) * g;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < d; c += cols) {
      const len = Math.min(cols, d - c);
      yield {
        start: r * d + c,
        rows: 1,
        d: len,
        g,
        firstBlock: r * perRow + c / g,
        blocks: Math.ceil(len / g),
        piece: false,
      };
    }
  }
}

function layout(k: WasmKernels, owner: object) {
  const { ptrs } = claim(k, owner, [SLICE_ELEMS * 4, SLICE_ELEMS * 4, SLICE_ELEMS * 8, SLICE_ELEMS * 8]);
  const [inP, outP, aP, bP] = ptrs;
  return {
    inP,
    outP,
    aP,
    bP,
    src: new Float32Array(k.memory.buffer, inP, SLICE_ELEMS),
    dst: new Float32Array(k.memory.buffer, outP, SLICE_ELEMS),
    a: new Float64Array(k.memory.buffer, aP, SLICE_ELEMS),
    b: new Float64Array(k.memory.buffer, bP, SLICE_ELEMS),
  };
}

/**
 * Per-block max |x| ('absmax'), or min(0, min x) and max(0, max x) ('minmax'), for every block.
 * `slice` (tests only) overrides SLICE_ELEMS to exercise the piece paths on small inputs.
 */
export function blockStats(
  k: WasmKernels,
  input: Float32Array,
  rows: number,
  d: number,
  g: number,
  stat: 'absmax' | 'minmax',
  slice = SLICE_ELEMS,
): { a: Float64Array; b: Float64Array | null } {
  const total = blockCount(rows, d, g);
  const a = new Float64Array(total);
  const b = stat === 'minmax' ? new Float64Array(total) : null;
  const m = layout(k, blockStats);
  for (const s of segments(rows, d, g, Math.min(slice, SLICE_ELEMS))) {
    const len = s.rows * s.d;
    m.src.set(input.subarray(s.start, s.start + len));
    if (b) k.block_minmax(m.inP, s.rows, s.d, s.g, m.aP, m.bP);
    else k.block_absmax(m.inP, s.rows, s.d, s.g, m.aP);
    if (!s.piece) {
      a.set(m.a.subarray(0, s.blocks), s.firstBlock);
      b?.set(m.b.subarray(0, s.blocks), s.firstBlock);
      continue;
    }
    // Reduce a piece into its block (pieces start from the reference's initial 0).
    const i = s.firstBlock;
    if (b) {
      if (m.a[0] < a[i]) a[i] = m.a[0];
      if (m.b[0] > b[i]) b[i] = m.b[0];
    } else if (m.a[0] > a[i]) a[i] = m.a[0];
  }
  return { a, b };
}

/**
 * Round every element: `apply(inP, rows, d, g, aP, bP, outP)` runs one of the *_apply kernels on a
 * segment with that segment's block parameters (pa, and pb when given) copied to aP / bP.
 */
export function blockApply(
  k: WasmKernels,
  input: Float32Array,
  rows: number,
  d: number,
  g: number,
  out: Float32Array,
  pa: Float64Array,
  pb: Float64Array | null,
  apply: (inP: number, rows: number, d: number, g: number, aP: number, bP: number, outP: number) => void,
  slice = SLICE_ELEMS,
): void {
  const m = layout(k, blockStats);
  for (const s of segments(rows, d, g, Math.min(slice, SLICE_ELEMS))) {
    const len = s.rows * s.d;
    m.src.set(input.subarray(s.start, s.start + len));
    m.a.set(pa.subarray(s.firstBlock, s.firstBlock + s.blocks));
    if (pb) m.b.set(pb.subarray(s.firstBlock, s.firstBlock + s.blocks));
    apply(m.inP, s.rows, s.d, s.g, m.aP, m.bP, m.outP);
    out.set(m.dst.subarray(0, len), s.start);
  }
}

/**
 * In place: values[i] = roundValue(f, values[i]) (nearest even, saturating: minifloat.ts) with the
 * WASM kernel `minifloat_round`, for per-block scales (NVFP4's UE4M3).
 */
export function roundMinifloatInPlace(k: WasmKernels, values: Float64Array, f: MinifloatFormat): void {
  const { ptrs } = claim(k, roundMinifloatInPlace, [SLICE_ELEMS * 8]);
  const view = new Float64Array(k.memory.buffer, ptrs[0], SLICE_ELEMS);
  for (let i = 0; i < values.length; i += SLICE_ELEMS) {
    const n = Math.min(SLICE_ELEMS, values.length - i);
    view.set(values.subarray(i, i + n));
    k.minifloat_round(ptrs[0], n, f.mbits, f.emin, f.maxFinite, f.hasInf ? 1 : 0, f.signed ? 1 : 0);
    values.set(view.subarray(0, n), i);
  }
}
