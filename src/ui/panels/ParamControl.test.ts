/**
 * Out-of-range values are explained in words (the allowed range), not only by a red outline.
 * Expected strings are written out by hand from the specs of the registries.
 */
import { describe, expect, it } from 'vitest';
import { rangeInWords } from './ParamControl';
import { quantizersById } from '../../core/methods';
import { analysesById } from '../../core/analyses';
import type { ParamSpec } from '../../core/methods/types';

function numeric(spec: ParamSpec | undefined): Extract<ParamSpec, { kind: 'int' | 'number' }> {
  if (!spec || (spec.kind !== 'int' && spec.kind !== 'number')) throw new Error('expected a numeric spec');
  return spec;
}

describe('rangeInWords', () => {
  it('whole numbers: the bits of EDEN', () => {
    expect(rangeInWords(numeric(quantizersById.get('eden')?.params.bits))).toBe('a whole number from 1 to 8');
  });

  it('real numbers: SmoothQuant α of the layer analysis', () => {
    expect(rangeInWords(numeric(analysesById.get('layer')?.params.alpha))).toBe('a number from 0 to 1');
  });

  it('large bounds get thousands separators; negative bounds a minus sign', () => {
    expect(rangeInWords(numeric(analysesById.get('layer')?.params.tokens))).toBe(
      'a whole number from 1 to 4,096',
    );
    expect(rangeInWords(numeric(analysesById.get('attention')?.params.ropeBase))).toBe(
      'a number from 2 to 10,000,000',
    );
    expect(rangeInWords({ kind: 'number', default: 0, min: -1, max: 1, doc: '' })).toBe(
      'a number from −1 to 1',
    );
    expect(rangeInWords({ kind: 'int', default: 0, min: 0, max: 65_536, doc: '' })).toBe(
      'a whole number from 0 to 65,536',
    );
  });
});
