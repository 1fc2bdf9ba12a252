/** Joint vs marginal channel entropy (src/core/analyses/channel-entropy.ts): CQ's §3 observation. */
import type { ChannelEntropyResult } from '../../core/analyses/channel-entropy';
import { LineChart, type ChartSeries } from '../charts/LineChart';
import { useWidth } from '../charts/common';
import { formatNumber } from '../../core/format-number';

export function ChannelEntropyView({ result }: { result: ChannelEntropyResult }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const pts = result.points;
  const series: ChartSeries[] = [
    {
      key: 'marginal',
      label: 'Σ marginal entropies / c',
      color: '#D55E00',
      points: pts.map((p) => ({ x: p.channels, y: p.marginalPerChannel })),
    },
    {
      key: 'joint',
      label: 'joint entropy / c',
      color: '#0072B2',
      points: pts.map((p) => ({ x: p.channels, y: p.jointPerChannel })),
    },
    {
      key: 'ceiling',
      label: 'log2(rows) / c (sample-size ceiling)',
      color: '#7f7f7f',
      dash: '6 4',
      points: pts.map((p) => ({ x: p.channels, y: p.ceilingPerChannel })),
    },
  ];
  return (
    <div className="analysis-view" data-testid="view-channel-entropy" ref={ref}>
      <p className="muted">
        Each of the {result.dim} channels binned into {2 ** result.bits} equal-width bins over its own range;
        plug-in entropies over {result.rows} rows, averaged over groups of c adjacent channels. The gap
        between the curves is what a joint (coupled) code can save per channel; where the joint curve meets
        the dashed ceiling the estimate is limited by the number of rows.
      </p>
      <LineChart
        id="channel-entropy"
        title="Entropy per channel: joint vs sum of marginals"
        xLabel="channels per group c (log scale)"
        yLabel="bits per channel"
        series={series}
        xLog
        xTicks={pts.map((p) => p.channels)}
        xFormat={(v) => String(v)}
        yInclude={[0]}
        height={340}
        width={Math.max(320, width - 2)}
      />
      <table className="analysis-table">
        <thead>
          <tr>
            <th>c</th>
            <th>groups</th>
            <th>marginal / c</th>
            <th>joint / c</th>
            <th>saving / channel</th>
            <th>ceiling / c</th>
          </tr>
        </thead>
        <tbody>
          {pts.map((p) => (
            <tr key={p.channels}>
              <td>{p.channels}</td>
              <td>{p.groups}</td>
              <td>{formatNumber(p.marginalPerChannel)}</td>
              <td>{formatNumber(p.jointPerChannel)}</td>
              <td>{formatNumber(p.marginalPerChannel - p.jointPerChannel)}</td>
              <td>{formatNumber(p.ceilingPerChannel)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
