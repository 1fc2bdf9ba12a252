/**
 * Records saved permalinks and the numbers the CLI prints for them ("Links from this
 * version must keep decoding after later changes (a test holds a set of saved links and their
 * expected numbers)").
 *
 *   npx tsx scripts/save-links.ts            # add entries that are missing, keep existing ones
 *   npx tsx scripts/save-links.ts --check    # exit 1 if an entry is missing (nothing written)
 *
 * Append-only on purpose: an entry's link and numbers are what this version produced; a later
 * change that moves them is a regression for src/engine/saved-links.test.ts to report, not
 * something to regenerate away. (To retire an entry deliberately, delete it by hand and say why
 * in the commit.)
 *
 * The numbers come from the CLI itself (`npm run -s lab -- run '<link>' --json`, CONTRACT.md §6),
 * run as a child process exactly as a user would, so the fixture pins the public surface.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { permalinkHash } from '../src/core/config/codec';
import { DEFAULT_CONFIG } from '../src/core/config/defaults';
import { restoreConfig, type ExperimentConfig } from '../src/core/config/schema';
import { PRESETS, presetConfig } from '../src/core/presets/presets';

export interface SavedResult {
  readonly label: string;
  readonly transform: string;
  readonly quantizer: string;
  readonly bitsPerCoord: number;
  readonly metrics: Record<string, number>;
}

export interface SavedLink {
  readonly name: string;
  readonly why: string;
  /** The permalink hash exactly as this version wrote it. */
  readonly link: string;
  readonly data: { readonly rows: number; readonly dim: number; readonly source: string };
  readonly results: readonly SavedResult[];
}

