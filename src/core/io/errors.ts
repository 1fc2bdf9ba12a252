/**
 * The one error type every reader in `core/io` throws for bad input ("Bad input").
 *
 * Why one class: callers (the CLI maps it to exit code 3, the app shows it and keeps the last good
 * state) need to tell "this file is malformed or unsupported" apart from programming errors with a
 * single `instanceof`. The message is always one line naming the file, the tensor when known and
 * the byte offset when known, e.g.
 *   `model.safetensors: tensor 'w' data [100, 4196) exceeds file size 2048`.
 * Names that come from the file itself are sanitised (control characters escaped, length capped)
 * so a hostile file cannot forge extra lines in logs.
 */

const MAX_NAME_CHARS = 120;

/** Escape control characters and cap the length of a name read from an untrusted file. */
export function printable(name: string): string {
  let out = '';
  for (const ch of name) {
    const c = ch.codePointAt(0) ?? 0;
    out += c < 0x20 || c === 0x7f ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
    if (out.length > MAX_NAME_CHARS) return `${out.slice(0, MAX_NAME_CHARS)}…`;
  }
  return out;
}

export interface DataFileErrorDetails {
  /** Tensor name, when the problem belongs to one tensor. */
  readonly tensor?: string;
  /** Absolute byte offset in the file where the problem was found. */
  readonly offset?: number;
}

export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  readonly file: string;
  readonly tensor?: string;
  readonly offset?: number;

  /**
   * @param file   the file's display name (ByteSource.name)
   * @param detail what is wrong, without the file and tensor prefix
   * @param details tensor and byte offset; the offset is appended as "(at byte N)" unless
   *               `detail` already opens a byte range with it ("data [N, M) …")
   */
  constructor(file: string, detail: string, details: DataFileErrorDetails = {}) {
    const where = details.tensor !== undefined ? `tensor '${printable(details.tensor)}' ` : '';
    const at =
      details.offset !== undefined && !detail.includes(`[${details.offset},`)
        ? ` (at byte ${details.offset})`
        : '';
    super(`${printable(file)}: ${where}${detail}${at}`.replace(/[\r\n]+/g, ' '));
    this.file = file;
    if (details.tensor !== undefined) this.tensor = details.tensor;
    if (details.offset !== undefined) this.offset = details.offset;
  }
}
