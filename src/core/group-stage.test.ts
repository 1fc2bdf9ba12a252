/**
 * A whole transform group is offered to the runner first (pipeline.ts, StageRequest 'group'): a
 * runner that declines (the CPU driver) leaves the numbers of runExperiment bit for bit, and one
 * that takes the group (the WebGPU resident path) has its sums and x̂ turned into the same
 * results as the staged path. The taking runner here computes the group with the core's own
 * stages, so the staged runExperiment is the independent reference for the assembly.
 */
import { describe, expect, it } from 'vitest';
import { METRICS, quantizersById, transformsById } from './methods';
import { withDefaults } from './methods/params';
import { reconstructionSums } from './methods/metrics/sums';
import {
  chainRng,
  runExperiment,
  runExperimentAsync,
  runStageOnCpu,
  type ExperimentSpec,
  type PipelineBuffers,
  type StageRequest,
} from './pipeline';
import { createRngFactory } from './rng';

function ref(kind: 't' | 'q', id: string, params: Record<string, unknown> = {}) {
  const def = kind === 't' ? transformsById.get(id) : quantizersById.get(id);
  if (!def) throw new Error(id);
  return { id, params: withDefaults(def.params, params as never) };
}

const spec: ExperimentSpec = {
  seed: 4,
  pipelines: [
    {
      transforms: [ref('t', 'rht')],
      quantizer: ref('q', 'int', { bits: 4, granularity: 'group', group: 16 }),
    },
    { transforms: [ref('t', 'rht')], quantizer: ref('q', 'mxfp4') },
    { transforms: [], quantizer: ref('q', 'nf4') },
    {
      transforms: [ref('t', 'wht'), ref('t', 'rht', { rounds: 2 })],
      quantizer: ref('q', 'eden', { bits: 2 }),
    },
  ],
};

/** The collector must not keep the lent buffers: copy them. */
function copy(b: PipelineBuffers): PipelineBuffers {
  return { ...b, y: b.y.slice(), yHat: b.yHat.slice(), xHat: b.xHat.slice() };
}

function data() {
  const x = new Float32Array(12 * 64);
  createRngFactory(1).stream('data', 'group-stage').fillNormal(x);
  return { rows: 12, cols: 64, data: x };
}

/** Takes every group, running its stages with the core's CPU code (what a device would do). */
function takeOnCpu(req: Extract<StageRequest, { kind: 'group' }>): void {
  const { rows, cols: dim } = req.x;
  const stages = req.transforms.map((t, k) => {
    const def = transformsById.get(t.id);
    if (!def) throw new Error(t.id);
    return def.prepare(t.params, { rng: chainRng(req.rng, k), dim, data: req.x });
  });
  let y = req.x.data;
  for (const s of stages) {
    const out = new Float32Array(rows * s.outDim);
    s.forward(y, rows, out);
    y = out;
  }
  req.out.group = {
    stages,
    transformMs: 1,
    ...(req.needBuffers ? { y } : {}),
    pipelines: req.pipelines.map((p) => {
      const yHat = new Float32Array(y.length);
      p.def.quantize(y, rows, dim, p.quantizer.params, { rng: req.rng }, yHat);
      let h = yHat;
      for (let k = stages.length - 1; k >= 0; k--) {
        const out = new Float32Array(rows * dim);
        stages[k].inverse(h, rows, out);
        h = out;
      }
      return {
        sums: reconstructionSums(req.x, h),
        // x̂ only for a collector; the x̂ metrics as values (as the GPU runner returns ip-nvar).
        ...(req.needBuffers ? { xHat: h } : {}),
        metrics: Object.fromEntries(
          req.xHatMetrics.map((id) => [
            id,
            METRICS.find((m) => m.id === id)?.compute(req.x, h, { rng: req.rng }) ?? NaN,
          ]),
        ),
        ...(req.needBuffers ? { yHat } : {}),
        quantizeMs: 2,
        inverseMs: 3,
        metricsMs: 0,
      };
    }),
  };
}

describe('the group stage', () => {
  it('declined (the CPU runner) leaves runExperiment bit for bit, offered once per non-empty chain', async () => {
    const x = data();
    const seen: string[] = [];
    const res = await runExperimentAsync(spec, x, {}, (req) => {
      seen.push(req.kind);
      return Promise.resolve(runStageOnCpu(req));
    });
    expect(seen.filter((k) => k === 'group')).toHaveLength(2);
    expect(seen[0]).toBe('group');
    expect(res).toEqual(
      runExperiment(spec, x).map((r) => ({ ...r, timingsMs: expect.any(Object) as unknown })),
    );
  });

  it('taken, gives the staged results: labels, bits, notes and every metric', async () => {
    const x = data();
    const cpu = runExperiment(spec, x);
    const progress: string[] = [];
    const res = await runExperimentAsync(spec, x, { onProgress: (_d, _t, s) => progress.push(s) }, (req) => {
      if (req.kind !== 'group') return Promise.resolve(runStageOnCpu(req));
      takeOnCpu(req);
      return Promise.resolve('gpu');
    });
    expect(progress).toHaveLength(12);
    res.forEach((r, i) => {
      expect(r.label).toBe(cpu[i].label);
      expect(r.transform).toBe(cpu[i].transform);
      expect(r.bitsPerCoord).toBe(cpu[i].bitsPerCoord);
      expect(r.note).toBe(cpu[i].note);
      expect(r.metrics).toEqual(cpu[i].metrics);
    });
    expect(res[0].timingsMs.backend).toEqual({ transform: 'gpu', quantize: 'gpu', inverse: 'gpu' });
    expect(res[0].timingsMs.inverse).toBe(3);
    expect(res[2].timingsMs.backend.transform).toBe('cpu');
  });

  it('asks for the buffers a collector wants, and for x̂ only when a metric needs it', async () => {
    const x = data();
    const kinds = async (opts: Parameters<typeof runExperimentAsync>[2]) => {
      const seen: StageRequest[] = [];
      await runExperimentAsync(spec, x, opts, (req) => {
        seen.push(req);
        return Promise.resolve(runStageOnCpu(req));
      });
      return seen;
    };
    const collected = (await kinds({ collect: () => undefined })).filter((r) => r.kind === 'group');
    expect(collected.map((r) => r.kind === 'group' && r.needBuffers)).toEqual([true, true]);
    const sumsOnly = (await kinds({ metrics: ['vnmse', 'mse'] })).filter((r) => r.kind === 'group');
    expect(sumsOnly.map((r) => r.kind === 'group' && r.xHatMetrics)).toEqual([[], []]);
    const all = (await kinds({})).filter((r) => r.kind === 'group');
    expect(all.map((r) => r.kind === 'group' && r.xHatMetrics)).toEqual([['ipNvar'], ['ipNvar']]);
    expect(all.map((r) => r.kind === 'group' && r.needBuffers)).toEqual([false, false]);
  });

  it('taken, lends the collector the same buffers as the staged path', async () => {
    const x = data();
    const staged: PipelineBuffers[] = [];
    runExperiment(spec, x, { collect: (b) => staged.push(copy(b)) });
    const taken: PipelineBuffers[] = [];
    await runExperimentAsync(spec, x, { collect: (b) => taken.push(copy(b)) }, (req) => {
      if (req.kind !== 'group') return Promise.resolve(runStageOnCpu(req));
      takeOnCpu(req);
      return Promise.resolve('gpu');
    });
    const byIndex = (a: PipelineBuffers[]) => [...a].sort((p, q) => p.index - q.index);
    expect(byIndex(taken)).toEqual(byIndex(staged));
  });
});
