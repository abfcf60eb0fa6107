"""Recent trends, as Fingertips tests them: the chi-squared test for linear trend in
proportions (Cochran-Armitage) on the latest five periods that do not overlap, at 99.8%, one
series at a time or many at once on arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from generator.calc.stats import BETTER, HIGHER, LOWER, WORSE, Z998, Polarity, direction, isnan
from generator.calc.verdicts import Verdict

MIN_TREND_PERIODS = 5


# Fingertips' recent-trend method: the chi-squared test for linear trend in proportions
# (Cochran-Armitage, as R's prop.trend.test) on the latest five periods that do not overlap, at
# 99.8% (9.5495 on 1 degree of freedom), once for each series.
TREND_Z = Z998
TREND_LEVEL = "99.8%"
NO_TREND = Verdict.NO_CHANGE
NOT_TESTED = Verdict.NOT_TESTED  # counts, money, ratios, scores


def trend_chi2(xs: Sequence[float], ns: Sequence[float]) -> float:
    """The chi-squared statistic (1 df) for a linear trend in x of n over equally spaced periods,
    with no minimum number of periods; 0 where the pooled share is 0 or 1."""
    z = _trend_z([(i, x, n) for i, (x, n) in enumerate(zip(xs, ns, strict=True)) if n > 0 and not isnan(x)])
    return z * z


def _trend_z(pts: Sequence[tuple[int, float, float]]) -> float:
    total_n = sum(n for _, _, n in pts)
    p = sum(x for _, x, _ in pts) / total_n
    if p in (0.0, 1.0):
        return 0.0
    t_bar = sum(n * t for t, _, n in pts) / total_n
    stat = sum(x * (t - t_bar) for t, x, _ in pts)
    var = p * (1 - p) * sum(n * (t - t_bar) ** 2 for t, _, n in pts)
    return stat / math.sqrt(var) if var > 0 else 0.0


def trend_z(xs: Sequence[float], ns: Sequence[float]) -> float | None:
    """Cochran-Armitage z for a linear trend in proportions over equally spaced periods.

    Periods with no denominator are left out but keep their place (scores are the period's
    position), so a missing period does not distort the spacing. None below five periods.
    """
    pts = [(i, x, n) for i, (x, n) in enumerate(zip(xs, ns, strict=True)) if n > 0 and not isnan(x)]
    if len(pts) < MIN_TREND_PERIODS:
        return None
    return _trend_z(pts)


TREND_WORDS = {
    HIGHER: Verdict.INCREASING,
    LOWER: Verdict.DECREASING,
    BETTER: Verdict.IMPROVING,
    WORSE: Verdict.GETTING_WORSE,
}


def trend(xs: Sequence[float], ns: Sequence[float], polarity: Polarity) -> Verdict:
    """The trend: at least five periods, chi-squared test for linear trend at 99.8%
    (:data:`Verdict.TOO_FEW_PERIODS` below five)."""
    z = trend_z(xs, ns)
    if z is None:
        return Verdict.TOO_FEW_PERIODS
    if abs(z) < TREND_Z:
        return NO_TREND
    verdict = direction(HIGHER if z > 0 else LOWER, polarity)
    return TREND_WORDS[verdict]


# -- trends of many series at once -------------------------------------------------------------
# The same test as trend(), on rows of a matrix (one series per row, all of one length), for a
# national table's tens of thousands of series. Sums run period by period, leaving out what the
# scalar version leaves out, so every figure is the same double it would get; squares are taken
# by Python's ``**`` (the C library's pow, which is not always x * x to the last bit, and numpy
# squares by multiplying).
def _squares(a: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.array([x**2 for x in a.ravel().tolist()], dtype=float).reshape(a.shape)


def _running(terms: npt.NDArray[np.float64], keep: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """Row sums of ``terms`` where ``keep``, added left to right as Python's sum() would."""
    total = np.zeros(terms.shape[0])
    for j in range(terms.shape[1]):
        total = total + np.where(keep[:, j], terms[:, j], 0.0)
    return total


