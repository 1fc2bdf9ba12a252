/**
 * "Reproduce in Python": a runnable numpy-only script for one pipeline of the current config.
 *
 * What is bit-identical and what is not (stated in the script too):
 *  - numpy's generators differ from ours (xoshiro128** with portable normals, src/core/rng.ts), so
 *    generated data cannot be re-drawn in numpy. The script therefore embeds x (the data, float32)
 *    and x̂ (our reconstruction, float32) — base64 inline when small, else as .npy files saved next
 *    to it — and the 64 seeded ipNvar queries. Those inputs are bit-identical.
 *  - It recomputes every CONTRACT.md §5 metric from them in float64: equal to ours up to summation
 *    order (relative differences ~1e-7, we accumulate float32 products in float64 too).
 *  - For identity / wht / rht transforms with eden or turboquant-mse it also re-runs the pipeline
 *    from x with the exported random signs and Lloyd–Max codebook (np.searchsorted on the
 *    thresholds, ties to the lower level as in nearestLevelIndex), in float64; our kernels keep
 *    float32 buffers, so x̂ agrees to ~1e-6, not bit for bit. Other methods are not re-implemented.
 *
 * Building the script generates the data, runs the pipeline and solves the Lloyd–Max codebook, so
 * the page calls it in the teaching worker (src/worker/teach-api.ts pythonExport), never on its
 * main thread; the CLI and the tests call it in-process.
 */
import { readsBytes } from '../core/methods';
import { generateData } from '../core/data-loader';
import { lloydMaxGaussian, lloydMaxSphere } from '../core/linalg/lloydmax';
import { nextPowerOfTwo } from '../core/linalg/fwht';
import { randomSigns } from '../core/linalg/signedHadamard';
import { unitQueries } from '../core/methods/metrics/ip-nvar';
import { num, str } from '../core/methods/params';
import { pipelineLabel, runExperiment, type PipelineResult } from '../core/pipeline';
import { createRngFactory } from '../core/rng';
import type { ExperimentConfig } from '../core/config/schema';
import { pyStr } from '../core/encode';

export const INLINE_LIMIT = 32_768;

