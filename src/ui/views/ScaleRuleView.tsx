/** Scale-rule explorer (src/core/analyses/scale-rule.ts): vNMSE vs d per scale rule and codebook. */
import type { ScaleRuleResult } from '../../core/analyses/scale-rule';
import { LineChart, type ChartSeries } from '../charts/LineChart';
import { useWidth } from '../charts/common';
import { formatNumber } from '../../core/format-number';

const RULE_COLORS: Readonly<Record<string, string>> = {
  one: '#0072B2',
  mse: '#D55E00',
  unbiased: '#009E73',
  rms: '#CC79A7',
  absmax: '#E69F00',
};
const RULE_NAME: Readonly<Record<string, string>> = {
  one: 'S = 1',
  mse: 'S MSE-optimal',
  unbiased: 'S unbiased',
  rms: 'block RMS',
  absmax: 'block absmax',
};

export function ScaleRuleView({ result }: { result: ScaleRuleResult }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const series: ChartSeries[] = result.series.map((s) => ({
    key: `${s.rule}-${s.codebook}`,
    label: `${RULE_NAME[s.rule]} · ${s.codebook === 'beta' ? 'exact Beta' : 'Gaussian'}`,
    color: RULE_COLORS[s.rule] ?? '#7f7f7f',
    dash: s.codebook === 'gaussian' ? '6 4' : undefined,
    points: s.vnmse.map((v, i) => ({
      x: result.dims[i],
      y: v,
      lo: v - 1.96 * s.se[i],
      hi: v + 1.96 * s.se[i],
    })),
  }));
  return (
    <div className="analysis-view" data-testid="view-scale-rule" ref={ref}>
      <p className="muted">
        {result.bits}-bit codebooks on uniformly rotated rows ({result.samples} rows per d; block rules use
        blocks of {result.block}). Solid: Lloyd–Max codebook of the exact finite-d shifted-Beta law; dashed:
        its Gaussian limit. Error bars: 95% normal intervals over rows.
      </p>
      <LineChart
        id="scale-rule"
        title="vNMSE of scale rules and codebooks vs dimension"
        xLabel="dimension d (log scale)"
        yLabel="vNMSE ‖y−ŷ‖²/‖y‖² (unitless)"
        series={series}
        xLog
        yLog
        xTicks={result.dims}
        xFormat={(v) => String(v)}
        refLines={[
          { y: result.gaussianD, label: `D_b = ${formatNumber(result.gaussianD)} (Gaussian Lloyd–Max)` },
          { y: result.unbiasedLimit, label: `D_b/(1−D_b) = ${formatNumber(result.unbiasedLimit)}` },
        ]}
        height={380}
        width={Math.max(320, width - 2)}
      />
      <table className="analysis-table">
        <thead>
          <tr>
            <th>rule</th>
            {result.dims.map((d) => (
              <th key={d}>d={d}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>exact-Beta Lloyd–Max distortion</td>
            {result.betaD.map((v, i) => (
              <td key={result.dims[i]}>{formatNumber(v)}</td>
            ))}
          </tr>
          {result.series
            .filter((s) => s.codebook === 'beta')
            .map((s) => {
              const g = result.series.find((t) => t.rule === s.rule && t.codebook === 'gaussian');
              return (
                <tr key={s.rule}>
                  <td>{RULE_NAME[s.rule]}: Gaussian − Beta codebook</td>
                  {s.vnmse.map((v, i) => (
                    <td key={result.dims[i]}>{g ? formatNumber(g.vnmse[i] - v, 2) : ''}</td>
                  ))}
                </tr>
              );
            })}
        </tbody>
      </table>
    </div>
  );
}
