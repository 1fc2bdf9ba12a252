/**
 * Saved links ("Links from this version must keep decoding after later changes"): every
 * permalink in src/core/config/__saved__/links.json, written by an earlier version together with the
 * CLI's numbers for it (scripts/save-links.ts), must still decode through the app's own path
 * (decodePermalink: lz-string → migrate → validate) and give the same labels, bits/coordinate and
 * every metric, to a relative tolerance of 1e-9 (same code and seed: normally bit-identical; the
 * slack only absorbs a reordered floating-point sum).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runConfig } from './experiment';
import { METRICS } from '../core/methods';
import { PRESETS } from '../core/presets/presets';
import { decodePermalink } from '../core/config/codec';
import type { SavedLinksFile } from '../../scripts/save-links';

const RTOL = 1e-9;
const file = JSON.parse(
  readFileSync(new URL('../core/config/__saved__/links.json', import.meta.url), 'utf8'),
) as SavedLinksFile;

function expectClose(actual: number, expected: number, what: string): void {
  if (Number.isNaN(expected)) {
    expect(actual, what).toBeNaN();
    return;
  }
  const err = Math.abs(actual - expected);
  const ok = err <= RTOL * Math.max(Math.abs(expected), Number.MIN_VALUE) || actual === expected;
  expect(ok, `${what}: expected ${expected}, got ${actual} (|Δ| = ${err}, rtol ${RTOL})`).toBe(true);
}

describe('saved links', () => {
  it('cover the default experiment and every preset', () => {
    const names = new Set(file.links.map((l) => l.name));
    expect(names.has('default')).toBe(true);
    for (const p of PRESETS) expect(names.has(`preset-${p.id}`), `preset-${p.id} is saved`).toBe(true);
    expect(names.size).toBe(file.links.length);
  });

  for (const saved of file.links) {
    it(`${saved.name} decodes and reproduces its numbers`, async () => {
      const config = decodePermalink(saved.link);
      const out = await runConfig(config);
      expect(out.data.rows).toBe(saved.data.rows);
      expect(out.data.dim).toBe(saved.data.dim);
      expect(out.results.map((r) => r.label)).toEqual(saved.results.map((r) => r.label));
      saved.results.forEach((s, i) => {
        const r = out.results[i];
        expect(r.transform).toBe(s.transform);
        expect(r.quantizer).toBe(s.quantizer);
        expectClose(r.bitsPerCoord, s.bitsPerCoord, `${saved.name} [${i}] ${s.label} bitsPerCoord`);
        // Every saved metric must still be computed; new metrics may be added later.
        for (const [id, v] of Object.entries(s.metrics)) {
          expect(r.metrics, `${saved.name} [${i}] still reports ${id}`).toHaveProperty(id);
          // JSON writes NaN as null.
          expectClose(r.metrics[id], v ?? Number.NaN, `${saved.name} [${i}] ${s.label} ${id}`);
        }
      });
    });
  }

  it('saved every metric of CONTRACT.md §5', () => {
    for (const saved of file.links) {
      for (const r of saved.results)
        expect(Object.keys(r.metrics).sort()).toEqual(METRICS.map((m) => m.id).sort());
    }
  });
});
