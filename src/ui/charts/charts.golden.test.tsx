/**
 * Golden-SVG tests (DESIGN.md "Charts"): each chart rendered with react-dom/server (no DOM, no
 * canvas: dense="svg" emits the dense marks as SVG) from the fixed inputs of testFixtures.ts, every
 * decimal number rounded to 2 places, one tag per line, compared with the reviewed file under
 * __golden__/. Regenerate deliberately with UPDATE_GOLDEN=1 and review the diff.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { RateDistortionChart } from './RateDistortionChart';
import { OutlierHistogram } from './OutlierHistogram';
import { ChannelAbsmaxHeatmap } from './ChannelAbsmaxHeatmap';
import { ErrorView } from './ErrorView';
import { SpectraChart } from './SpectraChart';
import { InnerProductChart } from './InnerProductChart';
import { CHART_IDS, renderChart } from './registry';
import {
  FIXTURE_DIM,
  FIXTURE_LABELS,
  fixtureArtifacts,
  fixtureColor,
  fixtureSpectra,
  fixtureSweep,
  fixtureTheory,
} from './testFixtures';
import type { ExperimentOutput } from '../../engine/experiment';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '__golden__');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const WIDTH = 760;

/** Round every decimal to 2 places (layout noise below 0.01 px is not a change) and split tags. */
export function normalizeMarkup(markup: string): string {
  return markup
    .replace(/-?\d+\.\d+(?:e[-+]?\d+)?/g, (m) => {
      const v = Number(m);
      const r = Math.round(v * 100) / 100;
      return Object.is(r, -0) ? '0' : String(r);
    })
    .replace(/></g, '>\n<');
}

function golden(name: string, element: ReactElement): void {
  const markup = renderToStaticMarkup(element);
  // The chart's <svg> element alone (dense="svg" puts every mark in it): a standalone SVG file.
  const svg = markup.slice(markup.indexOf('<svg'), markup.lastIndexOf('</svg>') + '</svg>'.length);
  const actual = normalizeMarkup(svg) + '\n';
  const file = join(GOLDEN_DIR, `${name}.svg`);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`missing golden ${file}: run with UPDATE_GOLDEN=1 and review it`);
  const expected = readFileSync(file, 'utf8');
  if (actual !== expected) {
    // Print the first differing line with its neighbours: input, expected and actual.
    const a = actual.split('\n');
    const e = expected.split('\n');
    const i = a.findIndex((line, k) => line !== e[k]);
    throw new Error(
      `${name}: markup differs from ${file} at line ${i + 1}\n expected: ${e[i] ?? '(end)'}\n actual:   ${a[i] ?? '(end)'}\n(tolerance: decimals rounded to 0.01; UPDATE_GOLDEN=1 regenerates)`,
    );
  }
  expect(actual).toBe(expected);
}

const artifacts = fixtureArtifacts();
const series = artifacts.pipelines;

describe('chart goldens', () => {
  it('rate–distortion', () => {
    golden(
      'rd',
      <RateDistortionChart
        sweep={fixtureSweep()}
        current={[
          { label: FIXTURE_LABELS[0], bitsPerCoord: 2.125, vnmse: 0.1234 },
          { label: FIXTURE_LABELS[1], bitsPerCoord: 1, vnmse: 0.3634 },
        ]}
        theory={fixtureTheory()}
        color={fixtureColor}
        width={WIDTH}
        dense="svg"
      />,
    );
  });

  it('rate–distortion while the sweep computes (theory and current points only)', () => {
    golden(
      'rd-loading',
      <RateDistortionChart
        sweep={undefined}
        current={[{ label: FIXTURE_LABELS[0], bitsPerCoord: 2.125, vnmse: 0.1234 }]}
        theory={fixtureTheory()}
        color={fixtureColor}
        width={520}
        dense="svg"
      />,
    );
  });

  it('outlier histogram', () => {
    golden(
      'outliers',
      <OutlierHistogram
        before={artifacts.before}
        after={series.map((p, i) => ({ label: FIXTURE_LABELS[i], distribution: p.after }))}
        dim={FIXTURE_DIM}
        color={fixtureColor}
        width={WIDTH}
        dense="svg"
      />,
    );
  });

  it('channel absmax heatmap', () => {
    golden(
      'outliers-heatmap',
      <ChannelAbsmaxHeatmap
        before={artifacts.beforeAbsmax}
        after={series.map((p, i) => ({ label: FIXTURE_LABELS[i], absmax: p.afterAbsmax }))}
        color={fixtureColor}
        width={WIDTH}
        dense="svg"
      />,
    );
  });

  it('error view', () => {
    golden(
      'error',
      <ErrorView
        series={series.map((p, i) => ({
          label: FIXTURE_LABELS[i],
          error: p.error,
          sampleX: p.sampleX,
          sampleXHat: p.sampleXHat,
        }))}
        color={fixtureColor}
        width={WIDTH}
        dense="svg"
      />,
    );
  });

  it('spectra (Walsh and DCT)', () => {
    const s = fixtureSpectra();
    golden(
      'spectra',
      <SpectraChart
        spectra={s}
        labels={FIXTURE_LABELS}
        basis="walsh"
        color={fixtureColor}
        width={WIDTH}
        dense="svg"
      />,
    );
    golden(
      'spectra-dct',
      <SpectraChart
        spectra={s}
        labels={FIXTURE_LABELS}
        basis="dct"
        color={fixtureColor}
        width={WIDTH}
        dense="svg"
      />,
    );
  });

  it('inner products', () => {
    golden(
      'ip',
      <InnerProductChart
        series={series.map((p, i) => ({ label: FIXTURE_LABELS[i], ip: p.innerProducts }))}
        color={fixtureColor}
        width={WIDTH}
        dense="svg"
      />,
    );
  });
});

describe('chart registry', () => {
  const output = {
    config: { v: 1, seed: 42, data: { source: 'gaussian', rows: 8, dim: 16 }, pipelines: [] },
    permalink: '#c=',
    data: { rows: 8, dim: 16, source: 'gaussian' },
    results: FIXTURE_LABELS.map((label, i) => ({
      transform: 't',
      quantizer: 'q',
      label,
      bitsPerCoord: i + 1,
      metrics: { vnmse: 0.1 * (i + 1) },
      timingsMs: {
        transform: 0,
        quantize: 0,
        inverse: 0,
        metrics: 0,
        backend: { transform: 'cpu', quantize: 'cpu' },
      },
    })),
    artifacts,
  } as unknown as ExperimentOutput;

  it('renders every chart id with a root <svg data-chart="<id>"> and one series per pipeline', () => {
    for (const id of CHART_IDS) {
      const el = renderChart(
        id,
        { output, sweep: fixtureSweep(), spectra: fixtureSpectra() },
        { width: WIDTH, dense: 'svg' },
      );
      expect(el, id).not.toBeNull();
      const markup = renderToStaticMarkup(el as ReactElement);
      expect(markup, id).toContain(`data-chart="${id}"`);
      expect(markup, id).toMatch(/data-series="2"/);
      expect(markup).not.toMatch(/NaN/);
    }
  });

  it('returns null without the inputs a chart needs, and for unknown ids', () => {
    expect(renderChart('spectra', { output }, { width: WIDTH })).toBeNull();
    expect(renderChart('nope', { output }, { width: WIDTH })).toBeNull();
    expect(renderChart('ip', { output: { ...output, artifacts: undefined } }, { width: WIDTH })).toBeNull();
  });
});
