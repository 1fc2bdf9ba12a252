/**
 * `npm run bench`: the performance table of issue 5 (DESIGN.md "Performance targets"), measured in
 * one run so the ratios are meaningful on VMs whose speed varies up to 2× between runs.
 *
 * Sections:
 *  1. FWHT on Float32Array, n = 2^10 … 2^22: TypeScript reference vs a native C FWHT of our own
 *     (scripts/bench/fwht.c, same radix-2 algorithm, built here with gcc -O3 -march=native; skipped
 *     with a message when gcc is absent). Target ≤ 1.3× native.
 *  2. Full pipeline (transform + quantizer + all metrics) on 1M and 16M coordinates, and the
 *     default page experiment. Targets < 100 ms and < 1.5 s.
 *  3. Haar rotation of 256×1024 rows vs numpy's QR of a 1024² Gaussian (python3 + numpy when
 *     present; OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset in that subprocess only, see the
 *     environment notes: they slow a current numpy). Target: faster than numpy's QR alone.
 *  4. Singular values of 1024² (exact) and a 4096² spectrum estimate: targets < 1 s and < 3 s.
 *  5. Peak memory of a 16M-coordinate pipeline in a child process (node --expose-gc) against
 *     6 copies of the data (6 × 64 MiB).
 *
 *  6. CLI startup: `node scripts/lab.mjs list` (the prebuilt bundle `npm run lab` runs) vs the tsx
 *     path it replaced, and `npm run -s lab` as users type it. Target ≤ 0.3 s.
 *  7. The whole CLI pipeline on 16M coordinates (gaussian 4096², rht → int b=4 g128, all metrics;
 *     process wall incl. startup and data generation) vs numpy doing the same work
 *     (scripts/bench/numpy_pipeline.py, process wall incl. importing numpy). Target ≤ 0.4×. And
 *     1M (1024²) in-process after startup: generation + pipeline, target ≤ 0.15 s.
 *  8. Per kernel, TypeScript reference vs WASM SIMD path on 4M coordinates, same data, same run.
 *
 * `npm run bench -- --only=startup,cli,kernels` runs a subset (names: fwht, pipelines, haar,
 * spectra, memory, startup, cli, kernels); `--quick` shrinks sections 7–8 for development runs.
 *
 * Timings are the best of several repetitions (the minimum is the least noisy estimator of a
 * deterministic kernel's cost). Nothing here runs in the unit tests. The machine may be shared:
 * compare ratios measured in the same run, not absolute times across runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fwhtInPlace } from '../src/core/linalg/fwht';
import { generateData } from '../src/core/data-loader';
import { runExperiment, type ExperimentSpec } from '../src/core/pipeline';
import { DEFAULT_CONFIG } from '../src/config/defaults';
import { createRngFactory } from '../src/core/rng';
import { transformsById } from '../src/core/methods';
import { clearHouseholderCache } from '../src/core/linalg/householder';
import { singularValues } from '../src/core/linalg/eig';
import { estimateSpectrum } from '../src/core/linalg/lanczos';
import type { Matrix } from '../src/core/methods/types';
import { claim, setWasmEnabled, wasmKernels } from '../src/core/wasm/kernels';
import { quantizersById } from '../src/core/methods';
import { ipNvarMetric } from '../src/core/methods/metrics/ip-nvar';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, '.bench');

function now(): number {
  return performance.now();
}

/** Best wall time in ms of `fn` over at least `minReps` runs and `minMs` total (after one warm-up). */
function best(fn: () => void, minReps = 3, minMs = 300): number {
  fn();
  let bestMs = Infinity;
  let total = 0;
  for (let r = 0; r < minReps || total < minMs; r++) {
    const t0 = now();
    fn();
    const dt = now() - t0;
    total += dt;
    if (dt < bestMs) bestMs = dt;
    if (r > 200) break;
  }
  return bestMs;
}

function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function table(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log('');
}

// ───────────────────────────── 1. FWHT ─────────────────────────────

function buildNativeFwht(): string | null {
  const src = join(ROOT, 'scripts', 'bench', 'fwht.c');
  const exe = join(OUT_DIR, 'fwht');
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    console.log('gcc not found: skipping the native FWHT column.\n');
    return null;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  execFileSync('gcc', ['-O3', '-march=native', '-o', exe, src, '-lm']);
  return exe;
}

