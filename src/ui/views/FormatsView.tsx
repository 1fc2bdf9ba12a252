/** Format conformance lab (src/core/analyses/formats.ts): code table, rounding modes, MX scale rules. */
import type { FormatsResult } from '../../core/analyses/formats';
import { formatNumber as fmt } from '../../core/format-number';
import { NumberLineChart } from '../charts/NumberLineChart';
import { useWidth } from '../charts/common';

export function FormatsView({ result }: { result: FormatsResult }) {
  const { summary, table, rounding, scaleRules } = result;
  const [ref, width] = useWidth<HTMLDivElement>();
  return (
    <div className="analysis-view" data-testid="view-formats" ref={ref}>
      <p data-testid="formats-summary">
        <strong>{result.format.toUpperCase()}</strong>: {summary.codes} codes, largest finite{' '}
        {fmt(summary.finiteMax)}, smallest positive {fmt(summary.finiteMinPositive)}, {summary.nanCodes} NaN
        codes. Round trip encode(decode(c)) = c:{' '}
        <span className={summary.roundTripFailures === 0 ? 'ok' : 'flag'} data-testid="roundtrip-verdict">
          {summary.roundTripFailures === 0 ? 'every code passes' : `${summary.roundTripFailures} codes FAIL`}
        </span>
        {summary.nanCodes > 1 ? ' (NaN codes map to the canonical NaN, marked "nan")' : ''}.
      </p>
      <NumberLineChart
        id="format-values"
        title={`${result.format}: every finite value (symmetric-log axis)`}
        values={table.map((e) => e.value)}
        minPositive={summary.finiteMinPositive}
        width={Math.max(320, width - 2)}
      />
      <details open={table.length <= 64}>
        <summary>Code table ({table.length} codes)</summary>
        <div className="table-scroll">
          <table className="analysis-table" data-testid="code-table">
            <thead>
              <tr>
                <th>code</th>
                <th>bits</th>
                <th>value</th>
                <th>kind</th>
                <th>prev</th>
                <th>next</th>
                <th>round trip</th>
              </tr>
            </thead>
            <tbody>
              {table.map((e) => (
                <tr key={e.code}>
                  <td>{e.code}</td>
                  <td className="mono">{e.bits}</td>
                  <td>{Object.is(e.value, -0) ? '−0' : fmt(e.value)}</td>
                  <td>{e.kind}</td>
                  <td>{e.prev === null ? '—' : fmt(e.prev)}</td>
                  <td>{e.next === null ? '—' : fmt(e.next)}</td>
                  <td className={e.roundTrip === 'fail' ? 'flag' : undefined}>{e.roundTrip}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      <h3>Rounding modes on the same data</h3>
      <p className="muted">Inputs: {rounding.scaling}. Highlighted rows: the modes give different codes.</p>
      <div className="table-scroll">
        <table className="analysis-table" data-testid="rounding-table">
          <thead>
            <tr>
              <th>#</th>
              <th>input t</th>
              {rounding.modes.map((m) => (
                <th key={m}>{m}: code → value</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rounding.inputs.map((t, i) => (
              <tr key={i} className={rounding.differ[i] ? 'differ' : undefined}>
                <td>{i}</td>
                <td>{fmt(t)}</td>
                {rounding.modes.map((m, k) => (
                  <td key={m}>
                    {rounding.codes[k][i]} → {fmt(rounding.values[k][i])}
                  </td>
                ))}
              </tr>
            ))}
            <tr className="summary-row">
              <td colSpan={2}>MSE / mean error</td>
              {rounding.modes.map((m, k) => (
                <td key={m}>
                  {fmt(rounding.mse[k])} / {fmt(rounding.bias[k])}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
      <h3>
        MX shared-scale rules (element {scaleRules.element.toUpperCase()}, blocks of {scaleRules.block})
      </h3>
      <table className="analysis-table" data-testid="scale-rules-summary">
        <thead>
          <tr>
            <th>rule</th>
            <th>block exponents e (X = 2^e)</th>
            <th>E8M0 codes</th>
            <th>saturated elements</th>
            <th>MSE</th>
          </tr>
        </thead>
        <tbody>
          {scaleRules.rules.map((r) => (
            <tr key={r.rule}>
              <td>{r.rule === 'floor' ? 'floor (OCP MX §6.3)' : r.rule}</td>
              <td>{r.exponents.join(', ')}</td>
              <td>{r.e8m0.join(', ')}</td>
              <td>{r.saturated}</td>
              <td>{fmt(r.mse)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="table-scroll">
        <table className="analysis-table" data-testid="scale-rules-table">
          <thead>
            <tr>
              <th>#</th>
              <th>value v</th>
              {scaleRules.rules.map((r) => (
                <th key={r.rule}>{r.rule}: code → v̂</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {scaleRules.inputs.map((v, i) => (
              <tr key={i} className={scaleRules.differ[i] ? 'differ' : undefined}>
                <td>{i}</td>
                <td>{fmt(v)}</td>
                {scaleRules.rules.map((r) => (
                  <td key={r.rule}>
                    {r.codes[i]} → {fmt(r.values[i])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
