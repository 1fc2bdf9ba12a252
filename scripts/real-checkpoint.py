#!/usr/bin/env python3
"""A real trained checkpoint for `npm run bench` and for trying `lab sweep` (nothing is committed).

Run: python3 scripts/real-checkpoint.py [OUT_DIR]   (default .bench/; needs npm, tar, numpy)

Fetches the npm package @vladmandic/face-api@1.7.15 with `npm pack` (a tarball from the registry;
nothing is installed or executed), and converts its face-recognition network (a ResNet-34-style
embedding net trained for face identity, dlib's architecture ported to TensorFlow.js by face-api.js:
117 tensors, 5.6M parameters) from the TensorFlow.js weights format to one .safetensors file.

TensorFlow.js format (tfjs-converter, "weights_manifest.json"): the .bin holds the tensors back to
back in manifest order; a tensor with a "quantization" entry {dtype: uint8, scale, min} stores one
byte per value and decodes as q·scale + min (this package stores 109 of the 117 that way, so every
such tensor has at most 256 distinct values); others are little-endian float32/int32.

Layout: TensorFlow stores conv filters as [kh, kw, in, out] and dense kernels as [in, out]; they
are written here in PyTorch's order ([out, in, kh, kw] and [out, in]) so that the default
rows-first view gives one row per output channel, as for any PyTorch/safetensors checkpoint.
The safetensors file is written from the format spec (u64 LE header size, JSON header padded with
spaces to 8 bytes, data), all F32.
"""
import json
import os
import struct
import subprocess
import sys
import tarfile
import tempfile

import numpy as np

PACKAGE = '@vladmandic/face-api@1.7.15'
MODEL = 'face_recognition_model'


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '.bench')
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, 'face-recognition.safetensors')
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(['npm', 'pack', PACKAGE, '--pack-destination', tmp, '--silent'], check=True,
                       stdout=subprocess.DEVNULL)
        tgz = next(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith('.tgz'))
        with tarfile.open(tgz) as t:
            manifest = json.load(t.extractfile(f'package/model/{MODEL}-weights_manifest.json'))
            blob = t.extractfile(f'package/model/{MODEL}.bin').read()
    tensors = []
    pos = 0
    for group in manifest:
        for w in group['weights']:
            shape = w['shape']
            n = int(np.prod(shape)) if shape else 1
            q = w.get('quantization')
            if q:
                assert q['dtype'] == 'uint8', q
                vals = np.frombuffer(blob, np.uint8, n, pos).astype(np.float32) * np.float32(q['scale']) + np.float32(q['min'])
                pos += n
            else:
                dt = {'float32': '<f4', 'int32': '<i4'}[w['dtype']]
                vals = np.frombuffer(blob, dt, n, pos).astype(np.float32)
                pos += 4 * n
            a = vals.reshape(shape)
            if a.ndim == 4:
                a = a.transpose(3, 2, 0, 1)  # HWIO → OIHW
            elif a.ndim == 2:
                a = a.T  # [in, out] → [out, in]
            name = w['name'].replace('/', '.')
            tensors.append((name, np.ascontiguousarray(a, dtype='<f4')))
    assert pos == len(blob), (pos, len(blob))
    header, offset = {}, 0
    for name, a in tensors:
        header[name] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [offset, offset + a.nbytes]}
        offset += a.nbytes
    header['__metadata__'] = {'source': f'npm {PACKAGE} model/{MODEL} (TensorFlow.js weights), converted by scripts/real-checkpoint.py'}
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(out, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h)
        for _, a in tensors:
            f.write(a.tobytes())
    print(out)


if __name__ == '__main__':
    main()
