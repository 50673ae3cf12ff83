"""Monthly dated exchange rates (units of a currency per 1 USD), a gentle random walk."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo.params import CURRENCY_BASE_RATES, DemoParams

CURRENCIES = tuple(CURRENCY_BASE_RATES)


@dataclass
class Rates:
    month_start: np.ndarray  # epoch seconds of each month's first day
    rate: np.ndarray  # shape (months, currencies)

    def at(self, currency: np.ndarray, when: np.ndarray) -> np.ndarray:
        """The rate in force at `when` for each currency index."""
        month = np.clip(np.searchsorted(self.month_start, when, side="right") - 1, 0, self.month_start.size - 1)
        return self.rate[month, currency]


def build_rates(params: DemoParams, rng: np.random.Generator) -> Rates:
    first = np.datetime64(params.start.strftime("%Y-%m"), "M") - 12
    last = np.datetime64(params.end.strftime("%Y-%m"), "M") + 24
    months = np.arange(first, last)
    steps = rng.normal(0.0, 0.015, (months.size, len(CURRENCIES)))
    steps[:, CURRENCIES.index("USD")] = 0.0
    base = np.array([CURRENCY_BASE_RATES[c] for c in CURRENCIES])
    rate = np.round(base * np.exp(np.cumsum(steps, axis=0)), 6)
    return Rates(month_start=months.astype("datetime64[s]").astype(np.int64), rate=rate)
