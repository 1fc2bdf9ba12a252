/** Pipelines: add / duplicate / remove / reorder; controls generated from each method's params. */
import { useId } from 'react';
import { QUANTIZERS, TRANSFORMS, quantizersById, transformsById } from '../../core/methods';
import { MAX_PIPELINES } from '../../core/limits';
import { pipelineLabel } from '../../core/pipeline';
import type { PipelineConfig } from '../../core/config/schema';
import { useLab } from '../state/store';
import { ParamControl } from './ParamControl';
import { pipelineColors } from './colors';
import { InfoButton } from './InfoButton';

function PipelineCard({
  index,
  pipeline,
  count,
  color,
}: {
  index: number;
  pipeline: PipelineConfig;
  count: number;
  color: string;
}) {
  const s = useLab.getState();
  const tId = useId();
  const qId = useId();
  const tDef = transformsById.get(pipeline.transform.id);
  const qDef = quantizersById.get(pipeline.quantizer.id);
  return (
    <li className="pipeline" data-testid={`pipeline-${index}`} style={{ borderLeftColor: color }}>
      <div className="pipeline-head">
        <span className="swatch" style={{ background: color }} aria-hidden="true" />
        <span className="pipeline-label">{pipelineLabel(pipeline)}</span>
        <span className="pipeline-actions">
          <button
            type="button"
            onClick={() => s.movePipeline(index, -1)}
            disabled={index === 0}
            aria-label={`Move pipeline ${index + 1} up`}
            title="Move up"
          >
            ↑
          </button>
          <button
            type="button"
            onClick={() => s.movePipeline(index, 1)}
            disabled={index === count - 1}
            aria-label={`Move pipeline ${index + 1} down`}
            title="Move down"
          >
            ↓
          </button>
          <button
            type="button"
            onClick={() => s.duplicatePipeline(index)}
            disabled={count >= MAX_PIPELINES}
            aria-label={`Duplicate pipeline ${index + 1}`}
            title="Duplicate"
          >
            +
          </button>
          <button
            type="button"
            onClick={() => s.removePipeline(index)}
            disabled={count <= 1}
            aria-label={`Remove pipeline ${index + 1}`}
            title="Remove"
          >
            ✕
          </button>
        </span>
      </div>
      <div className="pipeline-body">
        <div className="stage">
          <label className="param" htmlFor={tId}>
            <span className="param-name">transform</span>
            <select
              id={tId}
              data-testid={`transform-${index}`}
              value={pipeline.transform.id}
              onChange={(e) => s.setTransform(index, e.target.value)}
            >
              {TRANSFORMS.map((t) => (
                <option key={t.id} value={t.id} title={t.description}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
          {tDef && (
            <InfoButton title={tDef.label} testId={`info-transform-${index}`}>
              {tDef.description} <em>{tDef.reference}</em>
            </InfoButton>
          )}
          {tDef &&
            Object.entries(tDef.params).map(([name, spec]) => (
              <ParamControl
                key={name}
                name={name}
                spec={spec}
                value={pipeline.transform.params[name]}
                onChange={(v) => s.setTransformParam(index, name, v)}
                testId={`transform-${index}-${name}`}
              />
            ))}
        </div>
        <span className="arrow" aria-hidden="true">
          →
        </span>
        <div className="stage">
          <label className="param" htmlFor={qId}>
            <span className="param-name">quantizer</span>
            <select
              id={qId}
              data-testid={`quantizer-${index}`}
              value={pipeline.quantizer.id}
              onChange={(e) => s.setQuantizer(index, e.target.value)}
            >
              {QUANTIZERS.map((q) => (
                <option key={q.id} value={q.id} title={q.description}>
                  {q.label}
                </option>
              ))}
            </select>
          </label>
          {qDef && (
            <InfoButton title={qDef.label} testId={`info-quantizer-${index}`}>
              {qDef.description} <em>{qDef.reference}</em>
            </InfoButton>
          )}
          {qDef &&
            Object.entries(qDef.params).map(([name, spec]) => (
              <ParamControl
                key={name}
                name={name}
                spec={spec}
                value={pipeline.quantizer.params[name]}
                onChange={(v) => s.setQuantizerParam(index, name, v)}
                testId={`quantizer-${index}-${name}`}
              />
            ))}
        </div>
      </div>
    </li>
  );
}

export function PipelinesPanel() {
  const pipelines = useLab((s) => s.config.pipelines);
  const addPipeline = useLab((s) => s.addPipeline);
  const colors = pipelineColors(pipelines);
  return (
    <section className="panel" aria-labelledby="pipelines-heading" data-testid="pipelines-panel">
      <h2 id="pipelines-heading">Pipelines</h2>
      <ol className="pipelines">
        {pipelines.map((p, i) => (
          <PipelineCard key={i} index={i} pipeline={p} count={pipelines.length} color={colors[i]} />
        ))}
      </ol>
      <button
        type="button"
        className="add"
        data-testid="add-pipeline"
        onClick={addPipeline}
        disabled={pipelines.length >= MAX_PIPELINES}
      >
        + Add pipeline
      </button>
    </section>
  );
}
