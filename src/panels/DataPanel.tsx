/** Data panel: source, its params and the experiment seed. */
import { useId } from 'react';
import { DATA_SOURCES } from '../core/methods';
import { dataParamSchema } from '../config/schema';
import { useLab } from '../state/store';
import { ParamControl } from './ParamControl';

export function DataPanel() {
  const data = useLab((s) => s.config.data);
  const seed = useLab((s) => s.config.seed);
  const setDataSource = useLab((s) => s.setDataSource);
  const setDataParam = useLab((s) => s.setDataParam);
  const setSeed = useLab((s) => s.setSeed);
  const sourceId = useId();
  const schema = dataParamSchema(data.source) ?? {};
  const def = DATA_SOURCES.find((d) => d.id === data.source);
  return (
    <section className="panel" aria-labelledby="data-heading" data-testid="data-panel">
      <h2 id="data-heading">Data</h2>
      <label className="param" htmlFor={sourceId}>
        <span className="param-name">source</span>
        <select id={sourceId} data-testid="data-source" value={data.source} onChange={(e) => setDataSource(e.target.value)}>
          {DATA_SOURCES.map((d) => (
            <option key={d.id} value={d.id}>
              {d.label}
            </option>
          ))}
        </select>
      </label>
      {def && <p className="hint">{def.description}</p>}
      <div className="param-grid">
        {Object.entries(schema).map(([name, spec]) => (
          <ParamControl key={name} name={name} spec={spec} value={data[name]} onChange={(v) => setDataParam(name, v)} testId={`data-${name}`} />
        ))}
        <ParamControl
          name="seed"
          spec={{ kind: 'int', default: 0, min: 0, max: 4294967295, doc: 'Experiment seed: data, rotations, sketches and queries all derive from it.' }}
          value={seed}
          onChange={(v) => setSeed(Number(v))}
          testId="seed"
        />
      </div>
    </section>
  );
}
