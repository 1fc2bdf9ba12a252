/**
 * `lab list`: the JSON listing names every registered method and analysis with its params schema
 * (checked against the registries, field by field), and the text listing keeps its sections.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ANALYSES } from '../core/analyses';
import { DATA_SOURCES, METRICS, QUANTIZERS, TRANSFORMS } from '../core/methods';
import { formatList, listMethods } from './list';

describe('lab list', () => {
  const l = listMethods();

  it('keeps the original JSON fields', () => {
    expect(Object.keys(l)).toEqual(['dataSources', 'transforms', 'quantizers', 'metrics', 'analyses']);
    expect(l.transforms.map((t) => t.id)).toEqual(TRANSFORMS.map((t) => t.id));
    expect(l.quantizers.map((q) => q.id)).toEqual(QUANTIZERS.map((q) => q.id));
    expect(l.metrics.map((m) => m.id)).toEqual(METRICS.map((m) => m.id));
    expect(l.dataSources.map((d) => d.id)).toEqual([...DATA_SOURCES.map((d) => d.id), 'file']);
  });

  it('lists every analysis with id, description, reference and the params schema', () => {
    expect(l.analyses.map((a) => a.id)).toEqual(ANALYSES.map((a) => a.id));
    for (const a of ANALYSES) {
      const got = l.analyses.find((x) => x.id === a.id);
      expect(got?.description).toBe(a.description);
      expect(got?.reference).toBe(a.reference);
      expect(got?.params).toEqual(a.params);
    }
    const att = l.analyses.find((x) => x.id === 'attention');
    expect(att?.params.rope).toMatchObject({
      kind: 'enum',
      default: 'none',
      options: ['none', 'pre', 'post'],
    });
  });

  it('the text listing is unchanged: four sections, no analyses', () => {
    const text = formatList(l);
    expect(text.match(/^[a-z ().]+:$/gm)).toEqual([
      'data sources (data.source):',
      'transforms (transform.id):',
      'quantizers (quantizer.id):',
      'metrics:',
    ]);
  });

  it('`list --json` from the CLI prints the analyses', () => {
    const out = JSON.parse(
      execFileSync('npx', ['tsx', 'src/cli/main.ts', 'list', '--json'], { encoding: 'utf8' }),
    ) as {
      analyses: { id: string; params: Record<string, { default: unknown }> }[];
    };
    const ids = out.analyses.map((a) => a.id);
    expect(ids).toContain('channel-entropy');
    expect(ids).toContain('attention');
    expect(out.analyses.find((a) => a.id === 'channel-entropy')?.params.bits.default).toBe(2);
  });
});
