"""Small statistics helpers shared by the learning reports.

Every helper takes plain sequences of numbers and answers None when the value
is undefined for that input (a mean of nothing, a spread of one value), never
NaN and never an exception, so that a report can show a dash.

Formulas (n values x_1..x_n, mean m):

- mean m = (x_1 + ... + x_n) / n, summed with :func:`math.fsum` so that long
  lists of fractions do not drift;
- sample variance s^2 = sum (x_i - m)^2 / (n - 1) and sample covariance
  sum (x_i - m_x)(y_i - m_y) / (n - 1): the n - 1 ("unbiased") forms that
  Moodle's quiz statistics use, so both need at least two values;
- correlation r = cov(x, y) / sqrt(var x * var y), undefined when either
  variance is 0 (or only rounding noise: an SD below 1e-12 of the largest
  |value|);
- median: the middle value, or the mean of the two middle values;
- Student t quantile: the t with P(T <= t) = p for df degrees of freedom.
  P(T > t) = I_{df/(df+t^2)}(df/2, 1/2) / 2 and P(0 < T < t) =
  I_{t^2/(df+t^2)}(1/2, df/2) / 2, where I is the regularized incomplete beta
  function (Abramowitz & Stegun 26.7.1 and 26.5.2), evaluated by its continued
  fraction with the modified Lentz method (Press et al., "Numerical Recipes",
  section 6.4). The quantile is the root found by Newton's method on the
  logarithm of whichever of the two probabilities is smaller, so heavy tails
  (df = 1, t in the thousands) converge in a few steps and no digits are lost
  to 1 - p; a bracket falls back to bisection if a step overshoots. df = 1
  (Cauchy) and df = 2 have closed forms, used as is; from df = 10,000 the
  Cornish-Fisher expansion t = z + g1(z)/df + ... + g4(z)/df^4 (Abramowitz &
  Stegun 26.7.5), z the normal quantile, is accurate to about 1e-14 for
  |z| <= 10 and needs no continued fraction;
- normal quantile: :meth:`statistics.NormalDist.inv_cdf` (Wichura's AS241).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

_STANDARD_NORMAL = NormalDist()
#: A standard deviation below this share of the values' size is rounding noise.
_NOISE = 1e-12
#: Below this, a Lentz denominator is treated as zero (it would divide by zero).
_TINY = 1e-300
#: A continued fraction term this close to 1 no longer changes the value.
_FRACTION_PRECISION = 1e-15
_MAX_FRACTION_TERMS = 10_000
#: Newton stops after a step this small in log t: the next one would move t by
#: about the square of it, far below the 1e-9 the reports need.
_STEP_PRECISION = 1e-12
_MAX_NEWTON_STEPS = 200
#: From this many degrees of freedom the t quantile comes from its expansion
#: around the normal one: for |z| <= 10 it agrees with scipy to about 1e-14,
#: while the continued fraction needs ever more terms and loses digits there.
_CORNISH_FISHER_FROM = 10_000
_CORNISH_FISHER_MAX_Z = 10.0
#: From here on log B(a, 1/2) comes from Stirling's series (its next term is
#: below 1e-19 at a = 100), not from two nearly equal log Gamma values.
_STIRLING_FROM = 100.0


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, or None for no values."""
    if not values:
        return None
    return math.fsum(values) / len(values)


def variance(values: Sequence[float]) -> float | None:
    """The sample variance (divided by n - 1), or None below two values."""
    if len(values) < 2:
        return None
    centre = math.fsum(values) / len(values)
    return math.fsum((value - centre) ** 2 for value in values) / (len(values) - 1)


def sd(values: Sequence[float]) -> float | None:
    """The sample standard deviation (n - 1), or None below two values."""
    spread = variance(values)
    return None if spread is None else math.sqrt(spread)


