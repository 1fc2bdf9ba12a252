/**
 * special.ts against independent references: mpmath (50 digits) and scipy values from the committed
 * generator src/core/testing/fixtures/gen_codebooks.py, plus closed forms of the sphere law for
 * d = 2, 3, 4 and fast-check properties.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import fixture from '../testing/fixtures/codebooks.json';
import { expectClose, expectRelClose } from '../testing/expect';
import {
  erf,
  erfc,
  logGamma,
  logGammaHalfRatio,
  normalCdf,
  normalPdf,
  sphereCoordinateCdf,
  sphereCoordinatePdf,
  sphereCoordinateTail,
} from './special';

describe('erf / erfc (reference: mpmath, 50 digits)', () => {
  it('erfc to 3e-15 relative on [-5, 26]', () => {
    for (const [x, v] of fixture.erfc) expectRelClose(erfc(x), v, 3e-15, `erfc(${x})`);
  });
  it('erf to 3e-15 relative (|x| < 6)', () => {
    for (const [x, v] of fixture.erf) {
      if (v === 0) expectClose(erf(x), 0, 0, `erf(${x})`);
      else expectRelClose(erf(x), v, 3e-15, `erf(${x})`);
    }
  });
  it('erf is odd and erf + erfc = 1', () => {
    fc.assert(
      fc.property(fc.double({ min: -6, max: 6, noNaN: true }), (x) => {
        expectClose(erf(-x), -erf(x), 0, `erf(-${x})`);
        expectClose(erf(x) + erfc(x), 1, 4e-16, `erf+erfc at ${x}`);
      }),
    );
  });
});

describe('normal law (reference: scipy.special.ndtr)', () => {
  it('Φ to 1e-13 relative down to Φ(-37) ≈ 6e-300', () => {
    // The tolerance covers scipy's own error and the rounding of −x/√2 (relative error ~x²·ε at −37).
    for (const [z, v] of fixture.normalCdf) expectRelClose(normalCdf(z), v, 1e-13, `Φ(${z})`);
  });
  it('φ(0) = 1/√(2π)', () => {
    expectRelClose(normalPdf(0), 0.3989422804014327, 1e-16, 'φ(0)');
  });
});

describe('log-gamma (reference: mpmath)', () => {
  it('lnΓ to 2e-14 absolute (relative where |lnΓ| > 1)', () => {
    for (const [x, v] of fixture.logGamma)
      expectClose(logGamma(x), v, 2e-14 * Math.max(1, Math.abs(v)), `lnΓ(${x})`);
  });
  it('lnΓ(p+½) − lnΓ(p) agrees with the plain difference for moderate p', () => {
    // Γ(p+½)/Γ(p) closed forms: p = ½ → 1/√π, p = 1 → √π/2.
    expectClose(logGammaHalfRatio(0.5), -0.5 * Math.log(Math.PI), 1e-15, 'p=½');
    expectClose(logGammaHalfRatio(1), Math.log(Math.sqrt(Math.PI) / 2), 1e-15, 'p=1');
    for (const p of [2.5, 10, 33.3]) {
      expectClose(logGammaHalfRatio(p), logGamma(p + 0.5) - logGamma(p), 5e-14, `p=${p}`);
    }
  });
});

describe('sphere coordinate law', () => {
  it('CDF, tail and pdf match scipy.stats.beta for d = 2 … 65536', () => {
    for (const e of fixture.sphere) {
      // The A&S 26.5.8 continued fraction loses ~log10(d/u²) digits for huge d in the far tail
      // (documented in special.ts): 5e-12 there, 1e-13 elsewhere.
      const tol = e.d > 1024 ? 5e-12 : 1e-13;
      expectRelClose(sphereCoordinateCdf(e.t, e.d), e.cdf, tol, `cdf(t=${e.t}, d=${e.d})`);
      expectRelClose(sphereCoordinateTail(e.t, e.d), e.tail, tol, `tail(t=${e.t}, d=${e.d})`);
      expectRelClose(sphereCoordinatePdf(e.t, e.d), e.pdf, 1e-13, `pdf(t=${e.t}, d=${e.d})`);
    }
  });
  it('closed forms: d = 2 arcsine, d = 3 uniform, d = 4 semicircle', () => {
    fc.assert(
      fc.property(fc.double({ min: -0.999, max: 0.999, noNaN: true }), (t) => {
        expectClose(sphereCoordinateCdf(t, 2), 0.5 + Math.asin(t) / Math.PI, 2e-15, `d=2 cdf(${t})`);
        expectClose(sphereCoordinateCdf(t, 3), (1 + t) / 2, 2e-15, `d=3 cdf(${t})`);
        const semicircle = 0.5 + (t * Math.sqrt(1 - t * t) + Math.asin(t)) / Math.PI;
        expectClose(sphereCoordinateCdf(t, 4), semicircle, 2e-15, `d=4 cdf(${t})`);
        expectClose(sphereCoordinatePdf(t, 4), (2 / Math.PI) * Math.sqrt(1 - t * t), 2e-15, `d=4 pdf(${t})`);
      }),
    );
  });
  it('√d·T → N(0,1): Kolmogorov distance to Φ shrinks like 1/d', () => {
    // Known expansion: P(√d·T ≤ u) = Φ(u) + O(1/d) (e.g. Diaconis & Freedman 1987).
    for (const d of [64, 4096, 65536]) {
      let worst = 0;
      for (let u = -4; u <= 4; u += 0.05)
        worst = Math.max(worst, Math.abs(sphereCoordinateCdf(u / Math.sqrt(d), d) - normalCdf(u)));
      expectClose(worst * d, 0, 0.5, `d·sup|F_d − Φ| at d=${d}`);
    }
  });
  it('CDF is monotone, symmetric, and its derivative is the pdf', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 70000 }),
        fc.double({ min: -0.99, max: 0.99, noNaN: true }),
        (d, t0) => {
          const t = t0 * Math.min(1, 6 / Math.sqrt(d)); // keep t where the law has mass
          expectClose(sphereCoordinateCdf(-t, d), 1 - sphereCoordinateCdf(t, d), 1e-12, `symmetry d=${d}`);
          const h = 1e-5 * Math.min(1, 1 / Math.sqrt(d)) * (1 - Math.abs(t));
          const deriv = (sphereCoordinateCdf(t + h, d) - sphereCoordinateCdf(t - h, d)) / (2 * h);
          const pdf = sphereCoordinatePdf(t, d);
          expectClose(deriv, pdf, 1e-5 * Math.max(1, pdf), `F'(t=${t}, d=${d})`);
          return sphereCoordinateCdf(t + h, d) >= sphereCoordinateCdf(t, d);
        },
      ),
      { numRuns: 200 },
    );
  });
});
