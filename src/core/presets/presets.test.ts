/** Presets: every one is a valid config under CONTRACT.md §3–§4 and a decodable permalink. */
import { describe, expect, it } from 'vitest';
import { decodePermalink } from '../config/codec';
import { canonicalKey, parseConfig } from '../config/schema';
import { PRESETS, presetById, presetConfig, presetPermalink } from './presets';

/** Method ids written in CONTRACT.md §3 and §4: presets must stay inside the stable surface. */
const CONTRACT_TRANSFORMS = ['identity', 'wht', 'rht', 'block-hadamard', 'haar', 'dct', 'pca'];
const CONTRACT_QUANTIZERS = [
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
];
const CONTRACT_PARAMS: Record<string, string[]> = {
  rht: ['rounds'],
  'block-hadamard': ['block'],
  int: ['bits', 'granularity', 'group', 'symmetric', 'rounding'],
  eden: ['bits', 'scale'],
  'turboquant-mse': ['bits'],
  'turboquant-prod': ['bits'],
  qjl: ['sketch'],
  fp8: ['format', 'granularity'],
  nf4: ['block'],
  ternary: ['group'],
};

interface RawMethod {
  id: string;
  params?: Record<string, unknown>;
}
interface RawPipeline {
  transform: RawMethod;
  quantizer: RawMethod;
}

describe('presets', () => {
  it('has the six presets the issue asks for, with unique ids', () => {
    expect(PRESETS.map((p) => p.id)).toEqual([
      'eden-vs-turboquant',
      'two-block-hadamard-vs-haar',
      'mxfp4-rht-outlier-channels',
      'nvfp4-vs-mxfp4',
      'kv-cache-int4-block-hadamard',
      'qjl-vs-eden-1bit',
    ]);
    expect(new Set(PRESETS.map((p) => p.id)).size).toBe(PRESETS.length);
  });

  for (const preset of PRESETS) {
    describe(preset.id, () => {
      it('parses with parseConfig (every param validated)', () => {
        const r = parseConfig(preset.config);
        expect(r.ok ? 'ok' : `${r.field}: ${r.error}`).toBe('ok');
      });

      it('uses only CONTRACT.md §3–§4 method ids and params', () => {
        const pipelines = (preset.config as { pipelines: RawPipeline[] }).pipelines;
        for (const p of pipelines) {
          expect(CONTRACT_TRANSFORMS).toContain(p.transform.id);
          expect(CONTRACT_QUANTIZERS).toContain(p.quantizer.id);
          for (const m of [p.transform, p.quantizer]) {
            for (const name of Object.keys(m.params ?? {}))
              expect(CONTRACT_PARAMS[m.id] ?? []).toContain(name);
          }
        }
      });

      it('round-trips through its permalink to the same canonical config', () => {
        const link = presetPermalink(preset);
        expect(link).toMatch(/^#c=[A-Za-z0-9+\-$]+\.[0-9a-z]{7}$/);
        expect(canonicalKey(decodePermalink(link))).toBe(canonicalKey(presetConfig(preset)));
      });

      it('explains itself in two sentences and cites a seed paper', () => {
        // Sentence ends: ". " / "; " inside sentences are allowed; count terminal full stops.
        const sentences = preset.explanation.split(/(?<=[.!?])\s+(?=[A-Z])/);
        expect(sentences).toHaveLength(2);
        expect(preset.cites.length).toBeGreaterThan(0);
        for (const c of preset.cites) expect(c.catalogue).toMatch(/^§1\.[A-Z]\.\d+$/);
      });
    });
  }

  it('finds presets by id', () => {
    expect(presetById('nvfp4-vs-mxfp4')?.title).toBe('NVFP4 vs MXFP4');
    expect(presetById('nope')).toBeUndefined();
  });
});
