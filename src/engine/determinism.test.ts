/**
 * Determinism: the same config gives bit-identical numbers on three runs, in-process
 * (what the worker runs) and through the CLI binary.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { contractJson, runConfig } from './experiment';
import { restoreConfig } from '../core/config/schema';
import { permalinkHash } from '../core/config/codec';

const CONFIG = restoreConfig({
  v: 1,
  seed: 11,
  data: { source: 'outlier-channels', rows: 64, dim: 256 },
  pipelines: [
    { transform: { id: 'haar' }, quantizer: { id: 'eden', params: { bits: 2, scale: 'unbiased' } } },
    {
      transform: { id: 'rht', params: { rounds: 2 } },
      quantizer: { id: 'turboquant-prod', params: { bits: 3 } },
    },
    { transform: { id: 'identity' }, quantizer: { id: 'int', params: { bits: 4, rounding: 'stochastic' } } },
    { transform: { id: 'block-hadamard' }, quantizer: { id: 'nvfp4', params: { rounding: 'stochastic' } } },
    { transform: { id: 'pca' }, quantizer: { id: 'qjl' } },
  ],
});

describe('determinism', () => {
  it('three in-process runs give bit-identical results', async () => {
    const runs = await Promise.all(
      [0, 1, 2].map(async () => JSON.stringify(contractJson(await runConfig(CONFIG)))),
    );
    expect(runs[1]).toBe(runs[0]);
    expect(runs[2]).toBe(runs[0]);
  });

  it('three CLI runs of the permalink give the same bytes as each other and as in-process', async () => {
    const hash = permalinkHash(CONFIG);
    const outs = [0, 1, 2].map(() =>
      execFileSync('npx', ['tsx', 'src/cli/main.ts', 'run', hash, '--json'], { encoding: 'utf8' }),
    );
    expect(outs[1]).toBe(outs[0]);
    expect(outs[2]).toBe(outs[0]);
    const inProcess = contractJson(await runConfig(CONFIG));
    expect(JSON.parse(outs[0])).toEqual(JSON.parse(JSON.stringify(inProcess)));
  });
});
