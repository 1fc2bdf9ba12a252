/**
 * `npm run bench:page`: what a user feels on the page, measured in Chromium (Debian's, like
 * playwright.config.ts) against a production build served by `vite preview` (same headers as the
 * e2e specs). Prints, for the default experiment:
 *
 *  1. cold load (fresh profile: no IndexedDB): time from navigation start to the results table
 *     (app data-status="ready" with rows) and to each chart card drawn (data-status="ready" with its
 *     svg/canvas), plus the load event for reference;
 *  2. edit: pipeline 0's bits 2 → 3, from the input event to the new row (its bits/coord cell shows
 *     the new value and the app is ready again), and to every chart drawn again;
 *  3. reload of the edited link (seen before: same profile, so IndexedDB has it): table and charts;
 *  4. baselines measured in the same run, for ratios that survive the shared machine's load: the
 *     edited link loaded cold in a fresh profile (what the edit would cost without the result
 *     cache), and `node -e 0` (a process start, a CPU-speed reference).
 *
 * Times are page-side (performance.now(), marked by a MutationObserver installed before any page
 * script), so Playwright's polling adds nothing. Below the table, each rep's worker calls and
 * IndexedDB look-ups (ComputeClient's User Timing measures, "quantscope <slot>") as spans from
 * navigation start (cold) or from the input event (edit): the critical path, which worker ran when. Targets (README "Performance"): table ≤ 1.5 s,
 * every chart ≤ 4 s, edit ≤ 0.5 s. Reported, never asserted.
 *
 * The cold page is saved to .cache/bench-page/default.png. Options: --reps=N (default 1; each rep is a fresh browser profile, the table shows the median),
 * --no-build (serve the last build in .cache/bench-page/dist). PW_PORT picks the port (default
 * 4173 + 7).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { build, preview } from 'vite';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, '.cache', 'bench-page', 'dist');
const PORT = Number(process.env.PW_PORT ?? 4180);
const TIMEOUT_MS = 180_000;

/** Installed before any page script: records when the table and each chart first become ready. */
const MARKER = `(() => {
  const marks = (window.__qsMarks = { table: null, charts: {}, editStart: null, editRow: null, editCharts: {}, armed: false, before: null });
  const row0Bits = () => {
    const td = document.querySelector('[data-testid="results-table"] tbody tr td[data-metric="bitsPerCoord"]');
    return td ? td.getAttribute('data-value') : null;
  };
  const check = () => {
    const now = performance.now();
    const app = document.querySelector('[data-testid="app"]');
    const ready = app && app.getAttribute('data-status') === 'ready' &&
      document.querySelector('[data-testid="results-table"] tbody tr');
    if (ready && marks.table === null) marks.table = now;
    const charts = marks.editStart === null ? marks.charts : marks.editCharts;
    if (marks.editStart !== null && marks.editRow === null && ready && row0Bits() !== marks.before)
      marks.editRow = now;
    if (marks.editStart !== null && marks.editRow === null) return;
    for (const fig of document.querySelectorAll('figure.chart-card[data-status="ready"]')) {
      const id = (fig.getAttribute('data-testid') || '').replace(/^chart-/, '');
      if (charts[id] === undefined && fig.querySelector('svg, canvas')) charts[id] = now;
    }
  };
  document.addEventListener('input', () => {
    if (marks.armed && marks.editStart === null) {
      marks.before = row0Bits();
      marks.editStart = performance.now();
    }
  }, true);
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'data-value'],
  });
})();`;

interface Marks {
  table: number | null;
  charts: Record<string, number>;
  editStart: number | null;
  editRow: number | null;
  editCharts: Record<string, number>;
}

/** One worker call (ComputeClient's User Timing measures), ms from navigation start. */
interface Span {
  name: string;
  start: number;
  end: number;
}

interface Visit {
  table: number;
  load: number;
  charts: Record<string, number>;
  spans: Span[];
}

interface Rep {
  cold: Visit;
  edit: { row: number; charts: Record<string, number>; spans: Span[] };
  reload: Visit;
  coldEdited: Visit;
}

