/** Estimator lab (src/core/analyses/estimator.ts): inner-product bias/spread, attention, recall. */
import type { EstimatorResult } from '../../core/analyses/estimator';
import type { PipelineConfig } from '../../core/config/schema';
import { formatMetric, formatNumber as fmt } from '../../core/format-number';
import { colorOf } from '../panels/colors';
import { LineChart, type ChartSeries } from '../charts/LineChart';
import { useWidth } from '../charts/common';

export function EstimatorView({
  result,
  pipelines = [],
  baseline,
}: {
  result: EstimatorResult;
  pipelines?: readonly PipelineConfig[];
  baseline?: number;
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const chartWidth = Math.max(320, width - 2);
  // methods (exact left out) are the config's pipelines in order, then PQ (core/analyses/estimator.ts).
  const methods = result.methods.filter((m) => m.kind !== 'exact');
  const identity = colorOf(pipelines);
  const color = (i: number) => (methods[i].kind === 'pq' ? '#7f7f7f' : identity(i));
  // Δ in tooltips against the pinned baseline pipeline's series of the same kind.
  const base = baseline !== undefined && methods[baseline]?.kind === 'pipeline' ? baseline : undefined;
  const baselineOf = (key: string) => (base === undefined ? undefined : key.replace(/-\d+$/, `-${base}`));
  const byRho: ChartSeries[] = methods.flatMap((m, i) => [
    {
      key: `rmse-${i}`,
      label: `${m.label} RMSE`,
      color: color(i),
      points: result.rhos.map((r, k) => ({ x: r, y: Math.hypot(m.ip.bias[k], m.ip.sd[k]) })),
    },
    {
      key: `bias-${i}`,
      label: `${m.label} |bias|`,
      color: color(i),
      dash: '5 4',
      points: result.rhos.map((r, k) => ({ x: r, y: Math.abs(m.ip.bias[k]) })),
    },
  ]);
  const byNorm: ChartSeries[] = methods.flatMap((m, i) => [
    {
      key: `rand-${i}`,
      label: `${m.label} random q`,
      color: color(i),
      dash: '2 3',
      points: result.norms.map((r, k) => ({
        x: r,
        y: Math.hypot(m.byNorm.random.bias[k], m.byNorm.random.sd[k]),
      })),
    },
    {
      key: `corr-${i}`,
      label: `${m.label} ρ=${result.correlation}`,
      color: color(i),
      points: result.norms.map((r, k) => ({
        x: r,
        y: Math.hypot(m.byNorm.correlated.bias[k], m.byNorm.correlated.sd[k]),
      })),
    },
  ]);
  return (
    <div className="analysis-view" data-testid="view-estimator" ref={ref}>
      <p className="muted">
        {result.queries} leading rows are queries, {result.database} rows (d = {result.dim}) the database that
        every pipeline quantizes. Errors e = ⟨q, x̂ − x⟩/‖x‖ for unit queries at cosine ρ with the key: where a
        dashed |bias| line rises above another method&apos;s solid RMSE, the unbiased-but-noisy estimator
        wins; where it stays below, biased-but-tight wins.
      </p>
      <LineChart
        id="estimator-bias"
        title="Inner-product error vs query–key correlation"
        xLabel="cosine ρ between query and key"
        yLabel="error ⟨q,x̂−x⟩/‖x‖ (‖q‖ = 1)"
        series={byRho}
        yInclude={[0]}
        height={340}
        width={chartWidth}
        baselineOf={baselineOf}
      />
      <LineChart
        id="estimator-norm"
        title="Inner-product RMSE vs query norm"
        xLabel="query norm ‖q‖ (log scale)"
        yLabel="RMSE of ⟨q,x̂−x⟩/‖x‖"
        series={byNorm}
        xLog
        yLog
        xTicks={result.norms}
        height={300}
        width={chartWidth}
        baselineOf={baselineOf}
      />
      <table className="analysis-table" data-testid="estimator-table">
        <thead>
          <tr>
            <th>method</th>
            <th>bits/coord</th>
            <th>slope ⟨q,x̂⟩ on ⟨q,x⟩</th>
            <th>attention KL(p‖p̂) (nats)</th>
            <th>top-{result.attentionTopK} overlap</th>
            <th>recall@1</th>
            <th>recall@10</th>
          </tr>
        </thead>
        <tbody>
          {result.methods.map((m) => (
            <tr key={m.label}>
              <td>{m.label}</td>
              <td>
                {m.kind === 'exact' ? 'fp32' : formatMetric('bitsPerCoord', m.bitsPerCoord)}
                {m.codebookBits !== undefined
                  ? ` (+${formatMetric('bitsPerCoord', m.codebookBits)} codebooks)`
                  : ''}
              </td>
              <td>{fmt(m.ip.slope, 5)}</td>
              <td>{fmt(m.attention.kl)}</td>
              <td>{fmt(m.attention.topkOverlap)}</td>
              <td>{fmt(m.recall.at1)}</td>
              <td>{fmt(m.recall.at10)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Attention logits β·⟨q,k⟩/(‖q‖·rms‖k‖), β = {result.sharpness}. Recall: the exact nearest neighbour
        (max inner product) among the top k of the quantized scores. PQ: {result.pq.subspaces} subspaces of{' '}
        {result.pq.subdim} coordinates × {result.pq.centroids} k-means centroids ({result.pq.bits} bits each),
        trained on the database.
      </p>
    </div>
  );
}
