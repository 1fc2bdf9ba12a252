/**
 * The metric sums are a stage of the orchestration (pipeline.ts, kind 'sums'): a runner may supply
 * them (the WebGPU runner reduces on the GPU), and the CPU runner's are reconstructionSums, so the
 * asynchronous path with the CPU runner gives runExperiment's numbers bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { runExperiment, runExperimentAsync, runStageOnCpu, type ExperimentSpec } from './pipeline';
import { createRngFactory } from './rng';

const spec: ExperimentSpec = {
  seed: 2,
  pipelines: [
    {
      transforms: [],
      quantizer: {
        id: 'int',
        params: { bits: 4, granularity: 'row', group: 128, symmetric: true, rounding: 'nearest' },
      },
    },
  ],
};

function data() {
  const x = new Float32Array(8 * 64);
  createRngFactory(1).stream('data', 'sums-stage').fillNormal(x);
  return { rows: 8, cols: 64, data: x };
}

describe('the sums stage', () => {
  it('with the CPU runner equals runExperiment bit for bit', async () => {
    const x = data();
    const seen: string[] = [];
    const viaAsync = await runExperimentAsync(spec, x, {}, (req) => {
      seen.push(req.kind);
      return Promise.resolve(runStageOnCpu(req));
    });
    expect(seen).toEqual(['quantize', 'sums']);
    expect(viaAsync[0].metrics).toEqual(runExperiment(spec, x)[0].metrics);
  });

  it("uses the runner's sums: twice the error doubles mse and lowers sqnr by 10·log10 2", async () => {
    const x = data();
    const cpu = runExperiment(spec, x)[0].metrics;
    const res = await runExperimentAsync(spec, x, {}, (req) => {
      const b = runStageOnCpu(req);
      if (req.kind === 'sums' && req.out.sums) req.out.sums = { ...req.out.sums, err: 2 * req.out.sums.err };
      return Promise.resolve(b);
    });
    expect(res[0].metrics.mse).toBeCloseTo(2 * cpu.mse, 15);
    expect(res[0].metrics.sqnrDb).toBeCloseTo(cpu.sqnrDb - 10 * Math.log10(2), 10);
  });
});
