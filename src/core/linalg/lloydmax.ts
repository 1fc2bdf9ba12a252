/**
 * Lloyd–Max scalar quantizers (Lloyd 1957/1982, Max 1960) for the two laws of the rotation-based
 * quantizers (EDEN ICML 2022 §3 / DRIVE NeurIPS 2021; TurboQuant arXiv 2504.19874 §3.1):
 *
 *  - `lloydMaxGaussian(b)`: N(0,1). EDEN quantizes √d·y/‖y‖ with this codebook.
 *  - `lloydMaxSphere(b, d)`: the exact law of one coordinate T of a uniform unit vector in ℝ^d,
 *    density ∝ (1−t²)^((d−3)/2) on [−1, 1] (the "shifted Beta"). TurboQuant_mse quantizes y/‖y‖ with it.
 *
 * Optimality conditions (Max 1960): every threshold is the midpoint of its two neighbouring levels,
 * every level is the centroid (conditional mean) of its cell. Both laws are symmetric, so the
 * solver works on the positive half only (0 is always a threshold for 2^b levels) and mirrors.
 *
 * Solver: a compander initial guess (thresholds at quantiles of g^{1/3}, Panter & Dite 1951), a few
 * plain Lloyd sweeps, then Newton's method on the midpoint conditions G_i(τ) = τ_i − (c_{i−1}+c_i)/2,
 * whose Jacobian is tridiagonal because ∂c/∂τ_left = g(τ_left)(c−τ_left)/P and
 * ∂c/∂τ_right = g(τ_right)(τ_right−c)/P. Plain Lloyd converges linearly at a rate 1 − O(4^−b) (tens
 * of thousands of sweeps for b = 8); Newton reaches |G| < 1e-13 in a handful of steps.
 *
 * All cell integrals are closed forms in the unit-variance variable u (u = √d·t for the sphere law,
 * which also keeps everything away from underflow at large d):
 *   Gaussian: P = Q(a) − Q(b), ∫ u φ = φ(a) − φ(b), ∫_u^∞ v² φ = u·φ(u) + Q(u).
 *   Sphere:   P(U > u) = ½·I_{1−t²}((d−1)/2, ½),
 *             ∫_u^√d v g(v) dv = h(u) = √d·(1−t²)^((d−1)/2) / ((d−1)·B(½,(d−1)/2)),
 *             ∫_u^√d v² g(v) dv = u·h(u) + P(T_{d+2} > t)   (parts, and h ∝ the ℝ^{d+2} density).
 * φ(a) − φ(b) and h(a) − h(b) are formed with expm1 so narrow cells keep full relative precision.
 *
 * Units: `levels`/`thresholds` are in the law's own variable (N(0,1) units, resp. the coordinate t
 * of a unit vector); `distortion` is E[(X − Q(X))²] per unit-variance coordinate: D_b for the
 * Gaussian (0.3634, 0.1175, 0.03455, 0.009501 for b = 1…4) and d·E[(T − Q(T))²] for the sphere law,
 * which is exactly the expected ‖u − Q(u)‖² of TurboQuant_mse on a uniform unit vector u.
 *
 * d = 2 (arcsine law) is not log-concave, so uniqueness of the Lloyd–Max fixed point is not
 * guaranteed there; the symmetric fixed point is returned.
 */
import {
  normalPdf,
  normalTail,
  sphereCoordinatePdf,
  sphereCoordinateTail,
  sphereLogNormalizer,
} from './special';

export type LloydMaxLaw = 'gaussian' | 'sphere';

export interface LloydMaxCodebook {
  readonly law: LloydMaxLaw;
  readonly bits: number;
  /** Dimension d of the sphere law; 0 for the Gaussian. */
  readonly dim: number;
  /** 2^bits levels, ascending, symmetric about 0. Shared (cached): do not mutate. */
  readonly levels: Float64Array;
  /** 2^bits − 1 decision thresholds, ascending: the midpoints of adjacent levels. Do not mutate. */
  readonly thresholds: Float64Array;
  /** E[(X − Q(X))²] per unit-variance coordinate (see the header). */
  readonly distortion: number;
  /** Factor from unit-variance units to the returned units: 1 (Gaussian) or 1/√d (sphere). */
  readonly unitScale: number;
  /** Newton steps used (diagnostic). */
  readonly newtonSteps: number;
  /** Final max |τ_i − (c_{i−1}+c_i)/2| in unit-variance units (the fixed-point residual). */
  readonly residual: number;
}

