/**
 * Results table: every metric and bits/coordinate per pipeline. Best values are ranked at equal
 * cost: "best at ≤ B bits/coord" marks, per metric column, the best pipeline among those within
 * the budget B (lower / higher / closest to 1, per the metric's definition), every one of them on
 * a tie; pipelines over the budget are dimmed and not ranked. B is editable and starts at the
 * median bits/coord of the pipelines, so a 4.25-bit format never "wins" against 2-bit methods.
 *
 * Baseline: pin one pipeline (⚑, `config.baseline`) or a whole saved config (these settings, or a
 * pasted permalink: `config.baselineConfig`); every cell then shows Δ and the ratio against it.
 * A saved config runs through the same client as any experiment (react-query key and the
 * per-pipeline result cache), so pinning the settings on screen computes nothing new.
 */
import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { decodePermalink } from '../../core/config/codec';
import { declaredShape, fileParams } from '../../core/config/data-params';
import {
  baselineExperiment,
  baselineRow,
  canonicalKey,
  type ExperimentConfig,
} from '../../core/config/schema';
import { pipelineLabel } from '../../core/pipeline';
import { computeClient } from '../bridge/client';
import { bestWithinBudget, defaultBudget } from '../../core/artifacts/rateDistortion';
import { METRICS } from '../../core/methods';
import { formatMetric } from '../../core/format-number';
import type { ExperimentOutput } from '../../engine/experiment';
import { colorOf } from './colors';
import { ResultsExport } from './ResultsExport';
import { useLab } from '../state/store';
import { InfoButton, METRIC_CITATIONS, betterInWords } from './InfoButton';

type RunResult = ExperimentOutput['results'][number];

/** The saved config's results, from the same client and caches as the page's own runs. */
function useSavedBaseline(config: ExperimentConfig) {
  const saved = baselineExperiment(config);
  const key = saved ? canonicalKey(saved) : '';
  return useQuery<ExperimentOutput, Error>({
    queryKey: ['run', key],
    queryFn: ({ signal }) => {
      if (!saved) throw new Error('no saved baseline');
      return computeClient.run(saved, { signal });
    },
    enabled: saved !== undefined,
    staleTime: Infinity,
    gcTime: 5 * 60_000,
    retry: false,
  });
}

/** "gaussian 256×1024, seed 7, 5 pipelines": what a saved config is, in one line. */
function savedSummary(c: NonNullable<ExperimentConfig['baselineConfig']>): string {
  const declared = declaredShape(c.data);
  const shape =
    c.data.source === 'file'
      ? fileParams(c.data).path
      : `${c.data.source} ${declared?.rows}×${declared?.dim}`;
  const what =
    c.pipelines.length === 1 ? pipelineLabel(c.pipelines[0]) : `${c.pipelines.length} pipelines (row by row)`;
  return `${shape}, seed ${c.seed}, ${what}`;
}

/** Pin these settings or a pasted link as the baseline; shows the pinned one with Unpin. */
function BaselineBar({ config, status }: { config: ExperimentConfig; status: string }) {
  const setBaselineConfig = useLab((st) => st.setBaselineConfig);
  const [link, setLink] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pasting, setPasting] = useState(false);
  const id = useId();
  const saved = config.baselineConfig;
  const pinLink = () => {
    try {
      setBaselineConfig(decodePermalink(link.trim()));
      setLink('');
      setError(null);
      setPasting(false);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="baseline-bar" data-testid="baseline-bar">
      {saved ? (
        <span data-testid="baseline-saved">
          <strong>Baseline:</strong> saved config — {savedSummary(saved)}
          {status && <span className="muted"> · {status}</span>}{' '}
          <button type="button" onClick={() => setBaselineConfig(null)} data-testid="baseline-unpin">
            Unpin
          </button>
        </span>
      ) : (
        <>
          <button
            type="button"
            onClick={() => setBaselineConfig(config)}
            title="Keep these settings as the baseline: after any edit, every cell shows Δ and the ratio against them"
            data-testid="baseline-pin-settings"
          >
            ⚑ Pin these settings as baseline
          </button>
          {pasting ? (
            <>
              <label htmlFor={id} className="baseline-link">
                saved link
                <input
                  id={id}
                  type="text"
                  value={link}
                  placeholder="#c=… or a copied link"
                  onChange={(e) => setLink(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' && link.trim() !== '') pinLink();
                  }}
                  aria-invalid={error !== null}
                  data-testid="baseline-link"
                />
              </label>
              <button
                type="button"
                onClick={pinLink}
                disabled={link.trim() === ''}
                data-testid="baseline-pin-link"
              >
                Pin link
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setPasting(true)} data-testid="baseline-paste">
              …or a saved link
            </button>
          )}
        </>
      )}
      {error && (
        <span className="flag" role="alert" data-testid="baseline-link-error">
          {error}
        </span>
      )}
    </div>
  );
}

