/**
 * Pipelines: add / duplicate / remove / reorder; each a chain of transforms (add / remove / reorder
 * stages) then a quantizer; controls generated from each method's params.
 */
import { useId } from 'react';
import { QUANTIZERS, TRANSFORMS, quantizersById, transformsById } from '../../core/methods';
import { MAX_PIPELINES } from '../../core/limits';
import { pipelineLabel } from '../../core/pipeline';
import { MAX_CHAIN, type MethodRef, type PipelineConfig } from '../../core/config/schema';
import { useLab } from '../state/store';
import { ParamControl } from './ParamControl';
import { pipelineColors } from './colors';
import { InfoButton } from './InfoButton';

const IDENTITY: MethodRef = { id: 'identity', params: {} };

/** Stage 0 keeps the test ids of a single transform; later stages add ".<stage>". */
const stageTestId = (index: number, stage: number) =>
  stage === 0 ? `transform-${index}` : `transform-${index}.${stage}`;

function TransformStage({
  index,
  stage,
  transform,
  count,
}: {
  index: number;
  stage: number;
  transform: MethodRef;
  count: number;
}) {
  const s = useLab.getState();
  const id = useId();
  const def = transformsById.get(transform.id);
  const testId = stageTestId(index, stage);
  return (
    <li className="stage">
      <label className="param" htmlFor={id}>
        <span className="param-name">{count > 1 ? `transform ${stage + 1}` : 'transform'}</span>
        <select
          id={id}
          data-testid={testId}
          value={transform.id}
          onChange={(e) => s.setTransform(index, e.target.value, stage)}
        >
          {TRANSFORMS.map((t) => (
            <option key={t.id} value={t.id} title={t.description}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      {def && (
        <InfoButton title={def.label} testId={`info-${testId}`}>
          {def.description} <em>{def.reference}</em>
        </InfoButton>
      )}
      {count > 1 && (
        <span className="stage-actions">
          <button
            type="button"
            onClick={() => s.moveTransform(index, stage, -1)}
            disabled={stage === 0}
            aria-label={`Move transform ${stage + 1} of pipeline ${index + 1} earlier`}
            title="Earlier"
          >
            ↑
          </button>
          <button
            type="button"
            onClick={() => s.moveTransform(index, stage, 1)}
            disabled={stage === count - 1}
            aria-label={`Move transform ${stage + 1} of pipeline ${index + 1} later`}
            title="Later"
          >
            ↓
          </button>
          <button
            type="button"
            onClick={() => s.removeTransform(index, stage)}
            aria-label={`Remove transform ${stage + 1} of pipeline ${index + 1}`}
            title="Remove"
          >
            ✕
          </button>
        </span>
      )}
      {def &&
        Object.entries(def.params).map(([name, spec]) => (
          <ParamControl
            key={name}
            name={name}
            spec={spec}
            value={transform.params[name]}
            onChange={(v) => s.setTransformParam(index, name, v, stage)}
            testId={`${testId}-${name}`}
          />
        ))}
    </li>
  );
}

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
  const qId = useId();
  // The empty chain shows one 'identity' stage, so a transform can be picked in one step.
  const chain = pipeline.transforms.length ? pipeline.transforms : [IDENTITY];
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
        <ol className="chain" aria-label={`Transforms of pipeline ${index + 1}, applied in order`}>
          {chain.map((t, k) => (
            <TransformStage key={k} index={index} stage={k} transform={t} count={chain.length} />
          ))}
        </ol>
        <button
          type="button"
          className="add-stage"
          data-testid={`add-transform-${index}`}
          onClick={() => s.addTransform(index)}
          disabled={pipeline.transforms.length >= MAX_CHAIN || pipeline.transforms.length === 0}
          title="Append a transform to this chain (e.g. smooth → permute → rotate)"
        >
          + transform
        </button>
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
