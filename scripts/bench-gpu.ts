/**
 * `npm run bench:gpu`: the GPU-relevant kernels (FWHT, MXFP4, INT4 g128) on WebGPU vs the CPU path
 * in the same Chromium page (src/worker/gpu/bench-harness.ts), printed as a table with ratios and the
 * parity of each run.
 *
 * Chromium: Debian's (CHROMIUM_PATH, default /usr/bin/chromium) with --enable-unsafe-webgpu. Here
 * the adapter is SwiftShader, a CPU emulation: the GPU column then says nothing about a GPU and the
 * run only shows that the kernels agree. On a machine with a real GPU (add
 * `--use-angle=vulkan` or similar through QS_CHROMIUM_ARGS if Chromium needs it) the same command
 * reports real GPU times. Options: --rows=N --dim=D (default 256 × 1024; keep it modest on
 * SwiftShader) and --reps=R (best of R, default 3).
 *
 * The page is a synthetic document on http://localhost (a secure context, as WebGPU requires),
 * answered by Playwright's router: no server, no app build.
 */
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build } from 'vite';
import type { GpuBenchReport } from '../src/worker/gpu/bench-harness';

function arg(name: string, fallback: number): number {
  const v = process.argv.find((a) => a.startsWith(`--${name}=`));
  const n = v ? Number(v.slice(name.length + 3)) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer, got ${v}`);
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
    const report = await page.evaluate(
      ([r, d, k]) =>
        (
          globalThis as unknown as {
            QuantScopeGpuBench: { runGpuBench(r: number, d: number, k: number): Promise<GpuBenchReport> };
          }
        ).QuantScopeGpuBench.runGpuBench(r, d, k),
      [rows, dim, reps] as const,
    );
    console.log(`# QuantScope GPU bench — ${rows}×${dim}, best of ${reps}\n`);
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
      `CPU path: TypeScript${report.cpuWasm ? ' + WASM SIMD kernels' : ' only (WASM unavailable)'}\n`,
    );
    const lines = report.rows.map((r) => [
      r.kernel,
      fmt(r.gpuMs),
      fmt(r.cpuMs),
      `${(r.gpuMs / r.cpuMs).toFixed(2)}×`,
      r.maxRelErr === 0 ? 'identical' : r.maxRelErr.toExponential(2),
    ]);
    const head = ['kernel', 'GPU (incl. upload + read-back)', 'CPU', 'GPU / CPU', 'max rel. diff'];
    const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const row = (c: string[]) => `| ${c.map((s, i) => s.padEnd(w[i])).join(' | ')} |`;
    console.log(row(head));
    console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
    for (const l of lines) console.log(row(l));
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  console.error(`bench:gpu: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
