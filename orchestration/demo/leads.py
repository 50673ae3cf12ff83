"""Leads and their lifecycle: status changes with skips, recycles and disqualifications.

Every lead first draws how far it gets (MQL, SAL, SQL, opportunity) from its channel's
conditional probabilities, then a path of Lead.Status changes that reaches exactly that far:
some leads skip stages (converted straight from Open, MQL -> SQL without SAL, SDR-sourced leads
without an MQL status), some are recycled (Nurture, then re-MQL'd), the rest stop with
"Closed - Not Converted" or "Nurture". Under the waterfall rule the measured cohort conversion
MQL -> SQL is then p_sal * p_sql of the channel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo.company import KINDS, Company
from orchestration.demo.params import (
    CHANNELS,
    INDUSTRIES,
    LEAD_STATUSES,
    MONTH_SEASONALITY,
    REGIONS,
    SEGMENTS,
    WEEKDAY_WEIGHTS,
    DemoParams,
)
from orchestration.demo.sampling import (
    DAY,
    HOUR,
    choose,
    day_weights,
    days,
    epoch,
    lognormal,
    pick_by_capacity,
    working_hours_offset,
)

STATUS = {name: code for code, (name, _) in enumerate(LEAD_STATUSES)}
COUNTRIES = [
    (region, country, currency)
    for region, (_, _, countries) in enumerate(REGIONS)
    for country, _, currency in countries
]


@dataclass
class Leads:
    channel: np.ndarray
    region: np.ndarray
    country: np.ndarray  # index into COUNTRIES
    industry: np.ndarray
    employees: np.ndarray
    segment: np.ndarray  # index into SEGMENTS
    created_at: np.ndarray
    owner: np.ndarray  # SDR user index
    reach_mql: np.ndarray
    reach_sal: np.ndarray
    reach_sql: np.ndarray
    reach_opp: np.ndarray
    mql_at: np.ndarray  # first MQL-status (or SAL for SDR-sourced) time, -1 if never
    converted_at: np.ndarray  # -1 if never converted
    first_touch_at: np.ndarray  # SDR's first touch after MQL, -1 if none
    deleted_at: np.ndarray  # -1 if never deleted
    # Status-change events (LeadHistory rows with Field = 'Status').
    event_lead: np.ndarray
    event_at: np.ndarray
    event_status: np.ndarray
    event_actor: np.ndarray
    event_previous_status: np.ndarray  # the status before this change (Open for the first)
    event_rank: np.ndarray  # 0, 1, ... within the lead, in time order

    @property
    def size(self) -> int:
        return self.channel.size


def _segment(employees: np.ndarray) -> np.ndarray:
    bounds = np.array([floor for _, floor, _ in SEGMENTS[1:]])
    return np.searchsorted(bounds, employees, side="right")


def _attributes(params: DemoParams, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    channel = choose(rng, [c.lead_share for c in CHANNELS], n)
    region = choose(rng, [share for _, share, _ in REGIONS], n)
    country = np.empty(n, dtype=np.int64)
    for index, (_, _, countries) in enumerate(REGIONS):
        members = np.flatnonzero(region == index)
        offset = sum(len(r[2]) for r in REGIONS[:index])
        country[members] = offset + choose(rng, [share for _, share, _ in countries], members.size)
    employees = np.clip(np.exp(rng.normal(np.log(120), 1.5, n)), 1, 200_000).astype(np.int64)
    n_days = (params.end - params.start).days
    weights = day_weights(params.start, n_days, MONTH_SEASONALITY, WEEKDAY_WEIGHTS, params.yearly_growth)
    day = np.sort(rng.choice(n_days, size=n, p=weights))
    created = epoch(params.start) + day * DAY + working_hours_offset(rng, n)
    return {
        "channel": channel,
        "region": region,
        "country": country,
        "industry": rng.integers(0, len(INDUSTRIES), n),
        "employees": employees,
        "segment": _segment(employees),
        "created_at": created.astype(np.int64),
    }


def build_leads(params: DemoParams, company: Company, rng: np.random.Generator) -> Leads:
    n = params.leads
    attributes = _attributes(params, rng, n)
    channel, created = attributes["channel"], attributes["created_at"]

    sdrs = company.members("SDR")
    owner = pick_by_capacity(
        rng, created, attributes["region"], company.user_region[sdrs], company.capacity_by_index(sdrs)
    )
    owner = sdrs[owner]
    automation = int(np.flatnonzero(company.user_kind == KINDS.index("System"))[0])

    def per_channel(attribute: str) -> np.ndarray:
        return np.array([getattr(c, attribute) for c in CHANNELS])[channel]

    reach_mql = rng.random(n) < per_channel("p_mql")
    reach_sal = reach_mql & (rng.random(n) < per_channel("p_sal"))
    reach_sql = reach_sal & (rng.random(n) < per_channel("p_sql"))
    reach_opp = reach_sql & (rng.random(n) < per_channel("p_opp"))
    outbound = per_channel("skips_mql").astype(bool)
    straight = reach_opp & ~outbound & (rng.random(n) < params.p_straight_conversion)
    skip_sal = reach_sql & ~straight & ~outbound & (rng.random(n) < params.p_skip_sal)
    recycled = reach_mql & ~straight & ~outbound & (rng.random(n) < params.p_recycle)
    recycled_twice = recycled & (rng.random(n) < params.p_second_recycle)
    working = outbound | (~straight & (rng.random(n) < 0.6))

    t_work = created + days(rng, 1.0, 1.0, n)
    qualified = np.where(working, t_work, created) + days(rng, per_channel("days_to_mql"), 1.0, n)
    recycle_1_mql = qualified
    recycle_1_nurture = recycle_1_mql + days(rng, 10.0, 0.6, n)
    recycle_2_mql = recycle_1_nurture + days(rng, 60.0, 0.5, n)
    recycle_2_nurture = recycle_2_mql + days(rng, 10.0, 0.6, n)
    last_nurture = np.where(recycled_twice, recycle_2_nurture, recycle_1_nurture)
    t_mql = np.where(recycled, last_nurture + days(rng, 60.0, 0.5, n), qualified)

    handoff_hours = lognormal(rng, company.handoff_hours[owner], 0.9, n)
    touched = reach_mql & ~straight & ~outbound & (rng.random(n) >= params.p_no_touch)
    first_touch = np.where(touched, t_mql + (handoff_hours * HOUR).astype(np.int64), -1)
    accept_from = np.where(touched, first_touch, t_mql + DAY)
    t_sal = np.where(outbound, qualified, accept_from + days(rng, 0.5, 0.8, n))
    t_sql = np.where(skip_sal, t_mql, t_sal) + days(rng, params.days_sal_to_sql, 0.8, n)
    t_opp = np.where(
        straight,
        created + days(rng, per_channel("days_to_mql") + 5.0, 0.8, n),
        t_sql + days(rng, params.days_sql_to_opp, 0.7, n),
    )

    stop_after_mql = reach_mql & ~reach_sal & ~outbound
    stop_after_sal = reach_sal & ~reach_sql
    stop_after_sql = reach_sql & ~reach_opp
    stop_unqualified = ~reach_mql & working & (rng.random(n) < 0.5)
    t_stop = np.select(
        [stop_after_mql, stop_after_sal, stop_after_sql, stop_unqualified],
        [
            t_mql + days(rng, 4.0, 0.8, n),
            t_sal + days(rng, 10.0, 0.8, n),
            t_sql + days(rng, 7.0, 0.8, n),
            t_work + days(rng, 14.0, 0.8, n),
        ],
        default=-1,
    )
    stop_status = np.where(stop_after_mql & (rng.random(n) < 0.4), STATUS["Nurture"], STATUS["Closed - Not Converted"])

    sdr_acts = owner
    slots = [
        (working, t_work, STATUS["Working - Contacted"], sdr_acts),
        (recycled, recycle_1_mql, STATUS["Marketing Qualified"], automation),
        (recycled, recycle_1_nurture, STATUS["Nurture"], sdr_acts),
        (recycled_twice, recycle_2_mql, STATUS["Marketing Qualified"], automation),
        (recycled_twice, recycle_2_nurture, STATUS["Nurture"], sdr_acts),
        (reach_mql & ~outbound & ~straight, t_mql, STATUS["Marketing Qualified"], automation),
        (reach_sal & ~skip_sal & ~straight, t_sal, STATUS["Sales Accepted"], sdr_acts),
        (reach_sql & ~straight, t_sql, STATUS["Sales Qualified"], sdr_acts),
        (reach_opp, t_opp, STATUS["Closed - Converted"], sdr_acts),
        (t_stop >= 0, t_stop, stop_status, sdr_acts),
    ]
    event_lead, event_at, event_status, event_actor = [], [], [], []
    for present, at, status, actor in slots:
        rows = np.flatnonzero(present)
        event_lead.append(rows)
        event_at.append(at[rows])
        event_status.append(np.broadcast_to(status, n)[rows])
        event_actor.append(np.broadcast_to(actor, n)[rows])
    order_lead = np.concatenate(event_lead)
    order_at = np.concatenate(event_at)
    order = np.lexsort((order_at, order_lead))

    event_lead_sorted = order_lead[order]
    first_of_lead = np.r_[True, event_lead_sorted[1:] != event_lead_sorted[:-1]]
    starts = np.flatnonzero(first_of_lead)
    rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    statuses = np.concatenate(event_status)[order]
    previous = np.where(first_of_lead, STATUS["Open - Not Contacted"], np.roll(statuses, 1))

    first_mql = np.where(reach_mql & ~straight, np.where(outbound, t_sal, np.where(recycled, recycle_1_mql, t_mql)), -1)
    deleted = rng.random(n) < params.p_deleted
    return Leads(
        **attributes,
        owner=owner,
        reach_mql=reach_mql,
        reach_sal=reach_sal,
        reach_sql=reach_sql,
        reach_opp=reach_opp,
        mql_at=first_mql,
        converted_at=np.where(reach_opp, t_opp, -1),
        first_touch_at=first_touch,
        deleted_at=np.where(deleted, created + rng.integers(5, 200, n) * DAY, -1),
        event_lead=event_lead_sorted,
        event_at=order_at[order],
        event_status=statuses,
        event_actor=np.concatenate(event_actor)[order],
        event_previous_status=previous,
        event_rank=rank,
    )
