/**
 * Tensor inventory: every tensor of a file, a sharded checkpoint (its `*.index.json` plus the
 * shards) or an ONNX model with its external data — name, shape, dtype, stored bytes, file and,
 * when the format says so, the storage layout. Headers only: nothing is decoded.
 *
 * This is what `lab tensors` prints and what a checkpoint sweep iterates over. Names come from
 * the file and are hostile input: `formatInventory` escapes control characters (C0, DEL, C1) and
 * Unicode bidirectional overrides, and `inventoryJson` leaves the names exact but writes those
 * characters as \u escapes, so neither output can move the cursor or reorder a terminal line.
 */
import { listTensors } from './index';
import type { ByteSource } from './source';
import { formatBytes, type TensorInfo } from './tensor';

export interface InventoryEntry {
  readonly name: string;
  /** Row-major shape (numpy / PyTorch order; GGUF's ne reversed). */
  readonly shape: readonly number[];
  /** Stored element type in the file's own spelling ('F32', 'FLOAT', 'bfloat16', 'Q4_0', '<f4'). */
  readonly dtype: string;
  /** Bytes of stored tensor data. */
  readonly bytes: number;
  /** Display name (base name) of the file holding it. */
  readonly file: string;
  /** 'in-out' when the file says the matrix is stored [in, out] (TensorInfo.layoutHint). */
  readonly layoutHint?: 'in-out';
}

export function inventoryEntry(t: TensorInfo): InventoryEntry {
  return {
    name: t.name,
    shape: t.shape,
    dtype: t.dtype,
    bytes: t.byteSize,
    file: t.file,
    ...(t.layoutHint ? { layoutHint: t.layoutHint } : {}),
  };
}

/** Every tensor the sources hold, in file order (see listTensors for how sources combine). */
export async function tensorInventory(sources: readonly ByteSource[]): Promise<InventoryEntry[]> {
  return (await listTensors(sources)).map(inventoryEntry);
}

// C0 controls, DEL, C1 controls, and the bidi embedding/override/isolate characters.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** A name read from a file, made safe to print on a terminal (\xNN / \uNNNN escapes). */
export function escapeForTerminal(s: string): string {
  return s.replace(UNSAFE, (ch) => {
    const c = ch.charCodeAt(0);
    return c < 0x100 ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
  });
}

/** What JSON.stringify leaves raw but a terminal may act on: DEL, C1 controls, bidi controls. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `{"tensors": [...]}` as JSON text, with terminal-unsafe characters \u-escaped. */
export function inventoryJson(entries: readonly InventoryEntry[]): string {
  // JSON.stringify already escapes C0 controls inside strings.
  return JSON.stringify({ tensors: entries }, null, 2).replace(
    UNSAFE_IN_JSON,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A plain-text table: name, shape, dtype, size, file (and layout when known), then a total. */
export function formatInventory(entries: readonly InventoryEntry[]): string {
  const withLayout = entries.some((e) => e.layoutHint !== undefined);
  const header = ['name', 'shape', 'dtype', 'bytes', 'file', ...(withLayout ? ['layout'] : [])];
  const rows = entries.map((e) => [
    escapeForTerminal(e.name),
    `[${e.shape.join(', ')}]`,
    escapeForTerminal(e.dtype),
    String(e.bytes),
    escapeForTerminal(e.file),
    ...(withLayout ? [e.layoutHint ?? ''] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const total = entries.reduce((s, e) => s + e.bytes, 0);
  const params = entries.reduce((s, e) => s + e.shape.reduce((p, d) => p * d, 1), 0);
  return `${[
    fmt(header),
    fmt(header.map((_, i) => '-'.repeat(widths[i]))),
    ...rows.map(fmt),
    `${entries.length} tensors, ${params} elements, ${formatBytes(total)}`,
  ].join('\n')}\n`;
}