/** The positive half of a symmetric unit-variance law: what the solver needs of it. */
interface HalfLaw {
  /** Supremum of the support (Infinity or √d). */
  readonly upper: number;
  pdf(u: number): number;
  /** P(U > u). */
  tail(u: number): number;
  /** ∫_a^b v g(v) dv for 0 ≤ a < b ≤ upper, accurate for narrow cells. */
  firstMoment(a: number, b: number): number;
  /** ∫_u^upper v² g(v) dv. */
  secondMomentTail(u: number): number;
}

const gaussianHalf: HalfLaw = {
  upper: Infinity,
  pdf: normalPdf,
  tail: (u) => (u === Infinity ? 0 : normalTail(u)),
  firstMoment(a, b) {
    if (b === Infinity) return normalPdf(a);
    // φ(a) − φ(b) = φ(a)·(1 − e^{−(b−a)(b+a)/2})
    return -normalPdf(a) * Math.expm1(-0.5 * (b - a) * (b + a));
  },
  secondMomentTail: (u) => (u === Infinity ? 0 : u * normalPdf(u) + normalTail(u)),
};

/** ln(1 − t²) for 0 ≤ t < 1 without cancellation at either end. */
function logOneMinusSquare(t: number): number {
  return t < 0.5 ? Math.log1p(-t * t) : Math.log((1 - t) * (1 + t));
}

function sphereHalf(d: number): HalfLaw {
  const s = Math.sqrt(d);
  const p = (d - 1) / 2;
  // h(u) = K·(1−t²)^p with K = √d / ((d−1)·B(½,(d−1)/2)).
  const lnK = Math.log(s / (d - 1)) + sphereLogNormalizer(d);
  const h = (u: number): number => {
    const t = u / s;
    if (t >= 1) return 0;
    return Math.exp(lnK + p * logOneMinusSquare(t));
  };
  return {
    upper: s,
    pdf: (u) => sphereCoordinatePdf(u / s, d) / s,
    tail: (u) => (u >= s ? 0 : sphereCoordinateTail(u / s, d)),
    firstMoment(a, b) {
      if (b >= s) return h(a);
      const ta = a / s;
      const tb = b / s;
      // h(b)/h(a) = ((1−tb²)/(1−ta²))^p = (1 − (tb−ta)(tb+ta)/(1−ta²))^p
      const lnRatio = Math.log1p(-((tb - ta) * (tb + ta)) / Math.exp(logOneMinusSquare(ta)));
      return -h(a) * Math.expm1(p * lnRatio);
    },
    secondMomentTail(u) {
      if (u >= s) return 0;
      return u * h(u) + sphereCoordinateTail(u / s, d + 2);
    },
  };
}

const MAX_BITS = 8;
// Iterate to the round-off floor: the fixed point is ill-conditioned (condition ~K² for K cells, e.g.
// the uniform d = 3 law), so a 1e-14 residual can still leave 1e-13 errors in the levels.
const NEWTON_TOL = 1e-16;
const MAX_RESIDUAL = 1e-9;

/**
 * Solve the positive half: K = 2^(b−1) cells [τ_i, τ_{i+1}], τ_0 = 0, τ_K = upper. Returns the
 * positive centroids (ascending) and the number of Newton steps.
 */
