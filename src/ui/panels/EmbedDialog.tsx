/**
 * "Embed": pick a chart and a size, get the iframe snippet for teaching material.
 * The charts offered are the chart cards rendered on the page right now (`figure.chart-card`,
 * whose `data-testid` is `chart-<registry id>`; titled by their caption), so the dialog needs no
 * knowledge of the chart registry and never offers a chart that cannot render for this config.
 * A card can hold several svgs (the outliers card adds the per-channel absmax heatmap): the card's
 * id embeds its first chart and each further svg's id embeds that one alone (one chart per frame
 * fits the frame; Embed.tsx). The config's analysis view
 * embeds as a whole too (`?embed=analysis`, titled by the analysis's label).
 */
import { useId, useMemo, useState } from 'react';
import { permalinkHash } from '../../core/config/codec';
import type { ExperimentConfig } from '../../core/config/schema';
import { embedUrl, iframeSnippet, isChartIdShaped } from '../export/embed-snippet';
import { CopyButton, ManualCopyArea } from './CopyButton';
import { Modal } from './Modal';
import { analysesById } from '../../core/analyses';
import '../app/sharing.css';
import { TEACH_IDS, TEACH_TITLES } from '../views/teach/params';

const TEACH_CHOICES = TEACH_IDS.map((id) => ({ id, title: `Teach: ${TEACH_TITLES[id]}` }));

interface ChartChoice {
  readonly id: string;
  readonly title: string;
}

const CARD_PREFIX = 'chart-';

function renderedCharts(config: ExperimentConfig): ChartChoice[] {
  const seen = new Set<string>();
  const out: ChartChoice[] = [];
  for (const card of Array.from(document.querySelectorAll('figure.chart-card[data-testid]'))) {
    const testId = card.getAttribute('data-testid') ?? '';
    const id = testId.startsWith(CARD_PREFIX) ? testId.slice(CARD_PREFIX.length) : '';
    if (!isChartIdShaped(id) || seen.has(id) || !card.querySelector('svg[data-chart]')) continue;
    seen.add(id);
    // The caption's title is its first text (the (i) button and its note follow it).
    const caption = card.querySelector('.chart-title')?.firstChild?.textContent?.trim() || id;
    out.push({ id, title: caption });
    // A card's further charts (the outliers card's per-channel absmax heatmap) embed alone too.
    for (const svg of Array.from(card.querySelectorAll('svg[data-chart]'))) {
      const part = svg.getAttribute('data-chart') ?? '';
      if (!part.startsWith(`${id}-`) || !isChartIdShaped(part) || seen.has(part)) continue;
      seen.add(part);
      out.push({ id: part, title: `${caption}: ${svg.querySelector('title')?.textContent ?? part}` });
    }
  }
  const analysis = config.analysis ? analysesById.get(config.analysis.id) : undefined;
  if (analysis && document.querySelector('[data-testid="analysis-view"][data-status="ready"]'))
    out.push({ id: 'analysis', title: `Analysis: ${analysis.label}` });
  return out;
}

const clampSize = (v: number, lo: number, hi: number, fallback: number) =>
  Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : fallback;

export function EmbedDialog({ config, onClose }: { config: ExperimentConfig; onClose: () => void }) {
  // The teaching widgets (src/ui/views/teach) embed the same way and are always available.
  // Read once when the dialog opens: the page under a modal dialog does not change.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const charts = useMemo(() => [...renderedCharts(config), ...TEACH_CHOICES], []);
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
