/** The GPU kernel registry: every kernel file is registered, under a core method id of its kind. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quantizersById, transformsById } from '../../core/methods';
import { METRICS } from '../../core/methods/metrics';
import { GPU_KERNELS } from './registry';

describe('GPU kernel registry', () => {
  it('keys every kernel by a core method of its stage, once, with a stated tolerance', () => {
    const seen = new Set<string>();
    for (const k of GPU_KERNELS) {
      if (k.stage === 'metrics') {
        // The sums kernel serves exactly the metrics the core derives from reconstructionSums.
        const fromSums = METRICS.filter((m) => m.fromSums).map((m) => m.id);
        expect([...k.metrics].sort()).toEqual([...fromSums].sort());
        continue;
      }
      const core = k.stage === 'forward' ? transformsById.get(k.methodId) : quantizersById.get(k.methodId);
      expect(core, `${k.stage} ${k.methodId} is not a core method`).toBeDefined();
      expect(seen.has(`${k.stage}:${k.methodId}`)).toBe(false);
      seen.add(`${k.stage}:${k.methodId}`);
      expect(k.tolerance.why.length).toBeGreaterThan(10);
    }
  });

  it('gives the resident group path its chains and quantizers (resident.ts)', () => {
    const resident = (stage: 'forward' | 'quantize') =>
      GPU_KERNELS.filter((k) => k.stage === stage && (stage === 'forward' ? 'resident' in k : 'inPlace' in k))
        .map((k) => k.methodId)
        .sort();
    expect(resident('forward')).toEqual(['haar', 'rht', 'wht']);
    expect(resident('quantize')).toEqual(['eden', 'fp8', 'int', 'mxfp4', 'nf4', 'nvfp4']);
  });

  it('registers every kernel file', () => {
    const dir = join(__dirname, 'kernels');
    const registry = readFileSync(join(__dirname, 'registry.ts'), 'utf8');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      for (const m of text.matchAll(/export const (\w+)\b/g))
        expect(registry, `${f}: ${m[1]}`).toContain(m[1]);
    }
  });
});