function solveHalf(
  law: HalfLaw,
  cells: number,
): { centroids: Float64Array; steps: number; residual: number } {
  const K = cells;
  const tau = new Float64Array(K + 1);
  const c = new Float64Array(K);
  const P = new Float64Array(K);
  tau[K] = law.upper;
  const tails = new Float64Array(K + 1);

  const centroidsOf = (thr: Float64Array): boolean => {
    for (let i = 0; i <= K; i++) tails[i] = law.tail(thr[i]);
    for (let i = 0; i < K; i++) {
      const pi = tails[i] - tails[i + 1];
      if (!(pi > 0)) return false;
      P[i] = pi;
      c[i] = law.firstMoment(thr[i], thr[i + 1]) / pi;
    }
    return true;
  };

  if (K === 1) {
    centroidsOf(tau);
    return { centroids: c.slice(), steps: 0, residual: 0 };
  }

  // Compander initial guess: thresholds at the quantiles of g^{1/3} (midpoint rule on a grid, which
  // also copes with the integrable endpoint singularity of the d = 2 arcsine law).
  const span = Math.min(law.upper, 12);
  const n = 16384;
  const du = span / n;
  const cum = new Float64Array(n + 1);
  for (let j = 0; j < n; j++) cum[j + 1] = cum[j] + Math.cbrt(law.pdf((j + 0.5) * du));
  for (let i = 1, j = 0; i < K; i++) {
    const target = (cum[n] * i) / K;
    while (cum[j + 1] < target) j++;
    tau[i] = (j + (target - cum[j]) / (cum[j + 1] - cum[j])) * du;
  }

  // A few Lloyd sweeps smooth the guess.
  for (let sweep = 0; sweep < 8; sweep++) {
    if (!centroidsOf(tau)) throw new Error('lloydMax: empty cell in the initial guess');
    for (let i = 1; i < K; i++) tau[i] = 0.5 * (c[i - 1] + c[i]);
  }

  // Newton on G_i = τ_i − (c_{i−1} + c_i)/2, i = 1…K−1 (tridiagonal Jacobian, Thomas algorithm).
  const m = K - 1;
  const G = new Float64Array(m);
  const lo = new Float64Array(m);
  const di = new Float64Array(m);
  const up = new Float64Array(m);
  const delta = new Float64Array(m);
  const trial = new Float64Array(K + 1);
  const residual = (): number => {
    let worst = 0;
    for (let i = 1; i < K; i++) {
      G[i - 1] = tau[i] - 0.5 * (c[i - 1] + c[i]);
      worst = Math.max(worst, Math.abs(G[i - 1]));
    }
    return worst;
  };

  centroidsOf(tau);
  let res = residual();
  let steps = 0;
  for (; steps < 200 && res > NEWTON_TOL; steps++) {
    // ∂c_i/∂τ_i and ∂c_i/∂τ_{i+1} for every cell.
    for (let i = 1; i < K; i++) {
      const g = law.pdf(tau[i]);
      const dLeftOfCellI = (g * (c[i] - tau[i])) / P[i]; // ∂c_i/∂τ_i
      const dRightOfCellPrev = (g * (tau[i] - c[i - 1])) / P[i - 1]; // ∂c_{i−1}/∂τ_i
      di[i - 1] = 1 - 0.5 * (dLeftOfCellI + dRightOfCellPrev);
      // coefficient of τ_{i−1} in G_i: −½·∂c_{i−1}/∂τ_{i−1}; of τ_{i+1}: −½·∂c_i/∂τ_{i+1}
      lo[i - 1] = i > 1 ? (-0.5 * law.pdf(tau[i - 1]) * (c[i - 1] - tau[i - 1])) / P[i - 1] : 0;
      up[i - 1] = i < K - 1 ? (-0.5 * law.pdf(tau[i + 1]) * (tau[i + 1] - c[i])) / P[i] : 0;
    }
    // Thomas algorithm for J·δ = −G (in place on copies held in up/delta).
    for (let k = 0; k < m; k++) delta[k] = -G[k];
    for (let k = 1; k < m; k++) {
      const w = lo[k] / di[k - 1];
      di[k] -= w * up[k - 1];
      delta[k] -= w * delta[k - 1];
    }
    delta[m - 1] /= di[m - 1];
    for (let k = m - 2; k >= 0; k--) delta[k] = (delta[k] - up[k] * delta[k + 1]) / di[k];

    // Backtracking: keep thresholds ordered inside (0, upper) and the residual not growing.
    let lambda = 1;
    let accepted = false;
    const saved = tau.slice();
    for (let tries = 0; tries < 40; tries++) {
      trial[0] = 0;
      trial[K] = law.upper;
      let ordered = true;
      for (let i = 1; i < K; i++) {
        trial[i] = saved[i] + lambda * delta[i - 1];
        if (!(trial[i] > trial[i - 1])) ordered = false;
      }
      if (!(trial[K] > trial[K - 1])) ordered = false;
      if (ordered && centroidsOf(trial)) {
        tau.set(trial);
        const r = residual();
        if (r < res || r <= NEWTON_TOL) {
          res = r;
          accepted = true;
          break;
        }
      }
      lambda *= 0.5;
    }
    if (!accepted) {
      // Newton made no progress (round-off floor reached or a bad region): one Lloyd sweep instead.
      tau.set(saved);
      centroidsOf(tau);
      for (let i = 1; i < K; i++) tau[i] = 0.5 * (c[i - 1] + c[i]);
      centroidsOf(tau);
      const r = residual();
      if (!(r < res)) break;
      res = r;
    }
  }
  // The floor is set by the accuracy of the cell masses: ~1e-15 for the Gaussian and small d, up to
  // ~4e-11 for the sphere law at d = 65536, b = 8 (see special.ts on the incomplete beta there).
  if (!(res <= MAX_RESIDUAL)) throw new Error(`lloydMax: no convergence (residual ${res})`);
  centroidsOf(tau);
  return { centroids: c.slice(), steps, residual: res };
}

