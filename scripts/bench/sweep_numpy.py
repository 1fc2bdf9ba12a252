#!/usr/bin/env python3
"""Vectorised numpy baseline for the checkpoint-sweep bench (scripts/bench.ts, "Whole checkpoint").

Usage: python3 sweep_numpy.py FILE.safetensors MIN_ELEMENTS  → one JSON line on stdout:
  {"seconds": wall time, "cpuSeconds": process CPU time, "tensors": [{"name", "vnmse": [int4, mxfp4, rht-mxfp4, nvfp4]}]}

The same work as `lab sweep` with the pipelines identity→int b=4 g128 (symmetric, fp16 scales),
identity→mxfp4, rht→mxfp4 and identity→nvfp4 on every F32 tensor with ≥ 2 dims and ≥ MIN_ELEMENTS
elements (rows-first view): read the tensor, quantize–dequantize each pipeline, and compute vnmse
(dead rows excluded), mse, sqnrDb, cosine, ipRatio and ipNvar (64 seeded unit queries). Written
from the format definitions (OCP MX v1.0 §5–6 for MXFP4/E2M1/E8M0; NVIDIA's NVFP4 description with
UE4M3 block and fp32 tensor scales; INT-k absmax with fp16 scales), whole arrays at a time, never a
Python loop over elements. The RHT's random signs come from numpy's RNG, so rht→mxfp4 numbers differ
from ours by sampling only; the three deterministic pipelines should agree to float rounding.
"""
import json
import struct
import sys
import time

import numpy as np


def round_minifloat(a, emin, mant, maxval):
    """|a| rounded to a sign-free minifloat with `mant` mantissa bits, min normal exponent emin,
    round-to-nearest-even (np.rint), saturating at maxval (subnormals: the step stays 2^(emin-mant))."""
    a = np.minimum(a, maxval)
    with np.errstate(divide='ignore'):
        e = np.floor(np.log2(np.where(a > 0, a, 1.0)))
    step = np.exp2(np.maximum(e, emin) - mant)
    return np.minimum(np.rint(a / step) * step, maxval)


def e2m1(v):
    return np.sign(v) * round_minifloat(np.abs(v), 0, 1, 6.0)


def blocks(x, b):
    r, c = x.shape
    pad = (-c) % b
    xp = np.pad(x, ((0, 0), (0, pad))) if pad else x
    return xp.reshape(r, -1, b), c


def int4_g128(x):
    xb, c = blocks(x, 128)
    amax = np.abs(xb).max(axis=2, keepdims=True)
    s = (amax / 7).astype(np.float16).astype(np.float64)
    with np.errstate(divide='ignore', invalid='ignore'):
        q = np.where(s > 0, np.clip(np.rint(xb / s), -8, 7) * s, 0.0)
    return q.reshape(x.shape[0], -1)[:, :c]


def mxfp4(x):
    xb, c = blocks(x, 32)
    amax = np.abs(xb).max(axis=2, keepdims=True)
    with np.errstate(divide='ignore'):
        e = np.floor(np.log2(np.where(amax > 0, amax, 1.0))) - 2
    scale = np.exp2(np.maximum(e, -127))
    q = np.where(amax > 0, e2m1(xb / scale) * scale, 0.0)
    return q.reshape(x.shape[0], -1)[:, :c]


def nvfp4(x):
    st = np.float64(np.float32(np.abs(x).max() / (448 * 6)))
    xb, c = blocks(x, 16)
    if st == 0:
        return np.zeros_like(x)
    amax = np.abs(xb).max(axis=2, keepdims=True)
    sb = round_minifloat(amax / 6 / st, -6, 3, 448.0)
    scale = sb * st
    with np.errstate(divide='ignore', invalid='ignore'):
        q = np.where(scale > 0, e2m1(xb / scale) * scale, 0.0)
    return q.reshape(x.shape[0], -1)[:, :c]


def fwht(y):
    r, n = y.shape
    h = 1
    while h < n:
        y = y.reshape(r, n // (2 * h), 2, h)
        y = np.concatenate((y[:, :, 0] + y[:, :, 1], y[:, :, 0] - y[:, :, 1]), axis=2)
        h *= 2
    return y.reshape(r, n) / np.sqrt(n)


def rht_mxfp4(x, signs_cache={}):
    r, c = x.shape
    n = 1 << (c - 1).bit_length()
    if n not in signs_cache:
        signs_cache[n] = np.random.default_rng(n).choice([-1.0, 1.0], n)
    s = signs_cache[n]
    y = fwht(np.pad(x, ((0, 0), (0, n - c))) * s)
    return (fwht(mxfp4(y)) * s)[:, :c]


def queries(d, cache={}):
    if d not in cache:
        q = np.random.default_rng(d).standard_normal((64, d))
        cache[d] = q / np.linalg.norm(q, axis=1, keepdims=True)
    return cache[d]


def metrics(x, xh):
    e = x - xh
    norm = np.einsum('ij,ij->i', x, x)
    live = norm > 1e-24 * norm.max()
    err = np.einsum('ij,ij->i', e, e)
    dot = np.einsum('ij,ij->i', x, xh)
    hat = np.einsum('ij,ij->i', xh, xh)
    with np.errstate(divide='ignore', invalid='ignore'):
        vnmse = float(np.mean(err[live] / norm[live]))
        cos = float(np.mean(np.where(hat[live] > 0, dot[live] / np.sqrt(norm[live] * hat[live]), 0)))
        ipn = e[live] @ queries(x.shape[1]).T
        ipnvar = float(x.shape[1] * np.mean(np.mean(ipn * ipn, axis=1) / norm[live]))
    return {'vnmse': vnmse, 'mse': float(err.sum() / x.size), 'sqnrDb': float(10 * np.log10(norm.sum() / err.sum())),
            'cosine': cos, 'ipRatio': float(dot.sum() / norm.sum()), 'ipNvar': ipnvar}


def main():
    path, min_el = sys.argv[1], int(sys.argv[2])
    t0 = time.perf_counter()
    c0 = time.process_time()
    with open(path, 'rb') as f:
        (hlen,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(hlen))
    data = np.memmap(path, dtype=np.uint8, mode='r', offset=8 + hlen)
    out = []
    for name, info in header.items():
        if name == '__metadata__' or info['dtype'] != 'F32' or len(info['shape']) < 2:
            continue
        shape = info['shape']
        if int(np.prod(shape)) < min_el:
            continue
        a, b = info['data_offsets']
        x = np.frombuffer(data[a:b], dtype='<f4').reshape(shape[0], -1).astype(np.float64)
        vn = []
        for fn in (int4_g128, mxfp4, rht_mxfp4, nvfp4):
            vn.append(metrics(x, fn(x))['vnmse'])
        out.append({'name': name, 'vnmse': vn})
    print(json.dumps({'seconds': time.perf_counter() - t0, 'cpuSeconds': time.process_time() - c0, 'tensors': out}))


if __name__ == '__main__':
    main()
