/**
 * Reopening a file link in the page. A link made by the CLI records the file's path as typed on
 * the command line (often absolute: '/data/ckpt/model.safetensors'); the page only ever sees base
 * names ('model.safetensors'). So files are matched by base name, and identity is then proven by
 * the SHA-256 of the tensor's bytes, which `loadFileData` checks before anything runs.
 *
 * The rule the page follows (`decideOpenedFiles`): when the files the user opens include the
 * link's file, the link's tensor, layout, slice and hash are kept exactly; anything that cannot
 * be honoured (the tensor is not in the file, the link names no tensor but the file holds
 * several) is said in a notice instead of silently picking another tensor. When the user opens
 * other files, the lab switches to them and says what it switched from and to.
 */
import type { ExperimentConfig } from '../core/config/schema';
import { readsBytes } from '../core/methods';
import { fileParams } from '../core/config/data-params';

/** Base name of a path written on any OS ('C:\\a\\b.npy' and '/a/b.npy' both give 'b.npy'). */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

export interface OpenedTensor {
  readonly name: string;
  readonly file: string;
  readonly supported: boolean;
}

export interface OpenDecision {
  /** 'keep': leave the link's data settings untouched; 'switch': point the lab at `tensor`. */
  readonly action: 'keep' | 'switch';
  /** The tensor to switch to (action 'switch'). */
  readonly tensor?: OpenedTensor;
  /** What the user must be told, or undefined when nothing about the link changed or failed. */
  readonly notice?: string;
}

/**
 * Decide what opening `fileNames` (base names, as the browser gives them) does to the current
 * data settings `data`, given the tensors the files hold.
 */
export function decideOpenedFiles(
  data: ExperimentConfig['data'],
  fileNames: readonly string[],
  tensors: readonly OpenedTensor[],
): OpenDecision {
  const first = tensors.find((t) => t.supported) ?? tensors[0];
  const file = fileParams(data);
  const linkPath = readsBytes(data.source) ? file.path : '';
  if (linkPath === '') return { action: 'switch', ...(first ? { tensor: first } : {}) };
  const linkFile = baseName(linkPath);
  const { tensor: linkTensor, layout, sha256: hash } = file;
  if (fileNames.some((f) => baseName(f) === linkFile)) {
    const hashNote = hash
      ? ` Its SHA-256 (${hash.slice(0, 12)}…) is checked before anything runs.`
      : ' The link carries no SHA-256, so the file is trusted by its name.';
    if (linkTensor !== '' && !tensors.some((t) => t.name === linkTensor)) {
      return {
        action: 'keep',
        notice: `The link's tensor '${linkTensor}' is not in ${linkFile}; nothing was switched. Open the file the link was made with, or pick a tensor.`,
      };
    }
    if (linkTensor === '' && tensors.length !== 1) {
      return {
        action: 'keep',
        notice: `The link names no tensor, but ${linkFile} holds ${tensors.length}; nothing was switched. Pick a tensor.`,
      };
    }
    return {
      action: 'keep',
      ...(linkPath !== linkFile || hash !== ''
        ? {
            notice: `Kept the link's settings for ${linkFile}${linkPath !== linkFile ? ` (recorded as ${linkPath}, matched by name)` : ''}: tensor ${linkTensor === '' ? '(the only one)' : `'${linkTensor}'`}, layout ${layout}.${hashNote}`,
          }
        : {}),
    };
  }
  if (!first) return { action: 'switch' };
  const was = linkTensor === '' ? linkFile : `'${linkTensor}' of ${linkFile}`;
  return {
    action: 'switch',
    tensor: first,
    notice: `The lab was using ${was} (layout ${layout}); you opened ${fileNames.join(', ')}, so it now shows tensor '${first.name}' (layout rows-first).`,
  };
}

/**
 * The permalink config of a finished file run, with the SHA-256 of the tensor it read pinned in
 * `data.sha256` (when the config did not pin one): a link from the CLI then identifies the exact
 * tensor bytes, and the page refuses a different file of the same name.
 */
export function pinFileHash(config: ExperimentConfig, sha256: string | undefined): ExperimentConfig {
  if (!readsBytes(config.data.source) || !sha256 || fileParams(config.data).sha256 !== '') return config;
  return { ...config, data: { ...config.data, sha256 } };
}