def covariance(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """The sample covariance (n - 1) of paired values, or None below two pairs."""
    if len(xs) != len(ys):
        raise ValueError(f"paired values differ in length: {len(xs)} and {len(ys)}")
    if len(xs) < 2:
        return None
    x_centre = math.fsum(xs) / len(xs)
    y_centre = math.fsum(ys) / len(ys)
    products = ((x - x_centre) * (y - y_centre) for x, y in zip(xs, ys, strict=True))
    return math.fsum(products) / (len(xs) - 1)


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r of paired values, or None when either variance is 0 (or below two pairs).

    A spread within rounding noise of the values' size counts as 0: values
    that are equal on paper (0.8 - 0.7 and 0.4 - 0.3) differ in the last
    bit, and r of that noise would be a number with no meaning.
    """
    shared = covariance(xs, ys)
    x_spread, y_spread = variance(xs), variance(ys)
    if shared is None or x_spread is None or y_spread is None:
        return None
    if _is_noise(x_spread, xs) or _is_noise(y_spread, ys):
        return None
    # Rounding can push |r| a hair past 1 for perfectly related values.
    return max(-1.0, min(1.0, shared / math.sqrt(x_spread * y_spread)))


def _is_noise(spread: float, values: Sequence[float]) -> bool:
    """Whether a variance is no more than rounding noise for values of this size."""
    size = max(abs(value) for value in values)
    return math.sqrt(spread) <= _NOISE * size


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def z_quantile(p: float) -> float:
    """The standard normal quantile: the z with P(Z <= z) = p, for 0 < p < 1."""
    return _STANDARD_NORMAL.inv_cdf(p)


def t_quantile(p: float, df: int) -> float:
    """Student's t quantile: the t with P(T <= t) = p, for 0 < p < 1 and df > 0.

    A p or df outside those ranges is a programming error and raises
    ValueError (there is no data behind it to be "undefined").
    """
    if not 0 < p < 1:
        raise ValueError(f"p must lie strictly between 0 and 1, not {p!r}")
    if not df > 0:
        raise ValueError(f"degrees of freedom must be positive, not {df!r}")
    if p == 0.5:
        return 0.0
    # Both targets are exact in floating point for the side they are used on
    # (Sterbenz's lemma), so p close to 1 or to 1/2 keeps all its digits.
    tail = 1 - p if p > 0.5 else p  # P(T > |t|)
    centre = p - 0.5 if p > 0.5 else 0.5 - p  # P(0 < T < |t|)
    size = _t_distance(tail, centre, df)
    return size if p > 0.5 else -size


def _t_distance(tail: float, centre: float, df: float) -> float:
    """|t| with P(T > |t|) = tail and P(0 < T < |t|) = centre (tail + centre = 1/2)."""
    if df == 1:
        # Cauchy: P(0 < T < t) = atan(t) / pi.
        return math.tan(math.pi * centre) if centre <= tail else 1 / math.tan(math.pi * tail)
    if df == 2:
        # P(T <= t) = 1/2 + t / (2 sqrt(2 + t^2)), solved for t.
        return 2 * centre / math.sqrt(2 * tail * (0.5 + centre))
    if df >= _CORNISH_FISHER_FROM:
        z = -z_quantile(tail)
        if z <= _CORNISH_FISHER_MAX_Z:
            return _cornish_fisher(z, df)
    if centre <= tail:
        start = centre / _t_density(0.0, df)  # the density is flat near 0
        return _newton_on_log_t(start, centre, df, _t_centre, increasing=True)
    start = -z_quantile(tail)  # lighter-tailed than t, so a start from below
    return _newton_on_log_t(start, tail, df, _t_tail, increasing=False)


def _cornish_fisher(z: float, df: float) -> float:
    """The t quantile from the normal one z, for large df (Abramowitz & Stegun 26.7.5)."""
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def _newton_on_log_t(start, target, df, probability, *, increasing: bool) -> float:
    """Solve probability(t, df) = target for t > 0 by Newton's method in u = log t.

    In log-log coordinates a t tail is close to a straight line, so the
    steps are nearly exact even where t itself is in the thousands. Each
    step tightens a bracket around the root; a step leaving it is replaced
    by bisection (or by a jump of e^2 while one side is still open).
    """
    u = math.log(start)
    low, high = -math.inf, math.inf
    log_target = math.log(target)
    for _ in range(_MAX_NEWTON_STEPS):
        t = math.exp(u)
        value = probability(t, df)
        below = value < target if increasing else value > target
        if below:  # the root lies at a larger t
            low = u
        else:
            high = u
        step = None
        if value > 0:
            slope = t * _t_density(t, df) / value * (1 if increasing else -1)
            if slope:
                step = (log_target - math.log(value)) / slope
        following = u + step if step is not None else math.nan
        if not low < following < high:
            following = _bisect(low, high)
        if abs(following - u) <= _STEP_PRECISION * max(1.0, abs(u)):
            return math.exp(following)
        u = following
    return math.exp(u)


def _bisect(low: float, high: float) -> float:
    if math.isinf(low):
        return high - 2
    if math.isinf(high):
        return low + 2
    return (low + high) / 2


def _t_density(t: float, df: float) -> float:
    log_scale = -_log_beta(0.5, df / 2) - 0.5 * math.log(df)
    return math.exp(log_scale - (df + 1) / 2 * math.log1p(t * t / df))


def _t_tail(t: float, df: float) -> float:
    """P(T > t) for t >= 0: I_x(df/2, 1/2) / 2 with x = df / (df + t^2)."""
    x, rest, log_x, log_rest = _t_beta_argument(t, df)
    return _regularized_beta(df / 2, 0.5, x, rest, log_x, log_rest) / 2


def _t_centre(t: float, df: float) -> float:
    """P(0 < T < t) for t >= 0: I_y(1/2, df/2) / 2 with y = t^2 / (df + t^2)."""
    x, rest, log_x, log_rest = _t_beta_argument(t, df)
    return _regularized_beta(0.5, df / 2, rest, x, log_rest, log_x) / 2


def _t_beta_argument(t: float, df: float) -> tuple[float, float, float, float]:
    """x = df / (df + t^2), 1 - x, and their logarithms, each without cancellation.

    log x is taken as -log1p(t^2 / df): with df in the millions, x is so close
    to 1 that rounding it first and multiplying its log by df / 2 would lose
    most digits.
    """
    spread = df + t * t
    rest = t * t / spread
    log_rest = math.log(rest) if rest > 0 else -math.inf
    return df / spread, rest, -math.log1p(t * t / df), log_rest


def _regularized_beta(
    a: float, b: float, x: float, rest: float, log_x: float, log_rest: float
) -> float:
    """I_x(a, b), given x, rest = 1 - x and both logarithms, computed without cancellation.

    The continued fraction converges fast for x < (a + 1) / (a + b + 2);
    beyond it, I_x(a, b) = 1 - I_{1-x}(b, a) (Numerical Recipes 6.4).
    """
    if x <= 0:
        return 0.0
    if rest <= 0:
        return 1.0
    if x >= (a + 1) / (a + b + 2):
        return 1 - _regularized_beta(b, a, rest, x, log_rest, log_x)
    front = math.exp(a * log_x + b * log_rest - _log_beta(a, b)) / a
    return front * _beta_fraction(a, b, x)


def _log_beta(a: float, b: float) -> float:
    """log B(a, b) = log Gamma(a) + log Gamma(b) - log Gamma(a + b)."""
    small, large = sorted((a, b))
    if small == 0.5 and large >= _STIRLING_FROM:
        # log Gamma(large) is huge and the two terms nearly cancel; take their
        # difference from Stirling's series instead.
        return math.lgamma(0.5) - _log_gamma_half_step(large)
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _log_gamma_half_step(a: float) -> float:
    """log Gamma(a + 1/2) - log Gamma(a), for large a, by Stirling's series.

    log Gamma(x) = (x - 1/2) log x - x + log(2 pi) / 2 + 1/(12 x) - 1/(360 x^3)
    + 1/(1260 x^5) - ... (Abramowitz & Stegun 6.1.41); the difference of the
    leading terms is a log1p(1/(2a)) - 1/2 + log(a) / 2.
    """
    following = a + 0.5
    series = sum(
        coefficient * (following ** (1 - 2 * k) - a ** (1 - 2 * k))
        for k, coefficient in enumerate((1 / 12, -1 / 360, 1 / 1260), start=1)
    )
    return a * math.log1p(0.5 / a) - 0.5 + 0.5 * math.log(a) + series


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b), by the modified Lentz method."""
    c = 1.0
    d = _nonzero(1 - (a + b) * x / (a + 1))
    d = 1 / d
    fraction = d
    for m in range(1, _MAX_FRACTION_TERMS):
        # Even term d_{2m}, then odd term d_{2m+1} (A&S 26.5.8).
        even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1 / _nonzero(1 + even * d)
        c = _nonzero(1 + even / c)
        fraction *= d * c
        odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1 / _nonzero(1 + odd * d)
        c = _nonzero(1 + odd / c)
        change = d * c
        fraction *= change
        if abs(change - 1) <= _FRACTION_PRECISION:
            break
    return fraction


def _nonzero(value: float) -> float:
    return value if abs(value) >= _TINY else _TINY
