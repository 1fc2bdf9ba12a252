/**
 * `npm run lab`: start the CLI (src/cli/main.ts) from a prebuilt single-file bundle, never a stale one.
 *
 * Why: running the TypeScript through tsx costs 1–1.5 s of startup per call (transpiling ~200
 * modules); node loads one pre-bundled ESM file in about 0.1 s.
 *
 * Never stale: the bundle is written with a record of every source file it was built from (esbuild's
 * metafile inputs) and the SHA-1 of each, plus the SHA-1 of package-lock.json (which pins every
 * bundled dependency). Each start re-hashes those files (a few ms) and rebuilds when any differs,
 * when the record is missing, or when esbuild's version changed. A file newly imported by the CLI
 * can only appear through an edit to a file already recorded, so the record covers it.
 *
 * Concurrency: bundles are named by the hash of their record and written to a temporary name then
 * renamed, so a process never imports a half-written file or one rebuilt under it by another.
 *
 * `node scripts/lab.mjs --build` only (re)builds; `npm ci` runs it through the `prepare` script.
 * Plain JavaScript on purpose: the launcher must not itself need a TypeScript loader.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, '.cache', 'lab');
const RECORD = join(OUT_DIR, 'record.json');
const ENTRY = join(ROOT, 'src', 'cli', 'main.ts');
const LOCK = join(ROOT, 'package-lock.json');

/** SHA-1 of a file's bytes, or '' when it cannot be read (a deleted input forces a rebuild). */
function sha1(path) {
  try {
    return createHash('sha1').update(readFileSync(path)).digest('hex');
  } catch {
    return '';
  }
}

/** The recorded build, when every input still hashes the same; otherwise null. */
function currentBuild() {
  let record;
  try {
    record = JSON.parse(readFileSync(RECORD, 'utf8'));
  } catch {
    return null;
  }
  if (!record || typeof record !== 'object' || typeof record.bundle !== 'string') return null;
  if (record.lock !== sha1(LOCK)) return null;
  for (const [file, hash] of Object.entries(record.inputs ?? {})) {
    if (sha1(join(ROOT, file)) !== hash) return null;
  }
  const bundle = join(OUT_DIR, record.bundle);
  return existsSync(bundle) ? bundle : null;
}

async function build() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    outfile: join(OUT_DIR, 'lab.mjs'),
    logLevel: 'warning',
    // Bundled CommonJS dependencies (commander) call require() for node built-ins.
    banner: {
      js: "import { createRequire as __qsRequire } from 'node:module'; const require = __qsRequire(import.meta.url);",
    },
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs).sort()) {
    const abs = join(process.cwd(), file);
    const rel = relative(ROOT, abs);
    // Dependencies are pinned by package-lock.json; hash our own sources one by one.
    if (rel.split(/[/\\]/).includes('node_modules')) continue;
    inputs[rel] = sha1(abs);
  }
  const code = result.outputFiles[0].contents;
  const lock = sha1(LOCK);
  const id = createHash('sha1')
    .update(JSON.stringify({ inputs, lock }))
    .update(code)
    .digest('hex')
    .slice(0, 16);
  const name = `lab-${id}.mjs`;
  mkdirSync(OUT_DIR, { recursive: true });
  const tmp = join(OUT_DIR, `.${name}.${process.pid}.tmp`);
  writeFileSync(tmp, code);
  renameSync(tmp, join(OUT_DIR, name));
  const recordTmp = join(OUT_DIR, `.record.${process.pid}.tmp`);
  writeFileSync(recordTmp, JSON.stringify({ bundle: name, lock, inputs }, null, 1));
  renameSync(recordTmp, RECORD);
  // Older bundles are unreachable now; remove them (a process already running one has loaded it).
  for (const f of readdirSync(OUT_DIR)) {
    if (/^lab-[0-9a-f]+\.mjs$/.test(f) && f !== name) rmSync(join(OUT_DIR, f), { force: true });
  }
  return join(OUT_DIR, name);
}

async function launch() {
  const buildOnly = process.argv[2] === '--build';
  // The common path never loads esbuild: package-lock.json (in the record) pins its version too.
  let bundle = buildOnly ? null : currentBuild();
  if (bundle === null) {
    try {
      bundle = await build();
    } catch (e) {
      if (e && e.code === 'ERR_MODULE_NOT_FOUND') {
        process.stderr.write('error: esbuild is not installed (run npm ci); it builds the CLI bundle\n');
        return 1;
      }
      throw e;
    }
  }
  if (buildOnly) {
    process.stdout.write(`lab: bundle ${relative(ROOT, bundle)}\n`);
    return 0;
  }
  const { main } = await import(pathToFileURL(bundle).href);
  return main(process.argv.slice(2));
}

launch().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
