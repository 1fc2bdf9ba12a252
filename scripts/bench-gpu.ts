/**
 * `npm run bench:gpu`: every registered WebGPU kernel (src/worker/gpu/registry.ts) on WebGPU vs the
 * CPU path in the same Chromium page (src/worker/gpu/bench-harness.ts), printed as a table with
 * ratios and the parity of each run against the kernel's declared tolerance, then the 16M-coordinate
 * pipeline (RHT, INT4 g128) end to end on the CPU, with the per-stage WebGPU runner and with the
 * resident one (whole group on the device, src/worker/gpu/resident.ts), every metric and the sum
 * metrics only.
 *
 * Chromium: Debian's (CHROMIUM_PATH, default /usr/bin/chromium) with --enable-unsafe-webgpu. Here
 * the adapter is SwiftShader, a CPU emulation: the GPU column then says nothing about a GPU and the
 * run only shows that the kernels agree. On a machine with a real GPU (add
 * `--use-angle=vulkan` or similar through QS_CHROMIUM_ARGS if Chromium needs it) the same command
 * reports real GPU times. Options: --rows=N --dim=D (kernel table, default 256 × 1024; the dense
 * O(d²) kernels run at d/4), --reps=R (best of R, default 3), --pipeline-rows=N --pipeline-dim=D
 * (default 4096 × 4096 = 16M coordinates; --pipeline-rows=0 skips it).
 *
 * The page is a synthetic document on http://localhost (a secure context, as WebGPU requires),
 * answered by Playwright's router: no server, no app build.
 */
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build } from 'vite';
import type { GpuBenchReport } from '../src/worker/gpu/bench-harness';

function arg(name: string, fallback: number, min = 1): number {
  const v = process.argv.find((a) => a.startsWith(`--${name}=`));
  const n = v ? Number(v.slice(name.length + 3)) : fallback;
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected an integer ≥ ${min}, got ${v}`);
  return n;
}

async function bundleHarness(): Promise<string> {
  const entry = fileURLToPath(new URL('../src/worker/gpu/bench-harness.ts', import.meta.url));
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: { entry, formats: ['iife'], name: 'QuantScopeGpuBench', fileName: 'bench' },
    },
  });
  for (const r of Array.isArray(out) ? out : [out]) {
    if (!('output' in r)) continue;
    for (const chunk of r.output) if (chunk.type === 'chunk') return chunk.code;
  }
  throw new Error('bench harness bundle produced no chunk');
}

function fmt(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

async function main(): Promise<void> {
  const rows = arg('rows', 256);
  const dim = arg('dim', 1024);
  const reps = arg('reps', 3);
  const pRows = arg('pipeline-rows', 4096, 0);
  const pDim = arg('pipeline-dim', 4096);
  const code = await bundleHarness();
  const extra = (process.env.QS_CHROMIUM_ARGS ?? '').split(/\s+/).filter(Boolean);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--no-first-run', '--disable-background-networking', ...extra],
  });
  try {
    const page = await browser.newPage();
    await page.route('http://localhost/__gpu-bench.html', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><meta charset="utf-8"><title>gpu bench</title>',
      }),
    );
    await page.goto('http://localhost/__gpu-bench.html');
    await page.addScriptTag({ content: code });
    page.setDefaultTimeout(0);
    const report = await page.evaluate(
      ([r, d, k, pr, pd]) =>
        (
          globalThis as unknown as {
            QuantScopeGpuBench: {
              runGpuBench(
                r: number,
                d: number,
                k: number,
                p: { rows: number; d: number } | null,
              ): Promise<GpuBenchReport>;
            };
          }
        ).QuantScopeGpuBench.runGpuBench(r, d, k, pr > 0 ? { rows: pr, d: pd } : null),
      [rows, dim, reps, pRows, pDim] as const,
    );
    console.log(`# QuantScope GPU bench — kernels at ${rows}×${dim}, best of ${reps}\n`);
    if (!report.adapter) {
      console.log(
        'No WebGPU adapter in this Chromium (navigator.gpu absent or no adapter): nothing to time.',
      );
      return;
    }
    const emulated = /swiftshader/i.test(report.adapter);
    console.log(
      `adapter: ${report.adapter}${emulated ? ' — a CPU emulation: GPU times are not GPU times' : ''}`,
    );
    console.log(
      `CPU path: the core's runStageOnCpu (TypeScript${report.cpuWasm ? ' + WASM SIMD kernels' : ' only, WASM unavailable'})\n`,
    );
    const lines = report.rows.map((r) => [
      r.name,
      `${r.rows}×${r.d}`,
      r.ran ? fmt(r.gpuMs) : 'declined',
      r.ran ? fmt(r.cpuMs) : '',
      r.ran ? `${(r.gpuMs / r.cpuMs).toFixed(2)}×` : '',
      !r.ran
        ? ''
        : r.mismatches === 0
          ? 'identical'
          : `${r.ok ? 'ok' : 'FAIL'} (${r.mismatches} differ, max ${r.maxRowRelErr.toExponential(1)}·‖row‖)`,
    ]);
    const head = [
      'kernel',
      'size',
      'GPU (incl. upload + read-back)',
      'CPU',
      'GPU / CPU',
      'parity vs declared tolerance',
    ];
    const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const row = (c: string[]) => `| ${c.map((s, i) => s.padEnd(w[i])).join(' | ')} |`;
    console.log(row(head));
    console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
    for (const l of lines) console.log(row(l));
    const p = report.pipeline;
    if (p) {
      console.log(
        `\npipeline end to end (RHT, INT4 g128; ${p.rows}×${p.d} = ${((p.rows * p.d) / 2 ** 20).toFixed(0)}M coordinates), best of ${reps}:`,
      );
      const cpuAll = p.runs[0].ms;
      const cpuSums = p.runs.find((r) => r.name.startsWith('CPU,'))?.ms ?? cpuAll;
      const pl = p.runs.map((r) => {
        const cpu = r.name.includes('sum metrics only') ? cpuSums : cpuAll;
        return [
          r.name,
          fmt(r.ms),
          r.name.startsWith('CPU') ? '1.00×' : `${(r.ms / cpu).toFixed(2)}×`,
          r.backends,
          r.residentGroups ? `${r.residentGroups}` : '',
          r.name.startsWith('CPU') ? '' : r.maxMetricRelDiff.toExponential(2),
        ];
      });
      const ph = [
        'run',
        'wall (GPU incl. upload + read-back)',
        'vs CPU',
        'backend',
        'resident groups',
        'max metric rel. diff',
      ];
      const pw = ph.map((h, i) => Math.max(h.length, ...pl.map((l) => l[i].length)));
      const prow = (c: string[]) => `| ${c.map((s, i) => s.padEnd(pw[i])).join(' | ')} |`;
      console.log(prow(ph));
      console.log(`|${pw.map((x) => '-'.repeat(x + 2)).join('|')}|`);
      for (const l of pl) console.log(prow(l));
      console.log(
        'resident: only the per-row sums and ip-nvar’s rows × 64 query dots come back (every metric); ' +
          'per stage: y, ŷ, x and x̂ cross the bus per pipeline and the inverse runs on the CPU',
      );
    }
    if (report.rows.some((r) => r.ran && !r.ok)) process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  console.error(`bench:gpu: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
