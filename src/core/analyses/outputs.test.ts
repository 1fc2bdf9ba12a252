/** The analysis output union covers exactly the registered analyses, keyed by id = `kind`. */
import { describe, expect, it } from 'vitest';
import { ANALYSES } from '.';
import { asAnalysisOutput, isAnalysisId } from './outputs';

describe('analysis outputs', () => {
  it('every registered analysis has a result type in the union', () => {
    const missing = ANALYSES.map((a) => a.id).filter((id) => !isAnalysisId(id));
    expect(missing, `analyses without an AnalysisOutputs entry: ${missing.join(', ')}`).toEqual([]);
    expect(isAnalysisId('no-such-analysis')).toBe(false);
  });

  it('accepts a result whose kind names its analysis and refuses any other', () => {
    const value = { kind: 'seeds', metric: 'vnmse' };
    expect(asAnalysisOutput('seeds', value)).toBe(value);
    expect(() => asAnalysisOutput('layer', value)).toThrow(
      'analysis "layer" returned a result of kind "seeds"',
    );
    expect(() => asAnalysisOutput('seeds', 3)).toThrow('of kind undefined');
  });
});
