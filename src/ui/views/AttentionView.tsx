/** Attention analysis result (src/core/analyses/attention.ts): KL, top-k overlap, output error per pipeline. */
import type { AttentionResult } from '../../core/analyses/attention';
import { fmt } from './LayerView';

export function AttentionView({ result }: { result: AttentionResult }) {
  return (
    <div className="table-wrap" data-testid="attention-view">
      <p className="hint">
        {result.queries} N(0,1) queries over {result.tokens} cached keys of dim {result.headDim} (the
        experiment data); softmax(q·Kᵀ/√d) against full precision. Top-{result.topK} overlap;{' '}
        {result.quantizeValues ? 'V quantized by the same pipeline.' : 'V kept exact.'}
        {result.heads !== undefined &&
          ` ${result.heads} head${result.heads === 1 ? '' : 's'} of dim ${result.headDim}.`}
        {result.rope === 'pre' && ' RoPE applied after dequantization (keys cached before RoPE).'}
        {result.rope === 'post' && ' Keys quantized after RoPE.'}
      </p>
      <table className="results" data-testid="attention-table">
        <thead>
          <tr>
            <th scope="col">pipeline</th>
            <th scope="col">bits K</th>
            <th scope="col">bits V</th>
            <th scope="col">KL(p‖p̂)</th>
            <th scope="col">top-{result.topK} overlap</th>
            <th scope="col">‖pV − p̂V̂‖/‖pV‖</th>
          </tr>
        </thead>
        <tbody>
          {result.pipelines.map((p) => (
            <tr key={p.label}>
              <th scope="row">{p.label}</th>
              <td data-value={p.bitsKey}>{fmt(p.bitsKey)}</td>
              <td data-value={p.bitsValue}>{fmt(p.bitsValue)}</td>
              <td data-metric="kl" data-value={p.kl}>
                {fmt(p.kl)}
              </td>
              <td data-metric="topk" data-value={p.topkOverlap}>
                {fmt(p.topkOverlap)}
              </td>
              <td data-metric="output" data-value={p.outputError}>
                {fmt(p.outputError)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
