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
import { NumberLineChart } from './NumberLineChart';
import { ChannelEntropyView } from '../views/ChannelEntropyView';
import { ScaleRuleView } from '../views/ScaleRuleView';
import { RotationQualityView } from '../views/RotationQualityView';
import { EstimatorView } from '../views/EstimatorView';
import { SeedsView } from '../views/SeedsView';
import {
  E2M1_VALUES,
  channelEntropyFixture,
  estimatorFixture,
  rotationQualityFixture,
  scaleRuleFixture,
  seedsFixture,
} from './analysisFixtures';
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
import { sweepKey } from '../../engine/artifacts';
import { restoreConfig } from '../../core/config/schema';

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

/** The <svg data-chart="id"> element of a page's markup (charts never nest an <svg>). */
export function chartSvg(markup: string, id: string): string {
  const at = markup.indexOf(`data-chart="${id}"`);
  if (at < 0) throw new Error(`no <svg data-chart="${id}"> in the markup`);
  const start = markup.lastIndexOf('<svg', at);
  return markup.slice(start, markup.indexOf('</svg>', at) + '</svg>'.length);
}

/**
 * Compare a chart's <svg> with its golden file and return it (raw) for position checks: the first
 * <svg> of `element`, or the one with data-chart = `chart` (a whole analysis view's markup).
 */