function nativeFwhtMs(exe: string, log2n: number, reps: number): number {
  const out = execFileSync(exe, [String(log2n), String(reps)], { encoding: 'utf8' });
  const ns = Number(out.trim().split(/\s+/)[1]);
  return ns / 1e6;
}

/** Deterministic input in [−1, 1) (the kernels' speed does not depend on the values). */
function fwhtInput(n: number): Float32Array {
  const a = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s >>> 8) / 8388608 - 1;
  }
  return a;
}

/** Best time of an in-place unnormalised FWHT, rescaling by 1/√n between runs (outside the timer). */
function timeFwht(kernel: (a: Float32Array) => void, n: number, a = fwhtInput(n)): number {
  const s = 1 / Math.sqrt(n);
  let bestMs = Infinity;
  let total = 0;
  for (let r = 0; r < 4 || total < 300; r++) {
    const t0 = now();
    kernel(a);
    const dt = now() - t0;
    total += dt;
    if (dt < bestMs) bestMs = dt;
    for (let i = 0; i < n; i++) a[i] *= s;
    if (r > 500) break;
  }
  return bestMs;
}

function benchFwht(): void {
  console.log('## FWHT (Float32Array, unnormalised, in place)\n');
  const exe = buildNativeFwht();
  const rows: string[][] = [];
  for (let k = 10; k <= 22; k++) {
    const n = 2 ** k;
    const ts = timeFwht((a) => fwhtInPlace(a, 0, n), n);
    // The WASM kernel runs in place on the module's memory (no copy inside the timer).
    let wasm = NaN;
    const kern = wasmKernels();
    if (kern) {
      const { ptrs } = claim(kern, benchFwht, [n * 4]);
      const view = new Float32Array(kern.memory.buffer, ptrs[0], n);
      view.set(fwhtInput(n));
      wasm = timeFwht(() => kern.fwht_f32(ptrs[0], n), n, view);
    }
    const reps = Math.max(5, Math.min(2000, Math.round(2 ** 26 / (n * k))));
    const c = exe ? nativeFwhtMs(exe, k, reps) : NaN;
    const ratio = (v: number) => (exe && Number.isFinite(v) ? `${(v / c).toFixed(2)}×` : 'n/a');
    rows.push([`2^${k}`, fmtMs(c), fmtMs(ts), fmtMs(wasm), ratio(ts), ratio(wasm)]);
  }
  table(['n', 'native C', 'TS', 'WASM SIMD', 'TS / C', 'WASM / C (target ≤ 1.3)'], rows);
}

// ───────────────────────────── 2. pipelines ─────────────────────────────

function gaussian(rows: number, dim: number, seed = 1): Matrix {
  return generateData('gaussian', { rows, dim }, seed);
}

const BENCH_PIPELINE: ExperimentSpec['pipelines'] = [
  {
    transform: { id: 'rht', params: { rounds: 1 } },
    quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } },
  },
];

function benchPipelines(): void {
  console.log('## Full pipeline (transform + quantizer + all metrics), CPU, this process\n');
  const rows: string[][] = [];
  for (const [r, d, target] of [
    [1024, 1024, 100],
    [4096, 4096, 1500],
  ] as const) {
    const x = gaussian(r, d);
    const spec: ExperimentSpec = { seed: 1, pipelines: BENCH_PIPELINE };
    const ms = best(() => runExperiment(spec, x), 2, 0);
    const stages = runExperiment(spec, x)[0].timingsMs;
    rows.push([
      `${r}×${d} (${((r * d) / 2 ** 20).toFixed(0)}M)`,
      'rht → eden b=2 mse',
      fmtMs(ms),
      `transform ${fmtMs(stages.transform)}, quantize ${fmtMs(stages.quantize)}, inverse ${fmtMs(stages.inverse)}, metrics ${fmtMs(stages.metrics)}`,
      `< ${fmtMs(target)}: ${ms < target ? 'met' : `missed ×${(ms / target).toFixed(1)}`}`,
    ]);
  }
  // The first screen (5 pipelines on 256×1024), with a cold rotation cache and with a warm one.
  const x = gaussian(256, 1024, DEFAULT_CONFIG.seed);
  clearHouseholderCache();
  const t0 = now();
  const res = runExperiment(DEFAULT_CONFIG, x);
  const cold = now() - t0;
  const warm = best(() => runExperiment(DEFAULT_CONFIG, x), 1, 0);
  const slowest = res
    .map((p) => `${p.label}: q ${fmtMs(p.timingsMs.quantize)}`)
    .sort()
    .join('; ');
  rows.push([
    '256×1024 default page',
    '5 pipelines',
    `${fmtMs(cold)} cold / ${fmtMs(warm)} warm`,
    slowest,
    '',
  ]);
  table(['size', 'pipeline', 'total', 'stages', 'target'], rows);
}

