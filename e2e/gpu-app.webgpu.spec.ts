/**
 * WebGPU in the app: with an adapter (Chromium --enable-unsafe-webgpu, the 'webgpu'
 * project; SwiftShader here) a config of GPU_MIN_COORDS coordinates runs its wht/rht transforms,
 * mxfp4/int quantizers and metric sums on the GPU inside the pool workers, the page says so (status line and
 * the results table's backend column), and the numbers equal the CPU's (the CLI, which the
 * 'chromium' project's core-lab spec holds equal to the CPU page to a relative 1e-12):
 *
 * - identity → mxfp4 / int: the GPU stage is exact (e2e/gpu-parity.webgpu.spec.ts: both declared
 *   and measured bit-identical), and the metric sums are reduced on the GPU
 *   in float32 (src/worker/gpu/kernels/sums.ts, declared within 2⁻¹⁶ relative), so every metric
 *   agrees to RELATIVE_SUMS.
 * - wht / rht → …: the transform is float32 on the GPU and float64 on the CPU, within
 *   4·log2(d)·2⁻²⁴ of the largest |value| (the parity spec's RHT bound, per round). Quantization
 *   then moves the few coordinates that land within that distance of a rounding boundary by one
 *   grid step, so the metrics are held to RELATIVE_TRANSFORMED, not bit for bit. These groups run
 *   resident (inverse and sums on the GPU too, float32): RESIDENT_TOLERANCE of
 *   src/worker/gpu/resident.ts, the same 1e-4.
 */
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { permalinkHash } from '../src/core/config/codec';
import { canonicalize, CONFIG_VERSION } from '../src/core/config/schema';
import { LabPage } from './lab-page';

const RELATIVE_SUMS = 2 ** -16;
const RELATIVE_TRANSFORMED = 1e-4;

// 1024 × 1024 = 2^20 coordinates = GPU_MIN_COORDS (src/worker/gpu/kernels.ts).
const CONFIG = canonicalize({
  v: CONFIG_VERSION,
  seed: 7,
  data: { source: 'gaussian', rows: 1024, dim: 1024 },
  pipelines: [
    { transforms: [{ id: 'identity', params: {} }], quantizer: { id: 'mxfp4', params: {} } },
    {
      transforms: [{ id: 'identity', params: {} }],
      quantizer: { id: 'int', params: { bits: 4, granularity: 'group', group: 128 } },
    },
    {
      transforms: [{ id: 'wht', params: {} }],
      quantizer: { id: 'int', params: { bits: 4, granularity: 'row' } },
    },
    { transforms: [{ id: 'rht', params: { rounds: 2 } }], quantizer: { id: 'mxfp4', params: {} } },
  ],
});

interface CliResult {
  label: string;
  bitsPerCoord: number;
  metrics: Record<string, number>;
}

test('a GPU-sized config runs on WebGPU in the worker, says so, and equals the CPU numbers', async ({
  page,
}) => {
  test.setTimeout(300_000);
  // A blank page of the preview origin (a secure context, as WebGPU requires) for the adapter probe.
  await page.route('**/__gpu-probe.html', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>probe</title>' }),
  );
  await page.goto('/__gpu-probe.html');
  const hasAdapter = await page.evaluate(async () => {
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return gpu ? (await gpu.requestAdapter()) !== null : false;
  });
  test.skip(
    !hasAdapter,
    'no WebGPU adapter in this Chromium (navigator.gpu absent or no adapter): GPU path not checked',
  );

  const lab = new LabPage(page);
  await page.goto(`/${permalinkHash(CONFIG)}`);
  await expect(lab.app).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
  await expect(lab.rows()).toHaveCount(4);
  const status = page.getByTestId('status');
  await expect(status).toHaveAttribute('data-backend', 'gpu');
  console.log(`status: ${await status.innerText()}`);
  const backends = await lab.table.locator('td.backend').evaluateAll((tds) =>
    tds.map((td) => {
      const d = (td as HTMLElement).dataset;
      return [d.transform, d.quantize, d.inverse];
    }),
  );
  // identity has no GPU kernel (nothing to do); every other stage is on the GPU, and the wht and
  // rht groups stayed there whole (src/worker/gpu/resident.ts: forward, quantizer, inverse, sums;
  // the chart buffers read back for the collector).
  expect(backends).toEqual([
    ['cpu', 'gpu', 'cpu'],
    ['cpu', 'gpu', 'cpu'],
    ['gpu', 'gpu', 'gpu'],
    ['gpu', 'gpu', 'gpu'],
  ]);

  const hash = await lab.hash();
  const cli = JSON.parse(
    execFileSync('npx', ['tsx', 'src/cli/main.ts', 'run', hash, '--json'], { encoding: 'utf8' }),
  ) as { results: CliResult[] };
  const values = await lab.values();
  cli.results.forEach((r, i) => {
    expect(values[i].bitsPerCoord).toBe(r.bitsPerCoord);
    const tol = i < 2 ? RELATIVE_SUMS : RELATIVE_TRANSFORMED;
    for (const [k, v] of Object.entries(r.metrics)) {
      const rel = Math.abs(values[i][k] - v) / Math.max(Math.abs(v), Number.MIN_VALUE);
      if (rel > 0)
        console.log(
          `${r.label} ${k}: GPU page ${values[i][k]} vs CPU ${v} (relative ${rel.toExponential(2)})`,
        );
      expect(rel, `${r.label} ${k}`).toBeLessThanOrEqual(tol);
    }
  });
});
