/**
 * SVG / PNG download buttons for one chart ("each chart as SVG and PNG"). Attach it to a
 * chart card: it finds the chart's root `<svg data-chart="<id>">` (and companions such as
 * `outliers-heatmap`) inside the nearest `[data-chart-card]` or <figure> ancestor (else the
 * document), so it needs no ref plumbing from the chart.
 */
import { useRef, useState } from 'react';
import { downloadBlob, downloadText } from '../export/browser-io';
import { chartToPngBlob, chartToSvgString, findChartSvgs } from '../export/chart-export';
import '../app/sharing.css';

export function ChartExportButtons({
  chartId,
  fileStem = 'quantscope',
}: {
  chartId: string;
  fileStem?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const svgs = (): SVGSVGElement[] | null => {
    const card = ref.current?.closest('[data-chart-card], figure');
    const found = card ? findChartSvgs(chartId, card) : [];
    const list = found.length > 0 ? found : findChartSvgs(chartId);
    setError(list.length > 0 ? null : 'chart not rendered yet');
    return list.length > 0 ? list : null;
  };

  const exportSvg = () => {
    const list = svgs();
    if (list) downloadText(chartToSvgString(list), `${fileStem}-${chartId}.svg`, 'image/svg+xml');
  };

  const exportPng = async () => {
    const list = svgs();
    if (!list) return;
    setBusy(true);
    try {
      downloadBlob(await chartToPngBlob(list, 2), `${fileStem}-${chartId}.png`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div
      ref={ref}
      className="chart-export"
      role="group"
      aria-label={`Export ${chartId} chart`}
      data-testid={`chart-export-${chartId}`}
      data-export="ignore"
    >
      <button
        type="button"
        onClick={exportSvg}
        data-testid={`export-svg-${chartId}`}
        title="Download this chart as SVG"
      >
        SVG
      </button>
      <button
        type="button"
        onClick={() => void exportPng()}
        disabled={busy}
        data-testid={`export-png-${chartId}`}
        title="Download this chart as PNG (2× pixels)"
      >
        PNG
      </button>
      {error && (
        <span className="chart-export-error" role="status">
          {error}
        </span>
      )}
    </div>
  );
}
