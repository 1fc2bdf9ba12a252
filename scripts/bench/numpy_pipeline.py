"""numpy doing the CLI pipeline's work, for `npm run bench` (scripts/bench.ts).

Same work as `lab run` with data gaussian rows x d, rht (1 round) -> int b=4 g128 sym, all metrics:
generate rows x d N(0,1) float32, random signs, a normalised FWHT per row (in-place radix-2
butterflies, float32), INT4 with fp16 group scales (ties to even, clamp to [-8, 7]), the inverse
transform, then vnmse, mse, sqnrDb, cosine, ipRatio (float64 sums) and ipNvar (64 unit queries,
float64 products). Prints one JSON line: {"ms": wall of the work, "vnmse": ...}. The random
streams differ from QuantScope's (numpy's own generator), so only the amount of work matches.
"""

import json
import sys
import time

import numpy as np


def fwht_rows(a):
    """In-place unnormalised FWHT along axis 1 of a C-contiguous rows x n float32 array."""
    rows, n = a.shape
    h = 1
    while h < n:
        v = a.reshape(rows, n // (2 * h), 2, h)
        x0 = v[:, :, 0, :]
        x1 = v[:, :, 1, :]
        t = x0 - x1
        x0 += x1
        x1[...] = t
        h *= 2
    return a


def main():
    rows, d = int(sys.argv[1]), int(sys.argv[2])
    t0 = time.perf_counter()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((rows, d), dtype=np.float32)
    signs = np.where(rng.integers(0, 2, d) == 1, -1.0, 1.0).astype(np.float32)
    inv_sqrt = np.float32(1 / np.sqrt(d))
    y = fwht_rows(x * signs)
    y *= inv_sqrt
    g = y.reshape(rows, d // 128, 128)
    amax = np.abs(g).max(axis=2, keepdims=True)
    s = (amax / 7).astype(np.float16).astype(np.float32)
    safe = np.where(s > 0, s, 1)
    q = np.clip(np.rint(g / safe), -8, 7)
    yh = np.where(s > 0, q * s, 0).astype(np.float32).reshape(rows, d)
    xh = fwht_rows(yh)
    xh *= inv_sqrt
    xh *= signs
    x64 = x.astype(np.float64)
    h64 = xh.astype(np.float64)
    e = x64 - h64
    norms = (x64 * x64).sum(axis=1)
    hat = (h64 * h64).sum(axis=1)
    err_rows = (e * e).sum(axis=1)
    dots = (x64 * h64).sum(axis=1)
    out = {
        "vnmse": float(np.mean(err_rows / norms)),
        "mse": float(err_rows.sum() / x.size),
        "sqnrDb": float(10 * np.log10(norms.sum() / err_rows.sum())),
        "cosine": float(np.mean(dots / np.sqrt(norms * hat))),
        "ipRatio": float(dots.sum() / norms.sum()),
    }
    qs = rng.standard_normal((64, d))
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    ip = (e @ qs.T) ** 2
    out["ipNvar"] = float(d * np.mean(ip.mean(axis=1) / norms))
    out["ms"] = (time.perf_counter() - t0) * 1000
    print(json.dumps(out))


if __name__ == "__main__":
    main()