const CHART_IDS = ['rd', 'outliers', 'error', 'spectra', 'ip'];

function fmt(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)];
}

async function marks(page: Page): Promise<Marks> {
  return page.evaluate(() => (window as unknown as { __qsMarks: Marks }).__qsMarks);
}

/** Wait until the table and every chart of the page have a mark (or the edit's marks). */
async function waitAll(page: Page, edit: boolean): Promise<void> {
  await page.waitForFunction(
    (isEdit) => {
      const m = (window as unknown as { __qsMarks: Marks }).__qsMarks;
      if (isEdit ? m.editRow === null : m.table === null) return false;
      const charts = isEdit ? m.editCharts : m.charts;
      const present = Array.from(document.querySelectorAll('figure.chart-card')).map((f) =>
        (f.getAttribute('data-testid') ?? '').replace(/^chart-/, ''),
      );
      return present.length > 0 && present.every((id) => charts[id] !== undefined);
    },
    edit,
    { timeout: TIMEOUT_MS, polling: 100 },
  );
}

async function visit(page: Page, url: string, reload = false): Promise<Visit> {
  if (reload) await page.reload();
  else await page.goto(url);
  await waitAll(page, false);
  const m = await marks(page);
  const load = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return nav ? nav.loadEventEnd : NaN;
  });
  return { table: m.table ?? NaN, load, charts: m.charts, spans: await spans(page) };
}

async function spans(page: Page): Promise<Span[]> {
  return page.evaluate(() =>
    performance
      .getEntriesByType('measure')
      .filter((e) => e.name.startsWith('quantscope '))
      .map((e) => ({
        name: e.name.slice('quantscope '.length),
        start: e.startTime,
        end: e.startTime + e.duration,
      })),
  );
}

async function oneRep(browser: Browser, base: string): Promise<Rep> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript({ content: MARKER });
  const page = await context.newPage();
  const cold = await visit(page, `${base}/`);
  // What was measured, for a look: the page with its table and every chart drawn.
  await page.screenshot({ path: join(ROOT, '.cache', 'bench-page', 'default.png'), fullPage: true });
  await page.evaluate(() => {
    (window as unknown as { __qsMarks: Marks & { armed: boolean } }).__qsMarks.armed = true;
  });
  await page.getByTestId('quantizer-0-bits').fill('3');
  await waitAll(page, true);
  const m = await marks(page);
  const start = m.editStart ?? NaN;
  const edit = {
    row: (m.editRow ?? NaN) - start,
    charts: Object.fromEntries(Object.entries(m.editCharts).map(([k, v]) => [k, v - start])),
    spans: (await spans(page))
      .filter((x) => x.start >= start)
      .map((x) => ({ ...x, start: x.start - start, end: x.end - start })),
  };
  const edited = page.url();
  const reload = await visit(page, edited, true);
  await context.close();
  // Baseline: the edited link in a fresh profile (every pipeline computed, no cache of any kind).
  const fresh = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await fresh.addInitScript({ content: MARKER });
  const coldEdited = await visit(await fresh.newPage(), edited);
  await fresh.close();
  return { cold, edit, reload, coldEdited };
}

function nodeAloneMs(): number {
  let bestMs = Infinity;
  for (let r = 0; r < 4; r++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    const dt = performance.now() - t0;
    if (r > 0) bestMs = Math.min(bestMs, dt);
  }
  return bestMs;
}

