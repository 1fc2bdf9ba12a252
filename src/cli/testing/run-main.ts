/**
 * Test support for the CLI's tests: run `main(args)` in this process with stdout and stderr
 * captured (and, optionally, stdin replaced), returning the exit code and both texts.
 */
import type { Readable } from 'node:stream';
import { vi } from 'vitest';
import { main } from '../main';

export async function runMain(
  args: readonly string[],
  stdin?: Readable,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const saved = Object.getOwnPropertyDescriptor(process, 'stdin');
  if (stdin) Object.defineProperty(process, 'stdin', { value: stdin, configurable: true });
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    if (stdin && saved) Object.defineProperty(process, 'stdin', saved);
  }
}
