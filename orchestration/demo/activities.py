"""Tasks and events: SDR touches (speed to lead), marketing emails, AE deal work, admin time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo.company import KINDS, Company
from orchestration.demo.deals import Opportunities
from orchestration.demo.leads import Leads
from orchestration.demo.params import CHANNELS, DemoParams
from orchestration.demo.sampling import DAY, HOUR, epoch

# Activity types; the first three are Tasks, the rest Events.
TYPES = ("Call", "Email", "Other", "Meeting", "Demo", "Internal")
EVENT_TYPES = frozenset({"Meeting", "Demo", "Internal"})
SUBJECTS = {
    "Call": "Call",
    "Email": "Email",
    "Other": "Follow-up",
    "Meeting": "Discovery meeting",
    "Demo": "Product demo",
    "Internal": "Pipeline review",
}


@dataclass
class Activities:
    owner: np.ndarray
    at: np.ndarray
    type: np.ndarray  # index into TYPES
    who_lead: np.ndarray  # -1 when none
    who_contact: np.ndarray
    what_opportunity: np.ndarray
    account: np.ndarray
    duration_seconds: np.ndarray
    deleted: np.ndarray

    @property
    def size(self) -> int:
        return self.owner.size


def _block(n, owner, at, kind, lead=None, contact=None, opportunity=None, account=None, duration=None):
    none = np.full(n, -1, dtype=np.int64)
    return {
        "owner": owner,
        "at": at.astype(np.int64),
        "type": kind,
        "who_lead": none if lead is None else lead,
        "who_contact": none if contact is None else contact,
        "what_opportunity": none if opportunity is None else opportunity,
        "account": none if account is None else account,
        "duration_seconds": np.zeros(n, np.int64) if duration is None else duration.astype(np.int64),
    }


def _lead_touches(params: DemoParams, company: Company, leads: Leads, rng) -> list[dict]:
    blocks = []
    call, email = TYPES.index("Call"), TYPES.index("Email")
    call_or_email = lambda n: np.where(rng.random(n) < 0.6, call, email)  # noqa: E731
    call_seconds = lambda n: (np.exp(rng.normal(np.log(8 * 60), 0.6, n))).astype(np.int64)  # noqa: E731

    touched = np.flatnonzero(leads.first_touch_at >= 0)
    kind = call_or_email(touched.size)
    blocks.append(
        _block(
            touched.size,
            leads.owner[touched],
            leads.first_touch_at[touched],
            kind,
            lead=touched,
            duration=np.where(kind == call, call_seconds(touched.size), 0),
        )
    )

    follow_ups = np.repeat(touched, rng.poisson(1.5, touched.size))
    kind = call_or_email(follow_ups.size)
    blocks.append(
        _block(
            follow_ups.size,
            leads.owner[follow_ups],
            leads.first_touch_at[follow_ups] + rng.integers(DAY, 14 * DAY, follow_ups.size),
            kind,
            lead=follow_ups,
            duration=np.where(kind == call, call_seconds(follow_ups.size), 0),
        )
    )

    outbound = np.array([c.skips_mql for c in CHANNELS])[leads.channel]
    prospected = np.flatnonzero(outbound)
    blocks.append(
        _block(
            prospected.size,
            leads.owner[prospected],
            leads.created_at[prospected] + rng.integers(HOUR, 4 * HOUR, prospected.size),
            np.full(prospected.size, call),
            lead=prospected,
            duration=call_seconds(prospected.size),
        )
    )

    # Touches that hand-off time must ignore: before the MQL, and by marketing (not sales).
    early = np.flatnonzero((leads.mql_at - leads.created_at > HOUR) & ~outbound & (rng.random(leads.size) < 0.1))
    early_at = leads.created_at[early] + (
        rng.random(early.size) * (leads.mql_at[early] - leads.created_at[early] - 60)
    ).astype(np.int64)
    blocks.append(
        _block(
            early.size,
            leads.owner[early],
            early_at,
            np.full(early.size, call),
            lead=early,
            duration=call_seconds(early.size),
        )
    )
    marketers = company.members("Marketing")
    nurtured = np.flatnonzero((leads.mql_at >= 0) & (rng.random(leads.size) < 0.25))
    blocks.append(
        _block(
            nurtured.size,
            marketers[rng.integers(0, marketers.size, nurtured.size)],
            leads.mql_at[nurtured] + rng.integers(0, 48 * HOUR, nurtured.size),
            np.full(nurtured.size, email),
            lead=nurtured,
        )
    )
    return blocks


def _deal_work(opportunities: Opportunities, rng) -> dict:
    counts = rng.poisson(5, opportunities.size)
    opp = np.repeat(np.arange(opportunities.size), counts)
    span = opportunities.closed_at[opp] - opportunities.created_at[opp]
    at = opportunities.created_at[opp] + (rng.random(opp.size) * span).astype(np.int64)
    kind = rng.choice(
        [TYPES.index(t) for t in ("Call", "Email", "Meeting", "Demo")], opp.size, p=[0.35, 0.35, 0.2, 0.1]
    )
    minutes = rng.choice([30, 45, 60], opp.size)
    duration = np.select(
        [kind == TYPES.index("Call"), np.isin(kind, [TYPES.index("Meeting"), TYPES.index("Demo")])],
        [np.exp(rng.normal(np.log(12 * 60), 0.6, opp.size)), minutes * 60],
        default=0,
    )
    return _block(
        opp.size,
        opportunities.owner[opp],
        at,
        kind,
        contact=opportunities.contact[opp],
        opportunity=opp,
        account=opportunities.account[opp],
        duration=duration,
    )


def _admin_time(params: DemoParams, company: Company, rng) -> dict:
    reps = np.flatnonzero(np.isin(company.user_kind, [KINDS.index("AE"), KINDS.index("SDR")]))
    weeks = np.arange(epoch(params.start), epoch(params.end), 7 * DAY)
    rep = np.repeat(reps, weeks.size)
    week = np.tile(weeks, reps.size)
    count = rng.poisson(1.5, rep.size)
    rep, week = np.repeat(rep, count), np.repeat(week, count)
    at = week + rng.integers(0, 5, rep.size) * DAY + 14 * HOUR
    employed = (company.hired_at[rep] <= at) & ((company.left_at[rep] < 0) | (company.left_at[rep] > at))
    rep, at = rep[employed], at[employed]
    return _block(
        rep.size, rep, at, np.full(rep.size, TYPES.index("Internal")), duration=rng.choice([30, 45, 60], rep.size) * 60
    )


def build_activities(
    params: DemoParams, company: Company, leads: Leads, opportunities: Opportunities, rng
) -> Activities:
    blocks = [
        *_lead_touches(params, company, leads, rng),
        _deal_work(opportunities, rng),
        _admin_time(params, company, rng),
    ]
    merged = {key: np.concatenate([block[key] for block in blocks]) for key in blocks[0]}
    order = np.argsort(merged["at"], kind="stable")
    merged = {key: value[order] for key, value in merged.items()}
    return Activities(**merged, deleted=rng.random(order.size) < params.p_deleted)
