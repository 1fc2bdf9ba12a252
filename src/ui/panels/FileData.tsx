/**
 * File data in the page: drag-and-drop or a file picker, the tensor inventory (a
 * searchable, sortable table: TensorInventory.tsx) with the checkpoint sweep's controls, the layout (which axis holds the vectors), row/column slices and seeded
 * row subsampling. Files go to the worker, which reads only headers and the chosen tensor's bytes.
 *
 * A permalink records file name, tensor, slice and the tensor's SHA-256; opening one asks for the
 * file, matches it by base name (CLI links carry full paths; see compute/file-link.ts), keeps the
 * link's tensor and layout or says why it cannot, and the worker refuses a file whose tensor
 * hashes differently.
 */
import { useCallback, useId, useState, type DragEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { computeClient } from '../bridge/client';
import { offerFilesToTeach } from '../bridge/teach-client';
import type { OpenFileSummary } from '../../worker/browser-files';
import { decideOpenedFiles } from '../../engine/file-link';
import { fileSource } from '../../core/methods/data/file';
import { fileParams } from '../../core/config/data-params';
import { withDefaults } from '../../core/methods/params';
import { useLab } from '../state/store';
import { ParamControl } from './ParamControl';
import { TensorInventory, formatBytes } from './TensorInventory';
import { SweepControls, useFilesEpoch } from './CheckpointView';
import type { TensorInfo } from '../../core/io';

/** Default row cap when a tensor is larger than is pleasant live (labelled in the UI). */
const LIVE_ROW_CAP = 4096;

export function useOpenFiles() {
  const [opened, setOpened] = useState<OpenFileSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const queryClient = useQueryClient();
  const open = useCallback(
    async (files: readonly File[]) => {
      if (files.length === 0) return;
      setBusy(true);
      setError(null);
      setNotice(null);
      try {
        const summary = await computeClient.openFiles(files);
        offerFilesToTeach(files); // teaching tabs opened from this lab can take the file (teach-client.ts)
        setOpened(summary);
        useFilesEpoch.getState().bump();
        if (summary.tensors.length === 0) {
          setError(`${files.map((f) => f.name).join(', ')}: no tensors found`);
          return;
        }
        const c = useLab.getState().config;
        // A link's file is matched by base name (a CLI link records a full path) and proven by
        // the tensor's SHA-256 when it runs; its tensor and layout are never switched silently.
        const decision = decideOpenedFiles(
          c.data,
          files.map((f) => f.name),
          summary.tensors,
        );
        setNotice(decision.notice ?? null);
        if (decision.action === 'keep') {
          // A sweep link names no tensor: show the first one in the single-tensor lab below.
          const shown = summary.tensors.find((t) => t.supported) ?? summary.tensors[0];
          if (c.sweep && fileParams(c.data).tensor === '' && summary.tensors.length > 1)
            useLab.getState().setConfig({ ...c, data: { ...c.data, tensor: shown.name } });
          // Re-run the queries that failed for want of the file.
          void queryClient.resetQueries({ queryKey: ['run'] });
          return;
        }
        const first = summary.tensors.find((t) => t.name === decision.tensor?.name) ?? summary.tensors[0];
        const tooManyRows = first.rows > LIVE_ROW_CAP;
        useLab.getState().setConfig({
          ...c,
          data: {
            source: fileSource.id,
            ...withDefaults(fileSource.params, {
              path: first.file,
              tensor: summary.tensors.length > 1 ? first.name : '',
              maxRows: tooManyRows ? LIVE_ROW_CAP : 0,
            }),
          },
        });
      } catch (e) {
        setError((e as Error).message);
      } finally {
        setBusy(false);
      }
    },
    [queryClient],
  );
  return { opened, error, notice, busy, open };
}

export function FileDropZone({ onFiles, busy }: { onFiles: (files: File[]) => void; busy: boolean }) {
  const inputId = useId();
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    onFiles(Array.from(e.dataTransfer.files));
  };
  return (
    <div
      className={`dropzone${over ? ' over' : ''}`}
      data-testid="file-dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <label htmlFor={inputId} className="file-button">
        {busy ? 'Reading headers…' : 'Open tensor file(s)…'}
      </label>
      <input
        id={inputId}
        data-testid="file-input"
        type="file"
        multiple
        accept=".npy,.npz,.safetensors,.json,.gguf,.onnx,.data,.pt,.pth,.bin,.csv,.tsv,.txt"
        className="visually-hidden"
        onChange={(e) => onFiles(Array.from(e.target.files ?? []))}
      />
      <span className="hint">
        {' '}
        or drop .safetensors (+ index.json for shards), .npy, .npz, .gguf, .onnx (+ its external data file),
        PyTorch .pt/.pth/.bin, CSV here
      </span>
    </div>
  );
}

export function TensorPicker({ opened }: { opened: OpenFileSummary }) {
  const data = useLab((s) => s.config.data);
  const sweep = useLab((s) => s.config.sweep);
  const setDataParam = useLab((s) => s.setDataParam);
  const { tensor, maxRows } = fileParams(data);
  const current =
    opened.tensors.find((t) => t.name === tensor) ??
    (opened.tensors.length === 1 ? opened.tensors[0] : undefined);
  const pick = (t: TensorInfo) => {
    const c = useLab.getState().config;
    useLab.getState().setConfig({
      ...c,
      data: {
        ...c.data,
        path: t.file,
        tensor: t.name,
        sha256: '',
        rowStart: 0,
        rowEnd: 0,
        colStart: 0,
        colEnd: 0,
        maxRows: t.rows > LIVE_ROW_CAP ? LIVE_ROW_CAP : 0,
      },
    });
  };
  return (
    <div className="tensor-picker" data-testid="tensor-picker">
      {opened.tensors.length > 1 && (
        <>
          <TensorInventory tensors={opened.tensors} current={current?.name} onPick={pick} />
          <SweepControls sweep={sweep} />
        </>
      )}
      {current && (
        <p className="hint" data-testid="tensor-info">
          {current.file}: {current.name}, shape [{current.shape.join(', ')}], {current.dtype},{' '}
          {formatBytes(current.byteSize)}
          {current.note ? ` (${current.note})` : ''}. As a matrix: {current.rows} rows × {current.cols}{' '}
          columns
          {current.shape.length > 2 ? ' (trailing axes flattened, e.g. conv kernels [out, in·kh·kw])' : ''}.
        </p>
      )}
      <div className="param-grid">
        {(sweep
          ? (['layout', 'maxRows', 'nonFinite'] as const)
          : (['layout', 'rowStart', 'rowEnd', 'colStart', 'colEnd', 'maxRows', 'nonFinite'] as const)
        ).map((name) => (
          <ParamControl
            key={name}
            name={name}
            spec={fileSource.params[name]}
            value={data[name]}
            onChange={(v) => setDataParam(name, v)}
            testId={`file-${name}`}
          />
        ))}
      </div>
      {maxRows > 0 && current && current.rows > maxRows && (
        <p className="hint subsample-note" data-testid="subsample-note">
          Showing a seeded random subsample of {String(maxRows)} of {current.rows} rows (seed = experiment
          seed).
        </p>
      )}
    </div>
  );
}
