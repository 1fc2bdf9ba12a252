/**
 * `npm run -s lab -- tensors FILE... [--json]`: the tensor inventory of each FILE (a tensor file,
 * a `*.index.json` of a sharded checkpoint, or an ONNX model with its external data), listed
 * from headers only. JSON: `{"tensors":[{"name","shape","dtype","bytes","file","layoutHint"?}]}`.
 */
import { formatInventory, inventoryJson, tensorInventory, type InventoryEntry } from '../core/io/inventory';
import { sourcesForPath } from './file-data';

/**
 * The inventory of each path in turn (a file, a `*.index.json` with its shards, or an ONNX model
 * with its external data). Each path is listed on its own, so two copies of one model (ONNX and
 * safetensors) can be listed side by side although their tensor names coincide.
 */
export async function inventoryForPaths(paths: readonly string[]): Promise<InventoryEntry[]> {
  const all: InventoryEntry[] = [];
  for (const p of paths) all.push(...(await tensorInventory(await sourcesForPath(p))));
  return all;
}

export async function tensorsCommand(files: readonly string[], opts: { json?: boolean }): Promise<string> {
  const all = await inventoryForPaths(files);
  return opts.json ? `${inventoryJson(all)}\n` : formatInventory(all);
}
