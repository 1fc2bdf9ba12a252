/**
 * `lab run --threads N` (threads.ts): the threaded run prints the same JSON bytes as the serial
 * run for every kind of pipeline (row-local ones on the workers, the rest on the serial path), in
 * both metric domains, with padding and with row counts that divide into neither the blocks nor
 * the threads; a worker that fails, exits or is cancelled gives a clear error and no hang.
 *
 * Sizes are small: the size threshold and the block size are lowered through ThreadOptions, so
 * every run has many blocks. The workers run the CLI bundle (built as `npm run lab` builds it),
 * which starts in tens of ms; one CLI test runs the TypeScript entry through tsx.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMain } from './testing/run-main';
import { restoreConfig, type CanonicalConfig } from '../core/config/schema';
import { AbortError } from '../core/pipeline';
import { contractJson, runConfig } from '../engine/experiment';
import {
  startThreads,
  sweepThreaded,
  THREADS_MIN_COORDINATES,
  type ThreadOptions,
  type WorkerScript,
} from './threads';
import { sweepForCli, formatSweep } from './sweep';

const ROOT = join(__dirname, '..', '..');
let bundle: WorkerScript;

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'lab.mjs'), '--build'], { cwd: ROOT });
  const record = JSON.parse(readFileSync(join(ROOT, '.cache', 'lab', 'record.json'), 'utf8')) as {
    bundle: string;
  };
  bundle = { bundle: join(ROOT, '.cache', 'lab', record.bundle) };
}, 60_000);

const INT4_G128 = { id: 'int', params: { bits: 4, granularity: 'group', group: 128, symmetric: true } };

function config(raw: Record<string, unknown>): CanonicalConfig {
  return restoreConfig({ v: 2, seed: 11, ...raw });
}

async function serialJson(c: CanonicalConfig): Promise<string> {
  return JSON.stringify(contractJson(await runConfig(c)));
}

/**
 * The threaded run's JSON. By default the main thread takes no units (the data is tiny: it would
 * finish them before a worker has started), so every unit runs in a worker, and each worker must
 * have done some.
 */
async function threadedJson(c: CanonicalConfig, options: Partial<ThreadOptions> = {}): Promise<string> {
  const run = startThreads(c, {
    threads: 2,
    minCoordinates: 0,
    blockCoordinates: 7 * 256,
    worker: bundle,
    mainUnits: false,
    ...options,
  });
  if (!run) throw new Error('the run stayed serial');
  try {
    const json = JSON.stringify(
      contractJson(await runConfig(c, { load: run.load, runPipelines: run.runPipelines })),
    );
    const ms = run.threadMs();
    if (!options.mainUnits) {
      expect(ms[ms.length - 1]).toBe(0);
      expect(ms.slice(0, -1).some((t) => t > 0)).toBe(true);
    }
    return json;
  } finally {
    await run.close();
  }
}