export interface PythonExport {
  readonly script: string;
  /** .npy files the script loads when the data are too large to inline (name → bytes). */
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly result: PipelineResult;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function f32Bytes(a: Float32Array | Float64Array): Uint8Array {
  const f = a instanceof Float32Array ? a : Float32Array.from(a);
  const out = new Uint8Array(f.length * 4);
  const view = new DataView(out.buffer);
  f.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/** NumPy .npy v1.0 (little-endian float32, C order) per the NEP 1 format description. */
export function npyFloat32(a: Float32Array | Float64Array, shape: readonly number[]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const body = f32Bytes(a);
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(body, 10 + header.length);
  return out;
}

/** A Python float expression for any double (repr-exact; NaN/inf spelled as float('…')). */
function pyFloat(v: number): string {
  if (Number.isNaN(v)) return "float('nan')";
  if (!Number.isFinite(v)) return v > 0 ? "float('inf')" : "-float('inf')";
  return v.toPrecision(17);
}

const pyList = (a: ArrayLike<number>) =>
  `[${Array.from(a, (v) => (Number.isInteger(v) ? String(v) : v.toPrecision(17))).join(', ')}]`;

/** Builds the script for pipeline `index` (generated data only). */
export function pythonExport(config: ExperimentConfig, index: number): PythonExport {
  const { source, ...params } = config.data;
  if (readsBytes(source))
    throw new Error('file data: export x and x̂ from the results instead (the file is not embedded)');
  const x = generateData(source, params, config.seed);
  const p = config.pipelines[index];
  let xHat = new Float32Array(0);
  const [result] = runExperiment({ seed: config.seed, pipelines: [p] }, x, {
    collect: (b) => (xHat = b.xHat.slice()),
  });
  const { rows, cols: d } = x;
  const rng = createRngFactory(config.seed);
  const queries = unitQueries(rng, d);
  const files = new Map<string, Uint8Array>();
  const inline = rows * d <= INLINE_LIMIT;
  let load: string;
  if (inline) {
    load = [
      `X_B64 = "${base64(f32Bytes(x.data))}"`,
      `XHAT_B64 = "${base64(f32Bytes(xHat))}"`,
      `Q_B64 = "${base64(f32Bytes(queries))}"`,
      'def _arr(s, shape):',
      "    return np.frombuffer(base64.b64decode(s), dtype='<f4').reshape(shape).astype(np.float64)",
      `x = _arr(X_B64, (${rows}, ${d}))`,
      `xhat = _arr(XHAT_B64, (${rows}, ${d}))`,
      `queries = _arr(Q_B64, (64, ${d}))`,
    ].join('\n');
  } else {
    files.set('x.npy', npyFloat32(x.data, [rows, d]));
    files.set('xhat.npy', npyFloat32(xHat, [rows, d]));
    files.set('queries.npy', npyFloat32(queries, [64, d]));
    load = [
      "x = np.load('x.npy').astype(np.float64)",
      "xhat = np.load('xhat.npy').astype(np.float64)",
      "queries = np.load('queries.npy').astype(np.float64)",
    ].join('\n');
  }
  const m = result.metrics;
  const ours = `OURS = {${Object.entries(m)
    .map(([k, v]) => `${pyStr(k)}: ${pyFloat(v)}`)
    .join(', ')}}`;

  // Optional re-run of the pipeline itself.
  let rerun =
    "print('pipeline re-run in numpy covers identity/wht/rht with eden or turboquant-mse; the metrics above use our exported x-hat')";
  // The numpy re-run covers chains of at most one stage; longer chains carry x̂ only.
  const t = p.transforms.length === 0 ? { id: 'identity', params: {} } : p.transforms[0];
  const q = p.quantizer;
  // size 'exact' (K·2^n Hadamard) is not re-run: the numpy script builds pow2 Hadamards only.
  const tOk =
    p.transforms.length <= 1 &&
    (t.id === 'identity' || ((t.id === 'wht' || t.id === 'rht') && t.params.size !== 'exact'));
  const qOk = q.id === 'eden' || q.id === 'turboquant-mse';
  if (tOk && qOk) {
    const n = t.id === 'identity' ? d : nextPowerOfTwo(d);
    const rounds = t.id === 'rht' ? num(t.params, 'rounds') : t.id === 'wht' ? 1 : 0;
    const signs =
      t.id === 'rht'
        ? Array.from({ length: rounds }, (_, r) =>
            pyList(randomSigns(rng.stream('rotation', 'rht', n, 'round', r), n)),
          )
        : Array.from({ length: rounds }, () => `[1.0] * ${n}`);
    const bits = num(q.params, 'bits');
    const cb = q.id === 'eden' ? lloydMaxGaussian(bits) : lloydMaxSphere(bits, n);
    const lines = [
      `N = ${n}`,
      `SIGNS = [${signs.map((s) => `np.array(${s})`).join(', ')}]`,
      `LEVELS = np.array(${pyList(Float32Array.from(cb.levels))})  # float32-rounded, as our kernels store them`,
      `THRESHOLDS = np.array(${pyList(cb.thresholds)})`,
      'def fwht(a):',
      '    a = a.copy(); r, n = a.shape; h = 1',
      '    while h < n:',
      '        b = a.reshape(r, n // (2 * h), 2, h)',
      '        a = np.stack([b[:, :, 0] + b[:, :, 1], b[:, :, 0] - b[:, :, 1]], axis=2).reshape(r, n)',
      '        h *= 2',
      '    return a / np.sqrt(n)',
      'y = np.zeros((x.shape[0], N)); y[:, :x.shape[1]] = x',
      'for s in SIGNS:',
      '    y = fwht(y * s)',
      'norm = np.linalg.norm(y, axis=1, keepdims=True); safe = np.where(norm > 0, norm, 1)',
    ];
    if (q.id === 'eden') {
      lines.push(
        'qv = LEVELS[np.searchsorted(THRESHOLDS, np.sqrt(N) * y / safe, side="left")]',
        'yq = np.sum(y * qv, axis=1, keepdims=True); qq = np.sum(qv * qv, axis=1, keepdims=True)',
        str(q.params, 'scale') === 'unbiased' ? 'S = norm**2 / np.where(yq != 0, yq, 1)' : 'S = yq / qq',
        'yhat = np.where(norm > 0, S * qv, 0)',
      );
    } else
      lines.push(
        'yhat = np.where(norm > 0, norm * LEVELS[np.searchsorted(THRESHOLDS, y / safe, side="left")], 0)',
      );
    lines.push(
      'for s in reversed(SIGNS):',
      '    yhat = fwht(yhat) * s',
      'xhat_np = yhat[:, :x.shape[1]]',
      "print('pipeline re-run in numpy: max |x̂_numpy − x̂_ours| =', np.max(np.abs(xhat_np - xhat)), '(float64 vs our float32 buffers: ~1e-6, not bit-identical)')",
    );
    rerun = lines.join('\n');
  }
  // Free text (the label comes from a shared link) only ever appears inside a string literal
  // built by pyStr, never in a comment or as code: a newline in a label cannot end anything.
  const script = `#!/usr/bin/env python3
# QuantScope: recompute the metrics of one pipeline (PIPELINE below) for the config in DATA.
# numpy's RNG differs from QuantScope's (xoshiro128**), so generated data cannot be re-drawn
# in numpy: x and our reconstruction x̂ are exported bit for bit (float32) ${inline ? 'inline below' : 'as x.npy / xhat.npy next to this script'}.
# Metrics are recomputed here in float64 (CONTRACT.md §5); they match ours to ~1e-6 relative.
import base64
import numpy as np

PIPELINE = ${pyStr(pipelineLabel(p))}
PIPELINE_INDEX = ${index + 1}
SEED = ${config.seed}
DATA = ${pyStr(JSON.stringify(config.data))}
print('pipeline', PIPELINE_INDEX, PIPELINE, 'seed', SEED, 'data', DATA)

${load}

def metrics(x, xhat, queries):
    e = xhat - x
    n2 = np.sum(x * x, axis=1)
    ok = n2 > 0
    d = x.shape[1]
    dots = np.sum(x * xhat, axis=1)
    nh = np.linalg.norm(xhat, axis=1)
    cos = np.where(ok & (nh > 0), dots / np.sqrt(np.where(ok, n2, 1)) / np.where(nh > 0, nh, 1), 0)
    ip = (e[ok] @ queries.T) ** 2 / n2[ok, None]
    return {
        'vnmse': float(np.mean(np.sum(e[ok] ** 2, axis=1) / n2[ok])),
        'mse': float(np.mean(e ** 2)),
        'sqnrDb': float(10 * np.log10(np.sum(x * x) / np.sum(e * e))),
        'cosine': float(np.mean(cos[ok])),
        'ipRatio': float(np.sum(dots) / np.sum(n2)),
        'ipNvar': float(d * np.mean(ip)),
    }

${ours}
mine = metrics(x, xhat, queries)
for k, v in mine.items():
    print(f"{k:8s} numpy {v:.10g}   quantscope {OURS[k]:.10g}   rel diff {abs(v - OURS[k]) / max(abs(OURS[k]), 1e-300):.2e}")

${rerun}
`;
  return { script, files, result };
}
