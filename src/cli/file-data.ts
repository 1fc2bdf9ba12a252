/**
 * CLI file data: `data.path` names a .npy/.npz/.safetensors/.gguf/CSV file, or a
 * `*.safetensors.index.json` whose shards are read from the same directory (CONTRACT.md §2).
 * Relative paths resolve against the current directory.
 */
import { realpath } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { nodeByteSource } from '../core/io/node-source';
import { DataFileError, type ByteSource } from '../core/io';
import { parseShardIndex } from '../core/io/safetensors';
import { checkExternalLocation, looksLikeOnnxName, parseOnnx } from '../core/io/onnx';
import { DataError } from '../core/data-loader';
import { ConfigError } from '../core/config/errors';
import type { ExperimentConfig } from '../core/config/schema';
import { fileParams } from '../core/config/data-params';
import type { LoadedData } from '../core/methods/types';
import { loadFileData } from '../engine/file-data';

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

/**
 * An ONNX model plus the external data files it names, opened relative to the model's folder
 * and named by their relative location (which is how parseOnnx asks for them). A location that
 * leaves the folder — '..', an absolute path, or a symbolic link pointing outside — is refused.
 */
async function onnxSources(full: string, model: ByteSource): Promise<ByteSource[]> {
  const { externalLocations } = await parseOnnx(model);
  const dir = await realpath(dirname(full));
  const out: ByteSource[] = [model];
  for (const location of externalLocations) {
    const checked = checkExternalLocation(location);
    if ('error' in checked)
      throw new DataFileError(model.name, `external data location '${location}' ${checked.error}`);
    let real: string;
    try {
      real = await realpath(join(dir, checked.path));
    } catch (e) {
      throw new DataFileError(
        model.name,
        `external data '${checked.path}' cannot be opened: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    if (!real.startsWith(dir + sep)) {
      throw new DataFileError(
        model.name,
        `external data '${checked.path}' resolves outside the model's folder`,
      );
    }
    const src = await openSource(real);
    out.push({ name: checked.path, size: src.size, read: (o, n) => src.read(o, n) });
  }
  return out;
}

export async function sourcesForPath(path: string): Promise<ByteSource[]> {
  const full = resolve(path);
  const first = await openSource(full);
  if (looksLikeOnnxName(full)) return onnxSources(full, first);
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
  const { path } = fileParams(config.data);
  if (path === '') throw new ConfigError('data.path', 'a file path is required when data.source is "file"');
  return loadFileData(config, await sourcesForPath(path));
}

export function isDataFileError(e: unknown): boolean {
  return e instanceof DataFileError || e instanceof DataError;
}