// ───────────────────────────── 3. Haar vs numpy ─────────────────────────────

function numpyQrMs(): number | null {
  const code = [
    'import time, numpy as np',
    'g = np.random.default_rng(0).standard_normal((1024, 1024))',
    'np.linalg.qr(g)',
    'b = 1e9',
    'for _ in range(5):',
    '    t = time.perf_counter(); np.linalg.qr(g); b = min(b, time.perf_counter() - t)',
    'print(b * 1000)',
  ].join('\n');
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('python3', ['-c', code], { env, encoding: 'utf8' });
  if (r.status !== 0) return null;
  return Number(r.stdout.trim());
}

function benchHaar(): void {
  console.log('## Haar rotation of 256×1024 rows vs numpy QR of a 1024² Gaussian\n');
  const x = gaussian(256, 1024);
  const haar = transformsById.get('haar');
  if (!haar) throw new Error('haar transform missing');
  const rng = createRngFactory(3);
  const y = new Float32Array(x.data.length);
  clearHouseholderCache();
  const t0 = now();
  const prepared = haar.prepare({}, { rng, dim: 1024, data: x });
  const prepMs = now() - t0;
  const fwd = best(() => prepared.forward(x.data, x.rows, y));
  const inv = best(() => prepared.inverse(y, x.rows, y));
  const np = numpyQrMs();
  const rows = [
    ['generate (once per seed, cached)', fmtMs(prepMs)],
    ['forward, 256 rows', fmtMs(fwd)],
    ['inverse, 256 rows', fmtMs(inv)],
    ['numpy QR 1024² (reference)', np === null ? 'python3/numpy absent' : fmtMs(np)],
  ];
  table(['Haar', 'time'], rows);
  if (np !== null) {
    const ok = fwd < np;
    console.log(`forward / numpy QR = ${(fwd / np).toFixed(2)} (target < 1: ${ok ? 'met' : 'missed'})\n`);
  }
}

// ───────────────────────────── 4. spectra ─────────────────────────────

function benchSpectra(): void {
  console.log('## Singular values\n');
  const a = gaussian(1024, 1024);
  const t0 = now();
  singularValues(a.data, 1024, 1024);
  const exactMs = now() - t0;
  const big = gaussian(4096, 4096);
  const t1 = now();
  const est = estimateSpectrum(big.data, 4096, 4096);
  const slqMs = now() - t1;
  table(
    ['matrix', 'method', 'time', 'target'],
    [
      ['1024²', 'exact (Gram + symmetric QR)', fmtMs(exactMs), `< 1 s: ${exactMs < 1000 ? 'met' : 'missed'}`],
      [
        '4096²',
        `estimateSpectrum (${est.method}, 4 probes × 40 steps), σ_max ${est.values[0].toFixed(1)}`,
        fmtMs(slqMs),
        `< 3 s: ${slqMs < 3000 ? 'met' : 'missed'}`,
      ],
    ],
  );
}

// ───────────────────────────── 5. memory ─────────────────────────────

const MEMORY_CHILD_FLAG = '--memory-child';

/** Child process: baseline RSS after a GC, then one 16M pipeline; prints the peak delta in bytes. */
function memoryChild(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage().rss;
  const x = gaussian(4096, 4096);
  runExperiment({ seed: 1, pipelines: BENCH_PIPELINE }, x);
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ base, peak, dataBytes: x.data.byteLength }));
}