export interface SavedLinksFile {
  readonly about: string;
  readonly generator: string;
  readonly links: readonly SavedLink[];
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SAVED_LINKS_PATH = join(ROOT, 'src/core/config/__saved__/links.json');

/**
 * Small configs that exercise paths the presets do not: padding, every quantizer, labels, seeds.
 * PCA is deliberately absent: its basis comes from an iterative eigensolver whose last bits move
 * whenever the solver is improved (legitimately), which a 1e-9 tolerance would report as a
 * broken link.
 */
const EDGE_CONFIGS: readonly { name: string; why: string; config: unknown }[] = [
  {
    name: 'edge-non-power-of-two-dim',
    why: 'dim 100: rht and wht pad to 128, block-hadamard to a multiple of 32; bits/coord counts the padding',
    config: {
      v: 1,
      seed: 3,
      data: { source: 'gaussian', rows: 48, dim: 100 },
      pipelines: [
        {
          transform: { id: 'rht', params: { rounds: 1 } },
          quantizer: { id: 'turboquant-prod', params: { bits: 3 } },
        },
        { transform: { id: 'wht' }, quantizer: { id: 'eden', params: { bits: 3, scale: 'unbiased' } } },
        {
          transform: { id: 'block-hadamard', params: { block: 32 } },
          quantizer: { id: 'int', params: { bits: 3 } },
        },
        { transform: { id: 'dct' }, quantizer: { id: 'turboquant-mse', params: { bits: 1 } } },
      ],
    },
  },
  {
    name: 'edge-formats-heavy-tails',
    why: 'student-t data through every hardware format and the remaining quantizers, incl. stochastic rounding',
    config: {
      v: 1,
      seed: 11,
      data: { source: 'student-t', rows: 64, dim: 256, nu: 2.5 },
      pipelines: [
        {
          transform: { id: 'identity' },
          quantizer: { id: 'fp8', params: { format: 'e5m2', granularity: 'row' } },
        },
        {
          transform: { id: 'identity' },
          quantizer: { id: 'fp8', params: { format: 'e4m3', granularity: 'tensor' } },
        },
        { transform: { id: 'rht', params: { rounds: 1 } }, quantizer: { id: 'nf4', params: { block: 64 } } },
        { transform: { id: 'identity' }, quantizer: { id: 'ternary', params: { group: 128 } } },
        {
          transform: { id: 'identity' },
          quantizer: {
            id: 'int',
            params: { bits: 3, granularity: 'group', group: 64, symmetric: false, rounding: 'stochastic' },
          },
        },
        {
          transform: { id: 'identity' },
          quantizer: { id: 'int', params: { bits: 8, granularity: 'tensor' } },
        },
      ],
    },
  },
  {
    name: 'edge-low-rank-labels',
    why: 'low-rank data, WHT and Haar, a QJL sketch smaller than d, custom labels with |, " and non-ASCII, the largest seed',
    config: {
      v: 1,
      seed: 4294967295,
      data: { source: 'low-rank', rows: 40, dim: 64, rank: 4, noise: 0.05 },
      pipelines: [
        {
          transform: { id: 'wht' },
          quantizer: { id: 'int', params: { bits: 2, granularity: 'row' } },
          label: 'WHT | "Walsh" → int2',
        },
        { transform: { id: 'haar' }, quantizer: { id: 'qjl', params: { sketch: 32 } }, label: 'QJL m=d/2 ½' },
        { transform: { id: 'haar' }, quantizer: { id: 'eden', params: { bits: 4, scale: 'mse' } } },
      ],
    },
  },
  {
    name: 'edge-outliers-seed-zero',
    why: 'outlier channels with seed 0 and a single pipeline; MXFP4 and NVFP4 on a dim that is not a multiple of their blocks',
    config: {
      v: 1,
      seed: 0,
      data: { source: 'outlier-channels', rows: 32, dim: 200, channels: 3, scale: 50 },
      pipelines: [
        { transform: { id: 'identity' }, quantizer: { id: 'mxfp4' } },
        { transform: { id: 'identity' }, quantizer: { id: 'nvfp4' } },
      ],
    },
  },
];

interface CliOutput {
  readonly permalink: string;
  readonly data: { rows: number; dim: number; source: string };
  readonly results: readonly SavedResult[];
}

function runCli(link: string): CliOutput {
  // The documented entry point (CONTRACT.md §6); `-s` keeps npm's banner out of stdout.
  const out = execFileSync('npm', ['run', '-s', 'lab', '--', 'run', link, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as CliOutput;
}

export function candidates(): { name: string; why: string; config: ExperimentConfig }[] {
  return [
    { name: 'default', why: 'the first screen (src/core/config/defaults.ts)', config: DEFAULT_CONFIG },
    ...PRESETS.map((p) => ({ name: `preset-${p.id}`, why: `preset: ${p.title}`, config: presetConfig(p) })),
    ...EDGE_CONFIGS.map((e) => ({ name: e.name, why: e.why, config: restoreConfig(e.config) })),
  ];
}

export function readSavedLinks(path = SAVED_LINKS_PATH): SavedLinksFile {
  return JSON.parse(readFileSync(path, 'utf8')) as SavedLinksFile;
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const existing: SavedLink[] = existsSync(SAVED_LINKS_PATH) ? [...readSavedLinks().links] : [];
  const have = new Set(existing.map((l) => l.name));
  const missing = candidates().filter((c) => !have.has(c.name));
  if (check) {
    for (const m of missing) process.stderr.write(`missing saved link: ${m.name}\n`);
    return missing.length > 0 ? 1 : 0;
  }
  for (const c of missing) {
    const link = permalinkHash(c.config);
    const cli = runCli(link);
    if (cli.permalink !== link)
      throw new Error(`${c.name}: the CLI re-encoded the link differently (${cli.permalink})`);
    existing.push({
      name: c.name,
      why: c.why,
      link,
      data: { rows: cli.data.rows, dim: cli.data.dim, source: cli.data.source },
      results: cli.results.map((r) => ({
        label: r.label,
        transform: r.transform,
        quantizer: r.quantizer,
        bitsPerCoord: r.bitsPerCoord,
        metrics: r.metrics,
      })),
    });
    process.stdout.write(`saved ${c.name} (${cli.results.length} pipelines)\n`);
  }
  const file: SavedLinksFile = {
    about:
      'Permalinks written by QuantScope config v1 and the numbers `npm run -s lab -- run <link> --json` printed for them. ' +
      'src/engine/saved-links.test.ts and e2e/sharing.spec.ts check that every link still decodes and gives these numbers ' +
      '(relative tolerance 1e-9). Append-only: never regenerate an existing entry.',
    generator: 'npx tsx scripts/save-links.ts',
    links: existing,
  };
  writeFileSync(SAVED_LINKS_PATH, `${JSON.stringify(file, null, 2)}\n`);
  return 0;
}

const invokedDirectly = process.argv[1] !== undefined && /save-links\.[cm]?[jt]s$/.test(process.argv[1]);
if (invokedDirectly) process.exitCode = main(process.argv.slice(2));
