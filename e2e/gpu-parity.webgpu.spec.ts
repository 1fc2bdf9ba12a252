/**
 * WebGPU parity: every kernel of src/worker/gpu/registry.ts gives the CPU reference's results within
 * the tolerance it declares (checked by src/worker/gpu/tolerance.ts), in Debian Chromium with --enable-unsafe-webgpu
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

interface ResidentRun {
  name: string;
  rows: number;
  d: number;
  taken: number;
  ipNvarOnGpu: number;
  xHatReadBacks: number;
  ok: boolean;
  worst: number;
  limit: string;
  detail: string;
}

interface CaseRun {
  name: string;
  methodId: string;
  rows: number;
  d: number;
  ran: boolean;
  ok: boolean;
  limit: string;
  mismatches: number;
  outside: number;
  maxRelErr: number;
  maxRowRelErr: number;
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

test('GPU kernels equal the CPU references within float tolerance', async ({ page }) => {
  test.setTimeout(300_000);
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
      QuantScopeGpuParity: {
        runGpuParity(): Promise<{ adapter: string | null; cases: CaseRun[]; resident: ResidentRun[] }>;
      };
    };
    return g.QuantScopeGpuParity.runGpuParity();
  });
  expect(report.adapter).not.toBeNull();
  console.log(`adapter: ${report.adapter}`);
  for (const c of report.cases) {
    console.log(
      `${c.name} (${c.rows}×${c.d}): ${c.ran ? '' : 'NOT RUN '}mismatches=${c.mismatches} outside=${c.outside} ` +
        `maxRelErr=${c.maxRelErr.toExponential(2)} maxRowRelErr=${c.maxRowRelErr.toExponential(2)} [${c.limit}]`,
    );
    expect(c.ran, `${c.name}: the kernel declined its own parity case`).toBe(true);
    expect(c.ok, `${c.name}: ${c.limit}`).toBe(true);
  }
  // Every registered GPU kernel has a parity case that ran (the tolerance it declares, tolerance.ts).
  const covered = new Set(report.cases.filter((c) => c.ran).map((c) => c.methodId));
  for (const k of GPU_KERNELS) expect(covered.has(k.methodId), `no parity case for ${k.methodId}`).toBe(true);
  expect(report.cases[0].name).toBe('fwht float32');
  // Whole groups on the device (forward, quantizer, inverse, sums; only the sums and x̂ for
  // ip-nvar read back) equal the CPU pipeline within RESIDENT_TOLERANCE, and the resident path
  // really took each group (its counter).
  expect(report.resident.length).toBeGreaterThanOrEqual(4);
  for (const r of report.resident) {
    console.log(
      `resident ${r.name} (${r.rows}×${r.d}): taken=${r.taken} ipNvarOnGpu=${r.ipNvarOnGpu} xHatReadBacks=${r.xHatReadBacks} worst=${r.worst.toExponential(2)} [${r.limit}] ${r.detail}`,
    );
    expect(r.taken, `${r.name}: the resident path did not take the group`).toBe(1);
    expect(r.ipNvarOnGpu, `${r.name}: ip-nvar not computed on the device`).toBe(6);
    expect(r.xHatReadBacks, `${r.name}: x̂ read back without a collector`).toBe(0);
    expect(r.ok, `${r.name}: ${r.limit}; ${r.detail}`).toBe(true);
  }
});
