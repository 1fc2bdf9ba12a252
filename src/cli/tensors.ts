/**
 * `npm run -s lab -- tensors FILE... [--json]`: the tensor inventory of each FILE (a tensor file,
 * a `*.index.json` of a sharded checkpoint, or an ONNX model with its external data), listed
 * from headers only. JSON: `{"tensors":[{"name","shape","dtype","bytes","file","layoutHint"?}]}`.
 */
import { formatInventory, inventoryJson, tensorInventory, type InventoryEntry } from '../core/io/inventory';
import { sourcesForPath } from './file-data';

export async function tensorsCommand(files: readonly string[], opts: { json?: boolean }): Promise<string> {
  const all: InventoryEntry[] = [];
  // Each FILE is listed on its own, so two copies of one model (ONNX and safetensors) can be
  // listed side by side although their tensor names coincide.
  for (const f of files) all.push(...(await tensorInventory(await sourcesForPath(f))));
  return opts.json ? `${inventoryJson(all)}\n` : formatInventory(all);
}
