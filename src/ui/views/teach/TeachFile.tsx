/**
 * Real tensors in the teaching widgets: a config whose data is a file (the link records the file's
 * name, the tensor and its SHA-256, like the lab's file data) shows which file and tensor the rows
 * come from, takes the file from an open lab tab when one offers it (bridge/teach-client.ts), and
 * otherwise asks for it with the link's name and hash. The teaching worker reads only the chosen
 * tensor and refuses one whose SHA-256 differs from the link's (engine/file-data.ts).
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { ExperimentConfig } from '../../../core/config/schema';
import { fileParams } from '../../../core/config/data-params';
import { baseName, decideOpenedFiles } from '../../../engine/file-link';
import { askLabForFile, needsFile, openTeachFiles, useTeachFiles } from '../../bridge/teach-client';
import { useLab } from '../../state/store';

export function TeachFileGate({ config, children }: { config: ExperimentConfig; children: ReactNode }) {
  const file = needsFile(config);
  const files = useTeachFiles();
  const [asking, setAsking] = useState(file && files.epoch === 0);
  const [notice, setNotice] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const { path, tensor, sha256: sha } = fileParams(config.data);

  useEffect(() => {
    if (!file || useTeachFiles.getState().epoch > 0 || path === '') {
      setAsking(false);
      return;
    }
    let live = true;
    setAsking(true);
    void askLabForFile(baseName(path)).then(async (offered) => {
      if (offered && live) await openTeachFiles(offered, 'lab');
      if (live) setAsking(false);
    });
    return () => {
      live = false;
    };
  }, [file, path]);

  if (!file) return <>{children}</>;

  const pick = async (list: FileList | null) => {
    const picked = list ? Array.from(list) : [];
    if (!(await openTeachFiles(picked, 'picked'))) return;
    const summary = useTeachFiles.getState().summary;
    if (!summary) return;
    const c = useLab.getState().config;
    const decision = decideOpenedFiles(
      c.data,
      picked.map((f) => f.name),
      summary.tensors,
    );
    setNotice(decision.notice ?? null);
    if (decision.action === 'switch' && decision.tensor)
      useLab.getState().setConfig({
        ...c,
        data: {
          ...c.data,
          path: decision.tensor.file,
          tensor: summary.tensors.length > 1 ? decision.tensor.name : '',
          sha256: '',
        },
      });
  };
  const tensors = files.summary?.tensors.filter((t) => t.supported) ?? [];
  const setTensor = (name: string) => {
    const c = useLab.getState().config;
    useLab.getState().setConfig({ ...c, data: { ...c.data, tensor: name, sha256: '' } });
  };
  const what = (
    <>
      {tensor ? (
        <>
          tensor <b>{tensor}</b> of{' '}
        </>
      ) : (
        'the tensor in '
      )}
      the file <b>{baseName(path) || '(unnamed)'}</b>
      {sha ? <span className="muted"> (SHA-256 {sha.slice(0, 12)}…)</span> : ''}
    </>
  );
  const ready = files.epoch > 0;

  return (
    <>
      <div className="teach-file" data-testid="teach-file">
        {ready ? (
          <p className="small">
            Rows of {what}
            {files.from === 'lab' ? ', taken from the lab tab' : ''}.
          </p>
        ) : asking ? (
          <p className="small" role="status">
            Looking for {what} in an open lab tab…
          </p>
        ) : (
          <p className="small" role="status" data-testid="teach-file-needed">
            This view uses rows of {what}. Open that file here to continue (it is read in this tab and never
            uploaded; its tensor must hash to the link’s SHA-256).
          </p>
        )}
        <div className="teach-file-actions">
          <button type="button" className="teach-file-pick" onClick={() => input.current?.click()}>
            {ready ? 'open another file…' : 'open the file…'}
          </button>
          <input
            ref={input}
            type="file"
            className="visually-hidden"
            tabIndex={-1}
            aria-hidden="true"
            onChange={(e) => void pick(e.target.files)}
            data-testid="teach-file-input"
          />
          {ready && tensors.length > 1 && (
            <label>
              tensor
              <select
                value={tensor}
                onChange={(e) => setTensor(e.target.value)}
                data-testid="teach-file-tensor"
              >
                {!tensors.some((t) => t.name === tensor) && <option value={tensor}>{tensor || '—'}</option>}
                {tensors.map((t) => (
                  <option key={`${t.file}/${t.name}`} value={t.name}>
                    {t.name} [{t.shape.join('×')}]
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        {files.busy && <p className="small muted">reading the file’s header…</p>}
        {files.error && (
          <p className="teach-error" role="alert" data-testid="teach-file-error">
            {files.error}
          </p>
        )}
        {notice && (
          <p className="small muted" role="status">
            {notice}
          </p>
        )}
      </div>
      {ready && children}
    </>
  );
}
