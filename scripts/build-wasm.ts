/**
 * `npm run build:wasm`: compile the AssemblyScript SIMD kernels (wasm/assembly/kernels.ts) and
 * embed the bytes as base64 in src/core/wasm/kernels.wasm.ts, together with the TypeScript
 * interface of the module's exports generated from the same source.
 *
 * Why embedded: one TypeScript module loads the same bytes in node (CLI, vitest), in the
 * Vite-built worker and on the page, with no fetch, no bundler asset rule and nothing beyond
 * 'wasm-unsafe-eval' in the CSP. The asc build is deterministic (same compiler version, same
 * flags, same bytes), so the generated file is committed and `--check` verifies it is current.
 *
 * Flags: -O3 with shrink level 0 (speed), the stub runtime (the kernels allocate nothing),
 * --noAssert (no abort import on the hot path) and SIMD (v128), which every engine we target has
 * (Chrome 91, Firefox 89, Safari 16.4, node 16.4).
 *
 * The interface: every exported function of the AssemblyScript source (parsed with the TypeScript
 * compiler's parser, whose grammar AssemblyScript shares) becomes a method of `KernelExports` with
 * its parameter names and JS-side types (AssemblyScript's integer and float types below 64 bits
 * cross the boundary as numbers, i64/u64 as bigint: WebAssembly JS API §"ToJSValue"), plus the
 * exported `memory`; `KERNEL_EXPORT_NAMES` lets the loader check the instance against it. A
 * signature edited in the AssemblyScript source therefore changes the callers' types, and
 * `--check` (run by `npm test`) fails when the committed file was not regenerated.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(ROOT, 'wasm', 'assembly', 'kernels.ts');
const TARGET = join(ROOT, 'src', 'core', 'wasm', 'kernels.wasm.ts');

function compile(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'quantscope-wasm-'));
  try {
    const out = join(dir, 'kernels.wasm');
    const asc = join(ROOT, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
    execFileSync(
      process.execPath,
      [
        asc,
        SOURCE,
        '-O3',
        '--shrinkLevel',
        '0',
        '--runtime',
        'stub',
        '--noAssert',
        '--enable',
        'simd',
        '--outFile',
        out,
      ],
      { stdio: 'inherit' },
    );
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** JS-side type of an AssemblyScript value type at the WebAssembly boundary. */
const JS_TYPES: Readonly<Record<string, string>> = {
  i8: 'number',
  u8: 'number',
  i16: 'number',
  u16: 'number',
  i32: 'number',
  u32: 'number',
  isize: 'number',
  usize: 'number',
  bool: 'number',
  f32: 'number',
  f64: 'number',
  i64: 'bigint',
  u64: 'bigint',
  void: 'void',
};

interface ExportedFunction {
  readonly name: string;
  readonly doc: string;
  readonly params: readonly { name: string; type: string }[];
  readonly returns: string;
}

function jsType(node: ts.TypeNode | undefined, where: string, src: ts.SourceFile): string {
  if (!node) throw new Error(`${where}: an exported kernel needs an explicit type annotation`);
  const t = JS_TYPES[node.getText(src)];
  if (!t) throw new Error(`${where}: type ${node.getText(src)} cannot cross the WebAssembly boundary`);
  return t;
}

/** The exported functions of the AssemblyScript source, in source order. */
export function exportedFunctions(text: string, file = 'wasm/assembly/kernels.ts'): ExportedFunction[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: ExportedFunction[] = [];
  for (const st of src.statements) {
    const exported =
      ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    const line = src.getLineAndCharacterOfPosition(st.getStart(src)).line + 1;
    if (!ts.isFunctionDeclaration(st) || !st.name)
      throw new Error(
        `${file}:${line}: only functions may be exported (the interface is generated from them)`,
      );
    const name = st.name.text;
    const params = st.parameters.map((p) => ({
      name: p.name.getText(src),
      type: jsType(p.type, `${file}:${line} ${name}(${p.name.getText(src)})`, src),
    }));
    const docs = ts.getJSDocCommentsAndTags(st).map((d) => d.getText(src));
    out.push({
      name,
      doc: docs.join('\n'),
      params,
      returns: jsType(st.type, `${file}:${line} ${name}: return`, src),
    });
  }
  return out;
}

async function render(bytes: Buffer, fns: readonly ExportedFunction[]): Promise<string> {
  const b64 = bytes.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 100) lines.push(`  '${b64.slice(i, i + 100)}'`);
  const methods = fns.map((f) => {
    const sig = `  ${f.name}(${f.params.map((p) => `${p.name}: ${p.type}`).join(', ')}): ${f.returns};`;
    return f.doc ? `${f.doc.replace(/^/gm, '  ')}\n${sig}` : sig;
  });
  const text = [
    '// Generated by scripts/build-wasm.ts from wasm/assembly/kernels.ts: do not edit.',
    '',
    '/** The exports of the kernel module, with the JS-side types of their AssemblyScript signatures. */',
    'export interface KernelExports {',
    '  readonly memory: WebAssembly.Memory;',
    ...methods,
    '}',
    '',
    '/** Names of the exported functions, for checking an instance against `KernelExports`. */',
    `export const KERNEL_EXPORT_NAMES = [${fns.map((f) => `'${f.name}'`).join(', ')}] as const;`,
    '',
    `// ${bytes.length} bytes of WebAssembly (SIMD), base64.`,
    'export const KERNELS_WASM_BASE64 =',
    `${lines.join(' +\n')};`,
    '',
  ].join('\n');
  const options = (await prettier.resolveConfig(TARGET)) ?? {};
  return prettier.format(text, { ...options, filepath: TARGET });
}

const text = await render(compile(), exportedFunctions(readFileSync(SOURCE, 'utf8')));
if (process.argv.includes('--check')) {
  const current = readFileSync(TARGET, 'utf8');
  if (current !== text) {
    console.error('src/core/wasm/kernels.wasm.ts is stale: run npm run build:wasm');
    process.exit(1);
  }
  console.log('kernels.wasm.ts is up to date');
} else {
  writeFileSync(TARGET, text);
  console.log(`wrote ${TARGET}`);
}
