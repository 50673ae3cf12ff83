"""Accounts, contacts, opportunities (with stage history, pushes and late edits) and products.

Converted leads become opportunities on new accounts (or, for some, on an existing account of
their region). Won new business later brings a renewal (owned by a CSM) and sometimes an
expansion. Win probability is the channel's p_won times the owning AE's skill, with skills
normalized over the opportunities they own so that the channel's rate is what is recovered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo.company import Company
from orchestration.demo.fx import CURRENCIES, Rates
from orchestration.demo.leads import COUNTRIES, Leads
from orchestration.demo.params import CHANNELS, PRODUCTS, SEGMENTS, DemoParams
from orchestration.demo.sampling import DAY, days, pick_by_capacity

NEW_BUSINESS, UPGRADE, RENEWAL = 0, 1, 2
OPPORTUNITY_TYPES = ("New Business", "Existing Customer - Upgrade", "Renewal")
OPEN_SLOTS = 5  # Prospecting .. Negotiation/Review
CLOSED_WON, CLOSED_LOST = 5, 6
PROPOSAL = 3
P_ATTACH_TO_EXISTING_ACCOUNT = 0.08
P_PUSHED = 0.30
P_LATE_EDIT = 0.04
CURRENCY_INDEX = {currency: index for index, currency in enumerate(CURRENCIES)}


@dataclass
class Accounts:
    first_lead: np.ndarray  # the lead whose conversion created the account
    created_at: np.ndarray
    owner: np.ndarray


@dataclass
class Opportunities:
    account: np.ndarray
    lead: np.ndarray  # originating lead, -1 for renewals / expansions
    contact: np.ndarray
    owner: np.ndarray
    kind: np.ndarray  # NEW_BUSINESS / UPGRADE / RENEWAL
    created_at: np.ndarray
    closed_at: np.ndarray
    won: np.ndarray
    currency: np.ndarray
    segment: np.ndarray
    deleted_at: np.ndarray
    # History: one row per state (stage / amount / close date), ordered by opportunity and time.
    history_opportunity: np.ndarray
    history_at: np.ndarray
    history_stage: np.ndarray  # index into OPPORTUNITY_STAGES
    history_amount: np.ndarray
    history_close_day: np.ndarray  # epoch seconds of the expected close day
    # Line items (products); they exist from the Proposal stage on.
    item_opportunity: np.ndarray
    item_product: np.ndarray
    item_quantity: np.ndarray
    item_quantity_edited: np.ndarray  # after a late edit (same as quantity when none)
    item_edited_at: np.ndarray  # -1 when never edited
    item_unit_price: np.ndarray
    item_list_price: np.ndarray
    item_created_at: np.ndarray

    @property
    def size(self) -> int:
        return self.account.size


def _accounts(leads: Leads, company: Company, rng: np.random.Generator) -> tuple[Accounts, np.ndarray, np.ndarray]:
    """Returns accounts, the converted leads (by conversion time) and each one's account."""
    converted = np.flatnonzero(leads.reach_opp)
    converted = converted[np.argsort(leads.converted_at[converted], kind="stable")]
    attach = rng.random(converted.size) < P_ATTACH_TO_EXISTING_ACCOUNT
    account_of = np.full(converted.size, -1, dtype=np.int64)
    new_accounts: list[np.ndarray] = []
    next_id = 0
    for region in np.unique(leads.region[converted]):
        positions = np.flatnonzero(leads.region[converted] == region)
        is_new = ~attach[positions]
        is_new[0] = True
        ids = next_id + np.cumsum(is_new) - 1
        new_before = np.cumsum(is_new) - is_new
        pick = (rng.random(positions.size) * np.maximum(new_before, 1)).astype(np.int64)
        region_new = ids[is_new]
        account_of[positions] = np.where(is_new, ids, region_new[np.minimum(pick, region_new.size - 1)])
        new_accounts.append(positions[is_new])
        next_id += int(is_new.sum())
    first_positions = np.concatenate(new_accounts)
    first_positions = first_positions[np.argsort(account_of[first_positions])]
    first_lead = converted[first_positions]

    aes = company.members("AE")
    owner_pos = pick_by_capacity(
        rng,
        leads.converted_at[converted],
        leads.region[converted],
        company.user_region[aes],
        company.capacity_by_index(aes),
    )
    opportunity_owner = aes[owner_pos]
    accounts = Accounts(
        first_lead=first_lead,
        created_at=leads.converted_at[first_lead],
        owner=opportunity_owner[first_positions],
    )
    return accounts, converted, np.stack([account_of, opportunity_owner])


