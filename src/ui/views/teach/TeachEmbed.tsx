/**
 * The teaching widgets' page (`?embed=step|block|codebook|lesson`, config in `#c=`): one widget
 * with minimal chrome, light/dark (`&theme=` pins it, as for chart embeds), links between the
 * widgets for the same config and back to the full lab.
 */
import { useEffect } from 'react';
import { declaredShape, fileParams } from '../../../core/config/data-params';
import type { DataConfig } from '../../../core/config/schema';
import { useLab } from '../../state/store';
import { BlockInspector } from './BlockInspector';
import { CodebookLab } from './CodebookLab';
import { LessonView } from './LessonView';
import { StepThrough } from './StepThrough';
import { TeachFileGate } from './TeachFile';
import { TEACH_IDS, TEACH_TITLES, type TeachId } from './params';
import '../../app/sharing.css';
import './teach.css';

function viewUrl(id: TeachId): string {
  const url = new URL(window.location.href);
  const theme = url.searchParams.get('theme');
  url.search = '';
  url.searchParams.set('embed', id);
  if (theme === 'dark' || theme === 'light') url.searchParams.set('theme', theme);
  return url.toString();
}

function labUrl(): string {
  const url = new URL(window.location.href);
  url.search = '';
  return url.toString();
}

/** "file w.npy · layer.0" or "gaussian 256×1024": the embed footer's data, in one line. */
function dataLine(data: DataConfig): string {
  if (data.source === 'file') {
    const { path, tensor } = fileParams(data);
    return `file ${path}${tensor ? ` · ${tensor}` : ''}`;
  }
  const shape = declaredShape(data);
  return `${data.source} ${shape?.rows ?? ''}×${shape?.dim ?? ''}`;
}

export function TeachEmbed({ id }: { id: TeachId }) {
  const config = useLab((s) => s.config);
  const notice = useLab((s) => s.notice);
  const theme = useLab((s) => s.theme);
  const setTheme = useLab((s) => s.setTheme);
  useEffect(() => {
    const t = new URLSearchParams(window.location.search).get('theme');
    if (t === 'dark' || t === 'light') setTheme(t);
    document.documentElement.classList.add('embed-mode', 'teach-mode');
    return () => document.documentElement.classList.remove('embed-mode', 'teach-mode');
  }, [setTheme]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    document.title = `${TEACH_TITLES[id]} · QuantScope`;
  }, [id]);

  const view = (which: TeachId, key?: string) =>
    which === 'block' ? (
      <BlockInspector key={key} config={config} />
    ) : which === 'codebook' ? (
      <CodebookLab key={key} />
    ) : which === 'step' ? (
      <StepThrough key={key} config={config} />
    ) : null;
  const dataView = (which: TeachId) =>
    which === 'step' || which === 'block' ? (
      <TeachFileGate config={config}>{view(which)}</TeachFileGate>
    ) : (
      view(which)
    );

  return (
    <div className="embed teach" data-testid="embed" data-embed={id}>
      <nav className="teach-nav no-print" aria-label="teaching views">
        {TEACH_IDS.map((t) => (
          <a key={t} href={viewUrl(t)} aria-current={t === id ? 'page' : undefined}>
            {TEACH_TITLES[t]}
          </a>
        ))}
        <button
          type="button"
          className="teach-theme"
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          aria-label="Toggle dark theme"
        >
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </nav>
      {notice && (
        <p className="embed-message" role="alert">
          {notice}
        </p>
      )}
      <div className="teach-body">
        {id === 'lesson' ? <LessonView render={(s, key) => view(s.view, key)} /> : dataView(id)}
      </div>
      <footer className="embed-foot no-print">
        <span>
          {dataLine(config.data)}, seed {config.seed}
        </span>
        <a href={labUrl()} target="_blank" rel="noopener" data-testid="embed-open-lab">
          open in QuantScope ↗
        </a>
      </footer>
    </div>
  );
}
