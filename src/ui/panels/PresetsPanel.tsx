/**
 * The presets gallery: one card per preset with its two-sentence explanation and the
 * seed paper it reproduces. Opening a preset pushes a history entry (pushConfigToHistory) so Back
 * returns to the experiment the user had before; every card is also a plain link to its permalink
 * (open in a new tab, copy the address).
 */
import { useMemo } from 'react';
import { canonicalKey } from '../../core/config/schema';
import { declaredShape } from '../../core/config/data-params';
import { PRESETS, presetConfig, presetPermalink, type Preset } from '../../core/presets/presets';
import { MATRIX_PRESETS } from '../../core/presets/matrix-presets';
import { pushConfigToHistory } from '../state/url-sync';
import { useLab } from '../state/store';

/** Apply a preset as a new history entry; returns false if the store refused it. */
export function openPreset(preset: Preset): boolean {
  const config = presetConfig(preset);
  const state = useLab.getState();
  if (canonicalKey(config) === canonicalKey(state.config)) return true;
  if (!state.setConfig(config)) return false;
  pushConfigToHistory();
  return true;
}

function dataSummary(preset: Preset): string {
  const { data, pipelines } = presetConfig(preset);
  const shape = declaredShape(data);
  return `${data.source} ${String(shape?.rows)}×${String(shape?.dim)} · ${pipelines.length} pipelines`;
}

/** The gallery: vector quantizers and formats first, then matrix and layer methods. */
export function PresetsPanel({ onOpened }: { onOpened?: () => void }) {
  return (
    <>
      <h3 className="preset-group">Vector quantizers, rotations and formats</h3>
      <PresetGroup presets={PRESETS} testId="presets" onOpened={onOpened} />
      <h3 className="preset-group">Matrix and layer methods</h3>
      <PresetGroup presets={MATRIX_PRESETS} testId="matrix-presets" onOpened={onOpened} />
    </>
  );
}

function PresetGroup({
  presets,
  testId,
  onOpened,
}: {
  presets: readonly Preset[];
  testId: string;
  onOpened?: () => void;
}) {
  const current = useLab((s) => canonicalKey(s.config));
  const cards = useMemo(
    () =>
      presets.map((preset) => ({
        preset,
        key: canonicalKey(presetConfig(preset)),
        href: `${window.location.pathname}${window.location.search}${presetPermalink(preset)}`,
        summary: dataSummary(preset),
      })),
    [presets],
  );
  return (
    <ul className="preset-grid" data-testid={testId}>
      {cards.map(({ preset, key, href, summary }) => {
        const isCurrent = key === current;
        return (
          <li
            key={preset.id}
            className={isCurrent ? 'preset-card current' : 'preset-card'}
            data-preset={preset.id}
          >
            <h3>
              {preset.title}
              {isCurrent && <span className="badge">current</span>}
            </h3>
            <p className="preset-text">{preset.explanation}</p>
            <p className="preset-cite">
              {preset.cites.map((c, i) => (
                <span key={c.catalogue}>
                  {i > 0 && '; '}
                  <cite>{c.title}</cite> <span className="muted">(catalogue {c.catalogue})</span>
                </span>
              ))}
            </p>
            <div className="preset-foot">
              <span className="muted">{summary}</span>
              <span className="preset-actions">
                <a
                  href={href}
                  target="_blank"
                  rel="noopener"
                  title="Open this preset in a new tab (or copy the link)"
                >
                  permalink
                </a>
                <button
                  type="button"
                  className="primary"
                  data-testid={`preset-${preset.id}`}
                  onClick={() => {
                    if (openPreset(preset)) onOpened?.();
                  }}
                >
                  Open
                </button>
              </span>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
