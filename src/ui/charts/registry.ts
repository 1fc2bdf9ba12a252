/**
 * The chart registry: one entry per chart id. Embed mode (`?embed=<chart id>`) and
 * SVG/PNG export render a chart by id from an ExperimentOutput (plus the sweep or spectra result
 * for the charts that need one); every chart's root holds an <svg data-chart="<id>"> (the outliers
 * entry renders two: "outliers" and "outliers-heatmap").
 *
 * Ids appear in URLs (`?embed=`): never rename one.
 */
import { createElement, Fragment, type ReactElement } from 'react';
import type { ExperimentOutput } from '../../engine/experiment';
import type { RateDistortion, Spectra } from '../../core/artifacts/types';
import type { TheoryCurve } from '../../core/artifacts/theory';
import { sweepKey } from '../../engine/artifacts';
import { colorOf } from '../panels/colors';
import type { DenseMode } from './common';
import { RateDistortionChart } from './RateDistortionChart';
import { OutlierHistogram } from './OutlierHistogram';
import { ChannelAbsmaxHeatmap } from './ChannelAbsmaxHeatmap';
import { ErrorView } from './ErrorView';
import { SpectraChart, type EnergyBasis } from './SpectraChart';
import { InnerProductChart } from './InnerProductChart';

export type ChartId = 'rd' | 'outliers' | 'error' | 'spectra' | 'ip';

/** What a chart needs besides the main run's output: nothing, the bits sweep, or the spectra. */
export type ChartNeeds = 'run' | 'sweep' | 'spectra';

export interface ChartInputs {
  readonly output: ExperimentOutput;
  /** Required by needs = 'sweep' (drawn without it: theory and current points only). */
  readonly sweep?: RateDistortion;
  /**
   * Theory curves (computed in the worker: RateDistortion.theory); defaults to the sweep's. They
   * depend on nothing, so a previous sweep's curves may be passed while the next one computes.
   */
  readonly theory?: readonly TheoryCurve[];
  /** Required by needs = 'spectra'. */
  readonly spectra?: Spectra;
  readonly basis?: EnergyBasis;
}

export interface RenderOptions {
  readonly width: number;
  /** 'svg' draws dense marks as SVG elements (export, golden tests); default 'canvas'. */
  readonly dense?: DenseMode;
  readonly color?: (index: number) => string;
}

export interface ChartEntry {
  readonly id: ChartId;
  readonly title: string;
  readonly description: string;
  readonly needs: ChartNeeds;
  /** The chart element, or null when its inputs are not available yet. */
  render(inputs: ChartInputs, options: RenderOptions): ReactElement | null;
}

/**
 * The sweep if it belongs to this output's config, else undefined: a sweep tagged with another
 * config's key (the previous experiment's, still on screen while the next one computes) is never
 * drawn, so its lines cannot sit under the new legend. Untagged sweeps (fixtures) are trusted.
 */
export function sweepFor(
  output: ExperimentOutput,
  sweep: RateDistortion | undefined,
): RateDistortion | undefined {
  if (!sweep || sweep.key === undefined) return sweep;
  return sweep.key === sweepKey(output.config) ? sweep : undefined;
}

const labels = (out: ExperimentOutput) => out.results.map((r) => r.label);

export const CHARTS: readonly ChartEntry[] = [
  {
    id: 'rd',
    title: 'Rate–distortion',
    description:
      'vNMSE vs bits per coordinate, each pipeline swept along its cost axis (bits, FP formats, rank, outlier threshold, block), with the Pareto frontier and theory curves.',
    needs: 'sweep',
    render: ({ output, sweep, theory }, { width, dense, color = colorOf(output.config.pipelines) }) =>
      createElement(RateDistortionChart, {
        sweep: sweepFor(output, sweep),
        current: output.results.map((r) => ({
          label: r.label,
          bitsPerCoord: r.bitsPerCoord,
          vnmse: r.metrics.vnmse,
        })),
        theory: theory ?? sweep?.theory ?? [],
        baseline: output.config.baseline,
        color,
        width,
        dense,
      }),
  },
  {
    id: 'outliers',
    title: 'Outliers',
    description: 'Coordinate histograms before and after each transform, and per-channel absmax heatmaps.',
    needs: 'run',
    render: ({ output }, { width, dense, color = colorOf(output.config.pipelines) }) => {
      const a = output.artifacts;
      if (!a) return null;
      const names = labels(output);
      return createElement(
        Fragment,
        null,
        createElement(OutlierHistogram, {
          key: 'hist',
          before: a.before,
          after: a.pipelines.map((p) => ({ label: names[p.index], distribution: p.after })),
          dim: a.dim,
          color,
          width,
          dense,
        }),
        createElement(ChannelAbsmaxHeatmap, {
          key: 'heat',
          before: a.beforeAbsmax,
          after: a.pipelines.map((p) => ({ label: names[p.index], absmax: p.afterAbsmax })),
          color,
          width,
          dense,
        }),
      );
    },
  },
  {
    id: 'error',
    title: 'Error',
    description: 'Histogram of x̂ − x and a scatter of x against x̂ per pipeline.',
    needs: 'run',
    render: ({ output }, { width, dense, color = colorOf(output.config.pipelines) }) => {
      const a = output.artifacts;
      if (!a) return null;
      const names = labels(output);
      return createElement(ErrorView, {
        series: a.pipelines.map((p) => ({
          label: names[p.index],
          error: p.error,
          sampleX: p.sampleX,
          sampleXHat: p.sampleXHat,
        })),
        color,
        width,
        dense,
      });
    },
  },
  {
    id: 'spectra',
    title: 'Spectra',
    description:
      'Singular values of the data and the error with a Marchenko–Pastur fit; energy per sequency or frequency.',
    needs: 'spectra',
    render: (
      { output, spectra, basis = 'walsh' },
      { width, dense, color = colorOf(output.config.pipelines) },
    ) =>
      spectra
        ? createElement(SpectraChart, { spectra, labels: labels(output), basis, color, width, dense })
        : null,
  },
  {
    id: 'ip',
    title: 'Inner products',
    description: '⟨q,x̂⟩ against ⟨q,x⟩ for seeded unit queries, with the fitted slope per pipeline.',
    needs: 'run',
    render: ({ output }, { width, dense, color = colorOf(output.config.pipelines) }) => {
      const a = output.artifacts;
      if (!a) return null;
      const names = labels(output);
      return createElement(InnerProductChart, {
        series: a.pipelines.map((p) => ({ label: names[p.index], ip: p.innerProducts })),
        baseline: output.config.baseline,
        color,
        width,
        dense,
      });
    },
  },
];

export const CHART_IDS: readonly ChartId[] = CHARTS.map((c) => c.id);

export function isChartId(id: string): id is ChartId {
  return (CHART_IDS as readonly string[]).includes(id);
}

export function chartById(id: string): ChartEntry | undefined {
  return CHARTS.find((c) => c.id === id);
}

/** Render a chart by id (null for an unknown id or missing inputs). */
export function renderChart(id: string, inputs: ChartInputs, options: RenderOptions): ReactElement | null {
  return chartById(id)?.render(inputs, options) ?? null;
}