function golden(name: string, element: ReactElement | string, chart?: string): string {
  const markup = typeof element === 'string' ? element : renderToStaticMarkup(element);
  // The chart's <svg> element alone (dense="svg" puts every mark in it): a standalone SVG file.
  const svg =
    chart === undefined
      ? markup.slice(markup.indexOf('<svg'), markup.lastIndexOf('</svg>') + '</svg>'.length)
      : chartSvg(markup, chart);
  const actual = normalizeMarkup(svg) + '\n';
  const file = join(GOLDEN_DIR, `${name}.svg`);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
    return svg;
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
  return svg;
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

  it('never draws a sweep tagged with another config under this legend (stale sweep)', () => {
    const config = restoreConfig({
      v: 2,
      seed: 1,
      data: { source: 'gaussian', rows: 8, dim: 16 },
      pipelines: [
        { transforms: [{ id: 'haar' }], quantizer: { id: 'eden', params: { bits: 2 } } },
        { transforms: [], quantizer: { id: 'int', params: { bits: 4 } } },
      ],
    });
    const out = { ...output, config } as unknown as ExperimentOutput;
    const draw = (key: string) =>
      renderToStaticMarkup(
        renderChart(
          'rd',
          { output: out, sweep: { ...fixtureSweep(), key } },
          { width: WIDTH, dense: 'svg' },
        ) as ReactElement,
      );
    // The previous experiment's sweep (another key): theory-free, no series, "sweeping" state.
    const stale = draw('{"another":"config"}');
    expect(stale).toContain('data-series="0"');
    expect(stale).toContain('data-sweep="loading"');
    // The same sweep tagged with this config's key is drawn; a bits edit keeps the key.
    expect(draw(sweepKey(config))).toContain('data-series="2"');
    const edited = {
      ...config,
      pipelines: [
        {
          ...config.pipelines[0],
          quantizer: { id: 'eden', params: { ...config.pipelines[0].quantizer.params, bits: 3 } },
        },
        config.pipelines[1],
      ],
    };
    expect(sweepKey(edited)).toBe(sweepKey(config));
  });

  it('draws the theory curves it is given (from the worker), none without them', () => {
    const theory = fixtureTheory();
    const withTheory = renderToStaticMarkup(
      renderChart(
        'rd',
        { output, sweep: { ...fixtureSweep(), theory } },
        { width: WIDTH, dense: 'svg' },
      ) as ReactElement,
    );
    expect(withTheory.match(/data-theory=/g)).toHaveLength(theory.length);
    const none = renderToStaticMarkup(
      renderChart('rd', { output }, { width: WIDTH, dense: 'svg' }) as ReactElement,
    );
    expect(none).not.toContain('data-theory=');
  });

  it('returns null without the inputs a chart needs, and for unknown ids', () => {
    expect(renderChart('spectra', { output }, { width: WIDTH })).toBeNull();
    expect(renderChart('nope', { output }, { width: WIDTH })).toBeNull();
    expect(renderChart('ip', { output: { ...output, artifacts: undefined } }, { width: WIDTH })).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Positions of known points. The goldens above pin the markup; these check that marks sit where
// the axes say they must, worked out by hand from the inputs (so a golden regenerated with a
// wrong mapping still fails here).

/** Every `name="number"` attribute of the first tag matching `re`. */
function tagAttrs(svg: string, re: RegExp): Record<string, string> {
  const tag = svg.match(re)?.[0];
  if (!tag) throw new Error(`no tag matches ${re}`);
  return Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

/** The (cx, cy) of every circle of radius r in the <g data-series="key"> block. */
function seriesCircles(svg: string, key: string, r = '2.8'): [number, number][] {
  const at = svg.indexOf(`data-series="${key}"`);
  if (at < 0) throw new Error(`no series ${key}`);
  const block = svg.slice(at, svg.indexOf('</g>', at));
  return [...block.matchAll(/<circle cx="([^"]+)" cy="([^"]+)" r="([^"]+)"/g)]
    .filter((m) => m[3] === r)
    .map((m) => [Number(m[1]), Number(m[2])]);
}

/** Right edge of the plot of a chart whose legend sits right of it (legend x − 4 − 16 px margin). */
function plotRight(svg: string): number {
  const m = svg.match(/class="qs-legend" transform="translate\(([-\d.]+),/);
  if (!m) throw new Error('no legend');
  return Number(m[1]) - 4 - 16;
}

/** The points of an SVG path made of M/L commands. */
function pathPoints(d: string): [number, number][] {
  return [...d.matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

const close = (a: number, b: number, tol = 0.02) => expect(Math.abs(a - b)).toBeLessThan(tol);

describe('chart geometry against hand-computed positions', () => {
  it('rate–distortion: theory points at x = 64 + b/9·plot width (domain [0, 9]); 4^−b equally spaced in log', () => {
    const svg = renderToStaticMarkup(
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
    const right = plotRight(svg);
    const lower = pathPoints(tagAttrs(svg, /<path[^>]*data-theory="lower-bound"[^>]*>/).d);
    const upper = pathPoints(tagAttrs(svg, /<path[^>]*data-theory="tq-upper"[^>]*>/).d);
    expect(lower).toHaveLength(4);
    // x: the axis runs 0…ceil(max(8, bits) + 0.25) = 9 bits over [64, right].
    lower.forEach(([px], i) => close(px, 64 + ((i + 1) / 9) * (right - 64)));
    // y: 4^−b falls by log10(4) decades a bit: equal steps on the log axis.
    const step = lower[1][1] - lower[0][1];
    expect(step).toBeGreaterThan(0);
    for (let i = 2; i < 4; i++) close(lower[i][1] - lower[i - 1][1], step);
    // √3π/2·4^−b is 4^−b times a constant: the same curve shifted up by log10(√3π/2)/log10(4) steps.
    const shift = (Math.log10((Math.sqrt(3) * Math.PI) / 2) / Math.log10(4)) * step;
    upper.forEach(([, py], i) => close(lower[i][1] - py, shift));
    // The current point of pipeline 0 (2.125 bits) lies between the b = 2 and b = 3 theory x's.
    const ring = tagAttrs(svg, /<circle[^>]*data-current="0"[^>]*>/);
    close(Number(ring.cx), 64 + (2.125 / 9) * (right - 64));
  });

  it('rate–distortion with a pinned baseline: its sweep is dashed and the legend names it', () => {
    const svg = golden(
      'rd-baseline',
      <RateDistortionChart
        sweep={fixtureSweep()}
        current={[
          { label: FIXTURE_LABELS[0], bitsPerCoord: 2.125, vnmse: 0.1234 },
          { label: FIXTURE_LABELS[1], bitsPerCoord: 1, vnmse: 0.3634 },
        ]}
        theory={fixtureTheory()}
        baseline={0}
        color={fixtureColor}
        width={WIDTH}
        dense="svg"
      />,
    );
    expect(tagAttrs(svg, /<path[^>]*data-baseline="true"[^>]*>/)['stroke-dasharray']).toBe('7 3');
    expect(svg).toContain(`⚑ ${FIXTURE_LABELS[0]}`);
  });

  it('inner products: each slope line has pixel slope −slope (square plot, equal axes)', () => {
    const svg = renderToStaticMarkup(
      <InnerProductChart
        series={series.map((p, i) => ({ label: FIXTURE_LABELS[i], ip: p.innerProducts }))}
        color={fixtureColor}
        width={WIDTH}
        dense="svg"
      />,
    );
    series.forEach((p, i) => {
      const l = tagAttrs(svg, new RegExp(`<line[^>]*data-series-index="${i}"[^>]*>`));
      const s = (Number(l.y2) - Number(l.y1)) / (Number(l.x2) - Number(l.x1));
      close(s, -p.innerProducts.slope, 1e-6);
    });
  });

  it('channel entropy: log2-spaced x, one linear y scale for all three curves', () => {
    const svg = golden(
      'analysis-channel-entropy',
      <ChannelEntropyView result={channelEntropyFixture} />,
      'channel-entropy',
    );
    const right = plotRight(svg);
    const joint = seriesCircles(svg, 'joint');
    const marginal = seriesCircles(svg, 'marginal');
    const ceiling = seriesCircles(svg, 'ceiling');
    // c = 1, 2, 4, 8 on a log axis over [1, 8]: x = 64 + log2(c)/3 · plot width.
    joint.forEach(([px], i) => close(px, 64 + (i / 3) * (right - 64)));
    // joint/c = 2, 1.5, 1, 0.5: equal steps down; marginal/c = 2 everywhere: the joint's first point.
    const dy = joint[1][1] - joint[0][1];
    expect(dy).toBeGreaterThan(0);
    for (let i = 1; i < 4; i++) close(joint[i][1] - joint[i - 1][1], dy);
    for (const [, py] of marginal) close(py, joint[0][1]);
    // The ceiling 8/c reaches 2 at c = 4 and 1 at c = 8: the joint's heights for 2 and 1.
    close(ceiling[2][1], joint[0][1]);
    close(ceiling[3][1], joint[2][1]);
  });

  it('scale rule: log-log axes; the D_b reference line sits where log interpolation puts 0.1175', () => {
    const svg = golden('analysis-scale-rule', <ScaleRuleView result={scaleRuleFixture} />, 'scale-rule');
    const right = plotRight(svg);
    const pts = seriesCircles(svg, 'mse-beta');
    // d = 16, 64, 256 on a log axis: the ends and the middle.
    [64, (64 + right) / 2, right].forEach((x, i) => close(pts[i][0], x));
    // y: vNMSE 0.1 and 0.115 known; 0.1175 at the fraction log(1.175)/log(1.15) between them.
    const ref = svg.match(/<g transform="translate\(0,([-\d.]+)\)" data-ref="D_b/);
    if (!ref) throw new Error('no D_b reference line');
    const t = Math.log(1.175) / Math.log(1.15);
    close(Number(ref[1]), pts[0][1] + t * (pts[2][1] - pts[0][1]));
    // Error bars: one per point, ±1.96·se around it.
    expect(svg.match(/stroke-width="1.5"/g)?.length).toBe(9);
  });

  it('rotation quality: x = d^(−1/5) linear, ticks name d; a series equal to another says "same as"', () => {
    const svg = golden(
      'analysis-rotation-quality',
      <RotationQualityView result={rotationQualityFixture} />,
      'rotation-quality',
    );
    const right = plotRight(svg);
    const pts = seriesCircles(svg, 'rht1-one-hot');
    // u(32) = 0.5 is the right end, u(1024) = 0.25 the left end.
    close(pts[0][0], right);
    close(pts[1][0], 64);
    expect(svg).toContain('0.5 (d=32)');
    expect(svg).toContain('0.25 (d=1024)');
    expect(svg).toContain('CATALOGUE 2-block e₁ (20k) (same as 2-block RHT · one-hot)');
  });

  it('estimator: RMSE = hypot(bias, sd) on the same linear scale as |bias|; the duplicate says "same as"', () => {
    const markup = renderToStaticMarkup(<EstimatorView result={estimatorFixture} />);
    const svg = golden('analysis-estimator-bias', markup, 'estimator-bias');
    golden('analysis-estimator-norm', markup, 'estimator-norm');
    const rmse = seriesCircles(svg, 'rmse-0');
    const bias = seriesCircles(svg, 'bias-0');
    // |bias| = 0, 0.1, 0.2 fixes the affine y map; RMSE = 0.3, √0.1, √0.13 must land on it.
    const py = (v: number) => bias[0][1] + (v / 0.1) * (bias[1][1] - bias[0][1]);
    close(bias[2][1], py(0.2));
    [0.3, Math.hypot(0.1, 0.3), Math.hypot(0.2, 0.3)].forEach((v, i) => close(rmse[i][1], py(v)));
    // ρ = 0, 0.5, 1 over the whole plot width.
    const right = plotRight(svg);
    [64, (64 + right) / 2, right].forEach((x, i) => close(rmse[i][0], x));
    expect(svg).toContain('Haar → EDEN-mse 2b copy RMSE (same as Haar → EDEN-mse 2b RMSE)');
  });

  it('seed spread: means at left + (mean − 0.078)/0.174 · plot width (values 0.09…0.24, padded 8%)', () => {
    const svg = golden('analysis-seed-spread', <SeedsView result={seedsFixture} />, 'seed-spread');
    // Row labels end 8 px left of the plot; rows are 26 px apart from y = 12 + 13.
    const left =
      Number(
        tagAttrs(svg, /<g transform="translate\([^"]*\)" data-legend="r0"/).transform.match(
          /\(([-\d.]+),/,
        )?.[1],
      ) + 8;
    const right = 758 - 24;
    [0.1, 0.12, 0.2].forEach((mean, i) => {
      const disc = seriesCircles(svg, `r${i}`, '5');
      expect(disc).toHaveLength(1);
      close(disc[0][0], left + ((mean - 0.078) / 0.174) * (right - left));
      close(disc[0][1], 25 + 26 * i);
    });
  });

  it('format values: E2M1 (OCP MX §5.3.3) on a symlog axis with constant 0.5', () => {
    const svg = golden(
      'analysis-format-values',
      <NumberLineChart id="format-values" title="e2m1" values={E2M1_VALUES} minPositive={0.5} width={758} />,
    );
    const f = (v: number) => Math.sign(v) * Math.log1p(Math.abs(v) / 0.5);
    const xs = [...svg.matchAll(/<line x1="([^"]+)" x2="[^"]+" y1="26" y2="46"/g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(E2M1_VALUES.length);
    E2M1_VALUES.forEach((v, i) => close(xs[i], 24 + ((f(v) - f(-6)) / (f(6) - f(-6))) * (758 - 48)));
  });
});