def _stage_paths(rng, created, closed, won, min_stage):
    """Times of each open stage and of the close; which slots each opportunity visits."""
    m = created.size
    duration = closed - created
    fractions = np.sort(rng.uniform(0.05, 0.95, (m, OPEN_SLOTS - 1)), axis=1)
    at = np.empty((m, OPEN_SLOTS + 1), dtype=np.int64)
    at[:, 0] = created
    at[:, 1:OPEN_SLOTS] = created[:, None] + (fractions * duration[:, None]).astype(np.int64)
    at[np.arange(m), min_stage] = created
    at[:, OPEN_SLOTS] = closed
    max_stage = np.where(won, OPEN_SLOTS - 1, rng.integers(min_stage, OPEN_SLOTS))
    stage = np.arange(OPEN_SLOTS)
    present = (stage[None, :] >= min_stage[:, None]) & (stage[None, :] <= max_stage[:, None])
    skip_analysis = won & (min_stage < 2) & (rng.random(m) < 0.2)
    present[skip_analysis, 2] = False
    present = np.concatenate([present, np.ones((m, 1), bool)], axis=1)
    return at, present, max_stage


def _line_items(rng, opportunity_segment, opportunity_currency, created, rates: Rates, kind):
    m = opportunity_segment.size
    lines = np.where(kind == RENEWAL, 1, rng.integers(1, 4, m))
    item_opportunity = np.repeat(np.arange(m), lines)
    first_line = np.r_[True, np.diff(item_opportunity) != 0]
    segment = opportunity_segment[item_opportunity]
    enterprise = segment == len(SEGMENTS) - 1
    platform = np.where(enterprise & (rng.random(item_opportunity.size) < 0.3), 1, 0)
    other = rng.choice([2, 3, 4, 5, 6, 7], size=item_opportunity.size, p=[0.25, 0.2, 0.15, 0.15, 0.15, 0.1])
    product = np.where(first_line, platform, other)
    seats = np.array([1.0, 3.0, 10.0])[segment]
    quantity = rng.poisson(seats) + np.array([1, 2, 5])[segment]
    list_usd = np.array([price for *_, price in PRODUCTS])[product]
    rate = rates.at(opportunity_currency[item_opportunity], created[item_opportunity])
    list_price = np.round(list_usd * rate, 2)
    unit_price = np.round(list_price * rng.uniform(0.8, 1.0, item_opportunity.size), 2)
    return item_opportunity, product, quantity, unit_price, list_price


