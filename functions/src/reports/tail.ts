// Upper tail probabilities of weekly counts, in natural logs so that a 3× spike on 10,000 events
// (a probability far below 1e-300) still has a finite, comparable score.
//
// Counts are modelled as negative binomial with mean μ and dispersion φ (variance μ + φμ²): the
// Poisson distribution when φ = 0, and Poisson counts whose rate itself varies from week to week
// (a gamma-distributed rate with coefficient of variation √φ) otherwise. Both tails reduce to
// regularized incomplete gamma and beta functions:
//   Poisson: P(X >= c) = P(c, μ)                    (lower regularized gamma)
//   NB:      P(X >= c) = I_{1-p}(c, r), r = 1/φ, p = r / (r + μ)
// evaluated with the usual series and continued fractions (Lentz's method).

const EPS = 1e-15;
const TINY = 1e-300;
const MAX_ITER = 10_000;

/** ln P(X >= c) for X ~ NB(mean, dispersion); dispersion 0 is Poisson. */
export function logUpperTail(c: number, mean: number, dispersion: number): number {
  if (c <= 0) return 0;
  if (mean <= 0) return -Infinity;
  if (dispersion <= 1e-9) return logLowerGammaP(c, mean);
  const r = 1 / dispersion;
  const q = mean / (r + mean); // 1 - p
  return logBetaI(q, c, r);
}

/** Lanczos approximation (g = 7, 9 terms); relative error below 1e-13 for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = c[0];
  for (let i = 1; i < 9; i++) sum += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln P(a, x), the lower regularized incomplete gamma function. */
function logLowerGammaP(a: number, x: number): number {
  const logFront = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // Series: P = e^{-x} x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n)); every term is positive.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_ITER; n++) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * EPS) break;
    }
    return logFront + Math.log(sum);
  }
  // Here P is at least about one half, so 1 - Q loses no precision that matters.
  return Math.log(Math.max(TINY, 1 - Math.exp(logFront) * gammaContinuedFraction(a, x)));
}

function gammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = nonZero(an * d + b);
    c = nonZero(b + an / c);
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < EPS) break;
  }
  return h;
}

/** ln I_x(a, b), the regularized incomplete beta function. */
function logBetaI(x: number, a: number, b: number): number {
  if (x <= 0) return -Infinity;
  if (x >= 1) return 0;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - (logGamma(a) + logGamma(b) - logGamma(a + b));
  // The continued fraction converges fast below the mean of the beta distribution; above it,
  // use I_x(a, b) = 1 - I_{1-x}(b, a), where the result is large and the subtraction is safe.
  if (x < (a + 1) / (a + b + 2)) return logFront + Math.log(betaContinuedFraction(x, a, b)) - Math.log(a);
  const other = Math.exp(logFront + Math.log(betaContinuedFraction(1 - x, b, a)) - Math.log(b));
  return Math.log(Math.max(TINY, 1 - other));
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  let c = 1;
  let d = 1 / nonZero(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m < MAX_ITER; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 / nonZero(1 + even * d);
    c = nonZero(1 + even / c);
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 / nonZero(1 + odd * d);
    c = nonZero(1 + odd / c);
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < EPS) break;
  }
  return h;
}

const nonZero = (v: number) => (Math.abs(v) < TINY ? TINY : v);
