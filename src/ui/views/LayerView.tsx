/**
 * Layer analysis result tables (src/core/analyses/layer.ts). The numbers come from the same run
 * as the metrics table (runConfig runs the analysis), so the CLI's `analysis` field and the page
 * agree. Picked in the one analysis selector (AnalysisSwitcher), rendered through ViewRouter.
 */
import type { LayerResult } from '../../core/analyses/layer';
import { formatNumber } from '../../core/format-number';
import type { AttentionResult } from '../../core/analyses/attention';

/** The one number formatter (src/core/format-number.ts), for this view's and AttentionView's tables. */
export const fmt = (v: number): string => formatNumber(v);

export function isLayer(r: unknown): r is LayerResult {
  return typeof r === 'object' && r !== null && (r as { kind?: unknown }).kind === 'layer';
}
export function isAttention(r: unknown): r is AttentionResult {
  return typeof r === 'object' && r !== null && (r as { kind?: unknown }).kind === 'attention';
}

export function LayerView({ result }: { result: LayerResult }) {
  const { patterns } = result;
  return (
    <div className="table-wrap" data-testid="layer-view">
      <p className="hint">
        Y = X·Wᵀ with W the data ({result.outFeatures} × {result.inFeatures}) and X {result.tokens} generated
        tokens ({result.activations}; pattern {patterns.activations.pattern}, W: {patterns.weights.pattern}).
        Activations:{' '}
        {result.activationQuantizer === 'same' ? 'the pipeline’s quantizer' : result.activationQuantizer}.{' '}
        {result.smoothing.enabled ? `SmoothQuant α = ${result.smoothing.alpha}.` : 'No smoothing.'} Relative
        output error ‖XWᵀ − X̂Ŵᵀ‖_F/‖XWᵀ‖_F.
      </p>
      <table className="results" data-testid="layer-table">
        <thead>
          <tr>
            <th scope="col">pipeline</th>
            <th scope="col">bits W</th>
            <th scope="col">bits X</th>
            <th scope="col">W only</th>
            <th scope="col">X only</th>
            <th scope="col">W and X</th>
            <th scope="col">rotation invariance</th>
          </tr>
        </thead>
        <tbody>
          {result.pipelines.map((p) => (
            <tr key={p.label}>
              <th scope="row">{p.label}</th>
              <td data-value={p.bitsWeight}>{fmt(p.bitsWeight)}</td>
              <td data-value={p.bitsActivation}>{fmt(p.bitsActivation)}</td>
              <td data-metric="weightOnly" data-value={p.weightOnly}>
                {fmt(p.weightOnly)}
              </td>
              <td data-metric="activationOnly" data-value={p.activationOnly}>
                {fmt(p.activationOnly)}
              </td>
              <td data-metric="both" data-value={p.both}>
                {fmt(p.both)}
              </td>
              <td data-metric="invariance" data-value={p.invariance}>
                {fmt(p.invariance)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.sweep.alphas.length > 0 && (
        <table className="results" data-testid="alpha-sweep">
          <caption>SmoothQuant α sweep: error with W and X quantized</caption>
          <thead>
            <tr>
              <th scope="col">pipeline</th>
              {result.sweep.alphas.map((a) => (
                <th scope="col" key={a}>
                  α = {a.toFixed(2)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.pipelines.map((p, i) => (
              <tr key={p.label}>
                <th scope="row">{p.label}</th>
                {result.sweep.both[i].map((e, j) => (
                  <td key={j} data-value={e}>
                    {fmt(e)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
