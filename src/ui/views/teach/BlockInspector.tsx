/**
 * Block inspector: one block of a row of the current data, element by element, in the format of
 * the chosen pipeline's quantizer (or a chosen block format when the quantizer has no blocks).
 * The row is the pipeline's quantizer input (after its transforms) from the teaching worker; the
 * decomposition is src/core/teaching/block.ts, so every number is the kernel's.
 */
import { useMemo, type KeyboardEvent } from 'react';
import type { ExperimentConfig } from '../../../core/config/schema';
import {
  BLOCK_FORMATS,
  outlierEffect,
  quantizerBlockFormat,
  type BlockFormat,
  type BlockOptions,
  type QuantizerBlocks,
} from '../../../core/teaching/block';
import { useTrace } from '../../bridge/teach-client';
import { fmt, readEnum, readInt, readNum, useViewParam } from './params';

const FORMAT_LABEL: Record<BlockFormat, string> = {
  mxfp4: 'MXFP4',
  'mxfp6-e2m3': 'MXFP6 (E2M3)',
  'mxfp6-e3m2': 'MXFP6 (E3M2)',
  'mxfp8-e4m3': 'MXFP8 (E4M3)',
  'mxfp8-e5m2': 'MXFP8 (E5M2)',
  mxint8: 'MXINT8',
  mx: 'MX',
  nvfp4: 'NVFP4',
  nf4: 'NF4',
  int: 'INT-k',
  bfp: 'BFP',
};

/** A short name of the inspected format with its settings (int bits, the mx point, BFP mantissa). */
function formatName(format: BlockFormat, o: Partial<BlockOptions>): string {
  if (format === 'int') return `INT-${o.bits ?? 4}${o.symmetric === false ? ' asymmetric' : ''}`;
  if (format === 'bfp') return `BFP (m = ${o.mantissa ?? 4}, 8-bit shared exponent)`;
  if (format !== 'mx') return FORMAT_LABEL[format];
  const el = (o.element ?? 'e2m1').toUpperCase();
  const sc = (o.scaleFormat ?? 'e8m0').toUpperCase();
  return `MX ${el} · ${sc} scale, ${o.rule ?? 'floor'} rule${o.tensorScale ? ', fp32 tensor scale' : ''}`;
}

/** The block format and options a pipeline's quantizer implies, or null when it has no blocks. */
export function pipelineFormat(config: ExperimentConfig, p: number): QuantizerBlocks | null {
  const q = config.pipelines[p]?.quantizer;
  return q ? quantizerBlockFormat(q.id, q.params) : null;
}

export function firstBlockPipeline(config: ExperimentConfig): number {
  const i = config.pipelines.findIndex((_, k) => pipelineFormat(config, k) !== null);
  return i < 0 ? 0 : i;
}