def build_opportunities(
    params: DemoParams, company: Company, leads: Leads, rates: Rates, rng: np.random.Generator
) -> tuple[Accounts, Opportunities]:
    accounts, converted, (account_of, owner) = _accounts(leads, company, rng)
    currency_of_country = np.array([CURRENCY_INDEX[c] for _, _, c in COUNTRIES])
    first_lead_of_account = accounts.first_lead

    # Opportunities created from converted leads.
    n_sourced = converted.size
    account_lead = first_lead_of_account[account_of]
    kind = np.where(account_lead == converted, NEW_BUSINESS, UPGRADE)
    segment = leads.segment[account_lead]
    created = leads.converted_at[converted]
    cycle_median = np.array([median for *_, median in SEGMENTS])[segment]
    cycle = np.clip(days(rng, cycle_median, 0.5, n_sourced), 5 * DAY, 300 * DAY)
    skill = company.skill[owner]
    skill = skill / skill.mean()
    p_won = np.minimum(0.95, np.array([c.p_won for c in CHANNELS])[leads.channel[converted]] * skill)
    won = rng.random(n_sourced) < p_won
    closed = created + np.where(won, cycle, (cycle * rng.uniform(0.3, 1.1, n_sourced)).astype(np.int64))

    # Renewals (CSM-owned) and expansions (AE) on won new business.
    won_new = np.flatnonzero(won & (kind == NEW_BUSINESS))
    csms = company.members("CSM")
    renewal_created = closed[won_new] + 300 * DAY
    renewal_owner = csms[
        pick_by_capacity(
            rng, renewal_created, np.zeros(won_new.size, int), np.zeros(csms.size, int), company.capacity_by_index(csms)
        )
    ]
    expanding = won_new[rng.random(won_new.size) < params.p_expansion]
    expansion_created = closed[expanding] + rng.integers(60, 300, expanding.size) * DAY

    def extend(base, renewal_values, expansion_values):
        return np.concatenate([base, renewal_values, expansion_values])

    all_account = extend(account_of, account_of[won_new], account_of[expanding])
    all_lead = extend(converted, np.full(won_new.size, -1), np.full(expanding.size, -1))
    all_kind = extend(kind, np.full(won_new.size, RENEWAL), np.full(expanding.size, UPGRADE))
    all_owner = extend(owner, renewal_owner, owner[expanding])
    all_created = extend(created, renewal_created, expansion_created)
    expansion_cycle = np.clip(days(rng, 40.0, 0.5, expanding.size), 5 * DAY, 200 * DAY)
    all_closed = extend(closed, closed[won_new] + 365 * DAY, expansion_created + expansion_cycle)
    all_won = extend(
        won,
        rng.random(won_new.size) < params.p_renewal_won,
        rng.random(expanding.size) < params.p_expansion_won,
    )
    all_segment = leads.segment[first_lead_of_account[all_account]]
    all_currency = currency_of_country[leads.country[first_lead_of_account[all_account]]]
    # Contacts are numbered like the converted leads they came from; an account's primary
    # contact is the one from its first lead.
    position = np.full(leads.size, -1)
    position[converted] = np.arange(n_sourced)
    contact_of_account = position[first_lead_of_account]
    all_contact = extend(
        np.arange(n_sourced), contact_of_account[account_of[won_new]], contact_of_account[account_of[expanding]]
    )
    m = all_account.size

    # Stage paths, close-date pushes, amounts.
    min_stage = np.select([all_kind == RENEWAL, all_kind == UPGRADE], [PROPOSAL, 1], default=0)
    at, present, max_stage = _stage_paths(rng, all_created, all_closed, all_won, min_stage)
    items = _line_items(rng, all_segment, all_currency, all_created, rates, all_kind)
    item_opportunity, product, quantity, unit_price, list_price = items
    final_amount = np.bincount(item_opportunity, weights=quantity * unit_price, minlength=m)
    estimate = np.round(final_amount * rng.uniform(0.8, 1.25, m), 2)
    reaches_proposal = max_stage >= PROPOSAL

    pushed = rng.random(m) < P_PUSHED
    pushes = np.where(pushed, rng.integers(1, 4, m), 0)
    final_close_day = all_closed // DAY * DAY
    initial_close_day = np.where(
        pushed,
        (all_created + ((all_closed - all_created) * rng.uniform(0.5, 0.85, m)).astype(np.int64)) // DAY * DAY,
        final_close_day,
    )
    open_rank = np.cumsum(present[:, :OPEN_SLOTS], axis=1) - 1
    done = np.minimum(open_rank, pushes[:, None]) / np.maximum(pushes, 1)[:, None]
    close_day = initial_close_day[:, None] + (done * (final_close_day - initial_close_day)[:, None]).astype(np.int64)
    close_day = close_day // DAY * DAY
    close_day = np.concatenate([close_day, final_close_day[:, None]], axis=1)

    stage = np.concatenate(
        [np.tile(np.arange(OPEN_SLOTS), (m, 1)), np.where(all_won, CLOSED_WON, CLOSED_LOST)[:, None]], axis=1
    )
    amount = np.where((stage >= PROPOSAL) & reaches_proposal[:, None], final_amount[:, None], estimate[:, None])
    amount[:, OPEN_SLOTS] = np.where(reaches_proposal, final_amount, estimate)

    # Late edits: a line's quantity changes after close; the opportunity's amount follows.
    proposal_at = at[np.arange(m), np.maximum(PROPOSAL, min_stage)]
    first_item = np.r_[0, np.flatnonzero(np.diff(item_opportunity)) + 1]
    edited = np.flatnonzero(all_won & (rng.random(m) < P_LATE_EDIT))
    edited_items = first_item[edited]
    quantity_edited = quantity.copy()
    quantity_edited[edited_items] = np.maximum(
        1, quantity[edited_items] + np.where(rng.random(edited.size) < 0.5, 1, -1)
    )
    edited_at = np.full(item_opportunity.size, -1, dtype=np.int64)
    edited_at[edited_items] = all_closed[edited] + rng.integers(2, 40, edited.size) * DAY
    edited_amount = final_amount[edited] + (quantity_edited - quantity)[edited_items] * unit_price[edited_items]

    rows_opp, rows_slot = np.nonzero(present)
    history_opportunity = np.concatenate([rows_opp, edited])
    history_at = np.concatenate([at[rows_opp, rows_slot], edited_at[edited_items]])
    history_stage = np.concatenate([stage[rows_opp, rows_slot], np.full(edited.size, CLOSED_WON)])
    history_amount = np.concatenate([amount[rows_opp, rows_slot], edited_amount])
    history_close = np.concatenate([close_day[rows_opp, rows_slot], final_close_day[edited]])
    order = np.lexsort((history_at, history_opportunity))

    deleted = rng.random(m) < params.p_deleted
    keep = reaches_proposal[item_opportunity]
    opportunities = Opportunities(
        account=all_account,
        lead=all_lead,
        contact=all_contact,
        owner=all_owner,
        kind=all_kind,
        created_at=all_created,
        closed_at=all_closed,
        won=all_won,
        currency=all_currency,
        segment=all_segment,
        deleted_at=np.where(deleted, all_created + rng.integers(1, 60, m) * DAY, -1),
        history_opportunity=history_opportunity[order],
        history_at=history_at[order],
        history_stage=history_stage[order],
        history_amount=np.round(history_amount[order], 2),
        history_close_day=history_close[order],
        item_opportunity=item_opportunity[keep],
        item_product=product[keep],
        item_quantity=quantity[keep],
        item_quantity_edited=quantity_edited[keep],
        item_edited_at=edited_at[keep],
        item_unit_price=unit_price[keep],
        item_list_price=list_price[keep],
        item_created_at=proposal_at[item_opportunity][keep],
    )
    return accounts, opportunities