describe('lab run --threads: bit-identical to the serial run', () => {
  it('gaussian, rht → int4 g128 with every metric; rows divisible by neither blocks nor threads', async () => {
    const c = config({
      data: { source: 'gaussian', rows: 101, dim: 256 },
      pipelines: [
        { transforms: [{ id: 'rht' }], quantizer: INT4_G128 },
        // A second pipeline of the same group reads the y its first one wrote.
        { transforms: [{ id: 'rht' }], quantizer: { id: 'int', params: { bits: 2 } } },
      ],
    });
    const serial = await serialJson(c);
    expect(await threadedJson(c)).toBe(serial);
    expect(await threadedJson(c, { threads: 3, blockCoordinates: 256 })).toBe(serial);
    // The main thread taking units between its reductions, as `lab run` does.
    expect(await threadedJson(c, { threads: 3, blockCoordinates: 256, mainUnits: true })).toBe(serial);
    expect(JSON.parse(serial).results[0].metrics.ipNvar).toBeGreaterThan(0);
  }, 30_000);

  it('haar → mxfp4, a quantizer that is not row-local, and chains fitted on the data (serial fallback)', async () => {
    const c = config({
      data: { source: 'gaussian', rows: 64, dim: 128 },
      pipelines: [
        { transforms: [{ id: 'haar' }], quantizer: { id: 'mxfp4' } },
        // Row-local: each worker draws the same sketch from its own stream ('sketch', d, d).
        { transforms: [{ id: 'rht' }], quantizer: { id: 'turboquant-prod', params: { bits: 3 } } },
        // SVDQuant's low-rank branch is fitted over every row: not row-local, on the serial path.
        { transforms: [{ id: 'rht' }], quantizer: { id: 'svdquant' } },
        // PCA reads the data: the workers find it and leave the group to the serial path.
        { transforms: [{ id: 'pca' }], quantizer: INT4_G128 },
        { transforms: [{ id: 'permute', params: { mode: 'zigzag' } }], quantizer: INT4_G128 },
        { transforms: [], quantizer: { id: 'nvfp4' } },
        // Without calibration SmoothQuant is the identity with a note (it reads no data): threaded,
        // its note carried from the worker that prepared it.
        { transforms: [{ id: 'smoothquant' }], quantizer: INT4_G128 },
      ],
    });
    const serial = await serialJson(c);
    expect(JSON.parse(serial).results[6].note).toBeTruthy();
    expect(await threadedJson(c, { blockCoordinates: 5 * 128 })).toBe(serial);
  }, 30_000);

  it('metric domain "transformed", an empty chain, and a padded non-power-of-two dim', async () => {
    const c = config({
      data: { source: 'gaussian', rows: 45, dim: 200 },
      numerics: { metricDomain: 'transformed' },
      pipelines: [
        // 200 → 256: not a rotation of ℝ^200, so its metrics stay in the data domain.
        { transforms: [{ id: 'rht', params: { size: 'pad' } }], quantizer: INT4_G128 },
        { transforms: [{ id: 'haar' }], quantizer: { id: 'nvfp4' } },
        { transforms: [{ id: 'haar' }, { id: 'dct' }], quantizer: { id: 'int', params: { bits: 3 } } },
        { transforms: [], quantizer: { id: 'mxfp4' } },
      ],
    });
    const serial = await serialJson(c);
    expect(JSON.parse(serial).results.map((r: { metricDomain?: string }) => r.metricDomain)).toEqual([
      undefined,
      'transformed',
      'transformed',
      'transformed',
    ]);
    expect(await threadedJson(c, { blockCoordinates: 4 * 200 })).toBe(serial);
  }, 30_000);

  it('float32 dense products reach every worker (haar, qjl and turboquant-prod follow the mode)', async () => {
    const pipelines = [
      { transforms: [{ id: 'haar' }], quantizer: { id: 'eden', params: { bits: 2 } } },
      { transforms: [{ id: 'rht' }], quantizer: { id: 'turboquant-prod', params: { bits: 3 } } },
      { transforms: [], quantizer: { id: 'qjl', params: { sketch: 48 } } },
    ];
    const c32 = config({
      data: { source: 'gaussian', rows: 40, dim: 64 },
      numerics: { denseProducts: 'float32' },
      pipelines,
    });
    const serial = await serialJson(c32);
    expect(await threadedJson(c32, { blockCoordinates: 3 * 64 })).toBe(serial);
    // The mode changes these numbers (a worker left in float64 would print the float64 ones).
    const c64 = config({ data: { source: 'gaussian', rows: 40, dim: 64 }, pipelines });
    expect(await serialJson(c64)).not.toBe(serial);
  }, 30_000);

  it('data domain with padding, and a generated source drawn whole (no row blocks)', async () => {
    const c = config({
      data: { source: 'student-t', rows: 37, dim: 200 },
      pipelines: [
        { transforms: [{ id: 'rht', params: { size: 'pad' } }], quantizer: INT4_G128 },
        { transforms: [{ id: 'block-hadamard', params: { block: 32 } }], quantizer: { id: 'nf4' } },
      ],
    });
    expect(await threadedJson(c, { blockCoordinates: 3 * 200 })).toBe(await serialJson(c));
  }, 30_000);
});

describe('lab run --threads: when it stays serial', () => {
  const small = config({
    data: { source: 'gaussian', rows: 16, dim: 64 },
    pipelines: [{ transforms: [{ id: 'rht' }], quantizer: INT4_G128 }],
  });

  it('one thread, a run below the size threshold, calibration, or no row-local pipeline', () => {
    expect(startThreads(small, { threads: 1, minCoordinates: 0, worker: bundle })).toBeUndefined();
    expect(16 * 64).toBeLessThan(THREADS_MIN_COORDINATES);
    expect(startThreads(small, { threads: 2, worker: bundle })).toBeUndefined();
    const gptq = config({
      data: { source: 'gaussian', rows: 16, dim: 64 },
      pipelines: [{ transforms: [], quantizer: { id: 'gptq' } }],
    });
    expect(startThreads(gptq, { threads: 2, minCoordinates: 0, worker: bundle })).toBeUndefined();
  });
});

describe('lab run --threads: hostile cases', () => {
  const c = config({
    data: { source: 'gaussian', rows: 64, dim: 256 },
    pipelines: [{ transforms: [{ id: 'rht' }], quantizer: INT4_G128 }],
  });

  it('a worker that throws gives one clear error, not a hang', async () => {
    await expect(threadedJson(c, { worker: { code: "throw new Error('boom')" } })).rejects.toThrow(
      /worker thread 0 failed: boom/,
    );
  }, 20_000);

  it('a worker that exits before finishing gives a clear error', async () => {
    // It claims nothing: the main thread does every unit, and then reports the lost worker.
    await expect(threadedJson(c, { worker: { code: 'process.exit(3)' } })).rejects.toThrow(
      /worker thread 0 stopped \(exit code 3\)/,
    );
  }, 20_000);

  it('cancelling stops the workers and throws AbortError', async () => {
    const run = startThreads(c, { threads: 3, minCoordinates: 0, blockCoordinates: 256, worker: bundle });
    if (!run) throw new Error('the run stayed serial');
    const controller = new AbortController();
    try {
      await expect(
        runConfig(c, {
          load: run.load,
          runPipelines: run.runPipelines,
          signal: controller.signal,
          onProgress: () => controller.abort(),
        }),
      ).rejects.toBeInstanceOf(AbortError);
    } finally {
      await run.close();
    }
  }, 20_000);
});

