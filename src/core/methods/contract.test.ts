/**
 * Registry-wide contract: every transform, quantizer and metric passes these checks by being
 * registered, so a new method cannot land without them (docs/DESIGN.md, "one file plus one registry
 * line"). Per method, with default params on a small matrix whose dim is not a power of two:
 * output shape, determinism by seed, input never mutated, finite output, positive finite bits,
 * transforms invert, and distinct params give distinct pipeline labels (labels are table keys).
 * Bits per coordinate against a brute-force count of each quantizer's encoding: contract-bits.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { METRICS, QUANTIZERS, TRANSFORMS } from '.';
import { withDefaults } from './params';
import type { ParamSpec, ParamValue, Params } from './types';
import { createRngFactory } from '../rng';
import { bitsPerCoordinate, pipelineLabel } from '../pipeline';

const ROWS = 16;
const DIM = 48;

function testMatrix(seed: number, rows = ROWS, dim = DIM): Float32Array {
  const rng = createRngFactory(seed).stream('data', 'contract');
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal() * (i % dim === 3 ? 8 : 1);
  return out;
}

/** A valid value different from the default, or undefined when the param has a single value. */
function otherValue(spec: ParamSpec): ParamValue | undefined {
  switch (spec.kind) {
    case 'int':
    case 'number': {
      if (spec.max === spec.min) return undefined;
      if (spec.kind === 'int' && spec.powerOfTwo) {
        const up = spec.default * 2;
        return up <= spec.max ? up : spec.default / 2 >= spec.min ? spec.default / 2 : undefined;
      }
      return spec.default !== spec.max ? spec.max : spec.min;
    }
    case 'enum':
      return spec.options.find((o) => o !== spec.default);
    case 'bool':
      return !spec.default;
    case 'string':
      return spec.default === 'x' ? 'y' : 'x';
  }
}

describe.each(TRANSFORMS.map((t) => [t.id, t] as const))('transform %s', (_id, t) => {
  const params = withDefaults(t.params);
  const x = testMatrix(1);
  const copy = x.slice();
  const prepare = (seed: number) =>
    t.prepare(params, { rng: createRngFactory(seed), dim: DIM, data: { rows: ROWS, cols: DIM, data: x } });

  it('has the declared shape, is deterministic by seed, never mutates its input, and inverts', () => {
    const a = prepare(5);
    const b = prepare(5);
    expect(a.outDim).toBe(t.outDim(params, DIM));
    expect(a.outDim).toBeGreaterThanOrEqual(DIM);
    const ya = new Float32Array(ROWS * a.outDim);
    const yb = new Float32Array(ROWS * b.outDim);
    a.forward(x, ROWS, ya);
    b.forward(x, ROWS, yb);
    expect(x).toEqual(copy);
    expect(ya).toEqual(yb);
    const back = new Float32Array(ROWS * DIM);
    const yCopy = ya.slice();
    a.inverse(ya, ROWS, back);
    expect(ya).toEqual(yCopy);
    let err = 0;
    let norm = 0;
    for (let i = 0; i < x.length; i++) {
      err += (back[i] - x[i]) ** 2;
      norm += x[i] ** 2;
    }
    expect(Math.sqrt(err / norm)).toBeLessThan(1e-5);
  });

  it('labels differ for every param value that differs', () => {
    const q = { id: 'int', params: withDefaults(QUANTIZERS.find((m) => m.id === 'int')!.params) };
    const base = pipelineLabel({ transforms: [{ id: t.id, params }], quantizer: q });
    for (const [name, spec] of Object.entries(t.params)) {
      const v = otherValue(spec);
      if (v === undefined) continue;
      const changed: Params = { ...params, [name]: v };
      expect(
        pipelineLabel({ transforms: [{ id: t.id, params: changed }], quantizer: q }),
        `${t.id}.${name}`,
      ).not.toBe(base);
    }
  });
});

describe.each(QUANTIZERS.map((q) => [q.id, q] as const))('quantizer %s', (_id, q) => {
  const params = withDefaults(q.params);
  const x = testMatrix(2, ROWS, 64);
  const copy = x.slice();
  const run = (seed: number) => {
    const out = new Float32Array(x.length);
    q.quantize(x, ROWS, 64, params, { rng: createRngFactory(seed) }, out);
    return out;
  };

  it('fills a same-shape finite output, deterministically by seed, without mutating its input', () => {
    const a = run(9);
    const b = run(9);
    expect(x).toEqual(copy);
    expect(a).toEqual(b);
    expect(a.every(Number.isFinite)).toBe(true);
    // A quantizer must reconstruct something close to its input, not zeros or noise.
    let err = 0;
    let norm = 0;
    for (let i = 0; i < x.length; i++) {
      err += (a[i] - x[i]) ** 2;
      norm += x[i] ** 2;
    }
    expect(err / norm).toBeLessThan(2);
  });

  it('charges a positive, finite number of bits per coordinate', () => {
    const bits = bitsPerCoordinate(
      { transforms: [{ id: 'identity', params: {} }], quantizer: { id: q.id, params } },
      ROWS,
      64,
    );
    expect(Number.isFinite(bits)).toBe(true);
    expect(bits).toBeGreaterThan(0);
    const ofData = q.bitsPerCoordOf?.(x, ROWS, 64, params);
    if (ofData !== undefined) expect(ofData).toBeGreaterThanOrEqual(bits - 1e-12);
  });

  it('labels differ for every param value that differs', () => {
    const base = pipelineLabel({ transforms: [], quantizer: { id: q.id, params } });
    for (const [name, spec] of Object.entries(q.params)) {
      const v = otherValue(spec);
      if (v === undefined) continue;
      const changed: Params = { ...params, [name]: v };
      expect(
        pipelineLabel({ transforms: [], quantizer: { id: q.id, params: changed } }),
        `${q.id}.${name}`,
      ).not.toBe(base);
    }
  });
});

