/** Matrix presets: valid configs, two-sentence explanations citing a seed, and the claims they state. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config/schema';
import { runConfig } from './experiment';
import { MATRIX_PRESETS } from '../core/presets/matrix-presets';
import { presetConfig } from '../core/presets/presets';
import type { AttentionResult } from '../core/analyses/attention';
import type { LayerResult } from '../core/analyses/layer';

async function run(id: string) {
  const p = MATRIX_PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(id);
  return runConfig(presetConfig(p));
}

describe('matrix presets', () => {
  it('ids are unique', () => {
    expect(new Set(MATRIX_PRESETS.map((p) => p.id)).size).toBe(MATRIX_PRESETS.length);
  });
  for (const preset of MATRIX_PRESETS) {
    it(`${preset.id}: parses and explains itself in two sentences with a citation`, () => {
      const r = parseConfig(preset.config);
      expect(r.ok ? 'ok' : `${r.field}: ${r.error}`).toBe('ok');
      expect(preset.explanation.split(/(?<=[.!?])\s+(?=[A-Z])/)).toHaveLength(2);
      for (const c of preset.cites) expect(c.catalogue).toMatch(/^§1\.[A-Z]\.\d+$/);
    });
  }

  it('claims: ITQ3_S < uniform 3-bit; LLM.int8 ≪ int8; ResQ < rotation + int4; DuQuant++ < no rotation; NVFP4 SR unbiased', async () => {
    const v = (o: Awaited<ReturnType<typeof run>>, i: number) => o.results[i].metrics.vnmse;
    const itq = await run('itq3s-rotation-3bit');
    expect(v(itq, 1)).toBeLessThan(v(itq, 0));
    const int8 = await run('llm-int8-outliers');
    expect(v(int8, 1)).toBeLessThan(0.1 * v(int8, 0));
    const resq = await run('resq-mixed-precision');
    expect(v(resq, 2)).toBeLessThan(v(resq, 1));
    const duq = await run('duquant-block32-mxfp4');
    expect(v(duq, 2)).toBeLessThan(v(duq, 0));
    const sr = await run('nvfp4-stochastic-rounding');
    expect(Math.abs(sr.results[1].metrics.ipRatio - 1)).toBeLessThan(0.01);
  });

  it('claims: KIVI per-channel keys beat per-token keys in attention KL', async () => {
    const a = (await run('kivi-keys-per-channel')).analysis as AttentionResult;
    expect(a.pipelines[0].kl).toBeLessThan(a.pipelines[1].kl);
  });

  it('claims: RotateKV at ~2.2 bits beats INT2, KIVI-2 (2.25 bits) and the FWHT alone in KL; pre-RoPE beats post-RoPE', async () => {
    const p = MATRIX_PRESETS.find((x) => x.id === 'rotatekv-2bit-pre-rope');
    if (!p) throw new Error('preset missing');
    const pre = (await runConfig(presetConfig(p))).analysis as AttentionResult;
    const [int2, kivi, fwht, rotatekv] = pre.pipelines;
    // Measured (seed 7): KL 0.394 (int2, 2.14 bits), 0.297 (kivi, 2.25), 0.296 (fwht, 2.20), 0.232 (rotatekv, 2.20).
    expect(rotatekv.bitsKey).toBeLessThan(kivi.bitsKey);
    expect(rotatekv.kl).toBeLessThan(0.85 * Math.min(int2.kl, kivi.kl, fwht.kl));
    const cfg = presetConfig(p);
    const postCfg = {
      ...cfg,
      analysis: { id: 'attention', params: { ...cfg.analysis?.params, rope: 'post' } },
    };
    const post = (await runConfig(postCfg)).analysis as AttentionResult;
    // Measured: 0.258 after RoPE vs 0.232 before.
    expect(post.pipelines[3].kl).toBeGreaterThan(rotatekv.kl);
  });

  it('claims: GEAR < INT3 at fewer bits, each part helps; CQ 4c4b < INT2 at half the bits; Palu < INT2, Hadamard helps', async () => {
    const g = (await run('gear-three-parts')).analysis as AttentionResult;
    // Measured (seed 7): KL 0.249 (int3, 3.30 bits), 0.219 (gear, 3.17), 0.225 (no low rank), 0.435 (no sparse).
    expect(g.pipelines[1].bitsKey).toBeLessThan(g.pipelines[0].bitsKey);
    expect(g.pipelines[1].kl).toBeLessThan(Math.min(g.pipelines[0].kl, g.pipelines[2].kl, g.pipelines[3].kl));
    const c = (await run('cq-one-bit-per-channel')).analysis as AttentionResult;
    // Measured: KL 0.091 (int2, 2.14 bits) vs 0.051 (CQ-4c4b, 1.125 bits).
    expect(c.pipelines[1].bitsKey).toBeCloseTo(1.125, 12);
    expect(c.pipelines[1].kl).toBeLessThan(0.7 * c.pipelines[0].kl);
    const p = (await run('palu-low-rank-latent')).analysis as AttentionResult;
    // Measured: KL 0.116 (int2, 2.28 bits), 0.0185 (palu, 0.77), 0.0123 (palu + Hadamard, 0.77).
    expect(p.pipelines[2].bitsKey).toBeLessThan(0.5 * p.pipelines[0].bitsKey);
    expect(p.pipelines[2].kl).toBeLessThan(0.25 * p.pipelines[0].kl);
    expect(p.pipelines[2].kl).toBeLessThan(p.pipelines[1].kl);
  });

  it('claims: QJL with outlier channels beats plain QJL in attention KL and ipNvar at fewer bits', async () => {
    const o = await run('qjl-kv-outlier-channels');
    const a = o.analysis as AttentionResult;
    expect(a.pipelines[1].bitsKey).toBeLessThanOrEqual(a.pipelines[0].bitsKey);
    // Measured (seed 7): KL 2.72 (qjl, 2.25 bits) vs 0.97 (qjl-kv, 2.01 bits); ipNvar 0.76 vs 0.39.
    expect(a.pipelines[1].kl).toBeLessThan(0.5 * a.pipelines[0].kl);
    expect(o.results[1].metrics.ipNvar).toBeLessThan(o.results[0].metrics.ipNvar);
  });

  it('claims: EoRA < plain SVD (W only); SVDQuant < INT4 at W4A4; AdaHOP auto best on row-wise X', async () => {
    const e = (await run('eora-eigenspace-compensation')).analysis as LayerResult;
    expect(e.pipelines[2].weightOnly).toBeLessThan(e.pipelines[1].weightOnly);
    const s = (await run('svdquant-w4a4-layer')).analysis as LayerResult;
    expect(s.pipelines[1].both).toBeLessThan(s.pipelines[0].both);
    const h = (await run('adahop-row-wise')).analysis as LayerResult;
    expect(h.pipelines[2].activationOnly).toBeLessThan(
      Math.min(h.pipelines[0].activationOnly, h.pipelines[1].activationOnly),
    );
  });

  it('claims (MR-GPTQ): GPTQ < RTN per format; MR-GPTQ closes most of MXFP4’s gap to NVFP4', async () => {
    const o = await run('mr-gptq-fp4-vs-int4');
    const w = (o.analysis as LayerResult).pipelines.map((p) => p.weightOnly);
    // Measured (seed 7, W only): int4 g32 RTN 0.0966, GPTQ 0.0769, MR-GPTQ 0.0254; MXFP4 RTN
    // 0.1165, block-Hadamard RTN 0.1113, GPTQ 0.0906, MR-GPTQ 0.0311; NVFP4 RTN 0.0973, GPTQ
    // 0.0718, MR-GPTQ 0.0265. MXFP4 − NVFP4: 0.0192 (RTN) → 0.0046 (MR-GPTQ), 76 % closed.
    const [intRtn, intGptq, intMr, mxRtn, , mxGptq, mxMr, nvRtn, nvGptq, nvMr] = w;
    expect(intGptq).toBeLessThan(intRtn);
    expect(mxGptq).toBeLessThan(mxRtn);
    expect(nvGptq).toBeLessThan(nvRtn);
    expect(mxMr - nvMr).toBeLessThan(0.5 * (mxRtn - nvRtn));
    expect(mxMr).toBeLessThan(nvGptq);
    expect(intMr).toBeLessThan(intGptq);
  });
});
