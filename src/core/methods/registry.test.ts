/**
 * Every method file is in its registry list (DESIGN.md: "a registry test fails if a method file is
 * missing from it"), ids are unique, and every definition is complete.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_SOURCES, METRICS, QUANTIZERS, TRANSFORMS } from '.';

const dir = join(__dirname);

function exportedDefs(sub: string, type: string): string[] {
  return readdirSync(join(dir, sub))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts')
    .flatMap((f) => {
      const text = readFileSync(join(dir, sub, f), 'utf8');
      return [...text.matchAll(new RegExp(`export const (\\w+): ${type}\\b`, 'g'))].map(
        (m) => `${f}:${m[1]}`,
      );
    });
}

describe('registry', () => {
  it.each([
    ['transforms', 'TransformDef', TRANSFORMS.length],
    ['quantizers', 'QuantizerDef', QUANTIZERS.length],
    ['data', 'DataSourceDef', DATA_SOURCES.length],
    ['metrics', 'MetricDef', METRICS.length],
  ])('%s: every exported definition is registered', (sub, type, registered) => {
    const defs = exportedDefs(sub, type);
    expect(defs.length, defs.join(', ')).toBe(registered);
    const index = readFileSync(join(dir, sub, 'index.ts'), 'utf8');
    for (const d of defs) expect(index, `${d} missing from ${sub}/index.ts`).toContain(d.split(':')[1]);
  });

  it('contains every CONTRACT.md id, each once', () => {
    const ids = (l: readonly { id: string }[]) => l.map((m) => m.id);
    expect(ids(TRANSFORMS)).toEqual(
      expect.arrayContaining(['identity', 'wht', 'rht', 'block-hadamard', 'haar', 'dct', 'pca']),
    );
    expect(ids(QUANTIZERS)).toEqual(
      expect.arrayContaining([
        'int',
        'eden',
        'turboquant-mse',
        'turboquant-prod',
        'qjl',
        'fp8',
        'mxfp4',
        'nvfp4',
        'nf4',
        'ternary',
      ]),
    );
    expect(ids(DATA_SOURCES)).toEqual(
      expect.arrayContaining(['gaussian', 'student-t', 'outlier-channels', 'low-rank']),
    );
    expect(ids(METRICS)).toEqual(['vnmse', 'mse', 'sqnrDb', 'cosine', 'ipRatio', 'ipNvar']);
    for (const l of [TRANSFORMS, QUANTIZERS, DATA_SOURCES, METRICS])
      expect(new Set(ids(l)).size).toBe(l.length);
  });

  it('every method cites a reference and documents each param with a valid default', () => {
    for (const m of [...TRANSFORMS, ...QUANTIZERS, ...DATA_SOURCES]) {
      expect(m.reference.length, m.id).toBeGreaterThan(10);
      for (const [name, spec] of Object.entries(m.params)) {
        expect(spec.doc.length, `${m.id}.${name}`).toBeGreaterThan(3);
        if (spec.kind === 'int' || spec.kind === 'number') {
          expect(spec.default, `${m.id}.${name}`).toBeGreaterThanOrEqual(spec.min);
          expect(spec.default, `${m.id}.${name}`).toBeLessThanOrEqual(spec.max);
        }
        if (spec.kind === 'enum') expect(spec.options, `${m.id}.${name}`).toContain(spec.default);
      }
    }
  });
});
