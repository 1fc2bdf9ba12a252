/**
 * defineAnalysis: the body reads its params as the schema's typed record (names and enum values
 * checked by the compiler: the @ts-expect-error lines fail the typecheck if that ever stops), and
 * a value of the wrong kind is refused at the edge, naming the param.
 */
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../rng';
import { defineParams } from '../methods/params';
import type { Params } from '../methods/types';
import { defineAnalysis } from './define';

const SCHEMA = defineParams({
  n: { kind: 'int', default: 3, min: 1, max: 9, doc: 'n' },
  mode: { kind: 'enum', default: 'a', options: ['a', 'b'], doc: 'mode' },
  on: { kind: 'bool', default: false, doc: 'on' },
});

const probe = defineAnalysis({
  id: 'probe',
  label: 'probe',
  description: 'probe',
  reference: 'none',
  params: SCHEMA,
  // The declared cost sees the typed record too: n units per row and coordinate.
  cost: (params, { rows, dim }) => params.n * rows * dim,
  run({ params }) {
    const n: number = params.n;
    const mode: 'a' | 'b' = params.mode;
    const on: boolean = params.on;
    // @ts-expect-error: not a param of this schema
    void params.missing;
    // @ts-expect-error: not one of the enum's options
    void (params.mode === 'c');
    return { n, mode, on, keys: Object.keys(params) };
  },
});

const input = (params: Params) => ({
  seed: 1,
  rng: createRngFactory(1),
  data: { rows: 1, cols: 1, data: new Float32Array(1) },
  pipelines: [],
  params,
});

describe('defineAnalysis', () => {
  it('hands the body exactly the schema’s params, typed', () => {
    expect(probe.run(input({ n: 5, mode: 'b', on: true, extra: 1 }))).toEqual({
      n: 5,
      mode: 'b',
      on: true,
      keys: ['n', 'mode', 'on'],
    });
  });

  it('refuses a value of the wrong kind, naming the param', () => {
    expect(() => probe.run(input({ n: '5', mode: 'b', on: true }))).toThrow('param n: expected a number');
    expect(() => probe.run(input({ n: 5, mode: 'b' }))).toThrow('param on: expected a boolean');
  });
});