/** Per-unit-variance distortion of the symmetric quantizer with positive centroids `c` (ascending). */
function distortionOf(law: HalfLaw, c: Float64Array): number {
  const K = c.length;
  let total = 0;
  for (let i = 0; i < K; i++) {
    const a = i === 0 ? 0 : 0.5 * (c[i - 1] + c[i]);
    const b = i === K - 1 ? law.upper : 0.5 * (c[i] + c[i + 1]);
    const P = law.tail(a) - law.tail(b);
    const M1 = law.firstMoment(a, b);
    const M2 = law.secondMomentTail(a) - law.secondMomentTail(b);
    // ∫(v − c)² g = M2 − 2c·M1 + c²·P; with c the cell centroid this is M2 − M1²/P.
    total += M2 - 2 * c[i] * M1 + c[i] * c[i] * P;
  }
  return 2 * total;
}

/**
 * Solved codebooks per (law, bits, d), kept for the life of the module's realm: a solve is tens of
 * milliseconds at b = 8, so each realm (a worker, the CLI) solves each codebook once. The page's
 * main thread never solves: the teaching views and the Python export ask the teaching worker
 * (src/worker/teach-api.ts), whose realm holds this cache; lloydMaxSolveCount() lets the e2e
 * check prove the main thread's count stays 0.
 */
const cache = new Map<string, LloydMaxCodebook>();
let solves = 0;

/**
 * Solver runs in this realm so far: Newton solves (cache misses of lloydMaxGaussian /
 * lloydMaxSphere) plus lloydSweeps calls. Cache hits do not count.
 */
export function lloydMaxSolveCount(): number {
  return solves;
}

/** Codebooks held in this realm's cache (diagnostic). */
export function lloydMaxCacheSize(): number {
  return cache.size;
}

function build(
  law: LloydMaxLaw,
  bits: number,
  dim: number,
  half: HalfLaw,
  unitScale: number,
): LloydMaxCodebook {
  const K = 1 << (bits - 1);
  solves++;
  const { centroids, steps, residual } = solveHalf(half, K);
  const L = 2 * K;
  const levels = new Float64Array(L);
  for (let i = 0; i < K; i++) {
    levels[K + i] = centroids[i] * unitScale;
    levels[K - 1 - i] = -centroids[i] * unitScale;
  }
  const thresholds = new Float64Array(L - 1);
  for (let i = 0; i < L - 1; i++) thresholds[i] = 0.5 * (levels[i] + levels[i + 1]);
  thresholds[K - 1] = 0; // exactly, by symmetry
  return Object.freeze({
    law,
    bits,
    dim,
    levels,
    thresholds,
    distortion: distortionOf(half, centroids),
    unitScale,
    newtonSteps: steps,
    residual,
  });
}

function checkBits(bits: number): void {
  if (!(Number.isInteger(bits) && bits >= 1 && bits <= MAX_BITS)) {
    throw new RangeError(`lloydMax: bits must be an integer in 1…${MAX_BITS}, got ${bits}`);
  }
}

/** The 2^bits-level Lloyd–Max quantizer of N(0,1). Cached per bits. */
export function lloydMaxGaussian(bits: number): LloydMaxCodebook {
  checkBits(bits);
  const key = `gaussian:${bits}`;
  let cb = cache.get(key);
  if (!cb) {
    cb = build('gaussian', bits, 0, gaussianHalf, 1);
    cache.set(key, cb);
  }
  return cb;
}

