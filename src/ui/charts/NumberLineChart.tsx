/**
 * The values of a number format on the real line (format lab, src/core/analyses/formats.ts): one
 * tick mark per finite code value on a symmetric-log axis (Webber, "A bi-symmetric log
 * transformation for wide-range data", Meas. Sci. Technol. 24 (2013)), whose linear region is the
 * smallest positive value, so subnormals and the largest values are both visible. Same primitives
 * as every chart (common.tsx); the tooltip names the nearest value and its neighbours' gaps.
 */
import { useState } from 'react';
import { scaleSymlog } from 'd3';
import { AxisBottom, ChartRoot, TipBody, fmt, type TooltipState } from './common';

export interface NumberLineChartProps {
  readonly id: string;
  readonly title: string;
  /** Every finite value of the format (any order, repeats allowed). */
  readonly values: readonly number[];
  /** Smallest positive value: the symlog constant (linear region), 1 when absent. */
  readonly minPositive: number;
  readonly width: number;
  readonly color?: string;
}

export const NUMBER_LINE_HEIGHT = 84;
export const NUMBER_LINE_MARGIN = { left: 24, right: 24 } as const;

export function numberLineScale(values: readonly number[], minPositive: number, width: number) {
  const finite = values.filter(Number.isFinite);
  const max = Math.max(0, ...finite.map(Math.abs));
  const min = Math.min(0, ...finite);
  return scaleSymlog()
    .domain([min, max || 1])
    .constant(minPositive > 0 ? minPositive : 1)
    .range([NUMBER_LINE_MARGIN.left, width - NUMBER_LINE_MARGIN.right]);
}

export function NumberLineChart({ id, title, values, minPositive, width, color }: NumberLineChartProps) {
  const [tip, setTip] = useState<TooltipState | null>(null);
  const x = numberLineScale(values, minPositive, width);
  const vals = [...new Set(values.filter(Number.isFinite))].sort((a, b) => a - b);
  const [d0, d1] = x.domain();
  const ticks = [
    ...new Set([d0, 0, minPositive, 1, d1].filter((v) => Number.isFinite(v) && v >= d0 && v <= d1)),
  ].sort((a, b) => a - b);
  const axisY = 46;
  const stroke = color ?? 'var(--accent, #0b6bcb)';
  return (
    <ChartRoot
      id={id}
      size={{ width, height: NUMBER_LINE_HEIGHT }}
      title={title}
      description={`${vals.length} distinct finite values on a symmetric-log axis (linear within ±${fmt(minPositive)}).`}
      tooltip={tip}
      dense="svg"
      dataAttrs={{ series: 1, values: vals.length, testid: `chart-${id}` }}
      onMove={(mx, my) => {
        let best = -1;
        let bd = 10;
        vals.forEach((v, i) => {
          const d = Math.abs(x(v) - mx);
          if (d < bd) {
            bd = d;
            best = i;
          }
        });
        if (best < 0) return setTip(null);
        const v = vals[best];
        setTip({
          x: mx,
          y: my,
          fx: x(v),
          fy: axisY - 10,
          content: (
            <TipBody
              title={fmt(v, 6)}
              rows={[
                ['previous', best > 0 ? fmt(vals[best - 1], 6) : '—'],
                ['next', best < vals.length - 1 ? fmt(vals[best + 1], 6) : '—'],
              ]}
            />
          ),
        });
      }}
      onLeave={() => setTip(null)}
    >
      <text x={width / 2} y={12} textAnchor="middle" className="qs-muted">
        value (symmetric-log scale)
      </text>
      <g data-series="values">
        {vals.map((v) => (
          <line key={v} x1={x(v)} x2={x(v)} y1={axisY - 20} y2={axisY} stroke={stroke} strokeWidth={1.2} />
        ))}
      </g>
      <AxisBottom scale={x} y={axisY} label="" values={ticks} format={(v) => fmt(v)} />
    </ChartRoot>
  );
}
