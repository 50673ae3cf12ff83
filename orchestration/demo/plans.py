"""The demo company's planning inputs: explicit plan rows, top-down targets, reps' commitments,
the planning policy and shared marketing-sales goals. Together they exercise every planning
method (top-down by ramped heads and by prior bookings, bottom-up, hybrid with w = 0.5 then 0.3,
forecast) and every quota type."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from orchestration.demo.company import Company
from orchestration.demo.deals import Opportunities
from orchestration.demo.finance import bookings_usd
from orchestration.demo.fx import Rates
from orchestration.demo.leads import Leads
from orchestration.demo.params import DemoParams
from orchestration.demo.sampling import DAY

# The fiscal year the company moved its revenue plan from w = 0.5 to w = 0.3 (hybrid method).
HYBRID_SWITCH, HYBRID_SWITCH_PREVIOUS_DAY = "2026-02-01", "2026-01-31"
EXPLICIT_PLAN_QUARTERS = 2  # the first quarters were planned by hand (quota_plan.csv)


@dataclass
class Table:
    """A small CSV file: values are epoch seconds (dates), user indices (ids) or plain values."""

    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)

    def add(self, *values) -> None:
        self.rows.append(values)


# Which columns of the plan files hold dates (epoch seconds) and user references (indices).
DATE_COLUMNS = frozenset({"period_start", "period_end"})
USER_COLUMNS = frozenset({"owner_id"})


@dataclass
class PlanInputs:
    quota_plan: Table
    company_targets: Table
    rep_commitments: Table
    quota_policy: Table
    shared_goals: Table


def fiscal_quarters(params: DemoParams) -> list[tuple[int, int]]:
    """(start, end) epoch seconds of the fiscal quarters from the demo's start to its end."""
    first = np.datetime64(params.start.strftime("%Y-%m"), "M")
    offset = (first.astype(int) % 12 + 1 - params.fiscal_year_start_month) % 3
    starts = np.arange(first - offset, np.datetime64(params.end.strftime("%Y-%m"), "M"), 3)
    starts = starts[starts >= first]
    seconds = lambda month: int(month.astype("datetime64[s]").astype(np.int64))  # noqa: E731
    return [(seconds(start), seconds(start + 3) - DAY) for start in starts]


def _per_quarter(values_at: np.ndarray, weights: np.ndarray, owners: np.ndarray, quarters, size: int) -> np.ndarray:
    """Sum of `weights` per (owner, quarter) by the time `values_at` falls in a quarter."""
    table = np.zeros((size, len(quarters)))
    for index, (start, end) in enumerate(quarters):
        inside = (values_at >= start) & (values_at < end + DAY)
        np.add.at(table[:, index], owners[inside], weights[inside])
    return table


def build_plan_inputs(
    params: DemoParams, company: Company, leads: Leads, opportunities: Opportunities, rates: Rates, rng
) -> PlanInputs:
    quarters = fiscal_quarters(params)
    aes, sdrs, marketers = company.members("AE"), company.members("SDR"), company.members("Marketing")
    booked = bookings_usd(opportunities, rates)
    won = opportunities.won
    ae_bookings = _per_quarter(
        opportunities.closed_at[won], booked[won], opportunities.owner[won], quarters, company.size
    )
    company_bookings = ae_bookings.sum(axis=0)
    everyone = np.zeros(leads.size, dtype=np.int64)
    has_mql = leads.mql_at >= 0
    mqls = _per_quarter(leads.mql_at[has_mql], np.ones(has_mql.sum()), everyone[has_mql], quarters, 1)[0]
    created = _per_quarter(
        opportunities.created_at, np.ones(opportunities.size), np.zeros(opportunities.size, int), quarters, 1
    )[0]
    mean_deal = booked[won].mean() if won.any() else 0.0

    plan = PlanInputs(
        quota_plan=Table(("owner_type", "owner_id", "period_start", "period_end", "quota_type", "target", "method")),
        company_targets=Table(("owner_type", "owner_id", "period_start", "period_end", "quota_type", "target")),
        rep_commitments=Table(("owner_id", "period_start", "period_end", "quota_type", "commitment")),
        quota_policy=Table(
            (
                "quota_type",
                "period_start",
                "period_end",
                "applies_to",
                "method",
                "hybrid_weight",
                "allocation_basis",
                "forecast_periods",
                "forecast_growth",
            )
        ),
        shared_goals=Table(
            ("goal_id", "goal_name", "owner_type", "owner_id", "period_start", "period_end", "metric", "target")
        ),
    )
    bias = rng.uniform(0.8, 1.0, company.size)  # the field commits below what it will book
    for index, (start, end) in enumerate(quarters):
        revenue = round(1.1 * company_bookings[index], 2)
        plan.company_targets.add("company", "company", start, end, "revenue", revenue)
        plan.company_targets.add("company", "company", start, end, "profit", round(0.75 * revenue, 2))
        plan.company_targets.add("company", "company", start, end, "pipeline", round(3.0 * revenue, 2))
        active_aes = aes[company.capacity(aes, start) > 0]
        for ae in active_aes:
            plan.rep_commitments.add(ae, start, end, "revenue", round(ae_bookings[ae, index] * bias[ae], 2))
            plan.rep_commitments.add(ae, start, end, "activity", int(rng.integers(120, 180)))
        if index < EXPLICIT_PLAN_QUARTERS and len(active_aes):
            # A hand-made plan: the company row and the rep rows it splits into (which must sum).
            full = round(revenue / len(active_aes), 2)
            plan.quota_plan.add(
                "company", "company", start, end, "revenue", round(full * len(active_aes), 2), "top_down"
            )
            for ae in active_aes:
                plan.quota_plan.add("rep", ae, start, end, "revenue", full, "top_down")
        for sdr in sdrs[company.capacity(sdrs, start) > 0]:
            plan.rep_commitments.add(sdr, start, end, "activity", int(rng.integers(300, 420)))
        plan.shared_goals.add(
            f"mkt-mqls-{index}",
            "Marketing MQLs",
            "department",
            "Marketing",
            start,
            end,
            "mqls",
            int(round(1.05 * mqls[index])),
        )
        plan.shared_goals.add(
            f"sales-bookings-{index}", "Sales bookings", "department", "Sales", start, end, "bookings", revenue
        )
        plan.shared_goals.add(
            f"joint-pipeline-{index}",
            "Pipeline created (marketing + sales)",
            "shared",
            "Marketing+Sales",
            start,
            end,
            "pipeline_created",
            round(1.1 * created[index] * mean_deal, 2),
        )
        for marketer in marketers:
            plan.shared_goals.add(
                f"mqls-{marketer}-{index}",
                "MQLs from my campaigns",
                "individual",
                marketer,
                start,
                end,
                "mqls",
                int(round(1.05 * mqls[index] / len(marketers))),
            )
    policy = plan.quota_policy
    policy.add("revenue", None, HYBRID_SWITCH_PREVIOUS_DAY, "ae", "hybrid", 0.5, "equal_ramped_heads", None, None)
    policy.add("revenue", HYBRID_SWITCH, None, "ae", "hybrid", 0.3, "equal_ramped_heads", None, None)
    policy.add("profit", None, None, "ae", "top_down", None, "prior_bookings_share", None, None)
    policy.add("pipeline", None, None, "ae", "top_down", None, "equal_ramped_heads", None, None)
    policy.add("volume", None, None, "ae", "forecast", None, None, 3, 0.10)
    policy.add("activity", None, None, "ae|sdr", "bottom_up", None, None, None, None)
    return plan
