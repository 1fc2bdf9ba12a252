/**
 * "Embed": pick a chart and a size, get the iframe snippet for teaching material.
 * The charts offered are the ones rendered on the page right now (`svg[data-chart]`, titled by
 * their aria-label), so the dialog needs no knowledge of the chart registry and never offers a
 * chart that cannot render for this config.
 */
import { useId, useMemo, useState } from 'react';
import { permalinkHash } from '../../core/config/codec';
import type { ExperimentConfig } from '../../core/config/schema';
import { embedUrl, iframeSnippet, isChartIdShaped } from '../export/embed-snippet';
import { CopyButton, ManualCopyArea } from './CopyButton';
import { Modal } from './Modal';
import '../app/sharing.css';
import { TEACH_IDS, TEACH_TITLES } from '../views/teach/params';

const TEACH_CHOICES = TEACH_IDS.map((id) => ({ id, title: `Teach: ${TEACH_TITLES[id]}` }));

interface ChartChoice {
  readonly id: string;
  readonly title: string;
}

function renderedCharts(): ChartChoice[] {
  const seen = new Set<string>();
  const out: ChartChoice[] = [];
  for (const svg of Array.from(document.querySelectorAll('svg[data-chart]'))) {
    const id = svg.getAttribute('data-chart') ?? '';
    if (!isChartIdShaped(id) || seen.has(id)) continue;
    seen.add(id);
    const title = svg.getAttribute('aria-label') ?? svg.querySelector('title')?.textContent ?? id;
    out.push({ id, title });
  }
  return out;
}

const clampSize = (v: number, lo: number, hi: number, fallback: number) =>
  Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : fallback;

export function EmbedDialog({ config, onClose }: { config: ExperimentConfig; onClose: () => void }) {
  // The teaching widgets (src/ui/views/teach) embed the same way and are always available.
  const charts = useMemo(() => [...renderedCharts(), ...TEACH_CHOICES], []);
  const [chartId, setChartId] = useState(charts[0]?.id ?? '');
  const [width, setWidth] = useState(720);
  const [height, setHeight] = useState(440);
  const ids = { chart: useId(), width: useId(), height: useId() };
  const chart = charts.find((c) => c.id === chartId);
  const url = chart ? embedUrl(window.location.href, chart.id, permalinkHash(config)) : '';
  const snippet = chart ? iframeSnippet({ url, title: `QuantScope: ${chart.title}`, width, height }) : '';

  return (
    <Modal title="Embed a chart" onClose={onClose} testId="embed-dialog">
      {charts.length === 0 ? (
        <p className="muted" data-testid="embed-no-charts">
          No chart is on the page yet; wait for the results, then try again.
        </p>
      ) : (
        <>
          <p className="muted">
            The iframe shows one chart of this exact experiment, sized to the frame, with a link back to the
            full lab.
          </p>
          <div className="embed-form">
            <label htmlFor={ids.chart}>
              chart
              <select
                id={ids.chart}
                value={chartId}
                onChange={(e) => setChartId(e.target.value)}
                data-testid="embed-chart"
              >
                {charts.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.title}
                  </option>
                ))}
              </select>
            </label>
            <label htmlFor={ids.width}>
              width px
              <input
                id={ids.width}
                type="number"
                min={200}
                max={2000}
                step={10}
                value={width}
                onChange={(e) => setWidth(clampSize(e.target.valueAsNumber, 200, 2000, 720))}
              />
            </label>
            <label htmlFor={ids.height}>
              height px
              <input
                id={ids.height}
                type="number"
                min={150}
                max={2000}
                step={10}
                value={height}
                onChange={(e) => setHeight(clampSize(e.target.valueAsNumber, 150, 2000, 440))}
              />
            </label>
          </div>
          <ManualCopyArea text={snippet} rows={4} testId="embed-snippet" autoSelect={false} />
          <div className="embed-actions">
            <CopyButton label="Copy snippet" testId="copy-embed" getText={() => snippet} />
            <a href={url} target="_blank" rel="noopener" data-testid="embed-preview">
              open the embed in a new tab
            </a>
          </div>
        </>
      )}
    </Modal>
  );
}
