/**
 * `npm run bench`: the performance table (docs/DESIGN.md "Performance targets"), measured in
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
 *  6. Whole checkpoint (`lab sweep`): every tensor of a real trained checkpoint (face-api's
 *     face-recognition net, fetched and converted by scripts/real-checkpoint.py into .bench/; a
 *     synthetic checkpoint when that is unavailable) through int4 g128, mxfp4, rht→mxfp4 and nvfp4
 *     with every metric, against vectorised numpy doing the same work (scripts/bench/
 *     sweep_numpy.py) in the same run: wall and CPU time ratios (target ≤ 0.5×), agreement of the
 *     deterministic pipelines, and peak memory over the largest tensor for the real checkpoint and
 *     for synthetic ones of 1 and 4 tensors of 64 MiB (target < 3× the largest tensor + a
 *     constant, independent of the count).
 *
 *  6. CLI startup: `node scripts/lab.mjs list` (the prebuilt bundle `npm run lab` runs) vs the tsx
 *     path it replaced, and `npm run -s lab` as users type it. Target ≤ 0.3 s.
 *  7. The whole CLI pipeline on 16M coordinates (gaussian 4096², rht → int b=4 g128, all metrics;
 *     process wall incl. startup and data generation) vs numpy doing the same work
 *     (scripts/bench/numpy_pipeline.py, process wall incl. importing numpy). Target ≤ 0.4×. And
 *     1M (1024²) in-process after startup: generation + pipeline, target ≤ 0.15 s.
 *  8. Per kernel, TypeScript reference vs WASM SIMD path on 4M coordinates, same data, same run.
 *  9. Dense products (Householder, QJL sketch) at d = 1024 and 4096: GFLOP/s of the first WASM
 *     schedule vs the tiled kernels the library calls (and, for Householder, the float32
 *     dense-products mode's householder_tiled_f32), same data, same run, bits compared.
 *
 * `npm run bench -- --only=startup,cli,kernels` runs a subset (names: fwht, pipelines, haar,
 * spectra, memory, startup, cli, kernels, dense, metricdomain); `--quick` shrinks sections 7–8 for development runs.
 *
 * Timings are the best of several repetitions (the minimum is the least noisy estimator of a
 * deterministic kernel's cost). Nothing here runs in the unit tests. The machine may be shared:
 * compare ratios measured in the same run, not absolute times across runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fwhtInPlace } from '../src/core/linalg/fwht';
import { generateData } from '../src/core/data-loader';
import { runExperiment, type ExperimentSpec } from '../src/core/pipeline';
import { DEFAULT_CONFIG } from '../src/core/config/defaults';
import { createRngFactory } from '../src/core/rng';
import { transformsById } from '../src/core/methods';
import {
  clearHouseholderCache,
  generateHouseholderRotation,
  HouseholderApplier,
} from '../src/core/linalg/householder';
import { singularValues } from '../src/core/linalg/eig';
import { estimateSpectrum } from '../src/core/linalg/lanczos';
import type { Matrix } from '../src/core/methods/types';
import { restoreConfig, type ExperimentConfig } from '../src/core/config/schema';
import { openTensorSet } from '../src/core/io';
import { sourcesForPath } from '../src/cli/file-data';
import { runSweep, type SweepOutput } from '../src/engine/checkpoint';
import { STREAM_BLOCK_COORDINATES } from '../src/engine/experiment';
import { fullGc } from '../src/cli/sweep';
import { defaultThreads } from '../src/cli/threads';
import { claim, HOUSEHOLDER_TILE_ROWS, setWasmEnabled, wasmKernels } from '../src/core/wasm/kernels';
import {
  QJL_BLOCK_ROWS,
  qjlF32ScratchBytes,
  qjlF32SliceRows,
  qjlSketchProductsF32,
} from '../src/core/methods/quantizers/qjl';
import { quantizersById } from '../src/core/methods';
import { ipNvarMetric } from '../src/core/methods/metrics/ip-nvar';
import { sweepRateDistortion } from '../src/core/artifacts/rateDistortion';

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

/** Pipelines with every param spelled out, as the config schema gives them to `lab run`. */
function canonicalPipelines(pipelines: readonly unknown[]): ExperimentSpec['pipelines'] {
  return restoreConfig({ v: 1, seed: 1, data: { source: 'gaussian', rows: 1, dim: 1 }, pipelines }).pipelines;
}

