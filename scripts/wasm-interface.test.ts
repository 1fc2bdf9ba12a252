/**
 * The generated WASM interface: AssemblyScript signatures map to the JS types of the WebAssembly
 * JavaScript Interface ("ToJSValue": 32-bit integers and floats as Number, i64 as BigInt), and the
 * committed interface lists exactly the source's exported functions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_EXPORT_NAMES } from '../src/core/wasm/kernels.wasm';
import { exportedFunctions } from './wasm-interface';

describe('exportedFunctions', () => {
  it('reads exported functions with JS-side types and skips internal ones', () => {
    const src = [
      'const LANES: i32 = 16;',
      'function helper(p: usize): v128 { return v128.load(p); }',
      '/** Doc of a. */',
      'export function a(p: usize, n: i32, x: f64, big: i64, flag: bool): void {}',
      'export function b(): u32 { return 1; }',
    ].join('\n');
    expect(exportedFunctions(src, 'k.ts')).toEqual([
      {
        name: 'a',
        doc: '/** Doc of a. */',
        params: [
          { name: 'p', type: 'number' },
          { name: 'n', type: 'number' },
          { name: 'x', type: 'number' },
          { name: 'big', type: 'bigint' },
          { name: 'flag', type: 'number' },
        ],
        returns: 'void',
      },
      { name: 'b', doc: '', params: [], returns: 'number' },
    ]);
  });

  it('refuses what cannot cross the boundary, naming file, line and parameter', () => {
    expect(() => exportedFunctions('\nexport function f(v: v128): void {}', 'k.ts')).toThrow(
      'k.ts:2 f(v): type v128 cannot cross the WebAssembly boundary',
    );
    expect(() => exportedFunctions('export function f(n) {}', 'k.ts')).toThrow(/explicit type annotation/);
    expect(() => exportedFunctions('export const X: i32 = 1;', 'k.ts')).toThrow(
      /only functions may be exported/,
    );
  });

  it('the committed interface names every exported kernel of the source', () => {
    const source = readFileSync(join(__dirname, '..', 'wasm', 'assembly', 'kernels.ts'), 'utf8');
    expect([...KERNEL_EXPORT_NAMES]).toEqual(exportedFunctions(source).map((f) => f.name));
  });
});
