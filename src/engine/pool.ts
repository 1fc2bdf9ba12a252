/**
 * How a run is split over the worker pool (src/ui/bridge/client.ts) and merged back. Pure functions,
 * so the split is unit-tested in node against one in-process run (pool.test.ts).
 *
 * Split: by transform group (pipeline.ts transformGroups), never inside one, because every part
 * that holds a group prepares and applies its rotation (Haar's Householder product, PCA's
 * eigendecomposition) in full. Groups go largest-first to the least-loaded part (the LPT rule),
 * with a group costing one unit per pipeline plus one for a non-identity rotation.
 */
import type { ExperimentConfig } from '../core/config/schema';
import { selectedPipelines, transformGroups } from '../core/pipeline';
import type { ExperimentArtifacts } from '../core/artifacts/types';
import type { ExperimentOutput } from './experiment';

/**
 * Pipeline indices per part (each ascending; parts ordered by their first index; none empty).
 * `only`: split just these pipelines (the ones the result cache misses); all by default.
 */
export function planParts(config: ExperimentConfig, poolSize: number, only?: readonly number[]): number[][] {
  const all = selectedPipelines(config.pipelines.length, only);
  if (all.length === 0) return [];
  const groups = transformGroups(config, all);
  const k = Math.min(Math.max(1, Math.floor(poolSize)), groups.length);
  if (k <= 1) return [all];
  const cost = (g: readonly number[]) => g.length + (config.pipelines[g[0]].transforms.length === 0 ? 0 : 1);
  const parts = Array.from({ length: k }, () => ({ load: 0, indices: [] as number[] }));
  for (const g of [...groups].sort((a, b) => cost(b) - cost(a) || a[0] - b[0])) {
    const target = parts.reduce((best, p) => (p.load < best.load ? p : best));
    target.load += cost(g);
    target.indices.push(...g);
  }
  return parts
    .map((p) => p.indices.sort((a, b) => a - b))
    .filter((p) => p.length > 0)
    .sort((a, b) => a[0] - b[0]);
}

/**
 * The parts' outputs (outs[k] computed parts[k]) as one run's output: results and chart artifacts
 * in pipeline order (of the pipelines the parts cover), the data summary and config.analysis from part 0 (which ran it).
 */
export function mergeParts(
  parts: readonly (readonly number[])[],
  outs: readonly ExperimentOutput[],
): ExperimentOutput {
  if (parts.length !== outs.length || outs.length === 0)
    throw new Error('pool: one output per part expected');
  // The parts may cover a subset of the pipelines (the rest cached): results in index order.
  const order = parts.flat().sort((a, b) => a - b);
  const position = new Map(order.map((i, j) => [i, j]));
  const n = order.length;
  const results = new Array<ExperimentOutput['results'][number]>(n);
  parts.forEach((indices, k) => {
    const got = outs[k].results;
    if (got.length !== indices.length)
      throw new Error(`pool: part ${k} returned ${got.length} of ${indices.length} results`);
    indices.forEach((i, j) => (results[position.get(i) ?? -1] = got[j]));
  });
  const first = outs[0];
  let artifacts: ExperimentArtifacts | undefined;
  if (first.artifacts) {
    const pipelines = outs.flatMap((o) => o.artifacts?.pipelines ?? []).sort((a, b) => a.index - b.index);
    if (pipelines.length !== n) throw new Error(`pool: artifacts for ${pipelines.length} of ${n} pipelines`);
    artifacts = { ...first.artifacts, pipelines };
  }
  const gpuAdapter = outs.find((o) => o.gpuAdapter !== undefined)?.gpuAdapter;
  return {
    ...first,
    results,
    ...(artifacts ? { artifacts } : {}),
    ...(gpuAdapter === undefined ? {} : { gpuAdapter }),
  };
}
