"""Vectorized sampling helpers shared by the demo generator. Times are int64 UTC epoch seconds."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

DAY = 86_400
HOUR = 3_600


def epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: float, size: int) -> np.ndarray:
    """Positive durations with the given median (any unit) and log-scale spread."""
    return np.asarray(median, dtype=float) * np.exp(rng.normal(0.0, sigma, size))


def days(rng: np.random.Generator, median: np.ndarray | float, sigma: float, size: int) -> np.ndarray:
    """Lognormal durations in whole seconds, median in days."""
    return (lognormal(rng, median, sigma, size) * DAY).astype(np.int64)


def working_hours_offset(rng: np.random.Generator, size: int) -> np.ndarray:
    """Seconds into a UTC day, centred on 15:00 UTC (US morning, European afternoon)."""
    hours = np.clip(rng.normal(15.0, 3.0, size), 0.0, 23.99)
    return (hours * HOUR).astype(np.int64)


def day_weights(start: datetime, n_days: int, month_factors, weekday_factors, yearly_growth: float) -> np.ndarray:
    """Relative volume per day: seasonality x weekday x compound growth."""
    first = np.datetime64(start.date(), "D")
    dates = first + np.arange(n_days)
    months = dates.astype("datetime64[M]").astype(int) % 12
    weekdays = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    growth = (1.0 + yearly_growth) ** (np.arange(n_days) / 365.0)
    weights = np.asarray(month_factors)[months] * np.asarray(weekday_factors)[weekdays] * growth
    return weights / weights.sum()


def choose(rng: np.random.Generator, shares, size: int) -> np.ndarray:
    """Indices drawn with the given (unnormalized) shares."""
    shares = np.asarray(shares, dtype=float)
    return rng.choice(len(shares), size=size, p=shares / shares.sum())


def pick_by_capacity(
    rng: np.random.Generator,
    when: np.ndarray,
    group: np.ndarray,
    staff_group: np.ndarray,
    staff_capacity,
) -> np.ndarray:
    """For each item (time `when`, group), pick a staff member of that group, weighted by the
    staff member's capacity at that time (0 before hire or after leaving, ramped when new).

    `staff_capacity(staff_indices, month_start)` returns capacities for one month; items are
    bucketed by calendar month so that this stays vectorized at tens of millions of items.
    """
    chosen = np.full(when.shape[0], -1, dtype=np.int64)
    months = (when // DAY).astype("datetime64[D]").astype("datetime64[M]")
    for month in np.unique(months):
        month_start = int(month.astype("datetime64[s]").astype(np.int64))
        in_month = months == month
        for value in np.unique(group[in_month]):
            members = np.flatnonzero(staff_group == value)
            weights = staff_capacity(members, month_start) if members.size else np.zeros(0)
            if weights.sum() <= 0:
                # Nobody active (e.g. the only rep left): fall back to anyone in the group.
                weights = np.ones(members.size)
            if members.size == 0:
                continue
            items = np.flatnonzero(in_month & (group == value))
            cumulative = np.cumsum(weights / weights.sum())
            draws = np.searchsorted(cumulative, rng.random(items.size), side="right")
            chosen[items] = members[np.minimum(draws, members.size - 1)]
    return chosen
