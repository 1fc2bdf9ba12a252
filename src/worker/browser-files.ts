/**
 * Files the user opened in the page, held by the worker (File objects are structured-cloneable;
 * only their headers and the chosen tensor's bytes are ever read, via File.slice).
 */
import {
  fileByteSource,
  openFiles,
  openTensorSet,
  type ByteSource,
  type FileSummary,
  type TensorInfo,
  type TensorSet,
} from '../core/io';
import type { ExperimentConfig } from '../core/config/schema';
import { fileParams } from '../core/config/data-params';
import type { LoadedData } from '../engine/experiment';
import { loadFileData } from '../engine/file-data';

export interface OpenFileSummary {
  readonly files: readonly FileSummary[];
  readonly tensors: readonly TensorInfo[];
}

let sources: ByteSource[] = [];
/** The latest registration: a run that arrives while a (re)started worker is still reading the
 * headers of the user's files waits for it instead of failing for want of the file. */
let registering: Promise<unknown> = Promise.resolve();

export async function registerFiles(files: readonly File[]): Promise<OpenFileSummary> {
  const next = files.map((f) => fileByteSource(f));
  const opening = openFiles(next);
  registering = opening.catch(() => undefined);
  const opened = await opening;
  sources = next;
  return opened;
}

export async function loadFileForBrowser(config: ExperimentConfig): Promise<LoadedData> {
  await registering;
  const name = fileParams(config.data).path;
  if (sources.length === 0) {
    throw new Error(
      `this link uses data from the file ${name ? `"${name}"` : ''}: open it in the data panel to run it`,
    );
  }
  return loadFileData(config, sources);
}

/** The opened files as one TensorSet (headers read once) for a checkpoint sweep. */
export async function registeredTensorSet(): Promise<TensorSet> {
  await registering;
  if (sources.length === 0) {
    throw new Error('a checkpoint sweep needs its file(s): open them in the data panel to run it');
  }
  return openTensorSet(sources);
}