def _trend_codes(up: npt.NDArray[np.bool_], polarity: Polarity) -> npt.NDArray[np.object_]:
    out = np.full(len(up), TREND_WORDS[direction(LOWER, polarity)], dtype=object)
    out[up] = TREND_WORDS[direction(HIGHER, polarity)]
    return out


def _zs(
    x: npt.NDArray[np.float64], n: npt.NDArray[np.float64], k: npt.NDArray[np.bool_], events: bool = False
) -> npt.NDArray[np.float64]:
    """Each row's z; for events among people (Poisson counts, a rate that may pass 1) the same
    score test with the Poisson variance: the binomial one without its (1 - p)."""
    t = np.broadcast_to(np.arange(x.shape[1], dtype=float), x.shape)
    total_n = _running(n, k)
    p = _running(x, k) / total_n
    t_bar = _running(n * t, k) / total_n
    d = t - t_bar[:, None]
    stat = _running(x * d, k)
    var = (p if events else p * (1 - p)) * _running(n * _squares(d), k)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(var > 0, stat / np.sqrt(var), 0.0)
    return np.where((p == 0.0) | ((p == 1.0) & (not events)), 0.0, z)


def _holds_at_every_corner(
    x: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
    n: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
    keep: npt.NDArray[np.bool_],
    rising: bool,
    events: bool,
) -> bool:
    """Whether a series' significant rise (or fall) stays significant, the same way, at every
    corner of its counts' ranges: each period's numerator and denominator at either end of its
    range (4 ** periods corners at most, 1,024 for five)."""
    width = len(keep)
    corners = np.array(np.meshgrid(*([[0, 1]] * (2 * width)), indexing="ij")).reshape(2 * width, -1).T
    xs = np.where(corners[:, :width] == 1, x[1], x[0])
    ns = np.where(corners[:, width:] == 1, n[1], n[0])
    if not events:  # a share's numerator is never above its denominator
        ok = ((xs <= ns) | ~keep).all(axis=1)
        xs, ns = xs[ok], ns[ok]
    if not len(xs):
        return False
    z = _zs(xs, ns, np.broadcast_to(keep, xs.shape), events)
    return bool((z >= TREND_Z).all() if rising else (z <= -TREND_Z).all())


def trends(
    xs: npt.NDArray[np.float64],
    ns: npt.NDArray[np.float64],
    polarity: Polarity,
    *,
    x_lo: npt.NDArray[np.float64] | None = None,
    x_hi: npt.NDArray[np.float64] | None = None,
    events: bool = False,
    n_lo: npt.NDArray[np.float64] | None = None,
    n_hi: npt.NDArray[np.float64] | None = None,
) -> list[Verdict]:
    """:func:`trend` of each row of ``xs`` out of ``ns``. Where each count is known only to lie
    in a range (``x_lo``..``x_hi``, ``n_lo``..``n_hi``: rounded counts), a rise or fall is said
    only if it holds at every corner of those ranges (each numerator and denominator at either
    end, a numerator never above its denominator for a share)."""
    keep = (ns > 0) & ~np.isnan(xs)
    have = keep.sum(axis=1)
    out = np.full(len(have), Verdict.TOO_FEW_PERIODS, dtype=object)
    enough = have >= MIN_TREND_PERIODS
    if enough.any():
        x, n, k = xs[enough], ns[enough], keep[enough]
        z = _zs(x, n, k, events)
        significant = np.abs(z) >= TREND_Z
        if x_lo is not None and x_hi is not None and significant.any():
            lo, hi = x_lo[enough], x_hi[enough]
            nlo = n if n_lo is None else n_lo[enough]
            nhi = n if n_hi is None else n_hi[enough]
            for r in np.flatnonzero(significant).tolist():
                significant[r] = _holds_at_every_corner(
                    (lo[r], hi[r]), (nlo[r], nhi[r]), k[r], bool(z[r] > 0), events
                )
        found = _trend_codes(z > 0, polarity)
        found[~significant] = NO_TREND
        out[enough] = found
    codes: list[Verdict] = out.tolist()
    return codes