const BENCH_PIPELINE: ExperimentSpec['pipelines'] = canonicalPipelines([
  {
    transforms: [{ id: 'rht', params: { rounds: 1, size: 'pad' } }],
    quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } },
  },
]);

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
  // Row-streamed as `lab run` runs it (src/engine/experiment.ts): x, y and blocks.
  runExperiment({ seed: 1, pipelines: BENCH_PIPELINE }, x, { rowBlock: STREAM_BLOCK_COORDINATES });
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

// ───────────────────────────── 6. whole checkpoint ─────────────────────────────

const SWEEP_CHILD_FLAG = '--sweep-memory-child';
const SWEEP_PIPELINES = [
  { transforms: [{ id: 'identity' }], quantizer: { id: 'int', params: { bits: 4, group: 128 } } },
  { transforms: [{ id: 'identity' }], quantizer: { id: 'mxfp4' } },
  { transforms: [{ id: 'rht' }], quantizer: { id: 'mxfp4' } },
  { transforms: [{ id: 'identity' }], quantizer: { id: 'nvfp4' } },
];

function sweepConfigFor(path: string): ExperimentConfig {
  return restoreConfig({
    v: 1,
    seed: 1,
    data: { source: 'file', path },
    pipelines: SWEEP_PIPELINES,
    sweep: { minElements: 1024 },
  });
}