function table(headers: string[], rows: string[][]): void {
  console.log(`| ${headers.join(' | ')} |`);
  console.log(`| ${headers.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log('');
}

async function main(): Promise<void> {
  const repsArg = process.argv.find((a) => a.startsWith('--reps='));
  const reps = repsArg ? Number(repsArg.slice('--reps='.length)) : 1;
  if (!Number.isInteger(reps) || reps < 1)
    throw new Error(`--reps: expected a positive integer, got ${repsArg}`);
  const load0 = loadavg();
  if (!process.argv.includes('--no-build')) {
    const t0 = performance.now();
    await build({ root: ROOT, logLevel: 'warn', build: { outDir: OUT_DIR, emptyOutDir: true } });
    console.log(`built in ${fmt(performance.now() - t0)}\n`);
  }
  const server = await preview({
    root: ROOT,
    logLevel: 'warn',
    build: { outDir: OUT_DIR },
    preview: { port: PORT, strictPort: true, host: '127.0.0.1' },
  });
  const base = `http://127.0.0.1:${PORT}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  const runs: Rep[] = [];
  try {
    for (let r = 0; r < reps; r++) runs.push(await oneRep(browser, base));
  } finally {
    await browser.close();
    await server.close();
  }
  const node = nodeAloneMs();
  const load1 = loadavg();
  const med = (f: (r: Rep) => number) => median(runs.map(f));
  const maxChart = (c: Record<string, number>) =>
    Math.max(...CHART_IDS.filter((id) => id in c).map((id) => c[id]));
  const met = (v: number, target: number) => (v <= target ? 'met' : 'missed');

  console.log(`# QuantScope page bench — Chromium, default experiment, median of ${reps} fresh profile(s)\n`);
  console.log(
    `load average (1/5/15 min): before ${load0.map((x) => x.toFixed(2)).join(' / ')}, after ${load1.map((x) => x.toFixed(2)).join(' / ')}; node -e 0: ${fmt(node)}\n`,
  );
  const coldTable = med((r) => r.cold.table);
  const rows: string[][] = [
    ['load event (cold)', fmt(med((r) => r.cold.load)), '', ''],
    [
      'table (cold load, from navigation)',
      fmt(coldTable),
      `${(coldTable / node).toFixed(1)}× node -e 0`,
      `≤ 1.5 s: ${met(coldTable, 1500)}`,
    ],
  ];
  for (const id of CHART_IDS) {
    const v = med((r) => r.cold.charts[id] ?? NaN);
    if (Number.isFinite(v))
      rows.push([`chart ${id} drawn (cold load)`, fmt(v), '', `≤ 4 s: ${met(v, 4000)}`]);
  }
  const editRow = med((r) => r.edit.row);
  const baseRow = med((r) => r.coldEdited.table);
  rows.push(
    [
      'edit pipeline 0 bits 2 → 3: new row',
      fmt(editRow),
      `${(editRow / baseRow).toFixed(2)}× a cold load of the edited link`,
      `≤ 0.5 s: ${met(editRow, 500)}`,
    ],
    ['edit: every chart drawn again', fmt(med((r) => maxChart(r.edit.charts))), '', ''],
    [
      'reload of the edited link (seen before): table',
      fmt(med((r) => r.reload.table)),
      `${(med((r) => r.reload.table) / baseRow).toFixed(2)}× cold`,
      '',
    ],
    ['reload: every chart drawn', fmt(med((r) => maxChart(r.reload.charts))), '', ''],
    ['baseline: edited link, fresh profile: table', fmt(baseRow), '1.00×', ''],
    [
      'baseline: edited link, fresh profile: every chart',
      fmt(med((r) => maxChart(r.coldEdited.charts))),
      '',
      '',
    ],
  );
  table(['measure', 'time', 'ratio', 'target'], rows);
  // Which worker computed when (ComputeClient's User Timing measures): the critical path.
  const spanText = (xs: Span[]) =>
    xs.map((x) => `${x.name} ${fmt(x.start)}–${fmt(x.end)}`).join(', ') || 'no worker call';
  runs.forEach((r, i) => {
    console.log(`worker calls, rep ${i + 1}, cold (from navigation): ${spanText(r.cold.spans)}`);
    console.log(`worker calls, rep ${i + 1}, edit (from the input event): ${spanText(r.edit.spans)}`);
  });
  console.log('');
  if (reps > 1) {
    console.log('per rep (table / slowest chart, cold · edit row · reload table):');
    for (const r of runs)
      console.log(
        `  ${fmt(r.cold.table)} / ${fmt(maxChart(r.cold.charts))} · ${fmt(r.edit.row)} · ${fmt(r.reload.table)}`,
      );
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
