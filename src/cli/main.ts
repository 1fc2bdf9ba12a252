/**
 * `npm run -s lab -- run CONFIG [--json]`, `npm run -s lab -- list [--json]` (CONTRACT.md §6),
 * `npm run -s lab -- tensors FILE... [--json]` (the tensor inventory of checkpoint files) and
 * `npm run -s lab -- sweep CONFIG [--json|--csv] [--shard I/N]` (whole checkpoints, sweep.ts) and
 * `npm run -s lab -- merge SHARD.json... [--json|--csv]` (shard outputs put together, merge.ts).
 *
 * CONFIG is a .json path, '-' for stdin, or a permalink URL/hash. Exit codes: 0 ok; 2 invalid
 * config or arguments; 3 unreadable or malformed data file. Errors go to stderr as one line naming
 * the field or byte offset. Flag parsing: commander.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../core/config/errors';
import { decodePayload, extractPayload, parseConfigJson } from '../core/config/codec';
import { terminalJson, terminalLine, terminalText } from '../core/encode';
import { AbortError } from '../core/pipeline';
import { restoreConfig, type ExperimentConfig } from '../core/config/schema';
import { configCost, WARN_SECONDS, WORK_RATE } from '../core/cost';
import { analysisComponent } from '../engine/calibrate';
import { contractJson, runConfig } from '../engine/experiment';
import { permalinkHash } from '../core/config/codec';
import { pinFileHash } from '../engine/file-link';
import { listMethods, formatList } from './list';
import { formatResultsTable } from './table';
import { DataError } from '../core/data-loader';
import type { LoadedData } from '../engine/experiment';
import type { ThreadedRun } from './threads';

// Start-up (README "Performance"): file readers, checkpoint sweeps and worker threads load on the
// first command that uses them, so `list` and `run` on generated data never initialise them.
const fileData = () => import('./file-data');
const threadsModule = () => import('./threads');
const loadFileForCli = async (config: ExperimentConfig): Promise<LoadedData> =>
  (await fileData()).loadFileForCli(config);

export const EXIT_OK = 0;
export const EXIT_INVALID = 2;
export const EXIT_DATA = 3;
/** `--timeout` ran out: neither the config nor the data is wrong, the run is too long. */
export const EXIT_TIMEOUT = 4;

/** A config is a few KiB; stdin and CONFIG files are refused above this (read no further). */
export const MAX_CONFIG_BYTES = 1 << 20;

// Every byte the CLI prints goes through a terminal encoder (src/core/encode.ts): labels, tensor
// names, dtype strings, GGUF keys, zip entry names and index keys come from links and files.
const out = (text: string) => process.stdout.write(terminalText(text));
const err = (text: string) => process.stderr.write(terminalText(text));

