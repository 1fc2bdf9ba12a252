/**
 * The TypeScript interface of the WASM kernels, read from their AssemblyScript source
 * (wasm/assembly/kernels.ts) by scripts/build-wasm.ts. AssemblyScript shares TypeScript's grammar,
 * so the TypeScript parser reads the exported functions' names, parameter names and declared
 * types; each AssemblyScript value type maps to the JS value it crosses the boundary as
 * (WebAssembly JavaScript Interface, "ToJSValue": i32 and f32/f64 as Number, i64 as BigInt).
 * Pure: no file system, so the mapping is unit-tested (wasm-interface.test.ts).
 */
import ts from 'typescript';

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

export interface ExportedFunction {
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