function benchMemory(): void {
  console.log('## Peak memory, 16M-coordinate pipeline (rht → eden, 4096×4096)\n');
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), MEMORY_CHILD_FLAG],
    { encoding: 'utf8', cwd: ROOT },
  );
  if (r.status !== 0) {
    console.log(`memory child failed: ${r.stderr}\n`);
    return;
  }
  const { base, peak, dataBytes } = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
    base: number;
    peak: number;
    dataBytes: number;
  };
  const used = peak - base;
  const copies = used / dataBytes;
  table(
    ['peak RSS over baseline', 'copies of the data (64 MiB)', 'target'],
    [[`${(used / 2 ** 20).toFixed(0)} MiB`, copies.toFixed(2), `< 6: ${copies < 6 ? 'met' : 'missed'}`]],
  );
}

// ───────────────────────────── 6. CLI startup ─────────────────────────────

/** Best wall time in ms of a child process over `reps` runs (after one warm-up run). */
function processMs(cmd: string, args: string[], reps: number, env: NodeJS.ProcessEnv = process.env): number {
  let bestMs = Infinity;
  for (let r = 0; r <= reps; r++) {
    const t0 = now();
    const res = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 26 });
    const dt = now() - t0;
    if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${res.stderr}`);
    if (r > 0 && dt < bestMs) bestMs = dt;
  }
  return bestMs;
}

function benchStartup(): void {
  console.log('## CLI startup (`lab list`, process wall, best of 5)\n');
  const bundle = processMs(process.execPath, ['scripts/lab.mjs', 'list'], 5);
  const tsxPath = processMs(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/cli/main.ts', 'list'],
    5,
  );
  const npmRun = processMs('npm', ['run', '-s', 'lab', '--', 'list'], 3);
  const bare = processMs(process.execPath, ['-e', '0'], 5);
  table(
    ['command', 'wall', 'vs tsx', 'target'],
    [
      [
        'node scripts/lab.mjs list (prebuilt bundle)',
        fmtMs(bundle),
        `${(bundle / tsxPath).toFixed(2)}×`,
        `≤ 0.3 s: ${bundle <= 300 ? 'met' : 'missed'}`,
      ],
      ['tsx src/cli/main.ts list (before)', fmtMs(tsxPath), '1.00×', ''],
      ['npm run -s lab -- list (incl. npm itself)', fmtMs(npmRun), `${(npmRun / tsxPath).toFixed(2)}×`, ''],
      ['node -e 0 (node alone)', fmtMs(bare), `${(bare / tsxPath).toFixed(2)}×`, ''],
    ],
  );
}

// ───────────────────────────── 7. CLI pipeline vs numpy ─────────────────────────────

const CLI_PIPELINE = {
  transform: { id: 'rht', params: { rounds: 1 } },
  quantizer: {
    id: 'int',
    params: { bits: 4, granularity: 'group', group: 128, symmetric: true, rounding: 'nearest' },
  },
};

function numpyEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

function benchCli(quick: boolean): void {
  const [rows, dim] = quick ? [2048, 2048] : [4096, 4096];
  const label = `${rows}×${dim} (${((rows * dim) / 2 ** 20).toFixed(0)}M)`;
  console.log(`## Whole CLI pipeline vs numpy, ${label}: gaussian, rht → int b=4 g128 sym, all metrics\n`);
  mkdirSync(OUT_DIR, { recursive: true });
  const cfgPath = join(OUT_DIR, 'cli-pipeline.json');
  writeFileSync(
    cfgPath,
    JSON.stringify({ v: 1, seed: 1, data: { source: 'gaussian', rows, dim }, pipelines: [CLI_PIPELINE] }),
  );
  const reps = quick ? 1 : 2;
  const cli = processMs(process.execPath, ['scripts/lab.mjs', 'run', cfgPath, '--json'], reps);
  const py = join(ROOT, 'scripts', 'bench', 'numpy_pipeline.py');
  let numpyWall = NaN;
  let numpyWork = NaN;
  try {
    numpyWall = processMs('python3', [py, String(rows), String(dim)], reps, numpyEnv());
    const r = spawnSync('python3', [py, String(rows), String(dim)], { env: numpyEnv(), encoding: 'utf8' });
    numpyWork = (JSON.parse(r.stdout.trim()) as { ms: number }).ms;
  } catch (e) {
    console.log(`numpy run failed (python3 + numpy needed): ${(e as Error).message}\n`);
  }
  // 1M after startup: generation + the pipeline in this process (warm, best of 3).
  const oneM = best(() => runExperiment({ seed: 1, pipelines: [CLI_PIPELINE] }, gaussian(1024, 1024)), 3, 0);
  table(
    ['run', 'wall', 'ratio', 'target'],
    [
      [`lab run (bundle), ${label}`, fmtMs(cli), '', ''],
      [
        'numpy, same work (process wall)',
        fmtMs(numpyWall),
        `lab / numpy = ${(cli / numpyWall).toFixed(2)}`,
        `≤ 0.4: ${cli / numpyWall <= 0.4 ? 'met' : 'missed'}`,
      ],
      [
        'numpy, same work (timed inside, no import)',
        fmtMs(numpyWork),
        `lab / numpy = ${(cli / numpyWork).toFixed(2)}`,
        '',
      ],
      [
        '1024×1024 (1M) in process: generate + pipeline',
        fmtMs(oneM),
        '',
        `≤ 150 ms: ${oneM <= 150 ? 'met' : 'missed'}`,
      ],
    ],
  );
}

