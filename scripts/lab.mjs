/**
 * `npm run lab`: start the CLI (src/cli/main.ts) from a prebuilt single-file bundle, never a stale one.
 *
 * Why: running the TypeScript through tsx costs 1–1.5 s of startup per call (transpiling ~200
 * modules); node loads one pre-bundled file in about 0.1 s. The bundle is CommonJS, minified (names
 * kept), and compiled through vm.Script with V8's code cache stored beside it, so later starts
 * skip parsing and compiling most of it (about half of what is left of the start-up time).
 *
 * Never stale: the bundle is written with a record of every source file it was built from (esbuild's
 * metafile inputs) with its size, mtime and SHA-1, plus the same for package-lock.json (which pins
 * every bundled dependency and esbuild itself). Each start compares sizes and mtimes (a few ms);
 * a file whose stat changed is hashed, and any content change rebuilds. A file newly imported by
 * the CLI can only appear through an edit to a file already recorded, so the record covers it.
 * The code cache is V8's own: it is checked against the source and V8 version and rejected (then
 * rewritten) when they differ.
 *
 * Concurrency: bundles are named by the hash of their record and written to a temporary name then
 * renamed, so a process never imports a half-written file or one rebuilt under it by another.
 *
 * `node scripts/lab.mjs --build` only (re)builds; `npm ci` runs it through the `prepare` script.
 * Plain JavaScript on purpose: the launcher must not itself need a TypeScript loader.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, '.cache', 'lab');
const RECORD = join(OUT_DIR, 'record.json');
const ENTRY = join(ROOT, 'src', 'cli', 'main.ts');
const LOCK = 'package-lock.json';

/** SHA-1 of a file's bytes, or '' when it cannot be read (a deleted input forces a rebuild). */
function sha1(path) {
  try {
    return createHash('sha1').update(readFileSync(path)).digest('hex');
  } catch {
    return '';
  }
}

/** [size, mtimeMs, sha1] of a file under ROOT. */
function fingerprint(rel) {
  const abs = join(ROOT, rel);
  try {
    const st = statSync(abs);
    return [st.size, st.mtimeMs, sha1(abs)];
  } catch {
    return [-1, -1, ''];
  }
}

/** True when the file still has the recorded content (stat first; hash only if the stat moved). */
function unchanged(rel, [size, mtime, hash]) {
  try {
    const st = statSync(join(ROOT, rel));
    if (st.size === size && st.mtimeMs === mtime) return true;
    return st.size === size && sha1(join(ROOT, rel)) === hash;
  } catch {
    return false;
  }
}

/** The recorded bundle's path when every recorded input is unchanged; otherwise null. */
function currentBuild() {
  let record;
  try {
    record = JSON.parse(readFileSync(RECORD, 'utf8'));
  } catch {
    return null;
  }
  if (!record || typeof record !== 'object' || typeof record.bundle !== 'string' || !record.inputs)
    return null;
  for (const [file, fp] of Object.entries(record.inputs)) {
    if (!Array.isArray(fp) || !unchanged(file, fp)) return null;
  }
  const bundle = join(OUT_DIR, record.bundle);
  return existsSync(bundle) ? bundle : null;
}

function writeAtomic(path, data) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

async function build() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    keepNames: true,
    write: false,
    metafile: true,
    outfile: join(OUT_DIR, 'lab.cjs'),
    logLevel: 'warning',
  });
  const inputs = { [LOCK]: fingerprint(LOCK) };
  for (const file of Object.keys(result.metafile.inputs).sort()) {
    const rel = relative(ROOT, join(process.cwd(), file));
    // Dependencies are pinned by package-lock.json; our own sources are recorded one by one.
    if (rel.split(/[/\\]/).includes('node_modules')) continue;
    inputs[rel] = fingerprint(rel);
  }
  const code = result.outputFiles[0].contents;
  const id = createHash('sha1').update(code).digest('hex').slice(0, 16);
  const name = `lab-${id}.cjs`;
  mkdirSync(OUT_DIR, { recursive: true });
  writeAtomic(join(OUT_DIR, name), code);
  writeAtomic(RECORD, JSON.stringify({ bundle: name, inputs }, null, 1));
  // Older bundles are unreachable now; remove them (a process already running one has loaded it).
  for (const f of readdirSync(OUT_DIR)) {
    if (/^lab-[0-9a-f]+\.cjs(\.v8)?$/.test(f) && !f.startsWith(name))
      rmSync(join(OUT_DIR, f), { force: true });
  }
  return join(OUT_DIR, name);
}

/**
 * Load the CommonJS bundle through vm.Script with V8's code cache (`<bundle>.v8`): returns its
 * exports and a function that writes the cache when it was missing or rejected (called once the
 * command has run, so the functions it compiled lazily are in the cache too).
 */
function load(bundle) {
  const cachePath = `${bundle}.v8`;
  let cachedData;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
  const saveCache = () => {
    if (cachedData !== undefined && !script.cachedDataRejected) return;
    try {
      writeAtomic(cachePath, script.createCachedData());
    } catch {
      // A read-only checkout still runs, only without the cache.
    }
  };
  return { exports: mod.exports, saveCache };
}

async function launch() {
  const buildOnly = process.argv[2] === '--build';
  let bundle = buildOnly ? null : currentBuild();
  if (bundle === null) {
    try {
      bundle = await build();
    } catch (e) {
      if (e && e.code === 'ERR_MODULE_NOT_FOUND') {
        // `prepare` on an install without dev dependencies must not fail the install itself.
        process.stderr.write(
          `${buildOnly ? 'lab: skipped' : 'error'}: esbuild is not installed (run npm ci); it builds the CLI bundle\n`,
        );
        return buildOnly ? 0 : 1;
      }
      throw e;
    }
  }
  const { exports, saveCache } = load(bundle);
  if (buildOnly) {
    saveCache();
    process.stdout.write(`lab: bundle ${relative(ROOT, bundle)}\n`);
    return 0;
  }
  const code = await exports.main(process.argv.slice(2));
  saveCache();
  return code;
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