export function BlockInspector({ config }: { config: ExperimentConfig }) {
  const n = config.pipelines.length;
  const [p, setP] = useViewParam('p', (s) => readInt(s, 'p', 0, n - 1, firstBlockPipeline(config)));
  const [row, setRow] = useViewParam('row', (s) => readInt(s, 'row', 0, 1_000_000, 0));
  const [blk, setBlk] = useViewParam('blk', (s) => readInt(s, 'blk', 0, 100_000, 0));
  const [chosen, setChosen] = useViewParam('fmt', (s) => readEnum(s, 'fmt', BLOCK_FORMATS, 'mxfp4'));
  const [el, setEl] = useViewParam('el', (s) => readInt(s, 'el', 0, 4095, 0));
  const [k, setK] = useViewParam('k', (s) => readNum(s, 'k', 1, 64, 1));
  // Bits of a chosen INT-k (2…8) or BFP mantissa (2…16) when the quantizer has no blocks.
  const [kb, setKb] = useViewParam('kb', (s) => readInt(s, 'kb', 2, 16, 4));
  const trace = useTrace(config, Math.min(p, n - 1), row);

  const fixed = pipelineFormat(config, p);
  const quantizer = config.pipelines[p]?.quantizer;
  const format = fixed?.format ?? chosen;
  const blockSize = fixed?.block ?? (format === 'nvfp4' ? 16 : 32);
  const chosenOpts: Partial<BlockOptions> =
    format === 'int' ? { bits: Math.min(8, kb) } : format === 'bfp' ? { mantissa: kb } : {};
  const reply = trace.data;
  const stages = reply?.trace.stages;
  // The quantizer's input: the stage just before 'quantize' (x itself for an empty chain).
  const y = stages ? stages[stages.findIndex((s) => s.kind === 'quantize') - 1].values : null;
  const nBlocks = y ? Math.ceil(y.length / blockSize) : 1;
  const b = Math.min(blk, nBlocks - 1);
  const values = useMemo(() => (y ? y.slice(b * blockSize, (b + 1) * blockSize) : null), [y, b, blockSize]);
  const opts: BlockOptions = {
    format,
    ...(fixed?.opts ?? chosenOpts),
    tensorAmax: reply?.trace.tensorAmax ?? 0,
  };
  const optsKey = JSON.stringify(opts);
  const effect = useMemo(
    () => (values ? outlierEffect(values, opts, Math.min(el, values.length - 1), k) : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [values, optsKey, el, k],
  );
  const shown = effect ? (k === 1 ? effect.before : effect.after) : null;

  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowRight') setBlk(Math.min(nBlocks - 1, b + 1));
    else if (e.key === 'ArrowLeft') setBlk(Math.max(0, b - 1));
    else if (e.key === 'ArrowDown' && reply) setRow(Math.min(reply.rows - 1, row + 1));
    else if (e.key === 'ArrowUp') setRow(Math.max(0, row - 1));
    else return;
    e.preventDefault();
  };

  return (
    <section
      className="teach-view"
      data-testid="teach-block"
      onKeyDown={onKey}
      tabIndex={0}
      aria-label="Block inspector"
    >
      <div className="teach-controls">
        <label>
          pipeline
          <select value={p} onChange={(e) => setP(Number(e.target.value))} data-testid="teach-pipeline">
            {config.pipelines.map((pl, i) => (
              <option key={i} value={i}>
                {i + 1}.{' '}
                {pl.label ?? `${pl.transforms.map((t) => t.id).join('→') || 'identity'} → ${pl.quantizer.id}`}
              </option>
            ))}
          </select>
        </label>
        {!fixed && (
          <label>
            format
            <select
              value={chosen}
              onChange={(e) => setChosen(e.target.value as BlockFormat)}
              data-testid="teach-format"
            >
              {BLOCK_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {FORMAT_LABEL[f]}
                </option>
              ))}
            </select>
          </label>
        )}
        {!fixed && (format === 'int' || format === 'bfp') && (
          <label>
            {format === 'int' ? 'k' : 'm'}
            <input
              type="number"
              min={2}
              max={format === 'int' ? 8 : 16}
              value={format === 'int' ? Math.min(8, kb) : kb}
              onChange={(e) =>
                setKb(
                  Math.max(2, Math.min(format === 'int' ? 8 : 16, Math.floor(Number(e.target.value) || 2))),
                )
              }
              data-testid="teach-kb"
            />
          </label>
        )}
        <label>
          row
          <input
            type="number"
            min={0}
            max={(reply?.rows ?? 1) - 1}
            value={row}
            onChange={(e) => setRow(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
            data-testid="teach-row"
          />
        </label>
        <label>
          block
          <input
            type="number"
            min={0}
            max={nBlocks - 1}
            value={b}
            onChange={(e) => setBlk(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
            data-testid="teach-blk"
          />
          <span className="muted">/ {nBlocks}</span>
        </label>
      </div>
      {trace.isError && (
        <p role="alert" className="teach-error">
          {trace.error.message}
        </p>
      )}
      {!shown && !trace.isError && <p className="muted">computing…</p>}
      {shown && effect && values && (
        <>
          <p className="teach-lead" data-testid="teach-block-summary">
            {formatName(format, opts)}, block {b} of row {row}
            {fixed
              ? ''
              : quantizer?.id === 'mx'
                ? ' (this pipeline’s 2-D tiles span rows: inspecting its input in the chosen 1-D format)'
                : ' (this pipeline’s quantizer has no blocks: inspecting its input in the chosen format)'}
            : {blockSize} values share one scale.
            {fixed && quantizer?.params.rounding === 'stochastic'
              ? ' Shown with nearest rounding; this pipeline rounds the elements stochastically.'
              : ''}
          </p>
          <div className="teach-formula" data-testid="teach-formula">
            {shown.formula}
          </div>
          {shown.element && (
            <p className="small muted" data-testid="teach-element-info">
              {shown.element.name} ({shown.element.bits} bits): max normal E_max ={' '}
              <b data-value={shown.element.maxNormal}>{fmt(shown.element.maxNormal)}</b>, min normal{' '}
              {fmt(shown.element.minNormal)}, subnormal step {fmt(shown.element.minSubnormal)}, emax ={' '}
              {shown.element.emax}
            </p>
          )}
          <ol className="teach-steps" data-testid="teach-scale-steps">
            {shown.steps.map((s) => (
              <li key={s.label}>
                <span>{s.label}</span> = <b data-testid="teach-step-value">{fmt(s.value)}</b>
                {s.bits && <code className="bits">{s.bits}</code>}
              </li>
            ))}
            <li className="muted">{shown.rounding}</li>
          </ol>
          <div className="teach-outlier">
            <label>
              outlier: element
              <input
                type="number"
                min={0}
                max={values.length - 1}
                value={Math.min(el, values.length - 1)}
                onChange={(e) => setEl(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
                data-testid="teach-el"
              />
            </label>
            <label className="grow">
              × {k.toFixed(k < 10 ? 2 : 1)}
              <input
                type="range"
                min={0}
                max={6}
                step={0.05}
                value={Math.log2(k)}
                onChange={(e) => setK(Number((2 ** Number(e.target.value)).toFixed(3)))}
                data-testid="teach-k"
                aria-label="outlier factor (log scale)"
              />
            </label>
            <p className="teach-effect" data-testid="teach-effect">
              scale {fmt(effect.before.scale)} → <b>{fmt(effect.after.scale)}</b>; squared error of the other{' '}
              {values.length - 1} elements {fmt(effect.othersSseBefore)} → <b>{fmt(effect.othersSseAfter)}</b>
              {k > 1 && effect.after.scale > effect.before.scale
                ? ' — a single outlier inflates the shared block scale (DuQuant++).'
                : ''}
            </p>
          </div>
          <div className="teach-table-wrap">
            <table className="teach-table" data-testid="teach-block-table">
              <thead>
                <tr>
                  <th>i</th>
                  <th>x</th>
                  <th className="wide-only">x / scale</th>
                  <th>bits</th>
                  <th>code</th>
                  <th className="wide-only">level</th>
                  <th>x̂</th>
                  <th>error</th>
                </tr>
              </thead>
              <tbody>
                {shown.elements.map((e) => (
                  <tr
                    key={e.index}
                    className={e.setsScale ? 'sets-scale' : undefined}
                    data-testid="teach-element"
                  >
                    <td>
                      {e.index}
                      {e.setsScale ? ' ★' : ''}
                      {e.saturated ? ' ⊤' : ''}
                    </td>
                    <td>{fmt(e.x)}</td>
                    <td className="wide-only">{fmt(e.scaled)}</td>
                    <td>
                      <code className="bits">{e.bits}</code>
                    </td>
                    <td>{e.code}</td>
                    <td className="wide-only">{fmt(e.level)}</td>
                    <td data-testid="teach-xhat" data-value={e.xHat}>
                      {fmt(e.xHat)}
                    </td>
                    <td>{fmt(e.error)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small">
            ★ set the scale
            {shown.elements.some((e) => e.saturated)
              ? '; ⊤ saturated (clamped to the grid’s largest value)'
              : ''}
            . Σ(x − x̂)² = {fmt(shown.sse)}. ← → block, ↑ ↓ row.
          </p>
        </>
      )}
    </section>
  );
}
