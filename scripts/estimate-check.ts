/**
 * Run estimate vs measured time in node (README "Using the lab": estimates): the default
 * experiment's pipelines give the rate (modelled flops per CPU second), then each registered
 * analysis on the default config and PCA at two shapes (Gram path rows < dim, dense path
 * rows ≥ dim) are timed and compared with their modelled work at that rate. CPU time of this
 * process (process.cpuUsage), so other load on a shared machine does not count.
 *
 *   npx tsx scripts/estimate-check.ts [--only=<analysis id|pca>]
 *
 * Prints a table; nothing is asserted (speed is measured, never tested).
 */
import { canonicalize } from '../src/core/config/schema';
import { DEFAULT_CONFIG } from '../src/core/config/defaults';
import { ANALYSES } from '../src/core/analyses';
import { configCost } from '../src/core/cost';
import { analysisComponent, DATA_FLOPS_PER_COORD } from '../src/engine/calibrate';
import { loadData, runAnalysis, runConfig } from '../src/engine/experiment';

const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

function cpuSeconds<T>(fn: () => T): [T, number] {
  const t0 = process.cpuUsage();
  const out = fn();
  const t = process.cpuUsage(t0);
  return [out, (t.user + t.system) / 1e6];
}

async function cpuSecondsAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = process.cpuUsage();
  const out = await fn();
  const t = process.cpuUsage(t0);
  return [out, (t.user + t.system) / 1e6];
}

const rowsOut: string[][] = [];
const row = (what: string, flops: number, seconds: number, rate: number) => {
  console.error(`${what}: ${seconds.toFixed(2)} s`);
  rowsOut.push([
    what,
    flops.toExponential(2),
    (flops / rate).toFixed(2),
    seconds.toFixed(2),
    (seconds / (flops / rate)).toFixed(2),
  ]);
};

async function main() {
  const base = DEFAULT_CONFIG;
  const rows = Number(base.data.rows);
  const dim = Number(base.data.dim);
  // Warm-up (JIT, WASM instantiation), then the timed main run: the rate every estimate uses.
  await runConfig(base, { artifacts: false, analysis: false });
  const mainFlops = configCost(rows, dim, base.pipelines).flops + DATA_FLOPS_PER_COORD * rows * dim;
  const [, mainS] = await cpuSecondsAsync(() => runConfig(base, { artifacts: false, analysis: false }));
  const rate = mainFlops / mainS;
  console.log(`rate from the default run: ${(rate / 1e9).toFixed(2)}·10⁹ modelled flops per CPU second\n`);
  row('default run (5 pipelines)', mainFlops, mainS, rate);

  for (const def of ANALYSES) {
    if (only && only !== def.id) continue;
    const config = canonicalize({ ...base, analysis: { id: def.id, params: {} } });
    const { matrix } = await loadData(config);
    const modelled = analysisComponent(config, rows, dim)?.flops ?? 0;
    const [, s] = cpuSeconds(() => runAnalysis(config, matrix));
    row(`analysis ${def.id}`, modelled, s, rate);
  }

  if (!only || only === 'pca') {
    for (const [r, d] of [
      [256, 1024],
      [2048, 512],
    ] as const) {
      const config = canonicalize({
        ...base,
        data: { source: 'gaussian', rows: r, dim: d },
        pipelines: [
          { transforms: [{ id: 'pca', params: {} }], quantizer: { id: 'int', params: { bits: 4 } } },
        ],
      });
      const flops = configCost(r, d, config.pipelines).flops + DATA_FLOPS_PER_COORD * r * d;
      const [, s] = await cpuSecondsAsync(() => runConfig(config, { artifacts: false, analysis: false }));
      row(`pca → int4, ${r}×${d}${r < d ? ' (Gram)' : ' (dense)'}`, flops, s, rate);
    }
  }

  const head = ['what', 'modelled flops', 'estimate s', 'measured CPU s', 'measured / estimate'];
  const widths = head.map((h, i) => Math.max(h.length, ...rowsOut.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  for (const r of rowsOut) console.log(line(r));
}

void main();
