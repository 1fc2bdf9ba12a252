/**
 * `npm run -s lab -- run CONFIG [--json]`, `npm run -s lab -- list [--json]` (CONTRACT.md §6),
 * `npm run -s lab -- tensors FILE... [--json]` (the tensor inventory of checkpoint files) and
 * `npm run -s lab -- sweep CONFIG [--json|--csv] [--shard I/N]` (whole checkpoints, sweep.ts).
 *
 * CONFIG is a .json path, '-' for stdin, or a permalink URL/hash. Exit codes: 0 ok; 2 invalid
 * config or arguments; 3 unreadable or malformed data file. Errors go to stderr as one line naming
 * the field or byte offset. Flag parsing: commander.
 */
import { readFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../core/config/errors';
import { decodePayload, extractPayload, permalinkHash } from '../core/config/codec';
import { pinFileHash } from '../engine/file-link';
import { restoreConfig } from '../core/config/schema';
import { contractJson, runConfig } from '../engine/experiment';
import { listMethods, formatList } from './list';
import { formatResultsTable } from './table';
import { loadFileForCli, isDataFileError } from './file-data';
import { tensorsCommand } from './tensors';
import { DataError } from '../core/data-loader';
import { escapeControl, formatSweep, parseShard, sweepForCli } from './sweep';

export const EXIT_OK = 0;
export const EXIT_INVALID = 2;
export const EXIT_DATA = 3;

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
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
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
      text = await readFile(arg, 'utf8');
    } catch (e) {
      throw new CliExit(
        EXIT_INVALID,
        `CONFIG: cannot read ${JSON.stringify(arg)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  }
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && extractPayload(trimmed) !== undefined)
    return decodePayload(extractPayload(trimmed) ?? '');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliExit(EXIT_INVALID, `CONFIG: not valid JSON (${(e as Error).message})`);
  }
}

async function runCommand(configArg: string, opts: { json?: boolean }): Promise<void> {
  const raw = await readConfigArgument(configArg);
  const config = restoreConfig(raw);
  const run = await runConfig(config, { loadFile: loadFileForCli });
  // Pin the tensor's SHA-256 in the permalink so the page can prove it reopened the same bytes.
  const out = { ...run, permalink: permalinkHash(pinFileHash(config, run.data.file?.sha256)) };
  if (opts.json) process.stdout.write(`${JSON.stringify(contractJson(out), null, 2)}\n`);
  else process.stdout.write(formatResultsTable(out));
}

async function sweepCommand(
  configArg: string,
  opts: { json?: boolean; csv?: boolean; shard?: string },
): Promise<void> {
  if (opts.json && opts.csv) throw new CliExit(EXIT_INVALID, 'choose one of --json and --csv');
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  const config = restoreConfig(await readConfigArgument(configArg));
  const out = await sweepForCli(config, shard);
  process.stdout.write(formatSweep(out, opts));
}

/** One line for stderr; names from files (tensors, shards) may hold control characters. */
function oneLine(s: string): string {
  return escapeControl(s.replace(/\s*\n\s*/g, ' ').trim());
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('lab')
    .description('QuantScope headless: run an experiment config or list the methods')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError();

  program
    .command('run')
    .argument('<CONFIG>', "a .json path, '-' for stdin, or a permalink URL")
    .option('--json', 'print the CONTRACT.md §6 JSON object')
    .description('run an experiment config and print its results')
    .action(runCommand);

  program
    .command('sweep')
    .argument('<CONFIG>', 'a config with a "sweep" field: a .json path, \'-\' for stdin, or a permalink URL')
    .option('--json', 'print {config, permalink, tensors: [...], summary}')
    .option('--csv', 'print one CSV line per tensor × pipeline')
    .option('--shard <I/N>', 'run only tensors I, I+N, I+2N, … of the sweep (0 ≤ I < N)')
    .description('quantize every matching tensor of a checkpoint with every pipeline')
    .action(sweepCommand);

  program
    .command('list')
    .option('--json', 'print JSON')
    .description('list every data source, transform, quantizer and metric with params')
    .action((opts: { json?: boolean }) => {
      const methods = listMethods();
      process.stdout.write(opts.json ? `${JSON.stringify(methods, null, 2)}\n` : formatList(methods));
    });

  program
    .command('tensors')
    .argument('<FILE...>', 'tensor files, a *.index.json of a sharded checkpoint, or an .onnx model')
    .option('--json', 'print {"tensors":[{"name","shape","dtype","bytes","file"}]}')
    .description('list every tensor of the files (headers only): name, shape, dtype, bytes, file')
    .action(async (files: string[], opts: { json?: boolean }) => {
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
    if (e instanceof CliExit) {
      process.stderr.write(`error: ${oneLine(e.message)}\n`);
      return e.code;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`error: ${oneLine(e.message)}\n`);
      return EXIT_INVALID;
    }
    if (isDataFileError(e) || e instanceof DataError) {
      process.stderr.write(`error: ${oneLine((e as Error).message)}\n`);
      return EXIT_DATA;
    }
    process.stderr.write(`error: ${oneLine((e as Error).message ?? String(e))}\n`);
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
      process.stderr.write(`error: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