class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    total += (chunk as Buffer).length;
    if (total > MAX_CONFIG_BYTES) {
      process.stdin.destroy();
      throw new CliExit(
        EXIT_INVALID,
        `CONFIG: stdin holds more than ${MAX_CONFIG_BYTES} bytes (1 MiB), the limit for a config`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** CONFIG argument → raw (unvalidated) config value. */
async function readConfigArgument(arg: string): Promise<unknown> {
  let text: string;
  if (arg === '-') {
    text = await readStdin();
  } else if (!arg.trim().startsWith('{') && extractPayload(arg) !== undefined && /(^|[#?&])c=/.test(arg)) {
    return decodePayload(extractPayload(arg) ?? '');
  } else {
    try {
      const st = await stat(arg);
      if (!st.isFile())
        throw new CliExit(EXIT_INVALID, `CONFIG: ${JSON.stringify(arg)} is not a regular file`);
      if (st.size > MAX_CONFIG_BYTES)
        throw new CliExit(
          EXIT_INVALID,
          `CONFIG: ${JSON.stringify(arg)} is ${st.size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit for a config`,
        );
      text = await readFile(arg, 'utf8');
    } catch (e) {
      if (e instanceof CliExit) throw e;
      throw new CliExit(
        EXIT_INVALID,
        `CONFIG: cannot read ${JSON.stringify(arg)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  }
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && extractPayload(trimmed) !== undefined)
    return decodePayload(extractPayload(trimmed) ?? '');
  return parseConfigJson(text, 'CONFIG');
}

/**
 * Before work the cost model (src/core/cost.ts) estimates at NOTE_SECONDS or more, print the
 * estimate on stderr; over WARN_SECONDS, as a warning that names --timeout.
 */
const NOTE_SECONDS = 10;
function warnIfLong(config: ExperimentConfig): void {
  const { rows, dim } = config.data;
  if (typeof rows !== 'number' || typeof dim !== 'number') return; // file data: shape not known yet
  const pipelinesCost = configCost(
    rows,
    dim,
    config.pipelines,
    config.numerics?.metricDomain,
    config.numerics?.denseProducts,
  );
  // The analysis's declared work (AnalysisDef.cost) at the generic rate.
  const analysis = analysisComponent(config, rows, dim);
  const cost = {
    seconds: pipelinesCost.seconds + (analysis?.flops ?? 0) / WORK_RATE,
    flops: pipelinesCost.flops + (analysis?.flops ?? 0),
  };
  const what = `~${Math.round(cost.seconds)} s (${cost.flops.toExponential(1)} operations${analysis ? `, ${analysis.what} included` : ''})`;
  if (cost.seconds > WARN_SECONDS)
    err(`warning: this run is estimated at ${what}; pass --timeout <seconds> to bound it\n`);
  else if (cost.seconds >= NOTE_SECONDS) err(`estimate: this run takes ${what}\n`);
}

function parseTimeout(value: string): number {
  const s = Number(value);
  if (!(s > 0 && s <= 86_400))
    throw new CliExit(
      EXIT_INVALID,
      `--timeout: expected seconds in (0, 86400], got ${JSON.stringify(value)}`,
    );
  return s;
}

/**
 * Hard stop for `--timeout`: the run is synchronous, so timers on the main thread cannot fire
 * during a long stage. A watchdog thread sleeps (Atomics.wait) until the deadline plus a grace
 * period, then prints the one-line error and kills the process (SIGKILL: a busy main thread cannot run a SIGTERM handler, e.g. tsx's). The
 * normal path is cooperative: the deadline is checked after every stage (exit 4).
 */
async function startWatchdog(ms: number, message: string): Promise<Worker> {
  const { Worker } = await import('node:worker_threads');
  const code = `
    const { workerData } = require('node:worker_threads');
    const fs = require('node:fs');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);
    fs.writeSync(2, workerData.message + '\\n');
    process.kill(workerData.pid, 'SIGKILL');`;
  const w = new Worker(code, { eval: true, workerData: { ms, message, pid: process.pid } });
  w.unref();
  return w;
}

/** Grace after the deadline before the watchdog ends the process (one stage may be running). */
export const WATCHDOG_GRACE_MS = 2_000;

/**
 * `--metric-domain data|transformed` and `--dense-products float64|float32` set the config's
 * numerics.metricDomain and numerics.denseProducts (CONTRACT.md §5), so the printed permalink
 * carries the choice; without a flag the config's own choice stands (the other field is kept).
 */
function withNumerics(raw: unknown, opts: { metricDomain?: string; denseProducts?: string }): unknown {
  const fields: [flag: string, key: string, value: string | undefined, allowed: readonly string[]][] = [
    ['--metric-domain', 'metricDomain', opts.metricDomain, ['data', 'transformed']],
    ['--dense-products', 'denseProducts', opts.denseProducts, ['float64', 'float32']],
  ];
  const set: Record<string, string> = {};
  for (const [flag, key, value, allowed] of fields) {
    if (value === undefined) continue;
    if (!allowed.includes(value))
      throw new CliExit(
        EXIT_INVALID,
        `${flag}: expected ${allowed.join(' or ')}, got ${JSON.stringify(value)}`,
      );
    set[key] = value;
  }
  if (!Object.keys(set).length) return raw;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const had = (raw as { numerics?: unknown }).numerics;
  const numerics = typeof had === 'object' && had !== null && !Array.isArray(had) ? had : {};
  return { ...raw, numerics: { ...numerics, ...set } };
}

const METRIC_DOMAIN_HELP =
  'data (default) or transformed: metrics of orthogonal chains computed after the last transform, without its inverse (equal within float32 rounding)';
const DENSE_PRODUCTS_HELP =
  'float64 (default) or float32: dense Householder rotations (haar, pca) and QJL sketch products in float32 arithmetic, as a GPU computes them (equal within float32 rounding, about twice as fast)';

/** `--threads N`: a whole number in 1 … 256 (1 = the serial path). */
function parseThreads(value: string): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1 && n <= 256))
    throw new CliExit(
      EXIT_INVALID,
      `--threads: expected a whole number in 1…256, got ${JSON.stringify(value)}`,
    );
  return n;
}

const THREADS_HELP =
  "worker threads for the row-local stages (default: the machine's cores, at most 8; 1 = serial); results are bit-identical";

const SWEEP_THREADS_HELP =
  "worker threads, each taking every N-th tensor (default: the machine's cores, at most 8; 1 = serial); the output is the same";

async function runCommand(
  configArg: string,
  opts: { json?: boolean; timeout?: string; metricDomain?: string; denseProducts?: string; threads?: string },
): Promise<void> {
  const timeoutS = opts.timeout === undefined ? undefined : parseTimeout(opts.timeout);
  const requestedThreads = opts.threads === undefined ? undefined : parseThreads(opts.threads);
  const raw = withNumerics(await readConfigArgument(configArg), opts);
  const config = restoreConfig(raw);
  warnIfLong(config);
  const controller = new AbortController();
  const deadline = timeoutS === undefined ? Infinity : Date.now() + timeoutS * 1000;
  const timedOut = `error: run exceeded --timeout ${timeoutS}s`;
  const watchdog =
    timeoutS === undefined ? undefined : await startWatchdog(timeoutS * 1000 + WATCHDOG_GRACE_MS, timedOut);
  let threaded: ThreadedRun | undefined;
  try {
    // Worker threads start first, so their start-up overlaps drawing the data (threads.ts).
    const { defaultThreads, startThreads } = await threadsModule();
    threaded = startThreads(config, { threads: requestedThreads ?? defaultThreads() });
    const result = await runConfig(config, {
      loadFile: loadFileForCli,
      signal: controller.signal,
      onProgress: () => {
        if (Date.now() > deadline) controller.abort();
      },
      ...(threaded ? { load: threaded.load, runPipelines: threaded.runPipelines } : {}),
    });
    if (Date.now() > deadline) throw new AbortError();
    // Pin the tensor's SHA-256 in the permalink so the page can prove it reopened the same bytes.
    const pinned = { ...result, permalink: permalinkHash(pinFileHash(config, result.data.file?.sha256)) };
    if (opts.json) process.stdout.write(terminalJson(`${JSON.stringify(contractJson(pinned), null, 2)}\n`));
    else out(formatResultsTable(pinned));
  } catch (e) {
    if (e instanceof AbortError && Date.now() > deadline)
      throw new CliExit(EXIT_TIMEOUT, timedOut.slice('error: '.length));
    throw e;
  } finally {
    await threaded?.close();
    await watchdog?.terminate();
  }
}

async function sweepCommand(
  configArg: string,
  opts: {
    json?: boolean;
    csv?: boolean;
    shard?: string;
    hash?: boolean;
    metricDomain?: string;
    denseProducts?: string;
    threads?: string;
  },
): Promise<void> {
  if (opts.json && opts.csv) throw new CliExit(EXIT_INVALID, 'choose one of --json and --csv');
  const { formatSweep, parseShard, sweepForCli } = await import('./sweep');
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  const threads = opts.threads === undefined ? undefined : parseThreads(opts.threads);
  const config = restoreConfig(withNumerics(await readConfigArgument(configArg), opts));
  const hash = opts.hash === true;
  // Tensors over worker threads (threads.ts sweepThreaded); a shard runs in this thread.
  const { defaultThreads, sweepThreaded } = await threadsModule();
  const threaded =
    shard === undefined
      ? await sweepThreaded(config, { threads: threads ?? defaultThreads(), hash })
      : undefined;
  const out = threaded ?? (await sweepForCli(config, shard, hash));
  process.stdout.write(formatSweep(out, opts));
}

/** One line for stderr; names from files (tensors, shards) may hold control characters. */
async function oneLine(s: string): Promise<string> {
  const { escapeControl } = await import('./sweep');
  return escapeControl(s.replace(/\s*\n\s*/g, ' ').trim());
}

/** The entry of a worker thread of `lab run --threads` started from the bundle (threads.ts). */
export async function threadWorker(): Promise<void> {
  await (await import('./thread-worker')).threadWorker();
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('lab')
    .description('QuantScope headless: run an experiment config or list the methods')
    .exitOverride()
    .configureOutput({ writeErr: err, writeOut: out })
    .showSuggestionAfterError();

  program
    .command('run')
    .argument('<CONFIG>', "a .json path, '-' for stdin, or a permalink URL")
    .option('--json', 'print the CONTRACT.md §6 JSON object')
    .option('--timeout <seconds>', 'stop the run after this many seconds (exit 4)')
    .option('--metric-domain <domain>', METRIC_DOMAIN_HELP)
    .option('--dense-products <arithmetic>', DENSE_PRODUCTS_HELP)
    .option('--threads <n>', THREADS_HELP)
    .description('run an experiment config and print its results')
    .action(runCommand);

  program
    .command('sweep')
    .argument('<CONFIG>', 'a config with a "sweep" field: a .json path, \'-\' for stdin, or a permalink URL')
    .option('--json', 'print {config, permalink, tensors: [...], summary}')
    .option('--csv', 'print one CSV line per tensor × pipeline')
    .option('--shard <I/N>', 'run only tensors I, I+N, I+2N, … of the sweep (0 ≤ I < N)')
    .option(
      '--hash',
      "record each tensor's SHA-256 and one digest of the checkpoint (a pass over every byte)",
    )
    .option('--metric-domain <domain>', METRIC_DOMAIN_HELP)
    .option('--dense-products <arithmetic>', DENSE_PRODUCTS_HELP)
    .option('--threads <n>', SWEEP_THREADS_HELP)
    .description('quantize every matching tensor of a checkpoint with every pipeline')
    .action(sweepCommand);

  program
    .command('merge')
    .argument('<SHARD...>', 'the --json outputs of lab sweep --shard I/N for every I (files)')
    .option('--json', 'print the merged {config, permalink, tensors: [...], summary}')
    .option('--csv', 'print one CSV line per tensor × pipeline')
    .description('merge sharded sweep outputs into what one unsharded sweep prints')
    .action(async (files: string[], opts: { json?: boolean; csv?: boolean }) => {
      if (opts.json && opts.csv) throw new CliExit(EXIT_INVALID, 'choose one of --json and --csv');
      const [{ mergeForCli }, { formatSweep }] = await Promise.all([import('./merge'), import('./sweep')]);
      process.stdout.write(formatSweep(await mergeForCli(files), opts));
    });

  program
    .command('list')
    .option('--json', 'print JSON')
    .description('list every data source, transform, quantizer and metric with params')
    .action((opts: { json?: boolean }) => {
      const methods = listMethods();
      if (opts.json) process.stdout.write(terminalJson(`${JSON.stringify(methods, null, 2)}\n`));
      else out(formatList(methods));
    });

  program
    .command('tensors')
    .argument('<FILE...>', 'tensor files, a *.index.json of a sharded checkpoint, or an .onnx model')
    .option('--json', 'print {"tensors":[{"name","shape","dtype","bytes","file"}]}')
    .description('list every tensor of the files (headers only): name, shape, dtype, bytes, file')
    .action(async (files: string[], opts: { json?: boolean }) => {
      const { tensorsCommand } = await import('./tensors');
      process.stdout.write(await tensorsCommand(files, opts));
    });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
        return EXIT_OK;
      return EXIT_INVALID; // commander already printed its one-line message
    }
    const line = async (m: string) => process.stderr.write(`error: ${terminalLine(await oneLine(m))}\n`);
    if (e instanceof CliExit) {
      await line(e.message);
      return e.code;
    }
    if (e instanceof ConfigError) {
      await line(e.message);
      return EXIT_INVALID;
    }
    if ((await fileData()).isDataFileError(e) || e instanceof DataError) {
      await line((e as Error).message);
      return EXIT_DATA;
    }
    // Stack exhaustion or an allocation the budget should have refused: still one line, but a
    // bug (exit 1), never silently mapped to a config or data error.
    await line((e as Error).message ?? String(e));
    return 1;
  }
}

// Run when executed directly (tsx src/cli/main.ts …), not when imported by tests.
const invokedDirectly = process.argv[1] !== undefined && /cli[/\\]main\.[cm]?[jt]s$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`error: ${terminalLine(String(e))}\n`);
      process.exitCode = 1;
    },
  );
}
