#!/usr/bin/env python3
"""Small sample tensors shipped in public/samples (and used by e2e tests), written by numpy.

llm-like-weight.npy: a 128x512 float16 "Linear weight" [out, in]: Student-t(5) entries scaled to
unit variance with 4 input channels (columns) scaled by 20, the outlier-input-channel pattern of
LLM.int8() / SmoothQuant. Deterministic (numpy PCG64, seed 2026).
"""
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "public", "samples")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(2026)
w = rng.standard_t(5, size=(128, 512)) / np.sqrt(5 / 3)
cols = rng.choice(512, size=4, replace=False)
w[:, cols] *= 20
np.save(os.path.join(out, "llm-like-weight.npy"), w.astype(np.float16))
print("wrote", os.path.join(out, "llm-like-weight.npy"), "outlier columns", sorted(cols.tolist()))
