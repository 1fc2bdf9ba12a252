/**
 * CLI file data: `data.path` names a .npy/.npz/.safetensors/.gguf/CSV file, or a
 * `*.safetensors.index.json` whose shards are read from the same directory (CONTRACT.md §2).
 * Relative paths resolve against the current directory.
 */
import { dirname, join, resolve } from 'node:path';
import { nodeByteSource } from '../core/io/node-source';
import { DataFileError, type ByteSource } from '../core/io';
import { parseShardIndex } from '../core/io/safetensors';
import { DataError } from '../core/data-loader';
import { ConfigError } from '../config/errors';
import type { ExperimentConfig } from '../config/schema';
import type { LoadedData } from '../compute/experiment';
import { loadFileData } from '../compute/file-data';

async function openSource(path: string): Promise<ByteSource> {
  try {
    return await nodeByteSource(path);
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw new DataFileError(
      path,
      `cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

export async function sourcesForPath(path: string): Promise<ByteSource[]> {
  const full = resolve(path);
  const first = await openSource(full);
  if (!full.toLowerCase().endsWith('.index.json')) return [first];
  const index = await parseShardIndex(first);
  const shards = [...new Set(index.weightMap.values())];
  const dir = dirname(full);
  const out: ByteSource[] = [first];
  for (const shard of shards) {
    if (shard.includes('/') || shard.includes('\\') || shard.startsWith('.')) {
      throw new DataFileError(
        first.name,
        `shard name '${shard}' must be a plain file name in the index's directory`,
      );
    }
    out.push(await openSource(join(dir, shard)));
  }
  return out;
}

export async function loadFileForCli(config: ExperimentConfig): Promise<LoadedData> {
  const path = String(config.data.path ?? '');
  if (path === '') throw new ConfigError('data.path', 'a file path is required when data.source is "file"');
  return loadFileData(config, await sourcesForPath(path));
}

export function isDataFileError(e: unknown): boolean {
  return e instanceof DataFileError || e instanceof DataError;
}