describe.each(METRICS.map((m) => [m.id, m] as const))('metric %s', (_id, m) => {
  it('is deterministic by seed, never mutates its inputs, and agrees with its one-pass form', () => {
    const x = testMatrix(3);
    const xHat = x.map((v, i) => v + 0.1 * Math.sin(i));
    const [xc, hc] = [x.slice(), xHat.slice()];
    const matrix = { rows: ROWS, cols: DIM, data: x };
    const a = m.compute(matrix, xHat, { rng: createRngFactory(4) });
    const b = m.compute(matrix, xHat, { rng: createRngFactory(4) });
    expect(x).toEqual(xc);
    expect(xHat).toEqual(hc);
    expect(a).toBe(b);
    expect(Number.isFinite(a)).toBe(true);
  });
});

/**
 * Orthogonality claims (TransformDef.orthogonal), which the transformed metric domain relies on
 * (pipeline.ts, RunOptions.metricDomain). For a claiming transform, with default params and each
 * param changed in turn, at a dim it pads and one it keeps: ‖Tx‖ = ‖x‖, ⟨Tx, Tz⟩ = ⟨x, z⟩ and
 * ⟨T⁻¹y, x⟩ = ⟨y, Tx⟩ (inverse = transpose) for random x, z, y. Tolerance: every output coordinate
 * is rounded to float32 (unit roundoff u = 2⁻²⁴) after at most log2(n) float32 butterfly stages
 * per Hadamard round (4 rounds at most) or a float64 product, so ‖fl(Tx) − Tx‖ ≤ γ‖x‖ with
 * γ = 4·(log2 n + 2)·u; the checks allow 3γ (each side of an inner product carries one γ).
 * Transforms that do not claim it are shown not to be orthogonal once fitted (a calibration with
 * unequal channel scales), so a wrong `false` is as visible as a wrong `true`.
 */
describe.each(TRANSFORMS.map((t) => [t.id, t] as const))('transform %s orthogonality', (_id, t) => {
  const cases: Params[] = [withDefaults(t.params)];
  for (const [name, spec] of Object.entries(t.params)) {
    const v = otherValue(spec);
    if (v !== undefined) cases.push({ ...withDefaults(t.params), [name]: v });
  }
  const dot = (a: Float32Array, b: Float32Array, i: number, j: number, n: number) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * b[j * n + k];
    return s;
  };

  it.runIf(t.orthogonal === true)('keeps norms, inner products and inverts by its transpose', () => {
    for (const dim of [DIM, 64])
      for (const params of cases) {
        const x = testMatrix(11, ROWS, dim);
        const calibration = { rows: ROWS, cols: dim, data: testMatrix(12, ROWS, dim) };
        const p = t.prepare(params, {
          rng: createRngFactory(7),
          dim,
          data: { rows: ROWS, cols: dim, data: x },
          calibration,
        });
        const n = p.outDim;
        const tx = new Float32Array(ROWS * n);
        p.forward(x, ROWS, tx);
        const y = new Float32Array(ROWS * n);
        const r = createRngFactory(13).stream('data', 'orthogonality');
        for (let i = 0; i < y.length; i++) y[i] = r.normal();
        const ty = new Float32Array(ROWS * dim);
        p.inverse(y, ROWS, ty);
        const gamma = 4 * (Math.log2(n) + 2) * 2 ** -24;
        const label = `${t.id} ${JSON.stringify(params)} dim ${dim}`;
        for (let i = 0; i < ROWS; i++) {
          const z = (i + 1) % ROWS;
          const nx = Math.sqrt(dot(x, x, i, i, dim));
          const nz = Math.sqrt(dot(x, x, z, z, dim));
          const ny = Math.sqrt(dot(y, y, i, i, n));
          expect(Math.abs(Math.sqrt(dot(tx, tx, i, i, n)) - nx), label).toBeLessThanOrEqual(3 * gamma * nx);
          expect(Math.abs(dot(tx, tx, i, z, n) - dot(x, x, i, z, dim)), label).toBeLessThanOrEqual(
            3 * gamma * nx * nz,
          );
          // ⟨T⁻¹y, x⟩ = ⟨y, Tx⟩ row by row.
          let lhs = 0;
          for (let k = 0; k < dim; k++) lhs += ty[i * dim + k] * x[i * dim + k];
          expect(Math.abs(lhs - dot(y, tx, i, i, n)), label).toBeLessThanOrEqual(3 * gamma * ny * nx);
        }
      }
  });

  it.runIf(t.orthogonal !== true)('is not orthogonal once fitted on calibration data', () => {
    const dim = 16;
    const x = testMatrix(11, ROWS, dim);
    // Activations with channel scales 1 … 2^15: SmoothQuant's s_j and FlatQuant's fit then differ from 1.
    const cal = testMatrix(12, 64, dim).map((v, i) => v * 2 ** (i % dim));
    const p = t.prepare(withDefaults(t.params), {
      rng: createRngFactory(7),
      dim,
      data: { rows: ROWS, cols: dim, data: x },
      calibration: { rows: 64, cols: dim, data: cal },
    });
    const tx = new Float32Array(ROWS * p.outDim);
    p.forward(x, ROWS, tx);
    let worst = 0;
    for (let i = 0; i < ROWS; i++) {
      const ratio = Math.sqrt(dot(tx, tx, i, i, p.outDim) / dot(x, x, i, i, dim));
      worst = Math.max(worst, Math.abs(ratio - 1));
    }
    expect(worst).toBeGreaterThan(1e-2);
  });
});