describe('lab run --threads (CLI)', () => {
  const cli = runMain;

  it('--threads 2 above the size threshold prints the bytes of --threads 1 (TypeScript worker entry)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-threads-'));
    const path = join(dir, 'config.json');
    // 2048 × 2048 = 4M coordinates: the threshold itself.
    writeFileSync(
      path,
      JSON.stringify({
        v: 2,
        seed: 3,
        data: { source: 'gaussian', rows: 2048, dim: 2048 },
        pipelines: [{ transforms: [{ id: 'rht' }], quantizer: INT4_G128 }],
      }),
    );
    const one = await cli(['run', path, '--json', '--threads', '1']);
    const two = await cli(['run', path, '--json', '--threads', '2']);
    expect(one.code).toBe(0);
    expect(two.err).toBe('');
    expect(two.out).toBe(one.out);
  }, 60_000);

  it('npm run lab (the bundle starting its own workers) prints the bytes of --threads 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-threads-bundle-'));
    const path = join(dir, 'config.json');
    writeFileSync(
      path,
      JSON.stringify({
        v: 2,
        seed: 4,
        data: { source: 'gaussian', rows: 4096, dim: 1024 },
        numerics: { metricDomain: 'transformed' },
        pipelines: [
          { transforms: [{ id: 'rht' }], quantizer: INT4_G128 },
          // NVFP4's tensor scale is not row-local: the whole pipeline runs in the worker.
          { transforms: [{ id: 'rht' }], quantizer: { id: 'nvfp4' } },
          { transforms: [], quantizer: { id: 'mxfp4' } },
        ],
      }),
    );
    const lab = (threads: string) =>
      execFileSync(
        process.execPath,
        [join(ROOT, 'scripts', 'lab.mjs'), 'run', path, '--json', '--threads', threads],
        {
          encoding: 'utf8',
        },
      );
    expect(lab('2')).toBe(lab('1'));
  }, 60_000);

  it('a bad --threads value exits 2 naming the flag', async () => {
    const r = await cli(['run', '{}', '--threads', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--threads: expected a whole number/);
  });
});

describe('lab sweep --threads', () => {
  const checkpoint = 'src/core/testing/fixtures/checkpoint/tiny-llm.safetensors';
  const sweepConfig = (path: string) =>
    restoreConfig({
      v: 2,
      seed: 5,
      data: { source: 'file', path },
      pipelines: [
        { transforms: [{ id: 'rht' }], quantizer: { id: 'mxfp4' } },
        { transforms: [], quantizer: { id: 'nvfp4', params: { rounding: 'stochastic' } } },
      ],
      sweep: { minElements: 1 },
    });

  it('tensors over workers (shards merged) print the serial sweep bytes, JSON and CSV, with --hash', async () => {
    const c = sweepConfig(checkpoint);
    const serial = await sweepForCli(c, undefined, true);
    const threaded = await sweepThreaded(c, { threads: 3, hash: true, minCoordinates: 0, worker: bundle });
    if (!threaded) throw new Error('the sweep stayed serial');
    expect(serial.tensors.length).toBeGreaterThan(3);
    expect(formatSweep(threaded, { json: true })).toBe(formatSweep(serial, { json: true }));
    expect(formatSweep(threaded, { csv: true })).toBe(formatSweep(serial, { csv: true }));
  }, 60_000);

  it('a malformed file gives the error the serial sweep gives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threads-sweep-'));
    const path = join(dir, 'cut.safetensors');
    const bytes = readFileSync(checkpoint);
    // The data cut short.
    writeFileSync(path, bytes.subarray(0, bytes.length - 100));
    const c = sweepConfig(path);
    const serial = await sweepForCli(c).then(
      () => 'ok',
      (e: Error) => `${e.name}: ${e.message}`,
    );
    const threaded = await sweepThreaded(c, {
      threads: 2,
      hash: false,
      minCoordinates: 0,
      worker: bundle,
    }).then(
      () => 'ok',
      (e: Error) => `${e.name}: ${e.message}`,
    );
    expect(serial).not.toBe('ok');
    expect(threaded).toBe(serial);
  }, 60_000);

  it('a worker that fails gives one clear error', async () => {
    await expect(
      sweepThreaded(sweepConfig(checkpoint), {
        threads: 2,
        hash: false,
        minCoordinates: 0,
        worker: { code: "throw new Error('boom')" },
      }),
    ).rejects.toThrow(/worker thread \d failed: boom/);
  }, 20_000);
});
