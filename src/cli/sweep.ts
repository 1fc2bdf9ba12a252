/**
 * `npm run -s lab -- sweep CONFIG [--json] [--csv] [--shard I/N]`: a whole checkpoint through every
 * pipeline (config.sweep; src/engine/checkpoint.ts). CONFIG is read like `lab run`'s; its
 * `data.path` names the file (a `*.safetensors.index.json` for a sharded checkpoint).
 *
 * Output: a table (default), the JSON object of sweepJson (--json) or CSV, one line per tensor ×
 * pipeline (--csv). Tensor names come from the file: on the terminal every control or bidi
 * character is shown escaped (\xNN, \uNNNN), so a hostile name cannot move the cursor or recolour
 * the screen; the JSON escapes them by itself.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConfigError } from '../core/config/errors';
import type { ExperimentConfig } from '../core/config/schema';
import { fileParams } from '../core/config/data-params';
import { openTensorSet } from '../core/io';
import { METRICS } from '../core/methods';
import { formatMetric } from '../core/format-number';
import { runSweep, sweepJson, type SweepOutput, type SweepShard } from '../engine/checkpoint';
import { sourcesForPath } from './file-data';

/** "I/N" → {index: I, count: N} with 0 ≤ I < N ≤ 2^20, or a ConfigError('--shard'). */
export function parseShard(text: string): SweepShard {
  const m = /^(\d{1,7})\/(\d{1,7})$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 2 ** 20 || index >= count) {
    throw new ConfigError(
      '--shard',
      `expected I/N with 0 ≤ I < N (e.g. 0/8 for the first of 8 shards), got ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  return { index, count };
}

function isControl(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** Control (C0, DEL, C1) and bidirectional-override characters, escaped for a terminal. */
export function escapeControl(s: string): string {
  let out = '';
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (!isControl(code)) out += c;
    else
      out +=
        code <= 0xff
          ? `\\x${code.toString(16).padStart(2, '0')}`
          : `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return out;
}

/**
 * A full garbage collection between tensors (runSweep's `reclaim`): node exposes `gc` only under
 * --expose-gc, which V8 also accepts at run time; the function is then taken from a fresh context.
 * Undefined when that fails (the sweep still runs, with a higher peak).
 */
export function fullGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

export async function sweepForCli(
  config: ExperimentConfig,
  shard?: SweepShard,
  hash = false,
): Promise<SweepOutput> {
  if (!config.sweep) {
    throw new ConfigError(
      'sweep',
      'lab sweep needs a config with a "sweep" field, e.g. "sweep": {"minElements": 1024}',
    );
  }
  const { path } = fileParams(config.data);
  if (path === '') throw new ConfigError('data.path', 'a file path is required when data.source is "file"');
  const set = await openTensorSet(await sourcesForPath(path));
  const reclaim = fullGc();
  return runSweep(config, set, { ...(shard ? { shard } : {}), ...(reclaim ? { reclaim } : {}), hash });
}

const csvCell = (v: string | number): string => {
  const s = typeof v === 'number' ? String(v) : v;
  return /[",\n\r]/.test(s) || /^[=+\-@\t]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function formatSweepCsv(out: SweepOutput): string {
  const ids = METRICS.map((m) => m.id);
  const lines = [
    ['tensor', 'shape', 'rows', 'dim', 'layout', 'deadRows', 'pipeline', 'bitsPerCoord', ...ids].join(','),
  ];
  for (const t of out.tensors) {
    for (const r of t.results) {
      lines.push(
        [
          t.name,
          t.shape.join('x'),
          t.rows,
          t.dim,
          t.layout,
          t.deadRows,
          r.label,
          r.bitsPerCoord,
          ...ids.map((id) => r.metrics[id]),
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function formatSweepTable(out: SweepOutput): string {
  const lines: string[] = [];
  const s = out.summary;
  lines.push(
    `${s.tensors} tensors (${s.skipped} skipped), ${s.parameters} parameters, ${s.deadRows} dead rows` +
      (out.shard ? `, shard ${out.shard.index}/${out.shard.count}` : ''),
  );
  const header = ['tensor', 'rows×dim', 'dead', 'pipeline', 'bits/coord', 'vnmse', 'sqnrDb', 'cosine'];
  const rows: string[][] = [];
  for (const t of out.tensors) {
    const name = escapeControl(t.name);
    if (t.skipped) {
      rows.push([
        name,
        `${t.rows}×${t.dim}`,
        String(t.deadRows),
        `skipped: ${escapeControl(t.skipped)}`,
        '',
        '',
        '',
        '',
      ]);
      continue;
    }
    t.results.forEach((r, i) =>
      rows.push([
        i === 0 ? name : '',
        i === 0 ? `${t.rows}×${t.dim}${t.layout === 'cols-first' ? ' (cols-first)' : ''}` : '',
        i === 0 ? String(t.deadRows) : '',
        r.label,
        r.bitsPerCoord.toFixed(4),
        formatMetric('vnmse', r.metrics.vnmse),
        formatMetric('sqnrDb', r.metrics.sqnrDb),
        formatMetric('cosine', r.metrics.cosine),
      ]),
    );
  }
  for (const p of s.pipelines) {
    rows.push([
      'TOTAL (parameter-weighted)',
      `${p.parameters}`,
      '',
      p.label,
      p.bitsPerCoord.toFixed(4),
      formatMetric('vnmse', p.metrics.vnmse),
      formatMetric('sqnrDb', p.metrics.sqnrDb),
      formatMetric('cosine', p.metrics.cosine),
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  lines.push(fmt(header), fmt(header.map((_, i) => '-'.repeat(widths[i]))), ...rows.map(fmt));
  for (const p of s.pipelines) {
    const worst = p.worst
      .map((w) => `${escapeControl(w.name)} (${formatMetric('vnmse', w.vnmse)})`)
      .join(', ');
    lines.push(`worst for ${p.label}: ${worst || '—'}`);
  }
  lines.push('vnmse/cosine leave out dead rows (‖x_i‖ ≤ 1e-12·max‖x_j‖); mse and sqnrDb count every row.');
  lines.push(`permalink: ${out.permalink}`);
  if (out.sha256) lines.push(`checkpoint SHA-256 (names and tensor hashes, plan order): ${out.sha256}`);
  return `${lines.join('\n')}\n`;
}

export function formatSweep(out: SweepOutput, opts: { json?: boolean; csv?: boolean }): string {
  if (opts.json) return `${JSON.stringify(sweepJson(out), null, 2)}\n`;
  if (opts.csv) return formatSweepCsv(out);
  return formatSweepTable(out);
}
