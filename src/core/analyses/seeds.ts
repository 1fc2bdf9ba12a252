/**
 * Seed spread: run every pipeline under N derived rotation / sketch / rounding seeds and report
 * each metric's mean with a 95% Student-t confidence interval; compare pipelines paired on the
 * same seeds (the same seed gives two pipelines with the same transform the same rotation,
 * CONTRACT.md §1), with the fraction of seeds on which A beats B and a t-interval of the mean
 * paired difference (paired t: Student 1908; pairing removes the shared rotation's variance).
 *
 * Seeds: s_k = rng('analysis', 'seeds', k).nextU32() for k = 0…N−1, a deterministic function of
 * the experiment seed. The data stay those of the experiment seed: only the method randomness
 * (rotation, sketch, rounding, ipNvar queries) varies, which is what "spread over seeds" means for
 * a fixed tensor. The interval is for the mean over the rotation law of each metric for this data.
 * Cost: N full runs.
 */
import { METRICS } from '../methods';
import { defineParams } from '../methods/params';
import { pipelineLabel, runExperiment } from '../pipeline';
import { defineAnalysis } from './define';
import { runFlops } from './analysis-cost';
import { meanCi, type MeanCi } from './ci';

export interface SeedStat extends MeanCi {
  readonly values: readonly number[];
}

export interface SeedPair {
  readonly a: number;
  readonly b: number;
  readonly metric: string;
  /** Fraction of seeds on which pipeline a is better than b (ties count ½). */
  readonly pWin: number;
  /** Mean and CI of value(a) − value(b) over the same seeds. */
  readonly diff: MeanCi;
}

export interface SeedsResult {
  readonly kind: 'seeds';
  readonly seeds: readonly number[];
  readonly level: number;
  readonly metrics: readonly {
    readonly id: string;
    readonly label: string;
    readonly better: 'lower' | 'higher' | 'closer-to-1';
  }[];
  readonly pipelines: readonly {
    readonly label: string;
    readonly bitsPerCoord: number;
    readonly stats: Readonly<Record<string, SeedStat>>;
  }[];
  readonly pairs: readonly SeedPair[];
}

/** The N derived seeds of an experiment (stable: same seed, same list). */
export function deriveSeeds(stream: (k: number) => { nextU32(): number }, n: number): number[] {
  return Array.from({ length: n }, (_, k) => stream(k).nextU32());
}

function better(kind: 'lower' | 'higher' | 'closer-to-1', a: number, b: number): number {
  const ka = kind === 'lower' ? a : kind === 'higher' ? -a : Math.abs(a - 1);
  const kb = kind === 'lower' ? b : kind === 'higher' ? -b : Math.abs(b - 1);
  return ka < kb ? 1 : ka === kb ? 0.5 : 0;
}

const SEEDS_PARAMS = defineParams({
  count: { kind: 'int', default: 12, min: 2, max: 200, doc: 'Number of derived seeds N.' },
});

export const seedsAnalysis = defineAnalysis({
  id: 'seeds',
  label: 'Seed spread',
  description:
    'Mean and 95% CI of every metric over N rotation/sketch seeds; paired comparisons with P(A beats B)',
  reference:
    'Student, "The probable error of a mean", Biometrika 1908 (t-interval, paired differences); CONTRACT.md §1 (paired streams).',
  params: SEEDS_PARAMS,
  // N full runs of every pipeline on the experiment's data.
  cost: (params, { rows, dim }, pipelines) => params.count * runFlops(rows, dim, pipelines),
  run({ rng, data, pipelines, params, denseProducts }, options) {
    const { count } = params;
    const seeds = deriveSeeds((k) => rng.stream('analysis', 'seeds', k), count);
    const values = pipelines.map(() => new Map<string, number[]>(METRICS.map((m) => [m.id, [] as number[]])));
    let bits: number[] = pipelines.map(() => 0);
    seeds.forEach((s, k) => {
      if (options?.signal?.aborted) throw new Error('run cancelled');
      // The config's dense-products arithmetic (CONTRACT.md §5.2); metrics in the data domain.
      const results = runExperiment({ seed: s, pipelines }, data, denseProducts ? { denseProducts } : {});
      bits = results.map((r) => r.bitsPerCoord);
      results.forEach((r, i) => {
        for (const m of METRICS) values[i].get(m.id)?.push(r.metrics[m.id]);
      });
      options?.onProgress?.(k + 1, count, `seed ${k + 1}/${count}`);
    });
    const level = 0.95;
    const get = (i: number, id: string): number[] => values[i].get(id) ?? [];
    const pairs: SeedPair[] = [];
    for (let a = 0; a < pipelines.length; a++) {
      for (let b = a + 1; b < pipelines.length; b++) {
        for (const m of METRICS) {
          const va = get(a, m.id);
          const vb = get(b, m.id);
          const wins = va.reduce((acc, v, k) => acc + better(m.better, v, vb[k]), 0);
          pairs.push({
            a,
            b,
            metric: m.id,
            pWin: wins / count,
            diff: meanCi(
              va.map((v, k) => v - vb[k]),
              level,
            ),
          });
        }
      }
    }
    const result: SeedsResult = {
      kind: 'seeds',
      seeds,
      level,
      metrics: METRICS.map((m) => ({ id: m.id, label: m.label, better: m.better })),
      pipelines: pipelines.map((p, i) => ({
        label: pipelineLabel(p),
        bitsPerCoord: bits[i],
        stats: Object.fromEntries(
          METRICS.map((m) => [m.id, { ...meanCi(get(i, m.id), level), values: get(i, m.id) }]),
        ),
      })),
      pairs,
    };
    return result;
  },
});
