/** Data panel: source, its params, the experiment seed, where metrics are computed and the dense products’ arithmetic. */
import { useId } from 'react';
import { DATA_SOURCE_KINDS, dataSourceKindsById, readsBytes } from '../../core/methods';
import { dataParamSchema, type ExperimentConfig, type NumericsConfig } from '../../core/config/schema';
import type { ParamSpec } from '../../core/methods/types';
import { useLab } from '../state/store';
import { ParamControl } from './ParamControl';
import { FileDropZone, TensorPicker, useOpenFiles } from './FileData';
import { useState } from 'react';

/** config.numerics.metricDomain (CONTRACT.md §5) as a control; part of the link like the seed. */
const METRIC_DOMAIN_SPEC: ParamSpec = {
  kind: 'enum',
  default: 'data',
  options: ['data', 'transformed'],
  doc: 'Where the metrics are computed. data: on x and its reconstruction x̂ = T⁻¹(ŷ). transformed: on y = T(x) and ŷ after the last transform, skipping the inverse; only for chains of orthogonal transforms that keep the dimension (Hadamard, Haar, DCT, PCA, permutations…), where every metric is unchanged by the rotation (ip-nvar maps its queries), so the numbers agree within float32 rounding and dense rotations cost one product less. Other pipelines stay in the data domain; links made before this choice keep it (data), and a new experiment starts in transformed.',
};

/** config.numerics.denseProducts (CONTRACT.md §5.2) as a control; part of the link like the seed. */
const DENSE_PRODUCTS_SPEC: ParamSpec = {
  kind: 'enum',
  default: 'float64',
  options: ['float64', 'float32'],
  doc: 'Arithmetic of the dense products: Haar rotations, PCA’s Householder basis and the QJL sketch products (qjl, TurboQuant_prod, QJL-KV). float64: every product and sum in double precision. float32: every one rounded to single precision, as a GPU or PyTorch computes them; the numbers agree within float32 rounding (a rotated coordinate moves by about 10⁻⁷ of the row norm) and the CPU kernel runs about twice as fast (4 lanes per SIMD instruction instead of 2). Links made before this choice keep float64; a new experiment starts in float32.',
};

/** The config with one numerics field set; default values are dropped, so the link stays canonical. */
function withNumeric<K extends 'metricDomain' | 'denseProducts'>(
  config: ExperimentConfig,
  key: K,
  value: NonNullable<NumericsConfig[K]>,
  fallback: NonNullable<NumericsConfig[K]>,
): ExperimentConfig {
  const { numerics, ...rest } = config;
  const { [key]: _old, ...others } = numerics ?? {};
  const next = value === fallback ? others : { ...others, [key]: value };
  return Object.keys(next).length ? { ...rest, numerics: next } : rest;
}

export function DataPanel() {
  const data = useLab((s) => s.config.data);
  const seed = useLab((s) => s.config.seed);
  const setDataSource = useLab((s) => s.setDataSource);
  const setDataParam = useLab((s) => s.setDataParam);
  const setSeed = useLab((s) => s.setSeed);
  const config = useLab((s) => s.config);
  const setConfig = useLab((s) => s.setConfig);
  const sourceId = useId();
  const files = useOpenFiles();
  const [wantFile, setWantFile] = useState<string | undefined>(undefined);
  // A kind read from bytes (a file) shows the drop zone and tensor picker instead of params.
  const isFile = readsBytes(data.source);
  const showFile = isFile || wantFile !== undefined;
  const schema = isFile ? {} : (dataParamSchema(data.source) ?? {});
  const def = dataSourceKindsById.get(data.source);
  return (
    <section className="panel" aria-labelledby="data-heading" data-testid="data-panel">
      <h2 id="data-heading">Data</h2>
      <label className="param" htmlFor={sourceId}>
        <span className="param-name">source</span>
        <select
          id={sourceId}
          data-testid="data-source"
          value={isFile ? data.source : (wantFile ?? data.source)}
          onChange={(e) => {
            if (readsBytes(e.target.value)) {
              setWantFile(e.target.value);
              return;
            }
            setWantFile(undefined);
            setDataSource(e.target.value);
          }}
        >
          {DATA_SOURCE_KINDS.map((d) => (
            <option key={d.id} value={d.id}>
              {d.origin === 'bytes' ? `${d.label} (npy, npz, safetensors, gguf, onnx, pt, csv)…` : d.label}
            </option>
          ))}
        </select>
      </label>
      {def && !showFile && <p className="hint">{def.description}</p>}
      {showFile && (
        <>
          <FileDropZone onFiles={(f) => void files.open(f)} busy={files.busy} />
          {files.error && (
            <p className="inline-error" role="alert" data-testid="file-error">
              {files.error}
            </p>
          )}
          {files.notice && (
            <p className="hint" role="status" data-testid="file-notice">
              {files.notice}
            </p>
          )}
          {isFile && !files.opened && (
            <p className="hint" data-testid="file-needed">
              This experiment uses {String(data.path) || 'a file'}
              {data.tensor ? `, tensor ${String(data.tensor)}` : ''}
              {data.sha256 ? ` (SHA-256 ${String(data.sha256).slice(0, 12)}…)` : ''}: open that file to run
              it.
            </p>
          )}
          {isFile && files.opened && <TensorPicker opened={files.opened} />}
        </>
      )}
      <div className="param-grid">
        {Object.entries(schema).map(([name, spec]) => (
          <ParamControl
            key={name}
            name={name}
            spec={spec}
            value={data[name]}
            onChange={(v) => setDataParam(name, v)}
            testId={`data-${name}`}
          />
        ))}
        <ParamControl
          name="seed"
          spec={{
            kind: 'int',
            default: 0,
            min: 0,
            max: 4294967295,
            doc: 'Experiment seed: data, rotations, sketches and queries all derive from it.',
          }}
          value={seed}
          onChange={(v) => setSeed(Number(v))}
          testId="seed"
        />
        <ParamControl
          name="metric domain"
          spec={METRIC_DOMAIN_SPEC}
          value={config.numerics?.metricDomain ?? 'data'}
          onChange={(v) =>
            setConfig(
              withNumeric(config, 'metricDomain', v === 'transformed' ? 'transformed' : 'data', 'data'),
            )
          }
          testId="metric-domain"
          info
        />
        <ParamControl
          name="dense products"
          spec={DENSE_PRODUCTS_SPEC}
          value={config.numerics?.denseProducts ?? 'float64'}
          onChange={(v) =>
            setConfig(
              withNumeric(config, 'denseProducts', v === 'float32' ? 'float32' : 'float64', 'float64'),
            )
          }
          testId="dense-products"
          info
        />
      </div>
    </section>
  );
}