/** "Δ +0.0123 · ×1.23" of a value against the baseline's (ratio omitted when the base is 0). */
function deltaText(metric: string, value: number, base: number): string {
  const d = value - base;
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  const ratio =
    base !== 0 && Number.isFinite(value / base) ? ` · ×${Number((value / base).toPrecision(3))}` : '';
  return `Δ ${sign}${formatMetric(metric, Math.abs(d))}${ratio}`;
}

/** A metric value as a score where lower is better. */
function score(v: number, better: 'lower' | 'higher' | 'closer-to-1'): number {
  return better === 'lower' ? v : better === 'higher' ? -v : Math.abs(v - 1);
}

/** Bits/coord as shown in the budget field (enough digits that the median pipeline fits). */
function budgetText(b: number): string {
  return String(Number(b.toFixed(4)));
}

/** "T gpu 12 ms": a stage's backend and time (the transform's time is shared by its group). */
function stageLabel(stage: string, backend: string, ms: number): string {
  return `${stage} ${backend} ${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
}

export function ResultsTable({ output }: { output: ExperimentOutput }) {
  const { results } = output;
  // null: follow the default (median bits/coord) as the pipelines change.
  const [typed, setTyped] = useState<string | null>(null);
  const auto = defaultBudget(results.map((r) => r.bitsPerCoord));
  const parsed = typed === null ? auto : Number(typed);
  const valid = typed === null || (typed.trim() !== '' && Number.isFinite(parsed) && parsed >= 0);
  const budget = valid ? (typed === null ? auto : parsed) : auto;
  // Ulp-level slack: the field shows 4 decimals of a bits/coord like 2.03125.
  const limit = budget + 5e-5;
  const within = results.map((r) => r.bitsPerCoord <= limit);
  const best = Object.fromEntries(
    METRICS.map((m) => [
      m.id,
      new Set(
        bestWithinBudget(
          results.map((r) => ({ bitsPerCoord: r.bitsPerCoord, value: score(r.metrics[m.id], m.better) })),
          limit,
          false,
        ),
      ),
    ]),
  );
  const vnmseBest = [...(best.vnmse ?? [])];
  const setBaseline = useLab((st) => st.setBaseline);
  const pipelineColor = colorOf(output.config.pipelines);
  // Identical numbers (e.g. a duplicated pipeline) are named, since their chart series coincide.
  const signature = results.map((r) => JSON.stringify([r.bitsPerCoord, r.metrics]));
  const sameAs = signature.map((g, i) => {
    const j = signature.indexOf(g);
    return j < i ? j : -1;
  });
  const baseline = output.config.baseline;
  const savedRun = useSavedBaseline(output.config);
  const savedResults = output.config.baselineConfig ? savedRun.data?.results : undefined;
  // The result each row is compared with: the pinned pipeline, or the saved config's paired row.
  const baseOf = (i: number): RunResult | undefined => {
    if (baseline !== undefined) return i === baseline ? undefined : results[baseline];
    if (!savedResults) return undefined;
    const j = baselineRow(i, savedResults.length);
    return j === undefined ? undefined : savedResults[j];
  };
  const savedStatus = !output.config.baselineConfig
    ? ''
    : savedRun.isError
      ? `not computed: ${savedRun.error.message}`
      : savedRun.data
        ? ''
        : 'computing…';
  return (
    <div className="table-wrap">
      <ResultsExport output={output} />
      <BaselineBar config={output.config} status={savedStatus} />
      <div className="budget-bar" data-testid="budget-bar">
        <label className="budget-label">
          best at ≤{' '}
          <input
            type="number"
            min={0}
            step={0.25}
            value={typed ?? budgetText(auto)}
            onChange={(e) => setTyped(e.target.value)}
            aria-invalid={!valid}
            aria-describedby="budget-help"
            aria-label="Budget B in bits per coordinate: best values are ranked among pipelines at or below it"
            data-testid="budget-input"
          />{' '}
          bits/coord
        </label>
        {typed !== null && (
          <button type="button" onClick={() => setTyped(null)} data-testid="budget-auto">
            median ({budgetText(auto)})
          </button>
        )}
        <span id="budget-help" className={valid ? 'muted' : 'flag'} data-testid="budget-summary">
          {!valid
            ? 'the budget must be a number of bits/coordinate ≥ 0'
            : vnmseBest.length === 0
              ? `no pipeline fits in ${budgetText(budget)} bits/coord`
              : `lowest vNMSE at ≤ ${budgetText(budget)} bits/coord: ${vnmseBest
                  .map((i) => results[i].label)
                  .join(' = ')}${vnmseBest.length > 1 ? ' (tie)' : ''}`}
        </span>
      </div>
      <table className="results" data-testid="results-table">
        <caption>
          {/* Sticky and as wide as the visible part of the table (phones scroll the table sideways). */}
          <span className="caption-text">
            {output.data.source} {output.data.rows}×{output.data.dim}, seed {output.config.seed}
            {output.data.file && (
              <span data-testid="results-file">
                {' '}
                · {output.data.file.name}: {output.data.file.tensor} ({output.data.file.dtype})
                {output.data.file.subsampled ? ', seeded random subsample of rows' : ''}
              </span>
            )}
            {output.data.replacedNonFinite ? ` · ${output.data.replacedNonFinite} NaN/Inf replaced by 0` : ''}
            {output.config.numerics?.metricDomain === 'transformed' && (
              <span data-testid="results-metric-domain">
                {' '}
                · metrics after the last transform (metric domain: transformed) for{' '}
                {results.filter((r) => r.metricDomain === 'transformed').length} of {results.length} pipelines
              </span>
            )}
            . ★ marks the best value in each column among the pipelines at ≤ {budgetText(budget)} bits/coord
            (ties all marked); dimmed rows are over that budget.
          </span>
        </caption>
        <thead>
          <tr>
            <th scope="col">pipeline</th>
            <th scope="col" title="bits per coordinate including scales, norms and padding">
              bits/coord
              <InfoButton title="bits/coord" testId="info-bitsPerCoord">
                Every stored bit per original coordinate: codes, scales, norms, zero-points, codebooks,
                low-rank factors and padding (quantizer bits on the padded row × outDim / dim); lower is
                cheaper. Compare methods at equal bits with the budget above.
              </InfoButton>
            </th>
            {METRICS.map((m) => (
              <th
                scope="col"
                key={m.id}
                title={`${m.description} (${m.better === 'closer-to-1' ? 'closer to 1' : m.better} is better)`}
              >
                {m.label}
                <InfoButton title={m.label} testId={`info-${m.id}`}>
                  {m.description}; {betterInWords(m.better)}. {METRIC_CITATIONS[m.id] ?? ''}
                </InfoButton>
              </th>
            ))}
            <th
              scope="col"
              title="backend and wall-clock time of the transform and quantize stages (inverse and metrics run on the CPU unless an I column says the whole group stayed on the GPU)"
            >
              backend
            </th>
          </tr>
        </thead>
        <tbody>
          {results.map((r, i) => (
            <tr
              key={i}
              data-testid={`result-row-${i}`}
              className={within[i] ? undefined : 'over-budget'}
              data-within-budget={within[i]}
            >
              <th scope="row">
                <button
                  type="button"
                  className="pin"
                  aria-pressed={baseline === i}
                  aria-label={
                    baseline === i ? `Unpin ${r.label} as the baseline` : `Pin ${r.label} as the baseline`
                  }
                  title={
                    baseline === i ? 'The baseline (click to unpin)' : 'Compare the others with this pipeline'
                  }
                  onClick={() => setBaseline(baseline === i ? null : i)}
                  data-testid={`baseline-${i}`}
                ></button>
                <span className="swatch" style={{ background: pipelineColor(i) }} aria-hidden="true" />
                {r.label}
                {/* Tags as generated content: the row header's text stays the pipeline's label. */}
                {baseline === i && <span className="baseline-tag" data-text=" baseline" />}
                {sameAs[i] >= 0 && (
                  <span
                    className="baseline-tag"
                    data-testid={`same-as-${i}`}
                    data-text={` same numbers as ${sameAs[i] + 1}`}
                  />
                )}
                {r.note && (
                  <small className="result-note" data-testid={`result-note-${i}`}>
                    <br />
                    {r.note}
                  </small>
                )}
              </th>
              <td data-metric="bitsPerCoord" data-value={r.bitsPerCoord}>
                {r.bitsPerCoord.toFixed(3)}
                {!within[i] && <span className="over-note"> over budget</span>}
                {baseOf(i) && (
                  <span className="delta" data-testid={`delta-${i}-bitsPerCoord`}>
                    {deltaText('bitsPerCoord', r.bitsPerCoord, baseOf(i)?.bitsPerCoord ?? NaN)}
                  </span>
                )}
              </td>
              {METRICS.map((m) => (
                <td
                  key={m.id}
                  data-metric={m.id}
                  data-value={r.metrics[m.id]}
                  className={best[m.id].has(i) ? 'best' : undefined}
                >
                  {formatMetric(m.id, r.metrics[m.id])}
                  {best[m.id].has(i) && (
                    <span className="star" aria-label={best[m.id].size > 1 ? 'best (tie)' : 'best'}>
                      ★
                    </span>
                  )}
                  {baseOf(i) && (
                    <span className="delta" data-testid={`delta-${i}-${m.id}`}>
                      {deltaText(m.id, r.metrics[m.id], baseOf(i)?.metrics[m.id] ?? NaN)}
                    </span>
                  )}
                </td>
              ))}
              <td
                className="backend"
                data-testid={`backend-${i}`}
                data-transform={r.timingsMs.backend.transform}
                data-quantize={r.timingsMs.backend.quantize}
                data-inverse={r.timingsMs.backend.inverse ?? 'cpu'}
              >
                {stageLabel('T', r.timingsMs.backend.transform, r.timingsMs.transform)} ·{' '}
                {stageLabel('Q', r.timingsMs.backend.quantize, r.timingsMs.quantize)}
                {r.timingsMs.backend.inverse
                  ? ` · ${stageLabel('I', r.timingsMs.backend.inverse, r.timingsMs.inverse)}`
                  : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