/**
 * The 2^bits-level Lloyd–Max quantizer of one coordinate of a uniform unit vector in ℝ^d
 * (levels in t units; multiply by √d for unit variance). Cached per (bits, d). d ≥ 2.
 */
export function lloydMaxSphere(bits: number, d: number): LloydMaxCodebook {
  checkBits(bits);
  if (!(Number.isInteger(d) && d >= 2))
    throw new RangeError(`lloydMaxSphere: d must be an integer ≥ 2, got ${d}`);
  const key = `sphere:${bits}:${d}`;
  let cb = cache.get(key);
  if (!cb) {
    cb = build('sphere', bits, d, sphereHalf(d), 1 / Math.sqrt(d));
    cache.set(key, cb);
  }
  return cb;
}

/**
 * Index of the nearest level for value v: the number of thresholds strictly below v (binary search,
 * `bits` comparisons). Ties at a threshold go to the lower level; NaN maps to 0.
 */
export function nearestLevelIndex(thresholds: Float64Array, v: number): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v > thresholds[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One state of a plain Lloyd iteration (lloydSweeps), in the law's own units like the codebooks. */
export interface LloydState {
  /** 2^bits levels, ascending. */
  readonly levels: Float64Array;
  /** 2^bits − 1 thresholds (midpoints of adjacent levels). */
  readonly thresholds: Float64Array;
  /** E[(X − Q(X))²] per unit-variance coordinate, as LloydMaxCodebook.distortion. */
  readonly distortion: number;
}

/**
 * The plain Lloyd iteration (Lloyd 1982, "Least squares quantization in PCM", §III Method I) from
 * a uniform quantizer, for watching it converge (the teaching codebook lab): state 0 has its
 * positive levels evenly spaced on (0, min(upper, 3)] in unit-variance units; each sweep replaces
 * the levels by the centroids of the cells cut at the midpoints. The distortion never increases
 * (each half-step is optimal for the other). Returns `sweeps + 1` states. The converged solver
 * above (Newton) reaches the same fixed point; plain Lloyd approaches it at a rate 1 − O(4^−b).
 */
export function lloydSweeps(law: LloydMaxLaw, bits: number, d: number, sweeps: number): LloydState[] {
  checkBits(bits);
  if (law === 'sphere' && !(Number.isInteger(d) && d >= 2))
    throw new RangeError(`lloydSweeps: d must be an integer ≥ 2, got ${d}`);
  if (!(Number.isInteger(sweeps) && sweeps >= 0 && sweeps <= 100000))
    throw new RangeError(`lloydSweeps: sweeps must be an integer in 0…100000, got ${sweeps}`);
  const half = law === 'gaussian' ? gaussianHalf : sphereHalf(d);
  const unitScale = law === 'gaussian' ? 1 : 1 / Math.sqrt(d);
  const K = 1 << (bits - 1);
  solves++;
  const span = Math.min(half.upper, 3);
  let c = new Float64Array(K);
  for (let i = 0; i < K; i++) c[i] = (span * (i + 0.5)) / K;
  const states: LloydState[] = [];
  const snapshot = (cen: Float64Array): LloydState => {
    const L = 2 * K;
    const levels = new Float64Array(L);
    for (let i = 0; i < K; i++) {
      levels[K + i] = cen[i] * unitScale;
      levels[K - 1 - i] = -cen[i] * unitScale;
    }
    const thresholds = new Float64Array(L - 1);
    for (let i = 0; i < L - 1; i++) thresholds[i] = 0.5 * (levels[i] + levels[i + 1]);
    thresholds[K - 1] = 0;
    return { levels, thresholds, distortion: distortionOf(half, cen) };
  };
  states.push(snapshot(c));
  for (let s = 0; s < sweeps; s++) {
    const next = new Float64Array(K);
    for (let i = 0; i < K; i++) {
      const a = i === 0 ? 0 : 0.5 * (c[i - 1] + c[i]);
      const b = i === K - 1 ? half.upper : 0.5 * (c[i] + c[i + 1]);
      const P = half.tail(a) - half.tail(b);
      // An empty cell (cannot happen from the uniform start on these unimodal laws) keeps its level.
      next[i] = P > 0 ? half.firstMoment(a, b) / P : c[i];
    }
    c = next;
    states.push(snapshot(c));
  }
  return states;
}
