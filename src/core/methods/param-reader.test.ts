/**
 * paramReader: a site generic over methods declares what it reads; the declaration is checked
 * against the method's schema when the reader is made, and each read checks the value's kind.
 */
import { describe, expect, it } from 'vitest';
import { defineParams } from './params';
import { paramReader } from './param-reader';

const method = {
  id: 'probe',
  params: defineParams({
    bits: { kind: 'int', default: 4, min: 1, max: 8, doc: 'bits' },
    rounding: { kind: 'enum', default: 'nearest', options: ['nearest', 'stochastic'], doc: 'rounding' },
    symmetric: { kind: 'bool', default: true, doc: 'symmetric' },
  }),
};

describe('paramReader', () => {
  it('reads the declared params typed, absent ones as the schema default', () => {
    const read = paramReader(method, {
      bits: 'number',
      rounding: ['nearest', 'stochastic'],
      symmetric: 'boolean',
    });
    const p = read({ bits: 3, rounding: 'stochastic', extra: 'x' });
    const bits: number = p.bits;
    const rounding: 'nearest' | 'stochastic' = p.rounding;
    // @ts-expect-error: not declared by this reader
    void p.extra;
    expect({ bits, rounding, symmetric: p.symmetric }).toEqual({
      bits: 3,
      rounding: 'stochastic',
      symmetric: true,
    });
  });

  it('refuses a declaration the schema does not match, naming the method and the param', () => {
    expect(() => paramReader(method, { group: 'number' })).toThrow('probe: group is not a param of probe');
    expect(() => paramReader(method, { bits: 'string' })).toThrow(
      'bits is declared string; the schema says int',
    );
    expect(() => paramReader(method, { rounding: ['nearest'] })).toThrow(
      'rounding is declared enum [nearest]; the schema says enum [nearest, stochastic]',
    );
    expect(() => paramReader(method, { rounding: 'string' })).toThrow('the schema says enum');
  });

  it('refuses a value of the wrong kind or outside the options', () => {
    const read = paramReader(method, { bits: 'number', rounding: ['nearest', 'stochastic'] });
    expect(() => read({ bits: '4' })).toThrow('param bits of probe: expected a number, got 4');
    expect(() => read({ rounding: 'up' })).toThrow('expected one of nearest, stochastic, got up');
  });
});