/** A safetensors file of `count` F32 tensors [rows, cols] (seeded Gaussian-ish values). */
function writeSyntheticCheckpoint(path: string, count: number, rows: number, cols: number): void {
  const bytes = rows * cols * 4;
  const header: Record<string, unknown> = {};
  for (let k = 0; k < count; k++)
    header[`layers.${k}.mlp.up_proj.weight`] = {
      dtype: 'F32',
      shape: [rows, cols],
      data_offsets: [k * bytes, (k + 1) * bytes],
    };
  let h = Buffer.from(JSON.stringify(header));
  h = Buffer.concat([h, Buffer.alloc((8 - (h.length % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  const x = gaussian(rows, cols, 9);
  writeFileSync(path, Buffer.concat([len, h]));
  for (let k = 0; k < count; k++) appendFileSync(path, Buffer.from(x.data.buffer));
}

async function sweepFile(path: string): Promise<SweepOutput> {
  const config = sweepConfigFor(path);
  // As `lab sweep` does: each tensor's buffers are reclaimed before the next (src/cli/sweep.ts).
  const reclaim = fullGc();
  return runSweep(config, await openTensorSet(await sourcesForPath(path)), reclaim ? { reclaim } : {});
}

/** Child: baseline RSS after a GC, one sweep of argv's file, the peak RSS delta and largest tensor. */
async function sweepMemoryChild(path: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  // Warm up on the small fixture checkpoint: module code, WASM memory and caches are not
  // per-tensor memory, and maxRSS is a lifetime maximum, so the warm-up must stay small.
  await sweepFile(join(ROOT, 'src/core/testing/fixtures/checkpoint/tiny-llm.safetensors'));
  gc?.();
  const base = process.memoryUsage().rss;
  const out = await sweepFile(path);
  const peak = process.resourceUsage().maxRSS * 1024;
  const largest = Math.max(...out.tensors.map((t) => t.parameters * 4));
  console.log(JSON.stringify({ base, peak, largest, tensors: out.tensors.length }));
}

function sweepMemory(path: string): { used: number; largest: number; tensors: number } | string {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), SWEEP_CHILD_FLAG, path],
    { encoding: 'utf8', cwd: ROOT },
  );
  if (r.status !== 0) return `child failed: ${r.stderr.trim().split('\n').pop() ?? ''}`;
  const m = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
    base: number;
    peak: number;
    largest: number;
    tensors: number;
  };
  return { used: Math.max(0, m.peak - m.base), largest: m.largest, tensors: m.tensors };
}

async function benchCheckpoint(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  let path = join(OUT_DIR, 'face-recognition.safetensors');
  let what = 'face-api face-recognition net (real, trained; 8-bit-per-tensor stored weights)';
  if (!existsSync(path)) {
    const r = spawnSync('python3', [join(ROOT, 'scripts', 'real-checkpoint.py'), OUT_DIR], {
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      path = join(OUT_DIR, 'synthetic-checkpoint.safetensors');
      writeSyntheticCheckpoint(path, 24, 512, 1024);
      what = 'synthetic, 24 × 512×1024 F32 (scripts/real-checkpoint.py could not fetch the real one)';
    }
  }
  console.log(`## Whole checkpoint: ${what}\n`);
  const c0 = process.cpuUsage();
  const t0 = now();
  const ours = await sweepFile(path);
  const oursMs = now() - t0;
  const cpu = process.cpuUsage(c0);
  const oursCpuMs = (cpu.user + cpu.system) / 1000;
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const py = spawnSync('python3', [join(ROOT, 'scripts', 'bench', 'sweep_numpy.py'), path, '1024'], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const params = ours.summary.parameters;
  const rows: string[][] = [
    [
      'QuantScope (lab sweep, in process)',
      String(ours.tensors.length),
      String(params),
      fmtMs(oursMs),
      fmtMs(oursCpuMs),
    ],
  ];
  let agreement = '';
  if (py.status === 0) {
    const np = JSON.parse(py.stdout.trim()) as {
      seconds: number;
      cpuSeconds: number;
      tensors: { name: string; vnmse: number[] }[];
    };
    rows.push([
      'numpy (vectorised, same work)',
      String(np.tensors.length),
      '',
      fmtMs(np.seconds * 1000),
      fmtMs(np.cpuSeconds * 1000),
    ]);
    table(['sweep', 'tensors', 'parameters', 'wall', 'CPU'], rows);
    const wall = oursMs / (np.seconds * 1000);
    const cpuRatio = oursCpuMs / (np.cpuSeconds * 1000);
    console.log(
      `ratio ours/numpy: wall ${wall.toFixed(2)}×, CPU ${cpuRatio.toFixed(2)}× (target ≤ 0.5: ${cpuRatio <= 0.5 && wall <= 0.5 ? 'met' : 'missed'})`,
    );
    // Agreement of the deterministic pipelines (int4, mxfp4, nvfp4): independent implementations.
    let worst = 0;
    for (const t of np.tensors) {
      const o = ours.tensors.find((x) => x.name === t.name);
      if (!o) continue;
      for (const i of [0, 1, 3])
        worst = Math.max(worst, Math.abs(o.results[i].metrics.vnmse / t.vnmse[i] - 1));
    }
    agreement = `vnmse agreement with numpy (int4, mxfp4, nvfp4): max relative difference ${worst.toExponential(2)}`;
    console.log(`${agreement}\n`);
  } else {
    table(['sweep', 'tensors', 'parameters', 'wall', 'CPU'], rows);
    console.log(`numpy baseline unavailable: ${py.stderr.trim().split('\n').pop() ?? ''}\n`);
  }
  for (const p of ours.summary.pipelines) {
    console.log(
      `${p.label}: ${p.bitsPerCoord.toFixed(3)} bits, vnmse ${p.metrics.vnmse.toPrecision(4)}, SQNR ${p.metrics.sqnrDb.toFixed(2)} dB; worst ${p.worst
        .slice(0, 3)
        .map((w) => `${w.name} (${w.vnmse.toPrecision(3)})`)
        .join(', ')}`,
    );
  }
  console.log(`dead rows: ${ours.summary.deadRows}\n`);

  console.log('### Peak memory of a sweep vs the largest tensor (float32 bytes)\n');
  const mem: string[][] = [];
  // The constant of "3× the largest tensor plus a constant": the peak of a sweep of 32 small
  // tensors through the same pipelines (what does not scale with a tensor: optimised code, WASM
  // memory, heap, read chunks), measured in the same run and subtracted below.
  const tiny = join(OUT_DIR, 'synthetic-small.safetensors');
  writeSyntheticCheckpoint(tiny, 32, 256, 256);
  const base = sweepMemory(tiny);
  const constant = typeof base === 'string' ? 0 : base.used;
  const cases: [string, string][] = [[what.split(' (')[0], path]];
  for (const count of [1, 4, 8]) {
    const p = join(OUT_DIR, `synthetic-${count}.safetensors`);
    writeSyntheticCheckpoint(p, count, 4096, 4096);
    cases.push([`synthetic ${count} × 4096×4096 F32`, p]);
  }
  for (const [name, p] of cases) {
    const m = sweepMemory(p);
    if (typeof m === 'string') {
      mem.push([name, '', '', m, '', '']);
      continue;
    }
    const x = m.used / m.largest;
    const net = (m.used - constant) / m.largest;
    mem.push([
      name,
      String(m.tensors),
      `${(m.largest / 2 ** 20).toFixed(1)} MiB`,
      `${(m.used / 2 ** 20).toFixed(1)} MiB`,
      `${x.toFixed(2)}×`,
      `${net.toFixed(2)}× (< 3×: ${net < 3 ? 'met' : 'missed'})`,
    ]);
  }
  console.log(
    `constant (a sweep of 32 tensors of 256×256): ${typeof base === 'string' ? base : `${(constant / 2 ** 20).toFixed(1)} MiB`}\n`,
  );
  table(
    [
      'checkpoint',
      'tensors',
      'largest tensor',
      'peak RSS over baseline',
      'peak / largest',
      '(peak − constant) / largest',
    ],
    mem,
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
  console.log('## CLI startup (`lab list` and `lab run` of an 8×64 config, process wall, best of 5)\n');
  mkdirSync(OUT_DIR, { recursive: true });
  const tiny = join(OUT_DIR, 'startup-run.json');
  writeFileSync(
    tiny,
    JSON.stringify({
      v: 1,
      seed: 1,
      data: { source: 'gaussian', rows: 8, dim: 64 },
      pipelines: [CLI_PIPELINE],
    }),
  );
  const bundle = processMs(process.execPath, ['scripts/lab.mjs', 'list'], 5);
  const bundleRun = processMs(process.execPath, ['scripts/lab.mjs', 'run', tiny, '--json'], 5);
  const tsxPath = processMs(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/cli/main.ts', 'list'],
    5,
  );
  const npmRun = processMs('npm', ['run', '-s', 'lab', '--', 'list'], 3);
  const bare = processMs(process.execPath, ['-e', '0'], 5);
  table(
    ['command', 'wall', 'vs tsx', 'over node alone', 'target'],
    [
      [
        'node scripts/lab.mjs list (prebuilt bundle)',
        fmtMs(bundle),
        `${(bundle / tsxPath).toFixed(2)}×`,
        `+${fmtMs(bundle - bare)}`,
        `≤ 0.3 s: ${bundle <= 300 ? 'met' : 'missed'}`,
      ],
      [
        'node scripts/lab.mjs run (8×64, --json)',
        fmtMs(bundleRun),
        `${(bundleRun / tsxPath).toFixed(2)}×`,
        `+${fmtMs(bundleRun - bare)}`,
        `≤ 0.3 s: ${bundleRun <= 300 ? 'met' : 'missed'}`,
      ],
      ['tsx src/cli/main.ts list (before)', fmtMs(tsxPath), '1.00×', `+${fmtMs(tsxPath - bare)}`, ''],
      [
        'npm run -s lab -- list (incl. npm itself)',
        fmtMs(npmRun),
        `${(npmRun / tsxPath).toFixed(2)}×`,
        `+${fmtMs(npmRun - bare)}`,
        '',
      ],
      ['node -e 0 (node alone)', fmtMs(bare), `${(bare / tsxPath).toFixed(2)}×`, '', ''],
    ],
  );
}

// ───────────────────────────── 7. CLI pipeline vs numpy ─────────────────────────────

const CLI_PIPELINE = {
  transforms: [{ id: 'rht', params: { rounds: 1, size: 'pad' } }],
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
  // Default threads (the machine's cores: row-local stages on worker threads, src/cli/threads.ts)
  // and the serial path, same run.
  const cli = processMs(process.execPath, ['scripts/lab.mjs', 'run', cfgPath, '--json'], reps);
  const serialCli = processMs(
    process.execPath,
    ['scripts/lab.mjs', 'run', cfgPath, '--json', '--threads', '1'],
    reps,
  );
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
  const oneMSpec = { seed: 1, pipelines: canonicalPipelines([CLI_PIPELINE]) };
  const bareNode = processMs(process.execPath, ['-e', '0'], 5);
  const oneM = best(() => runExperiment(oneMSpec, gaussian(1024, 1024)), 5, 0);
  table(
    ['run', 'wall', 'ratio', 'target'],
    [
      [`lab run (bundle), ${label}, --threads ${defaultThreads()} (default)`, fmtMs(cli), '', ''],
      [
        `lab run (bundle), ${label}, --threads 1 (serial)`,
        fmtMs(serialCli),
        `serial / numpy = ${(serialCli / numpyWall).toFixed(2)}`,
        '',
      ],
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
        '1024×1024 (1M) in process: generate + pipeline (best of 5)',
        fmtMs(oneM),
        `${(oneM / bareNode).toFixed(2)}× node -e 0`,
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

// ───────────────────────────── 9. dense kernels, old vs tiled ─────────────────────────────

/** Best of `reps` runs after a warm-up (which also lets V8 tier the kernel up): wall and CPU ms. */
function bestWallCpu(fn: () => void, reps: number): { wall: number; cpu: number } {
  fn();
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = now();
    fn();
    wall = Math.min(wall, now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  return { wall, cpu };
}

/**
 * The dense products of large runs, first WASM schedule (householder_apply, qjl_block) vs the
 * tiled one the library calls (householder_tiled, qjl_tiled) and the float32 mode's
 * householder_tiled_f32 (CONTRACT.md §5.2), same data, same run, raw kernel calls
 * on data already in WASM memory. Flops as performed: a reflection of length m costs 4m per row
 * (dot: mul + add, update: mul + sub); a sketch row 3d per data row (dot: mul + add, signed add).
 * CPU time is reported beside wall time because the machine may be shared (wall time then
 * includes other tenants' slices). Outputs of both float64 schedules are compared bit for bit, and
 * the float32 kernel's against its TypeScript reference on the first rows.
 */
function benchDense(quick: boolean): void {
  const k = wasmKernels();
  if (!k) {
    console.log('## Dense kernels: WASM unavailable\n');
    return;
  }
  console.log(
    '## Dense kernels, first WASM schedule vs tiled float64 and tiled float32 (GFLOP/s, best of 3, same data)\n',
  );
  const reps = quick ? 2 : 3;
  const rowsOut: string[][] = [];
  const gflops = (flops: number, ms: number) => (flops / ms / 1e6).toFixed(2);
  for (const d of [1024, 4096]) {
    // Householder: a full Haar rotation (d − 1 reflectors) on 32 rows, forward.
    const q = generateHouseholderRotation(createRngFactory(5).stream('rotation', 'haar', d), d);
    const rows = 32;
    const groups = rows / HOUSEHOLDER_TILE_ROWS;
    // Generated before the claim: normal generation runs in WASM and claims the memory itself.
    const xRows = gaussian(rows, d, 11).data;
    const { ptrs } = claim(k, benchDense, [
      q.vectors.length * 4,
      q.betas.length * 8,
      d * 8,
      Math.max(d * 16 * 8, groups * (HOUSEHOLDER_TILE_ROWS * d * 8 + 128) + 2 * d * 8),
      rows * d * 4,
      rows * d * 4,
      rows * d * 4,
      rows * d * 4,
      q.betas.length * 4,
    ]);
    const [vecP, betaP, signP, workP, inP, outA, outB, outC, beta32P] = ptrs;
    new Float32Array(k.memory.buffer, vecP, q.vectors.length).set(q.vectors);
    new Float64Array(k.memory.buffer, betaP, q.betas.length).set(q.betas);
    new Float64Array(k.memory.buffer, signP, d).set(q.signs);
    new Float32Array(k.memory.buffer, inP, rows * d).set(xRows);
    let hhFlops = 0;
    for (let r = 0; r < d - 1; r++) hhFlops += 4 * (d - r) * rows;
    const K = q.betas.length;
    const oldH = bestWallCpu(
      () => k.householder_apply(vecP, betaP, K, signP, d, inP, d, rows, outA, d, workP, 0),
      reps,
    );
    const newH = bestWallCpu(
      () => k.householder_tiled(vecP, betaP, K, signP, d, inP, d, rows, outB, d, workP, 0),
      reps,
    );
    const sameH = Buffer.from(k.memory.buffer, outA, rows * d * 4).equals(
      Buffer.from(k.memory.buffer, outB, rows * d * 4),
    );
    // The float32 dense-products mode (householder_tiled_f32): same reflectors, β in float32.
    new Float32Array(k.memory.buffer, beta32P, K).set(q.betas);
    const f32H = bestWallCpu(
      () => k.householder_tiled_f32(vecP, beta32P, K, signP, d, inP, d, rows, outC, d, workP, 0),
      reps,
    );
    // Its bits against the TypeScript float32 reference on the first rows (the reference is slow).
    const checkRows = d > 1024 ? 2 : 8;
    const x32 = new Float32Array(k.memory.buffer, inP, checkRows * d).slice();
    const got32 = new Float32Array(k.memory.buffer, outC, checkRows * d).slice();
    setWasmEnabled(false);
    const ref32 = new Float32Array(checkRows * d);
    new HouseholderApplier(q, 'float32').forward(x32, checkRows, ref32);
    setWasmEnabled(true);
    const same32 = Buffer.from(ref32.buffer).equals(Buffer.from(got32.buffer));
    rowsOut.push([
      `Householder d=${d}, ${rows} rows`,
      `${gflops(hhFlops, oldH.wall)} / ${gflops(hhFlops, oldH.cpu)}`,
      `${gflops(hhFlops, newH.wall)} / ${gflops(hhFlops, newH.cpu)}`,
      `${gflops(hhFlops, f32H.wall)} / ${gflops(hhFlops, f32H.cpu)}`,
      `${(oldH.cpu / newH.cpu).toFixed(2)}× / ${(oldH.cpu / f32H.cpu).toFixed(2)}×`,
      `${sameH ? 'yes' : 'NO'} / ${same32 ? 'yes' : 'NO'} (${checkRows} rows)`,
    ]);
    // QJL: an m = d sketch against one block of QJL_BLOCK_ROWS rows.
    const m = d;
    const count = QJL_BLOCK_ROWS;
    const qRows = gaussian(count, d, 12).data;
    const sketch = new Float32Array(m * d);
    createRngFactory(6).stream('sketch', m, d).fillNormal(sketch);
    const sk = claim(k, benchDense, [m * d * 4, count * d * 8, count * d * 8, count * d * 8, 8 * d * 8]);
    const [sketchP, srcP, accA, accB, scratchP] = sk.ptrs;
    new Float32Array(k.memory.buffer, sketchP, m * d).set(sketch);
    new Float64Array(k.memory.buffer, srcP, count * d).set(qRows);
    const qFlops = 3 * m * d * count;
    const oldQ = bestWallCpu(() => k.qjl_block(sketchP, m, d, srcP, count, accA), reps);
    const newQ = bestWallCpu(() => k.qjl_tiled(sketchP, m, d, srcP, count, accB, scratchP), reps);
    const sameQ = Buffer.from(k.memory.buffer, accA, count * d * 8).equals(
      Buffer.from(k.memory.buffer, accB, count * d * 8),
    );
    // The float32 mode's kernel (qjl.ts qjlEstimateBlockF32) on the same sketch and rows (rounded
    // once to float32), called in slices as the library calls it; its bits are checked against the
    // float32 TypeScript reference, its speed-up is against qjl_block (float64) above.
    const f32 = claim(k, benchDense, [
      m * d * 4,
      count * d * 8,
      count * d * 8,
      count * d * 8,
      8 * d * 8,
      count * d * 4,
      count * d * 4,
      qjlF32ScratchBytes(d),
    ]);
    const [, , , , , xP, accF, negP] = f32.ptrs;
    const xF = Float32Array.from(new Float64Array(k.memory.buffer, srcP, count * d));
    new Float32Array(k.memory.buffer, xP, count * d).set(xF);
    const step = qjlF32SliceRows(d);
    const f32Q = bestWallCpu(() => {
      new Float32Array(k.memory.buffer, accF, count * d).fill(0);
      for (let i0 = 0; i0 < m; i0 += step)
        k.qjl_tiled_f32(sketchP, d, i0, Math.min(m, i0 + step), xP, count, accF, negP);
    }, reps);
    const refF = new Float32Array(count * d);
    qjlSketchProductsF32(new Float32Array(k.memory.buffer, sketchP, m * d).slice(), m, d, xF, count, refF);
    const sameF = Buffer.from(k.memory.buffer, accF, count * d * 4).equals(Buffer.from(refF.buffer));
    rowsOut.push([
      `QJL sketch d=m=${d}, ${count} rows`,
      `${gflops(qFlops, oldQ.wall)} / ${gflops(qFlops, oldQ.cpu)}`,
      `${gflops(qFlops, newQ.wall)} / ${gflops(qFlops, newQ.cpu)}`,
      `${gflops(qFlops, f32Q.wall)} / ${gflops(qFlops, f32Q.cpu)}`,
      `${(oldQ.cpu / newQ.cpu).toFixed(2)}× / ${(oldQ.cpu / f32Q.cpu).toFixed(2)}×`,
      `${sameQ ? 'yes' : 'NO'} / ${sameF ? 'yes' : 'NO'} (${count} rows)`,
    ]);
  }
  table(
    [
      'product',
      'first GFLOP/s wall / cpu',
      'tiled f64 GFLOP/s wall / cpu',
      'tiled f32 GFLOP/s wall / cpu',
      'vs first (cpu): f64 / f32',
      'same bits: f64 vs first / f32 vs TS f32',
    ],
    rowsOut,
  );
}

/**
 * 10. Metric domain (pipeline.ts RunOptions.metricDomain): the default page's experiment and its
 *     rate–distortion sweep (every pipeline along its bits axis, vNMSE only, as the chart asks) in
 *     the data domain and in the transformed one, same data, same run; CPU time, best of `reps`,
 *     the two modes alternating so load drifts hit both; and the largest metric difference.
 */
function benchMetricDomain(quick: boolean): void {
  console.log('## Metric domain: data vs transformed (default page config)\n');
  const reps = quick ? 2 : 4;
  const { source, ...params } = DEFAULT_CONFIG.data;
  const x = generateData(source, params, DEFAULT_CONFIG.seed);
  const spec = { seed: DEFAULT_CONFIG.seed, pipelines: DEFAULT_CONFIG.pipelines };
  const rowsOut: string[][] = [];
  const runs: [string, (domain: 'data' | 'transformed') => unknown][] = [
    ['experiment (5 pipelines, all metrics)', (metricDomain) => runExperiment(spec, x, { metricDomain })],
    ['rate–distortion sweep (vNMSE)', (metricDomain) => sweepRateDistortion(spec, x, { metricDomain })],
  ];
  for (const [name, run] of runs) {
    const best = { data: { wall: Infinity, cpu: Infinity }, transformed: { wall: Infinity, cpu: Infinity } };
    for (let r = 0; r < reps; r++)
      for (const domain of ['data', 'transformed'] as const) {
        const t = bestWallCpu(() => run(domain), 1);
        best[domain] = { wall: Math.min(best[domain].wall, t.wall), cpu: Math.min(best[domain].cpu, t.cpu) };
      }
    rowsOut.push([
      name,
      `${best.data.cpu.toFixed(0)} ms`,
      `${best.transformed.cpu.toFixed(0)} ms`,
      `${(best.transformed.cpu / best.data.cpu).toFixed(2)}×`,
    ]);
  }
  const a = runExperiment(spec, x);
  const b = runExperiment(spec, x, { metricDomain: 'transformed' });
  let worst = 0;
  a.forEach((r, i) => {
    for (const [k, v] of Object.entries(r.metrics))
      worst = Math.max(worst, Math.abs(b[i].metrics[k] - v) / Math.abs(v));
  });
  table(['run', 'data (CPU)', 'transformed (CPU)', 'ratio'], rowsOut);
  console.log(`\nlargest relative metric difference between the domains: ${worst.toExponential(1)}\n`);
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
  dense: benchDense,
  metricdomain: benchMetricDomain,
};

async function main(): Promise<void> {
  if (process.argv.includes(MEMORY_CHILD_FLAG)) {
    memoryChild();
    return;
  }
  const sweepChild = process.argv.indexOf(SWEEP_CHILD_FLAG);
  if (sweepChild >= 0) {
    await sweepMemoryChild(process.argv[sweepChild + 1]);
    return;
  }
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const quick = process.argv.includes('--quick');
  for (const name of only ?? [])
    if (!(name in SECTIONS) && name !== 'checkpoint') throw new Error(`--only: unknown section ${name}`);
  console.log(`# QuantScope bench — node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
  console.log(`WASM SIMD kernels: ${wasmKernels() ? 'loaded' : 'unavailable (TS reference paths)'}\n`);
  for (const [name, run] of Object.entries(SECTIONS)) if (!only || only.includes(name)) run(quick);
  // The whole-checkpoint sweep (--only=checkpoint, or the old --checkpoint-only).
  if (!only || only.includes('checkpoint') || process.argv.includes('--checkpoint-only'))
    await benchCheckpoint();
}

void main();
