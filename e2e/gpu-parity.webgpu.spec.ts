/**
 * WebGPU parity: the WGSL kernels of src/worker/gpu give the CPU reference's results within the
 * float tolerances stated in src/worker/gpu/kernels.ts, in Debian Chromium with --enable-unsafe-webgpu
 * (the 'webgpu' Playwright project; SwiftShader here, which proves parity, not speed).
 *
 * The harness (src/worker/gpu/parity-harness.ts) is bundled with Vite's build API into one classic script
 * and served on a synthetic page of the preview origin (a secure context, as WebGPU requires), so
 * the spec needs neither a test entry in the app build nor a CSP exception in the app.
 */
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { build } from 'vite';
import { GPU_KERNELS } from '../src/worker/gpu/registry';

interface ParityCase {
  name: string;
  n: number;
  maxRelErr: number;
  mismatches: number;
}

async function bundleHarness(): Promise<string> {
  const entry = fileURLToPath(new URL('../src/worker/gpu/parity-harness.ts', import.meta.url));
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: { entry, formats: ['iife'], name: 'QuantScopeGpuParity', fileName: 'harness' },
    },
  });
  const results = Array.isArray(out) ? out : [out];
  for (const r of results) {
    if (!('output' in r)) continue;
    for (const chunk of r.output) if (chunk.type === 'chunk') return chunk.code;
  }
  throw new Error('harness bundle produced no chunk');
}

// Tolerances (src/worker/gpu/kernels.ts "Precision"): FWHT float32 butterflies in the CPU's order are
// exact; RHT float32 vs float64 within log2(d)·2⁻²⁴ of the largest |value| (×4 margin); MXFP4
// exact; INT exact except elements at a float32/float64 division tie (at most 1 in 10⁴).
const LOG2_D = 10;
const TOL: Record<string, (c: ParityCase) => void> = {
  fwht: (c) => expect(c.mismatches, 'fwht: float32 butterflies in the same order').toBe(0),
  rht: (c) => expect(c.maxRelErr).toBeLessThanOrEqual(4 * LOG2_D * 2 ** -24),
  mxfp4: (c) => expect(c.mismatches, 'mxfp4: power-of-two scales, exact').toBe(0),
};

test('GPU kernels equal the CPU references within float tolerance', async ({ page }) => {
  test.setTimeout(180_000);
  const code = await bundleHarness();
  await page.route('**/__gpu-parity.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><meta charset="utf-8"><title>gpu parity</title>',
    }),
  );
  await page.goto('/__gpu-parity.html');
  const hasAdapter = await page.evaluate(async () => {
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return gpu ? (await gpu.requestAdapter()) !== null : false;
  });
  test.skip(
    !hasAdapter,
    'no WebGPU adapter in this Chromium (navigator.gpu absent or no adapter): parity not checked',
  );
  page.on('console', (m) => {
    if (m.type() !== 'log') console.log(`[page ${m.type()}] ${m.text().slice(0, 400)}`);
  });
  await page.addScriptTag({ content: code });
  const report = await page.evaluate(async () => {
    const g = globalThis as unknown as {
      QuantScopeGpuParity: { runGpuParity(): Promise<{ adapter: string | null; cases: ParityCase[] }> };
    };
    return g.QuantScopeGpuParity.runGpuParity();
  });
  expect(report.adapter).not.toBeNull();
  console.log(`adapter: ${report.adapter}`);
  for (const c of report.cases) {
    console.log(`${c.name}: n=${c.n} maxRelErr=${c.maxRelErr.toExponential(2)} mismatches=${c.mismatches}`);
    const check = TOL[c.name];
    if (check) check(c);
    else expect(c.mismatches, `${c.name}: division ties only`).toBeLessThanOrEqual(Math.ceil(c.n * 1e-4));
  }
  // Every registered GPU kernel has a parity case (the raw 'fwht' case stands for 'wht').
  const covered = new Set(report.cases.map((c) => (c.name === 'fwht' ? 'wht' : c.name.split(' ')[0])));
  for (const k of GPU_KERNELS) expect(covered.has(k.methodId), `no parity case for ${k.methodId}`).toBe(true);
  expect(report.cases.map((c) => c.name)).toEqual([
    'fwht',
    'rht',
    'mxfp4',
    'int b=4 g=128',
    'int b=8 g=32',
    'int b=3 g=1024',
  ]);
});
