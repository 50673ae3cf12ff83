"""Campaigns, campaign members (first and later touches) and marketing / sales spend."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo.company import KINDS, Company
from orchestration.demo.leads import Leads
from orchestration.demo.params import CHANNELS, REGIONS, DemoParams
from orchestration.demo.sampling import DAY

CAMPAIGNS_PER_CHANNEL_QUARTER = 3
THEMES = ("Launch", "Always-on", "Spotlight")
# Loaded monthly cost (USD) of sales staff and tools: the "sales" side of CAC.
MONTHLY_COST = {"AE": 14_000.0, "SDR": 8_000.0, "Manager": 18_000.0}
SALES_TOOLS_PER_HEAD = 150.0


@dataclass
class Campaigns:
    channel: np.ndarray
    region: np.ndarray  # where the campaign runs (spend currency)
    start_at: np.ndarray  # epoch seconds, quarter start
    end_at: np.ndarray  # epoch seconds, last second of the quarter
    theme: np.ndarray
    owner: np.ndarray
    # Members: one row per (lead, campaign) touch.
    member_lead: np.ndarray
    member_campaign: np.ndarray
    member_at: np.ndarray
    member_responded: np.ndarray
    first_touch: np.ndarray  # per lead: campaign index, -1 when none

    @property
    def size(self) -> int:
        return self.channel.size


def _quarter_starts(params: DemoParams) -> np.ndarray:
    first = np.datetime64(f"{params.start.year}-{params.start.month:02d}", "M")
    first = first - (first.astype(int) % 3)
    last = np.datetime64(f"{params.end.year}-{params.end.month:02d}", "M") + 12
    return np.arange(first, last, 3)


def build_campaigns(params: DemoParams, company: Company, leads: Leads, rng: np.random.Generator) -> Campaigns:
    quarters = _quarter_starts(params)
    with_campaigns = [index for index, channel in enumerate(CHANNELS) if channel.campaign_type]
    grid = np.array(
        [(c, q, k) for q in range(quarters.size) for c in with_campaigns for k in range(CAMPAIGNS_PER_CHANNEL_QUARTER)]
    )
    channel, quarter, theme = grid[:, 0], grid[:, 1], grid[:, 2]
    start = quarters[quarter].astype("datetime64[s]").astype(np.int64)
    end = (quarters[quarter] + 3).astype("datetime64[s]").astype(np.int64) - 1
    marketers = company.members("Marketing")
    region = np.where(np.array([CHANNELS[c].name == "Events" for c in channel]), theme % len(REGIONS), 0)

    # First touch: a campaign of the lead's channel running when the lead was created.
    per_quarter = CAMPAIGNS_PER_CHANNEL_QUARTER * len(with_campaigns)
    quarter_of = np.searchsorted(start[::per_quarter], leads.created_at, side="right") - 1
    slot = {c: i for i, c in enumerate(with_campaigns)}
    has_campaign = np.array([CHANNELS[c].campaign_type is not None for c in range(len(CHANNELS))])[leads.channel]
    channel_slot = np.array([slot.get(c, 0) for c in range(len(CHANNELS))])[leads.channel]
    first = np.where(
        has_campaign,
        quarter_of * per_quarter
        + channel_slot * CAMPAIGNS_PER_CHANNEL_QUARTER
        + rng.integers(0, CAMPAIGNS_PER_CHANNEL_QUARTER, leads.size),
        -1,
    )

    # Later touches: ~30% of leads respond to another campaign within 90 days.
    later = np.flatnonzero(rng.random(leads.size) < 0.3)
    later_at = leads.created_at[later] + rng.integers(1, 90, later.size) * DAY
    later_quarter = np.searchsorted(start[::per_quarter], later_at, side="right") - 1
    later_campaign = later_quarter * per_quarter + rng.integers(0, per_quarter, later.size)

    first_rows = np.flatnonzero(first >= 0)
    return Campaigns(
        channel=channel,
        region=region,
        start_at=start,
        end_at=end,
        theme=theme,
        owner=marketers[rng.integers(0, marketers.size, grid.shape[0])],
        member_lead=np.concatenate([first_rows, later]),
        member_campaign=np.concatenate([first[first_rows], later_campaign]),
        member_at=np.concatenate([leads.created_at[first_rows], later_at]),
        member_responded=np.concatenate([np.ones(first_rows.size, bool), rng.random(later.size) < 0.5]),
        first_touch=first,
    )


@dataclass
class Spend:
    day: np.ndarray  # epoch seconds at 00:00 UTC
    channel: np.ndarray  # index into CHANNELS, -1 for sales spend
    campaign: np.ndarray  # -1 for none
    category: np.ndarray  # 0 marketing, 1 sales
    amount_usd: np.ndarray
    region: np.ndarray  # spend currency follows the region


def build_spend(
    params: DemoParams, company: Company, leads: Leads, campaigns: Campaigns, rng: np.random.Generator
) -> Spend:
    """Marketing spend per day x campaign (cost per lead of the channel, with noise) and the
    monthly loaded cost of sales staff (AEs, SDRs, their managers)."""
    with_touch = campaigns.first_touch >= 0
    day = leads.created_at[with_touch] // DAY * DAY
    campaign = campaigns.first_touch[with_touch]
    keys, counts = np.unique(np.stack([day, campaign]), axis=1, return_counts=True)
    cost_per_lead = np.array([c.cost_per_lead for c in CHANNELS])[campaigns.channel[keys[1]]]
    marketing = counts * cost_per_lead * np.exp(rng.normal(0.0, 0.3, counts.size))

    months = np.arange(
        np.datetime64(params.start.strftime("%Y-%m"), "M"), np.datetime64(params.end.strftime("%Y-%m"), "M")
    )
    month_start = months.astype("datetime64[s]").astype(np.int64)
    sales_staff = np.flatnonzero(np.isin(company.user_kind, [KINDS.index(k) for k in MONTHLY_COST]))
    cost = np.array([MONTHLY_COST[KINDS[k]] + SALES_TOOLS_PER_HEAD for k in company.user_kind[sales_staff]])
    manager = company.user_kind[sales_staff] == KINDS.index("Manager")
    in_sales = np.array([company.user_department[u] == "Sales" for u in sales_staff]) | ~manager
    sales = np.array(
        [float((np.where(company.capacity(sales_staff, m) > 0, cost, 0.0) * in_sales).sum()) for m in month_start]
    )
    return Spend(
        day=np.concatenate([keys[0], month_start]),
        channel=np.concatenate([campaigns.channel[keys[1]], np.full(months.size, -1)]),
        campaign=np.concatenate([keys[1], np.full(months.size, -1)]),
        category=np.concatenate([np.zeros(counts.size, int), np.ones(months.size, int)]),
        amount_usd=np.round(np.concatenate([marketing, sales]), 2),
        region=np.concatenate([campaigns.region[keys[1]], np.zeros(months.size, int)]),
    )
