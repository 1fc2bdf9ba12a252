/**
 * SVG / PNG download buttons for one chart (issue 3, "each chart as SVG and PNG"). Attach it to a
 * chart card: it finds the chart's root `<svg data-chart="<id>">` inside the nearest
 * `[data-chart-card]` ancestor (or the document), so it needs no ref plumbing from the chart.
 */
import { useRef, useState } from 'react';
import { downloadBlob, downloadText } from '../export/browser-io';
import { chartToPngBlob, chartToSvgString, findChartSvg } from '../export/chart-export';
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

  const svg = (): SVGSVGElement | null => {
    const scope = ref.current?.closest('[data-chart-card]') ?? document;
    const found = findChartSvg(chartId, scope) ?? findChartSvg(chartId);
    setError(found ? null : 'chart not rendered yet');
    return found;
  };

  const exportSvg = () => {
    const el = svg();
    if (el) downloadText(chartToSvgString(el), `${fileStem}-${chartId}.svg`, 'image/svg+xml');
  };

  const exportPng = async () => {
    const el = svg();
    if (!el) return;
    setBusy(true);
    try {
      downloadBlob(await chartToPngBlob(el, 2), `${fileStem}-${chartId}.png`);
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
