"""Forecast submissions, deal costs and the quota plan of the demo company."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo.company import Company
from orchestration.demo.deals import Opportunities
from orchestration.demo.fx import Rates
from orchestration.demo.leads import Leads
from orchestration.demo.params import CHANNELS, PRODUCTS, DemoParams
from orchestration.demo.sampling import DAY, HOUR

FORECAST_CATEGORIES = ("commit", "best_case", "pipeline")
COST_TYPES = ("discount", "shipping", "marketing", "other")
SHIPPING_PER_HARDWARE_UNIT_USD = 120.0
ATTRIBUTED_MARKETING_USD = 800.0  # events and partner deals carry an attributed cost


def month_starts(first: np.datetime64, last: np.datetime64) -> np.ndarray:
    return np.arange(first, last).astype("datetime64[s]").astype(np.int64)


def final_amounts(opportunities: Opportunities) -> np.ndarray:
    """Each opportunity's last amount in its history (after any late edit)."""
    last = np.r_[np.flatnonzero(np.diff(opportunities.history_opportunity)), opportunities.history_opportunity.size - 1]
    amount = np.zeros(opportunities.size)
    amount[opportunities.history_opportunity[last]] = opportunities.history_amount[last]
    return amount


def bookings_usd(opportunities: Opportunities, rates: Rates) -> np.ndarray:
    """Won amount in USD at the rate of the close month (0 for open or lost deals)."""
    usd = final_amounts(opportunities) / rates.at(opportunities.currency, opportunities.closed_at)
    return np.where(opportunities.won, usd, 0.0)


@dataclass
class Forecasts:
    owner: np.ndarray
    period_start: np.ndarray
    period_end: np.ndarray  # last day of the period
    category: np.ndarray
    amount_usd: np.ndarray
    submitted_at: np.ndarray


def build_forecasts(params: DemoParams, company: Company, opportunities: Opportunities, rates: Rates, rng) -> Forecasts:
    """AEs submit every Monday, from the week before a month starts to its end, a commit that
    converges from their personal bias (sandbagger 0.85, optimist 1.15) to the actual."""
    aes = company.members("AE")
    first = np.datetime64(params.start.strftime("%Y-%m"), "M")
    months = np.arange(first, np.datetime64(params.end.strftime("%Y-%m"), "M"))
    starts = months.astype("datetime64[s]").astype(np.int64)
    ends = (months + 1).astype("datetime64[s]").astype(np.int64)
    booked = bookings_usd(opportunities, rates)
    month_of_close = np.searchsorted(starts, opportunities.closed_at, side="right") - 1
    actual = np.zeros((company.size, months.size))
    valid = (month_of_close >= 0) & (month_of_close < months.size) & opportunities.won
    np.add.at(actual, (opportunities.owner[valid], month_of_close[valid]), booked[valid])
    bias = rng.choice([0.85, 1.0, 1.15], company.size) * rng.normal(1.0, 0.05, company.size)

    rows = {"owner": [], "period": [], "submitted_at": []}
    for period, (start, end) in enumerate(zip(starts, ends, strict=True)):
        first_monday = start - 7 * DAY - ((start - 7 * DAY) // DAY + 3) % 7 * DAY
        mondays = np.arange(first_monday, end, 7 * DAY) + 16 * HOUR
        for monday in mondays:
            employed = aes[
                (company.hired_at[aes] <= monday) & ((company.left_at[aes] < 0) | (company.left_at[aes] > monday))
            ]
            rows["owner"].append(employed)
            rows["period"].append(np.full(employed.size, period))
            rows["submitted_at"].append(np.full(employed.size, monday))
    owner = np.concatenate(rows["owner"])
    period = np.concatenate(rows["period"])
    submitted = np.concatenate(rows["submitted_at"])
    progress = np.clip((submitted - (starts[period] - 7 * DAY)) / (ends[period] - starts[period] + 7 * DAY), 0, 1)
    level = bias[owner] + (1.0 - bias[owner]) * progress
    commit = actual[owner, period] * level * np.exp(rng.normal(0.0, 0.15 * (1.0 - progress)))
    amounts = np.stack([commit, commit * rng.uniform(1.2, 1.5, owner.size), commit * rng.uniform(2.0, 3.0, owner.size)])
    k = len(FORECAST_CATEGORIES)
    return Forecasts(
        owner=np.tile(owner, k),
        period_start=np.tile(starts[period], k),
        period_end=np.tile(ends[period] - DAY, k),
        category=np.repeat(np.arange(k), owner.size),
        amount_usd=np.round(amounts.reshape(-1), 2),
        submitted_at=np.tile(submitted, k),
    )


@dataclass
class DealCosts:
    opportunity: np.ndarray
    cost_type: np.ndarray
    amount: np.ndarray  # in the opportunity's currency


def build_deal_costs(opportunities: Opportunities, leads: Leads, rates: Rates, rng) -> DealCosts:
    won = opportunities.won
    items = opportunities.item_opportunity
    quantity = opportunities.item_quantity_edited
    discount = np.bincount(
        items,
        weights=quantity * (opportunities.item_list_price - opportunities.item_unit_price),
        minlength=opportunities.size,
    )
    hardware = np.array([family == "Hardware" for _, _, family, _ in PRODUCTS])[opportunities.item_product]
    rate = rates.at(opportunities.currency, opportunities.closed_at)
    shipping = (
        np.bincount(items, weights=quantity * hardware, minlength=opportunities.size)
        * SHIPPING_PER_HARDWARE_UNIT_USD
        * rate
    )
    lead_channel = np.where(opportunities.lead >= 0, leads.channel[np.maximum(opportunities.lead, 0)], -1)
    costly_channel = np.isin(
        lead_channel, [i for i, c in enumerate(CHANNELS) if c.name in ("Events", "Partner Referral")]
    )
    marketing = np.where(costly_channel, ATTRIBUTED_MARKETING_USD * rate, 0.0)
    other = np.where(rng.random(opportunities.size) < 0.1, rng.uniform(100, 2000, opportunities.size) * rate, 0.0)
    table = np.round(np.stack([discount, shipping, marketing, other]), 2)
    cost_type, opportunity = np.nonzero((table > 0) & won[None, :])
    return DealCosts(opportunity=opportunity, cost_type=cost_type, amount=table[cost_type, opportunity])
