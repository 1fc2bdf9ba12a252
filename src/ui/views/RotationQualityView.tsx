/** Rotation quality (src/core/analyses/rotation-quality.ts): KS distance vs d^(−1/5). */
import type { RotationQualityResult } from '../../core/analyses/rotation-quality';
import { LineChart, type ChartSeries } from '../charts/LineChart';
import { fmt, useWidth } from '../charts/common';

const INPUT_COLORS: Readonly<Record<string, string>> = {
  gaussian: '#0072B2',
  'one-hot': '#D55E00',
  'hadamard-row': '#009E73',
  outliers: '#CC79A7',
};
const DASH: Readonly<Record<string, string | undefined>> = { haar: '2 3', rht1: '7 4', rht2: undefined };
const NAME: Readonly<Record<string, string>> = { haar: 'Haar', rht1: '1-block RHT', rht2: '2-block RHT' };

const u = (d: number) => d ** (-1 / 5);

export function RotationQualityView({ result }: { result: RotationQualityResult }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const series: ChartSeries[] = result.series.map((s) => ({
    key: `${s.transform}-${s.input}`,
    label: `${NAME[s.transform]} · ${s.input}`,
    color: INPUT_COLORS[s.input] ?? '#7f7f7f',
    dash: DASH[s.transform],
    points: s.ks.map((v, i) => ({ x: u(result.dims[i]), y: v })),
  }));
  series.push({
    key: 'catalogue',
    label: 'CATALOGUE 2-block e₁ (20k)',
    color: '#7f7f7f',
    dash: '1 2',
    points: result.reference.dims.map((d, i) => ({ x: u(d), y: result.reference.twoBlockOneHot[i] })),
  });
  return (
    <div className="analysis-view" data-testid="view-rotation-quality" ref={ref}>
      <p className="muted">
        Kolmogorov distance between the law of output coordinate 0 and the shifted-Beta law of a uniform
        rotation, {result.draws} draws per d. Colour = input, line style = rotation (dotted Haar, dashed one
        block, solid two blocks). The x axis is d<sup>−1/5</sup>: the paper&apos;s two-block bound is linear
        in it. Below the grey line the distance is indistinguishable from sampling noise (α = {result.alpha}).
      </p>
      <LineChart
        id="rotation-quality"
        title="KS distance to the uniform-rotation coordinate law vs d^(−1/5)"
        xLabel="d^(−1/5)  (tick labels: dimension d)"
        yLabel="Kolmogorov distance (unitless)"
        series={series}
        yLog
        xTicks={result.dims.map(u)}
        xFormat={(v) => `${fmt(v)} (d=${Math.round(v ** -5)})`}
        refLines={[{ y: result.critical, label: `noise floor (α=${result.alpha}, n=${result.draws})` }]}
        height={360}
        width={Math.max(320, width - 2)}
      />
      <table className="analysis-table">
        <thead>
          <tr>
            <th>rotation · input</th>
            {result.dims.map((d) => (
              <th key={d}>d={d}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.series.map((s) => (
            <tr key={`${s.transform}-${s.input}`}>
              <td>
                {NAME[s.transform]} · {s.input}
              </td>
              {s.ks.map((v, i) => (
                <td key={result.dims[i]} className={v > result.critical ? 'flag' : undefined}>
                  {fmt(v)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">Highlighted: above the noise floor {fmt(result.critical)}.</p>
    </div>
  );
}
