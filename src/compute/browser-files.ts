/**
 * Files the user opened in the page, held by the worker (File objects are structured-cloneable;
 * only their headers and the chosen tensor's bytes are ever read, via File.slice).
 */
import { fileByteSource, openFiles, type ByteSource, type FileSummary, type TensorInfo } from '../core/io';
import type { ExperimentConfig } from '../config/schema';
import type { LoadedData } from './experiment';
import { loadFileData } from './file-data';

export interface OpenFileSummary {
  readonly files: readonly FileSummary[];
  readonly tensors: readonly TensorInfo[];
}

let sources: ByteSource[] = [];

export async function registerFiles(files: readonly File[]): Promise<OpenFileSummary> {
  const next = files.map((f) => fileByteSource(f));
  const opened = await openFiles(next);
  sources = next;
  return opened;
}

export async function loadFileForBrowser(config: ExperimentConfig): Promise<LoadedData> {
  const name = String(config.data.path ?? '');
  if (sources.length === 0) {
    throw new Error(
      `this link uses data from the file ${name ? `"${name}"` : ''}: open it in the data panel to run it`,
    );
  }
  return loadFileData(config, sources);
}
