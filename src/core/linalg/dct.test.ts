import { describe, it } from 'vitest';
import fixtures from '../testing/fixtures/transforms.json';
import { expectArrayClose, expectClose } from '../testing/expect';
import { ComplexFft, dctDirect, DctPlan } from './dct';

describe('orthonormal DCT-II', () => {
  it('matches scipy.fft.dct(norm="ortho") on the committed fixtures', () => {
    for (const { n, x, y } of fixtures.dct) {
      const out = new Float64Array(n);
      new DctPlan(n).forward(x, 0, out, 0);
      expectArrayClose(out, y, 1e-12, `dct n=${n}`);
      expectArrayClose(dctDirect(x), y, 1e-12, `dctDirect n=${n}`);
      const back = new Float64Array(n);
      new DctPlan(n).inverse(y, 0, back, 0);
      expectArrayClose(back, x, 1e-12, `dct-III n=${n}`);
    }
  });

  it('FFT path (radix-2 and Bluestein) agrees with the O(N²) definition and round-trips', () => {
    for (const n of [1, 2, 3, 4, 6, 7, 9, 31, 32, 33, 127, 128, 250, 1000, 1024]) {
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = Math.sin(1.7 * i + 0.3) + 0.01 * i;
      const plan = new DctPlan(n);
      const y = new Float64Array(n);
      plan.forward(x, 0, y, 0);
      expectArrayClose(y, dctDirect(x), 1e-12 * Math.sqrt(n), `dct vs direct n=${n}`);
      const back = new Float64Array(n);
      plan.inverse(y, 0, back, 0);
      expectArrayClose(back, x, 1e-13 * Math.sqrt(n), `round trip n=${n}`);
    }
  });

  it('writes at offsets of strided buffers and accepts float32 output', () => {
    const n = 12;
    const buf = new Float32Array(3 * n);
    for (let i = 0; i < buf.length; i++) buf[i] = (i % 5) - 2;
    const plan = new DctPlan(n);
    const out = new Float32Array(3 * n);
    plan.forward(buf, n, out, 2 * n);
    expectArrayClose(out.subarray(2 * n), dctDirect(buf.subarray(n, 2 * n)), 1e-5, 'row 1 → slot 2');
  });
});

describe('ComplexFft', () => {
  it('is a DFT for odd lengths (Bluestein): impulse at 1 gives e^{−2πik/n}', () => {
    for (const n of [3, 5, 12, 100]) {
      const re = new Float64Array(n);
      const im = new Float64Array(n);
      re[1] = 1;
      new ComplexFft(n).transform(re, im);
      for (let k = 0; k < n; k++) {
        expectClose(re[k], Math.cos((2 * Math.PI * k) / n), 1e-13, `re n=${n} k=${k}`);
        expectClose(im[k], -Math.sin((2 * Math.PI * k) / n), 1e-13, `im n=${n} k=${k}`);
      }
    }
  });
});