// ───────────────────────────── 8. kernels TS vs WASM ─────────────────────────────

function benchKernels(quick: boolean): void {
  const [rows, dim] = quick ? [256, 4096] : [1024, 4096];
  console.log(`## Kernels, TypeScript reference vs WASM SIMD, ${rows}×${dim} (best of 3, same data)\n`);
  const x = gaussian(rows, dim, 3);
  const n = rows * dim;
  const out = new Float32Array(n);
  const rng = createRngFactory(1);
  const xHat = new Float32Array(n);
  quantizersById.get('int')?.quantize(x.data, rows, dim, CLI_PIPELINE.quantizer.params, { rng }, xHat);
  const q = (id: string, params: Record<string, unknown>) => () => {
    const def = quantizersById.get(id);
    if (!def) throw new Error(`quantizer ${id} missing`);
    def.quantize(x.data, rows, dim, params as never, { rng }, out);
  };
  const cases: [string, () => void][] = [
    ['normals (fillNormal, float32)', () => createRngFactory(2).stream('data', 'bench').fillNormal(out)],
    ['int b=4 g128 sym', q('int', CLI_PIPELINE.quantizer.params)],
    [
      'int b=8 row asym',
      q('int', { bits: 8, granularity: 'row', group: 128, symmetric: false, rounding: 'nearest' }),
    ],
    ['mxfp4', q('mxfp4', { rounding: 'nearest' })],
    ['nvfp4', q('nvfp4', { rounding: 'nearest' })],
    ['nf4 block 64', q('nf4', { block: 64, rounding: 'nearest' })],
    ['fp8 e4m3 row', q('fp8', { format: 'e4m3', granularity: 'row', rounding: 'nearest' })],
    ['eden b=2 mse', q('eden', { bits: 2, scale: 'mse' })],
    ['ipNvar (64 queries)', () => ipNvarMetric.compute(x, xHat, { rng })],
  ];
  const rowsOut: string[][] = [];
  for (const [name, fn] of cases) {
    setWasmEnabled(false);
    const ts = best(fn, 3, 0);
    setWasmEnabled(true);
    const wasm = best(fn, 3, 0);
    rowsOut.push([name, fmtMs(ts), fmtMs(wasm), `${(wasm / ts).toFixed(2)}×`]);
  }
  table(['kernel', 'TS', 'WASM', 'WASM / TS'], rowsOut);
}

const SECTIONS: Record<string, (quick: boolean) => void> = {
  fwht: benchFwht,
  pipelines: benchPipelines,
  haar: benchHaar,
  spectra: benchSpectra,
  memory: benchMemory,
  startup: benchStartup,
  cli: benchCli,
  kernels: benchKernels,
};

function main(): void {
  if (process.argv.includes(MEMORY_CHILD_FLAG)) {
    memoryChild();
    return;
  }
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const quick = process.argv.includes('--quick');
  for (const name of only ?? []) if (!(name in SECTIONS)) throw new Error(`--only: unknown section ${name}`);
  console.log(`# QuantScope bench — node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
  console.log(`WASM SIMD kernels: ${wasmKernels() ? 'loaded' : 'unavailable (TS reference paths)'}\n`);
  for (const [name, run] of Object.entries(SECTIONS)) if (!only || only.includes(name)) run(quick);
}

main();
