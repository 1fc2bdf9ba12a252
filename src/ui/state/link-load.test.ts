/**
 * Config work per link load: the page validates a config once where it enters (the decoded link)
 * and once more where it crosses into the worker (structured clone drops what the type proves),
 * and canonicalises nothing twice. The sequence below is the page's on opening a link, call for
 * call: url-sync.ts (decode, compare with the current config, store), useExperiment.ts (query
 * key), client.ts (cache plan, persisted-result key, the worker's run, cache store, assembly).
 */
import { describe, expect, it } from 'vitest';
import { configWork, canonicalKey, restoreConfig } from '../../core/config/schema';
import { decodePermalink, permalinkHash } from '../../core/config/codec';
import { runConfig } from '../../engine/experiment';
import { assembleOutput, createResultCaches, planFromCache, storeInCache } from '../../engine/result-cache';
import { useLab } from './store';

const link = permalinkHash(
  restoreConfig({
    v: 2,
    seed: 3,
    data: { source: 'gaussian', rows: 8, dim: 32 },
    pipelines: [
      { transforms: [{ id: 'rht' }], quantizer: { id: 'eden', params: { bits: 2 } } },
      { transforms: [], quantizer: { id: 'int', params: { bits: 4 } } },
    ],
  }),
);

describe('config work per link load', () => {
  it('validates at the edges only and canonicalises each config once', async () => {
    configWork.validations = 0;
    configWork.canonicalisations = 0;
    // url-sync.ts restoreFromLocation
    const config = decodePermalink(link);
    const current = useLab.getState().config;
    if (canonicalKey(config) !== canonicalKey(current)) useLab.getState().setConfig(config);
    const stored = useLab.getState().config;
    // useExperiment.ts: the query key
    canonicalKey(stored);
    // client.ts run(): cache plan, persisted key, the worker's run, cache store, assembly
    const caches = createResultCaches();
    const plan = planFromCache(stored, caches);
    canonicalKey(stored);
    const valid = restoreConfig(structuredClone(stored)); // worker-api.ts: the worker's edge
    const out = await runConfig(valid, { artifacts: true });
    storeInCache(stored, caches, plan.missing, out);
    assembleOutput(stored, plan, { indices: plan.missing, out });
    // Before CanonicalConfig this sequence ran 3 validations (link, store, worker) and 16
    // canonicalisations (every key and cache lookup re-canonicalised): measured with these counters.
    expect(configWork).toEqual({ validations: 2, canonicalisations: 2 });
    expect(canonicalKey(stored)).toBe(canonicalKey(valid));
    expect(out.permalink).toBe(link);
  });
});
