"""Nightly exports one after another: every incremental model (staged CRM objects and record-keyed
inputs, lead stage events and dates, activities and their owners' days, the funnel facts,
opportunities and their states, stage visits and stage history, the daily pipeline snapshot) stays equal to a
full rebuild, with new days, late edits, late-arriving history, deletions, a quarantined new
version, changes that reach leads through related records, and a quiet night with a single stage
change included."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.demo.generate import generate_demo
from orchestration.extract.snapshot import demo_params
from orchestration.warehouse import connect
from tests.conftest import dbt, run_pipeline

EXPORT_TIMES = ("2026-03-31T06:00:00", "2026-04-01T06:00:00", "2026-04-21T06:00:00")
SNAPSHOT = "marts.fct_pipeline_snapshot_daily"
DAILY_ACTUALS = "intermediate.int_quota_daily_actuals"
ACTIVITY_DAYS = "intermediate.int_owner_activity_days"
# The deal-based daily actuals a night wrote (macros/quota_actuals.sql): new versions and rows gone.
DEAL_ROWS_WRITTEN = (
    "select owner_id, cast(day as varchar), quota_type, is_current from audit.int_quota_daily_actuals__changes"
)
INCREMENTAL_MODELS = (
    "staging.stg_salesforce__lead",
    "staging.stg_salesforce__lead_history",
    "staging.stg_salesforce__opportunity",
    "staging.stg_salesforce__task",
    "staging.stg_inputs__deal_costs",
    "staging.stg_inputs__forecast_submissions",
    "staging.stg_inputs__marketing_spend",
    "intermediate.int_leads",
    "intermediate.int_lead_dimensions",
    "intermediate.int_lead_stage_events",
    "intermediate.int_lead_stage_dates",
    "intermediate.int_activities",
    "intermediate.int_funnel_lead_days",
    "intermediate.int_funnel_cohort_histogram",
    "intermediate.int_opportunity_states",
    "intermediate.int_opportunity_stage_visits",
    "intermediate.int_opportunity_history_facts",
    DAILY_ACTUALS,
    ACTIVITY_DAYS,
    "marts.fct_funnel_cohort",
    "marts.fct_funnel_period",
    "marts.fct_lead_lifecycle",
    "marts.dim_lead",
    "marts.fct_lead_handoff",
    "marts.dim_account",
    "marts.fct_opportunity",
    "marts.fct_opportunity_stage_history",
    SNAPSHOT,
)
# The models that re-derive the leads int_lead_changes logs.
LEAD_TABLES = (
    "intermediate.int_leads",
    "intermediate.int_lead_dimensions",
    "intermediate.int_funnel_lead_days",
    "marts.fct_lead_lifecycle",
    "marts.dim_lead",
    "marts.fct_lead_handoff",
)
# The log of which leads each night reached: a record of the nights, not a function of raw.
CHANGE_LOG = "intermediate.int_lead_changes"
HISTOGRAM = "intermediate.int_funnel_cohort_histogram"
# A late night: the last export again, with edits made by hand (ids chosen by the queries below).
DELETED_LEAD, LATE_HISTORY_LEAD = "lead deleted tonight", "lead with late status history"
LATE_MODSTAMP = "2026-04-21T05:00:00.000Z"
LATE_COST = "12345.67"
# A deal without a lead of its own carries its account's first converted lead's channel.
ORPHANED_DEAL = "deal whose account's lead moved away"
# The only converted lead of an account with a closed deal without a lead or LeadSource of its own
# moves to another account: the deal's channel is Unknown after the move.
LEAD_MOVED_OFF_ACCOUNT = """
with account_leads as (
    select converted_account_id as account_id, min(lead_id) as lead_id, count(*) as leads
    from intermediate.int_lead_dimensions
    where converted_account_id is not null
    group by converted_account_id
)
select
    account_leads.lead_id,
    (select max(account_id) from marts.dim_account where account_id != account_leads.account_id),
    min(deals.opportunity_id)
from account_leads
inner join marts.fct_opportunity as deals on account_leads.account_id = deals.account_id
where
    account_leads.leads = 1
    -- an account no other change of the night reaches (the two edited deals' accounts)
    and account_leads.account_id not in (
        select account_id from marts.fct_opportunity where opportunity_id in (?, ?) and account_id is not null
    )
    and deals.is_closed
    and deals.originating_lead_id is null
    and deals.lead_source is null
    and deals.channel != 'Unknown'
group by account_leads.lead_id, account_leads.account_id
order by account_leads.lead_id desc
limit 1
"""
# A call completed long before the export: its old and its new day are recounted.
MOVED_TASK_AT = "2025-06-03T15:00:00.000Z"


def fingerprint(warehouse: Path, table: str) -> tuple:
    with connect(warehouse, read_only=True) as conn:
        return conn.execute(
            f"select count(*), sum(hash(t)) from (select * exclude (_loaded_through) from {table}) as t"
            if table == SNAPSHOT
            else f"select count(*), sum(hash(t)) from {table} as t"
        ).fetchone()


def all_model_tables(warehouse: Path) -> list[str]:
    with connect(warehouse, read_only=True) as conn:
        return [
            f"{schema}.{name}"
            for schema, name in conn.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema in ('staging', 'intermediate', 'marts') and table_type = 'BASE TABLE' "
                "order by 1, 2"
            ).fetchall()
        ]


def late_night_export(previous: Path, target: Path, warehouse: Path) -> dict[str, str]:
    """The previous export with a lead deleted, a converted lead moved to another account (the only
    lead of an account whose deal has no lead of its own), a status change dated a year back for another lead,
    a late amount edit on a won deal and a new opportunity version the gate quarantines
    (probability 1000) of an opportunity staged so far; and changes that reach leads through
    related records: a campaign membership moved to another lead, a converted account's industry
    and size, an owner's role renamed (team), a sales task moved to another lead; and the role of an
    open deal's owner renamed (the deal's states and snapshot days carry the team); and a late
    edit of a deal cost (an input keyed by opportunity and cost type); and a call moved to a day a
    year back and a meeting deleted (the daily actuals recount both days). Returns the ids touched."""
    import duckdb

    shutil.copytree(previous, target)
    conn = duckdb.connect()
    read = "read_csv('{}', all_varchar = true, header = true)"

    def rewrite(file_name: str, select: str) -> None:
        path = target / file_name
        conn.execute(f"copy ({select.format(src=read.format(previous / file_name))}) to '{path}' (header)")

    deleted, late = conn.execute(
        f"select min(Id) filter (IsDeleted = 'false' and IsConverted = 'false'), "
        f"max(Id) filter (IsDeleted = 'false' and IsConverted = 'false' and Status != 'Marketing Qualified') "
        f"from {read.format(previous / 'Lead.csv')}"
    ).fetchone()
    with connect(warehouse, read_only=True) as staged:
        held, edited = staged.execute(
            "select min(opportunity_id) filter (not is_closed), min(opportunity_id) filter (is_won) "
            "from staging.stg_salesforce__opportunity where not is_deleted"
        ).fetchone()
        moved_lead, new_account, orphaned_deal = staged.execute(LEAD_MOVED_OFF_ACCOUNT, [held, edited]).fetchone()
        (deal_role,) = staged.execute(
            "select user_role_id from staging.stg_salesforce__user where user_id = ("
            "select owner_id from marts.fct_opportunity where not is_closed order by opportunity_id desc limit 1)"
        ).fetchone()
    rewrite(
        "Lead.csv",
        f"select * replace (case when Id = '{deleted}' then 'true' else IsDeleted end as IsDeleted, "
        f"case when Id = '{moved_lead}' then '{new_account}' else ConvertedAccountId end as ConvertedAccountId, "
        f"case when Id in ('{deleted}', '{moved_lead}') then '{LATE_MODSTAMP}' else SystemModstamp end "
        f"as SystemModstamp) from {{src}}",
    )
    rewrite(
        "LeadHistory.csv",
        f"select * from {{src}} union all select 'LATE000000000001', '{late}', min(CreatedById), "
        f"'2025-06-02T10:00:00.000Z', 'Status', '', 'Marketing Qualified', 'false' from {{src}}",
    )
    rewrite(
        "Opportunity.csv",
        f"select * replace ("
        f"case when Id = '{held}' then '1000' else Probability end as Probability, "
        f"case when Id = '{edited}' then cast(cast(Amount as decimal(18, 2)) + 100 as varchar) "
        f"else Amount end as Amount, "
        f"case when Id in ('{held}', '{edited}') then '{LATE_MODSTAMP}' else SystemModstamp end as SystemModstamp"
        f") from {{src}}",
    )
    lead_csv = read.format(previous / "Lead.csv")
    account, role = conn.execute(
        f"select min(ConvertedAccountId) filter (ConvertedAccountId != ''), "
        f"(select UserRoleId from {read.format(previous / 'User.csv')} where Id = min(leads.OwnerId)) "
        f"from {lead_csv} as leads"
    ).fetchone()
    rewrite(
        "CampaignMember.csv",
        f"select * replace (case when Id = (select min(Id) from {{src}} where LeadId != '') then '{late}' "
        f"else LeadId end as LeadId, case when Id = (select min(Id) from {{src}} where LeadId != '') "
        f"then '{LATE_MODSTAMP}' else SystemModstamp end as SystemModstamp) from {{src}}",
    )
    rewrite(
        "Account.csv",
        f"select * replace (case when Id = '{account}' then 'Late Industry' else Industry end as Industry, "
        f"case when Id = '{account}' then '7' else NumberOfEmployees end as NumberOfEmployees, "
        f"case when Id = '{account}' then '{LATE_MODSTAMP}' else SystemModstamp end as SystemModstamp) from {{src}}",
    )
    rewrite(
        "UserRole.csv",
        f"select * replace (case when Id in ('{role}', '{deal_role}') then Name || ' Renamed' else Name end as Name) "
        f"from {{src}}",
    )
    tasks_csv, events_csv = read.format(previous / "Task.csv"), read.format(previous / "Event.csv")
    (moved_task,) = conn.execute(
        f"select max(Id) from {tasks_csv} where Type = 'Call' and CompletedDateTime != '' and IsDeleted = 'false'"
    ).fetchone()
    (deleted_event,) = conn.execute(
        f"select max(Id) from {events_csv} where Type in ('Meeting', 'Demo') and IsDeleted = 'false'"
    ).fetchone()
    rewrite(
        "Task.csv",
        f"select * replace (case when Id = (select min(Id) from {{src}} where WhoId like '00Q%') then '{late}' "
        f"else WhoId end as WhoId, "
        f"case when Id = '{moved_task}' then '{MOVED_TASK_AT}' else CompletedDateTime end as CompletedDateTime, "
        f"case when Id = '{moved_task}' then '{MOVED_TASK_AT[:10]}' else ActivityDate end as ActivityDate, "
        f"case when Id in ((select min(Id) from {{src}} where WhoId like '00Q%'), '{moved_task}') "
        f"then '{LATE_MODSTAMP}' else SystemModstamp end as SystemModstamp) from {{src}}",
    )
    rewrite(
        "Event.csv",
        f"select * replace (case when Id = '{deleted_event}' then 'true' else IsDeleted end as IsDeleted, "
        f"case when Id = '{deleted_event}' then '{LATE_MODSTAMP}' else SystemModstamp end as SystemModstamp) "
        f"from {{src}}",
    )
    costs_csv = read.format(previous / "deal_costs.csv")
    (cost_deal,) = conn.execute(f"select min(opportunity_id) from {costs_csv}").fetchone()
    rewrite(
        "deal_costs.csv",
        f"select * replace (case when opportunity_id = '{cost_deal}' then '{LATE_COST}' else amount end as amount) "
        f"from {{src}}",
    )
    return {
        DELETED_LEAD: deleted,
        LATE_HISTORY_LEAD: late,
        "quarantined opportunity": held,
        "edited": edited,
        "account": account,
        "role": role,
        "deal role": deal_role,
        "cost deal": cost_deal,
        ORPHANED_DEAL: orphaned_deal,
        "moved task": moved_task,
        "deleted event": deleted_event,
    }


def quiet_night_export(previous: Path, target: Path, warehouse: Path) -> str:
    """The previous export plus one change: a lead created in March 2025, still in stage lead,
    becomes an MQL. Only its old cohort's pairs ending in mql (lead -> mql) move, not the other
    pairs of that period: the night recounts just those. Returns the lead."""
    import duckdb

    with connect(warehouse, read_only=True) as built:
        (quiet,) = built.execute(
            "select min(lead_id) from marts.fct_lead_lifecycle "
            "where current_stage = 'lead' and lead_date between '2025-03-01' and '2025-03-31'"
        ).fetchone()
    assert quiet, "the demo has a lead still in stage lead from March 2025"
    shutil.copytree(previous, target)
    source = previous / "LeadHistory.csv"
    duckdb.connect().execute(
        f"copy (select * from read_csv('{source}', all_varchar = true, header = true) union all "
        f"select 'QUIET00000000001', '{quiet}', min(CreatedById), '2026-04-20T10:00:00.000Z', 'Status', '', "
        f"'Marketing Qualified', 'false' from read_csv('{source}', all_varchar = true, header = true)) "
        f"to '{target / 'LeadHistory.csv'}' (header)"
    )
    return quiet


@pytest.fixture(scope="module")
def nightly_warehouse(manifest, tmp_path_factory) -> tuple[Path, dict]:
    """A warehouse fed five successive exports of the same company, built incrementally."""
    root = tmp_path_factory.mktemp("nightly")
    warehouse = root / "revops.duckdb"
    exports = []
    for index, export_time in enumerate(EXPORT_TIMES):
        exports.append(root / f"export-{index}")
        generate_demo(exports[-1], demo_params(0.03, 5, export_time), progress=lambda _: None)
    for export in exports:
        outcome = run_pipeline(export, warehouse)
        assert outcome.success, outcome.error
    touched = late_night_export(exports[-1], root / "export-late", warehouse)
    outcome = run_pipeline(root / "export-late", warehouse)
    assert outcome.success, outcome.error
    with connect(warehouse, read_only=True) as conn:
        late_deal_rows = conn.execute(DEAL_ROWS_WRITTEN).fetchall()
    quiet = quiet_night_export(root / "export-late", root / "export-quiet", warehouse)
    quiet_run = run_pipeline(root / "export-quiet", warehouse)
    assert quiet_run.success
    return warehouse, {
        **touched,
        "late run": outcome.run_id,
        "late deal rows written": late_deal_rows,
        "quiet month lead": quiet,
        "quiet run": quiet_run.run_id,
    }


@pytest.fixture(scope="module")
def rebuilt_warehouse(nightly_warehouse, tmp_path_factory) -> Path:
    """The same warehouse with every model rebuilt from raw by `dbt run --full-refresh`."""
    root = tmp_path_factory.mktemp("rebuilt")
    rebuilt = root / "rebuilt.duckdb"
    shutil.copy(nightly_warehouse[0], rebuilt)
    dbt_run(["--full-refresh"], rebuilt, root / "target")
    return rebuilt


def dbt_run(args: list[str], warehouse: Path, target_path: Path) -> None:
    completed = dbt("run", args, warehouse, target_path)
    assert completed.returncode == 0, completed.stdout[-3000:]


@pytest.mark.parametrize("table", INCREMENTAL_MODELS)
def test_incremental_model_equals_a_full_refresh(nightly_warehouse, rebuilt_warehouse, table):
    incremental, full = fingerprint(nightly_warehouse[0], table), fingerprint(rebuilt_warehouse, table)
    assert incremental == full
    assert incremental[0] > 0


def test_every_model_equals_a_full_refresh(nightly_warehouse, rebuilt_warehouse):
    tables = [t for t in all_model_tables(rebuilt_warehouse) if t != CHANGE_LOG]
    assert len(tables) > 60
    assert tables == [t for t in all_model_tables(nightly_warehouse[0]) if t != CHANGE_LOG]
    different = [t for t in tables if fingerprint(nightly_warehouse[0], t) != fingerprint(rebuilt_warehouse, t)]
    assert different == []


def test_the_quiet_night_rebuilt_only_what_its_change_reaches(nightly_warehouse):
    """The quiet night's export changed only LeadHistory: the models built from users, roles,
    products, FX rates and the plans were left as they were (orchestration/build_state.py), the
    lead models rebuilt, and the warehouse still equals a full refresh (the tests above)."""
    warehouse, touched = nightly_warehouse
    with connect(warehouse, read_only=True) as conn:
        (started,) = conn.execute(
            "select min(started_at) from audit.run_log where run_id = $1", [touched["quiet run"]]
        ).fetchone()
        built = dict(conn.execute("select unique_id, built_at from audit.node_builds").fetchall())
    rebuilt = {unique_id.split(".")[-1] for unique_id, at in built.items() if at >= started}
    assert {
        "stg_salesforce__lead_history",
        "int_lead_stage_events",
        "fct_lead_lifecycle",
        "fct_funnel_cohort",
    } <= rebuilt
    assert (
        not {"stg_salesforce__user", "dim_user", "dim_team", "dim_product", "fx_rates", "lifecycle_stage_map"} & rebuilt
    )
    assert {"stg_salesforce__user", "dim_user", "lifecycle_stage_map"} <= {u.split(".")[-1] for u in built}


def test_late_changes_reached_the_incremental_models(nightly_warehouse):
    warehouse, touched = nightly_warehouse
    with connect(warehouse, read_only=True) as conn:
        deleted = conn.execute(
            "select is_deleted from staging.stg_salesforce__lead where lead_id = $1", [touched[DELETED_LEAD]]
        ).fetchone()
        events_of_deleted = conn.execute(
            "select count(*) from intermediate.int_lead_stage_events where lead_id = $1", [touched[DELETED_LEAD]]
        ).fetchone()[0]
        late_mql = conn.execute(
            "select mql_at from intermediate.int_lead_stage_dates where lead_id = $1",
            [touched[LATE_HISTORY_LEAD]],
        ).fetchone()[0]
        held = conn.execute(
            "select count(*) from staging.stg_salesforce__opportunity where opportunity_id = $1",
            [touched["quarantined opportunity"]],
        ).fetchone()[0]
        quarantined = conn.execute(
            "select count(*) from quarantine.opportunity where record_key = $1 and run_id = $2",
            [touched["quarantined opportunity"], touched["late run"]],
        ).fetchone()[0]
        late_costs = conn.execute(
            "select list(amount order by cost_type) from staging.stg_inputs__deal_costs where opportunity_id = $1",
            [touched["cost deal"]],
        ).fetchone()[0]
    assert deleted == (True,)
    assert events_of_deleted == 0
    assert str(late_mql).startswith("2025-06-02")
    assert (held, quarantined) == (0, 1)
    assert late_costs and set(late_costs) == {Decimal(LATE_COST)}


def test_a_moved_and_a_deleted_activity_reached_the_daily_actuals(nightly_warehouse):
    """The late night moved a call a year back and deleted a meeting: int_activities logged the
    days of both versions, and the daily actuals and the owners' activity days were recounted on
    them (equal to a full refresh: the parametrized test above)."""
    warehouse, touched = nightly_warehouse
    moved_day = MOVED_TASK_AT[:10]
    with connect(warehouse, read_only=True) as conn:
        # The call's first version, on the company's (New York) calendar.
        (first_day,) = conn.execute(
            "select cast(timezone('America/New_York', cast(completed_date_time as timestamptz)) as date)::varchar "
            "from raw.task where id = $1 order by _loaded_at limit 1",
            [touched["moved task"]],
        ).fetchone()
        (meeting_day,) = conn.execute(
            "select activity_date from raw.event where id = $1 limit 1", [touched["deleted event"]]
        ).fetchone()
        moved = conn.execute(
            "select owner_id, occurred_date from intermediate.int_activities where activity_id = $1",
            [touched["moved task"]],
        ).fetchone()
        deleted = conn.execute(
            "select count(*) from intermediate.int_activities where activity_id = $1", [touched["deleted event"]]
        ).fetchone()[0]
        logged = {
            str(day)
            for (day,) in conn.execute(
                "select day from audit.changed_days__int_activities where recorded_at = ("
                "select recorded_at from audit.changed_days__int_activities where day = $1)",
                [moved_day],
            ).fetchall()
        }
        calls = conn.execute(
            f"select actual from {DAILY_ACTUALS} where owner_id = $1 and day = $2 and quota_type = 'activity_call'",
            [moved[0], moved_day],
        ).fetchone()
        day_calls = conn.execute(
            f"select calls from {ACTIVITY_DAYS} where owner_id = $1 and day = $2", [moved[0], moved_day]
        ).fetchone()
    assert str(moved[1]) == moved_day and deleted == 0
    assert first_day != moved_day and first_day in logged
    assert {moved_day, meeting_day} <= logged
    assert calls is not None and calls[0] >= 1
    assert day_calls is not None and day_calls[0] == calls[0]


def test_the_daily_actuals_wrote_only_the_deal_rows_that_changed(nightly_warehouse):
    """A night re-derives the deal-based actuals whole but writes only their difference: the late
    night's amount edit of a won deal rewrote its revenue on its close date, while most deal rows
    stayed in place; the quiet night, which changed no deal, wrote none (both equal a full
    refresh: the parametrized test above)."""
    warehouse, touched = nightly_warehouse
    late = touched["late deal rows written"]
    with connect(warehouse, read_only=True) as conn:
        owner, close_day = conn.execute(
            "select owner_id, cast(close_date as varchar) from marts.fct_opportunity where opportunity_id = $1",
            [touched["edited"]],
        ).fetchone()
        (deal_rows,) = conn.execute(
            f"select count(*) from {DAILY_ACTUALS} where quota_type not like 'activity%'"
        ).fetchone()
        quiet = conn.execute(DEAL_ROWS_WRITTEN).fetchall()
    assert (owner, close_day, "revenue", True) in late
    assert len(late) < deal_rows / 10
    assert quiet == []


def test_related_record_changes_reached_the_lead_tables(nightly_warehouse):
    warehouse, touched = nightly_warehouse
    with connect(warehouse, read_only=True) as conn:
        industries = conn.execute(
            "select distinct industry, segment from marts.fct_lead_lifecycle where converted_account_id = $1",
            [touched["account"]],
        ).fetchall()
        teams = conn.execute(
            "select count(*), count(*) filter (owner_team like '% Renamed') from marts.dim_lead "
            "where owner_id in (select user_id from staging.stg_salesforce__user where user_role_id = $1)",
            [touched["role"]],
        ).fetchone()
        quiet_mql = conn.execute(
            "select mql_date from marts.fct_lead_lifecycle where lead_id = $1", [touched["quiet month lead"]]
        ).fetchone()
    assert str(quiet_mql[0]) == "2026-04-20"
    assert [industry for industry, _ in industries] == ["Late Industry"]
    assert teams[0] > 0 and teams[0] == teams[1]


def test_a_lead_moved_off_its_account_reached_the_accounts_deals(nightly_warehouse):
    """The deal took its channel from its account's only converted lead (first touch at account
    level). That lead now converts into another account, which only its older versions in raw
    remember: the deal falls back to its own LeadSource (none, so Unknown)."""
    warehouse, touched = nightly_warehouse
    with connect(warehouse, read_only=True) as conn:
        (channel,) = conn.execute(
            "select channel from marts.fct_opportunity where opportunity_id = ?", [touched[ORPHANED_DEAL]]
        ).fetchone()
    assert channel == "Unknown"


def test_an_owner_team_change_reached_every_state_and_snapshot_day_of_their_deals(nightly_warehouse):
    warehouse, touched = nightly_warehouse
    with connect(warehouse, read_only=True) as conn:
        owners = "select user_id from staging.stg_salesforce__user where user_role_id = $1"
        states = conn.execute(
            "select count(*), count(*) filter (owner_team like '% Renamed') from intermediate.int_opportunity_states "
            f"where owner_id in ({owners})",
            [touched["deal role"]],
        ).fetchone()
        # Days before the snapshot's lookback were re-derived too, not only the recent ones.
        days = conn.execute(
            "select count(*), count(*) filter (owner_team like '% Renamed'), "
            "count(*) filter (snapshot_date < (select cutoff from audit.pipeline_snapshot_state)) "
            f"from marts.fct_pipeline_snapshot_daily where owner_id in ({owners})",
            [touched["deal role"]],
        ).fetchone()
    assert states[0] > 0 and states[0] == states[1]
    assert days[2] > 0 and days[0] == days[1]


def test_the_change_log_holds_each_night_once(nightly_warehouse):
    warehouse, touched = nightly_warehouse
    with connect(warehouse, read_only=True) as conn:
        nights, everything = conn.execute(
            f"select count(distinct recorded_at), count(*) filter (reach = 'everything') from {CHANGE_LOG}"
        ).fetchone()
        quiet_night = conn.execute(
            f"select reach, count(*) over () from {CHANGE_LOG} "
            f"where recorded_at = (select max(recorded_at) from {CHANGE_LOG}) and lead_id = $1",
            [touched["quiet month lead"]],
        ).fetchall()
    assert everything == 1  # the first build
    assert nights == len(EXPORT_TIMES) + 2
    assert quiet_night == [("attributes", 1)]


def test_a_refreshed_change_log_rebuilds_the_lead_tables(nightly_warehouse, rebuilt_warehouse, tmp_path):
    """`dbt run -s int_lead_changes --full-refresh` alone: the next night re-derives every lead."""
    warehouse = tmp_path / "revops.duckdb"
    shutil.copy(nightly_warehouse[0], warehouse)
    with connect(warehouse) as conn:  # stale rows a partial rebuild would leave behind
        conn.execute("update intermediate.int_leads set status = 'stale'")
        conn.execute("update marts.fct_lead_handoff set met_sla = not met_sla")
    dbt_run(["-s", "int_lead_changes", "--full-refresh"], warehouse, tmp_path / "target")
    dbt_run(["-s", "int_lead_changes+", "--exclude", "int_lead_changes"], warehouse, tmp_path / "target")
    for table in LEAD_TABLES:
        assert fingerprint(warehouse, table) == fingerprint(rebuilt_warehouse, table), table


# The models kept by the days int_activities logs, and a change to their activity counts that a
# recount of the logged days only would keep.
DAY_CONSUMERS = {
    DAILY_ACTUALS: f"update {DAILY_ACTUALS} set actual = actual + 1 where quota_type like 'activity%'",
    ACTIVITY_DAYS: f"update {ACTIVITY_DAYS} set calls = calls + 1",
}


@pytest.mark.parametrize("table", DAY_CONSUMERS)
def test_a_refreshed_activity_table_recounts_every_day(nightly_warehouse, rebuilt_warehouse, tmp_path, table):
    """`dbt run -s int_activities --full-refresh` restarts its day log: a day-kept model's next
    build recounts every day, not only the days logged since its last build."""
    warehouse = tmp_path / "revops.duckdb"
    shutil.copy(nightly_warehouse[0], warehouse)
    with connect(warehouse) as conn:
        conn.execute(DAY_CONSUMERS[table])
    dbt_run(["-s", "int_activities", "--full-refresh"], warehouse, tmp_path / "target")
    dbt_run(["-s", table.split(".")[1]], warehouse, tmp_path / "target")
    assert fingerprint(warehouse, table) == fingerprint(rebuilt_warehouse, table)


@pytest.mark.parametrize("table", DAY_CONSUMERS)
def test_day_kept_models_built_before_the_day_log_recount_every_day(
    nightly_warehouse, rebuilt_warehouse, tmp_path, table
):
    """A warehouse whose day-kept model was a table (no watermark, no day log yet): the first
    incremental build recounts every day."""
    warehouse, model = tmp_path / "revops.duckdb", table.split(".")[1]
    shutil.copy(nightly_warehouse[0], warehouse)
    with connect(warehouse) as conn:
        conn.execute(f"drop table audit.incremental_state__{model}")
        conn.execute("drop table audit.changed_days__int_activities")
        conn.execute(DAY_CONSUMERS[table])
    dbt_run(["-s", model], warehouse, tmp_path / "target")
    assert fingerprint(warehouse, table) == fingerprint(rebuilt_warehouse, table)


def test_a_refreshed_lead_days_table_rebuilds_the_cohort_histogram(nightly_warehouse, rebuilt_warehouse, tmp_path):
    """`dbt run -s int_funnel_lead_days --full-refresh` restarts the log of lead-day changes: the
    histogram's next build recounts from int_funnel_lead_days instead of adding deltas."""
    warehouse = tmp_path / "revops.duckdb"
    shutil.copy(nightly_warehouse[0], warehouse)
    with connect(warehouse) as conn:  # counts a delta would keep
        conn.execute(f"update {HISTOGRAM} set leads = leads + 1")
    dbt_run(["-s", "int_funnel_lead_days", "--full-refresh"], warehouse, tmp_path / "target")
    dbt_run(["-s", "int_funnel_cohort_histogram", "fct_funnel_cohort"], warehouse, tmp_path / "target")
    for table in (HISTOGRAM, "marts.fct_funnel_cohort"):
        assert fingerprint(warehouse, table) == fingerprint(rebuilt_warehouse, table), table


def test_a_warehouse_from_before_the_histogram_builds_it_alone(nightly_warehouse, rebuilt_warehouse, tmp_path):
    """A warehouse built before the histogram (no histogram, no log of lead-day changes):
    `dbt run -s int_funnel_cohort_histogram` creates both and then keeps the histogram by deltas."""
    warehouse = tmp_path / "revops.duckdb"
    shutil.copy(nightly_warehouse[0], warehouse)
    with connect(warehouse) as conn:
        conn.execute(f"drop table {HISTOGRAM}")
        conn.execute("drop table audit.funnel_lead_day_changes")
        conn.execute("drop table audit.incremental_state__int_funnel_cohort_histogram")
    for _night in range(2):  # a first build, then an incremental one with nothing logged
        dbt_run(["-s", "int_funnel_cohort_histogram"], warehouse, tmp_path / "target")
        assert fingerprint(warehouse, HISTOGRAM) == fingerprint(rebuilt_warehouse, HISTOGRAM)


# Two nights that change the same leads' stage dates and slices, as the upstream models would:
# (lifecycle update, first and last lead of the change).
MISSED_NIGHTS = (
    ("mql_at = mql_at - interval 40 day, sql_at = coalesce(sql_at, mql_at + interval 3 day)", 0, 30),
    ("channel = 'Moved', mql_at = mql_at + interval 100 day", 10, 60),
)


def change_leads_as_a_night_would(warehouse: Path, change: str, first: int, last: int) -> None:
    with connect(warehouse) as conn:
        leads = conn.execute(
            "select lead_id from marts.fct_lead_lifecycle where mql_at is not null order by lead_id "
            f"limit {last - first} offset {first}"
        ).fetchall()
        ids = [lead_id for (lead_id,) in leads]
        conn.execute(f"update marts.fct_lead_lifecycle set {change} where lead_id in (select unnest($1))", [ids])
        conn.execute(
            f"insert into {CHANGE_LOG} (lead_id, reach, recorded_at) "
            "select unnest($1), 'attributes', cast(current_timestamp as timestamp)",
            [ids],
        )


def test_the_cohort_histogram_catches_up_on_nights_it_missed(nightly_warehouse, tmp_path):
    """Two nights change the same leads' stage dates and slices while the histogram is not
    built; its next build adds both nights' deltas and equals a recount."""
    warehouse = tmp_path / "revops.duckdb"
    shutil.copy(nightly_warehouse[0], warehouse)
    for change, first, last in MISSED_NIGHTS:
        change_leads_as_a_night_would(warehouse, change, first, last)
        dbt_run(["-s", "int_funnel_lead_days"], warehouse, tmp_path / "target")
    with connect(warehouse, read_only=True) as conn:
        logged = conn.execute(
            "select count(distinct recorded_at), count(*) from audit.funnel_lead_day_changes "
            "where recorded_at > (select max(watermark) from audit.incremental_state__int_funnel_cohort_histogram)"
        ).fetchone()
    assert logged == (2, 2 * 30 + 2 * 50)  # each changed lead's old and new row, per night
    dbt_run(["-s", "int_funnel_cohort_histogram", "fct_funnel_cohort"], warehouse, tmp_path / "target")
    with connect(warehouse, read_only=True) as conn:
        applied = conn.execute("select count(*) from audit.int_funnel_cohort_histogram__changes").fetchone()[0]
    caught_up = [fingerprint(warehouse, table) for table in (HISTOGRAM, "marts.fct_funnel_cohort")]
    dbt_run(["-s", "int_funnel_cohort_histogram", "fct_funnel_cohort", "--full-refresh"], warehouse, tmp_path / "t2")
    assert applied > 0  # the deltas were applied, not a recount
    assert caught_up == [fingerprint(warehouse, table) for table in (HISTOGRAM, "marts.fct_funnel_cohort")]


def test_the_cohort_fact_recounts_the_slices_of_nights_it_missed(nightly_warehouse, tmp_path):
    """The histogram is built on two nights, the cohort fact only after the second: it recounts
    the slices both nights logged (and only those), and equals a full recount."""
    warehouse = tmp_path / "revops.duckdb"
    shutil.copy(nightly_warehouse[0], warehouse)
    for change, first, last in MISSED_NIGHTS:
        change_leads_as_a_night_would(warehouse, change, first, last)
        dbt_run(["-s", "int_funnel_lead_days", "int_funnel_cohort_histogram"], warehouse, tmp_path / "target")
    with connect(warehouse, read_only=True) as conn:
        nights, slices, stored = conn.execute(
            "select count(distinct recorded_at), count(distinct (grain, period_start, from_stage, to_stage, "
            "dimension, dimension_value)), (select count(*) from marts.fct_funnel_cohort) "
            "from audit.funnel_cohort_changed_slices "
            "where recorded_at > (select max(watermark) from audit.incremental_state__fct_funnel_cohort)"
        ).fetchone()
    assert nights == 2
    assert 0 < slices < stored  # some slices, not the whole table
    dbt_run(["-s", "fct_funnel_cohort"], warehouse, tmp_path / "target")
    caught_up = fingerprint(warehouse, "marts.fct_funnel_cohort")
    dbt_run(["-s", "fct_funnel_cohort", "--full-refresh"], warehouse, tmp_path / "t2")
    assert caught_up == fingerprint(warehouse, "marts.fct_funnel_cohort")


def untested_leads(warehouse: Path) -> tuple[int, int]:
    """(keys logged, `everything` rows) in dim_lead's log of rows no passing test has read."""
    with connect(warehouse, read_only=True) as conn:
        return conn.execute(
            "select count(key), count(*) filter (where everything) from audit.untested_keys__dim_lead"
        ).fetchone()


def duplicate_leads_found(warehouse: Path, target_path: Path) -> int:
    """`dbt test -s dim_lead`: the failures of its unique test."""
    dbt("test", ["-s", "dim_lead"], warehouse, target_path)
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    return next(r["failures"] for r in results if r["unique_id"].startswith("test.revops.unique_dim_lead_lead_id"))


def duplicate_lead(conn, lead_id: str) -> None:
    conn.execute("insert into marts.dim_lead select * from marts.dim_lead where lead_id = $1", [lead_id])


def test_every_model_logged_its_rewritten_keys_and_the_passing_tests_emptied_the_logs(nightly_warehouse):
    """Each model whose tests read only the rows rewritten since they last passed has a log of
    those keys, and after nights whose tests all passed every log is empty."""
    with connect(nightly_warehouse[0], read_only=True) as conn:
        logs = [
            name
            for (name,) in conn.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'audit' and table_name like 'untested_keys__%'"
            ).fetchall()
        ]
        left = {name: conn.execute(f"select count(*) from audit.{name}").fetchone()[0] for name in logs}
    assert {"untested_keys__dim_lead", "untested_keys__int_funnel_lead_days"} <= set(logs)
    assert left == dict.fromkeys(logs, 0)


def test_tests_read_the_keys_no_passing_run_has_tested(nightly_warehouse, tmp_path):
    """dim_lead's tests read the leads its builds rewrote since they last passed: a failure is
    found again each night until mended; a full build makes them read everything again."""
    warehouse, target = tmp_path / "revops.duckdb", tmp_path / "target"
    shutil.copy(nightly_warehouse[0], warehouse)
    assert untested_leads(warehouse) == (0, 0)  # every night's tests passed
    change_leads_as_a_night_would(warehouse, *MISSED_NIGHTS[0])
    dbt_run(["-s", "dim_lead"], warehouse, target)  # a night without its tests
    assert untested_leads(warehouse) == (30, 0)
    with connect(warehouse) as conn:
        rewritten, untouched = conn.execute(
            "select min(key), (select min(lead_id) from marts.dim_lead "
            "where lead_id not in (select key from audit.untested_keys__dim_lead)) from audit.untested_keys__dim_lead"
        ).fetchone()
        duplicate_lead(conn, rewritten)
        duplicate_lead(conn, untouched)  # a change outside dbt, to rows tested already: not read
    assert [duplicate_leads_found(warehouse, target) for _night in range(2)] == [1, 1]
    assert untested_leads(warehouse) == (30, 0)  # kept while the test fails
    with connect(warehouse) as conn:
        conn.execute(
            "delete from marts.dim_lead where rowid = (select max(rowid) from marts.dim_lead where lead_id = $1)",
            [rewritten],
        )
    assert duplicate_leads_found(warehouse, target) == 0
    assert untested_leads(warehouse) == (0, 0)
    dbt_run(["-s", "dim_lead", "--full-refresh"], warehouse, target)
    assert untested_leads(warehouse) == (0, 1)
    with connect(warehouse) as conn:
        duplicate_lead(conn, untouched)
    assert duplicate_leads_found(warehouse, target) == 1  # the whole table is read


def test_records_sharing_a_record_number_are_told_apart_by_their_keys(nightly_warehouse, tmp_path):
    """raw_rows_of_records finds a night's records by _record_hash, then checks their keys: two
    tasks made to share a number (as two MD5s could), only the one asked for comes back, every
    version of it."""
    warehouse = tmp_path / "revops.duckdb"
    shutil.copy(nightly_warehouse[0], warehouse)
    with connect(warehouse) as conn:
        wanted, number, versions = conn.execute(
            "select _record_key, any_value(_record_hash), count(*) from raw.task "
            "group by 1 order by count(*) desc, 1 limit 1"
        ).fetchone()
        (other,) = conn.execute("select min(_record_key) from raw.task where _record_key != $1", [wanted]).fetchone()
        conn.execute("update raw.task set _record_hash = $1 where _record_key = $2", [number, other])
        assert (
            conn.execute(
                "select count(distinct _record_key) from raw.task where _record_hash = $1", [number]
            ).fetchone()[0]
            == 2
        )
    query = (
        "select _record_key, count(*) as versions from ({{ raw_rows_of_records("
        f"source('salesforce', 'task'), \"select '{wanted}'\", 'select {number}') }}}}) as found group by 1"
    )
    completed = dbt("show", ["--inline", query, "--output", "json", "--log-format", "json"], warehouse, tmp_path / "t")
    assert completed.returncode == 0, completed.stdout[-3000:]
    [shown] = [
        event["data"]["preview"]
        for event in map(json.loads, completed.stdout.splitlines())
        if event.get("info", {}).get("name") == "ShowNode"
    ]
    assert json.loads(shown) == [{"_record_key": wanted, "versions": versions}]


def test_snapshot_reaches_the_latest_export_day(nightly_warehouse):
    with connect(nightly_warehouse[0], read_only=True) as conn:
        latest, as_of = conn.execute(
            f"select (select max(snapshot_date) from {SNAPSHOT}), (select as_of_date from intermediate.int_as_of)"
        ).fetchone()
        batches = conn.execute("select count(distinct batch_id) from audit.load_log").fetchone()[0]
        versions = conn.execute("select count(distinct _batch_id) from raw.opportunity").fetchone()[0]
    assert latest == as_of
    assert batches == len(EXPORT_TIMES) + 2  # the late night and the quiet night
    assert versions >= 2, "later exports brought new or edited opportunities"


def documented_comments(manifest_path: Path) -> dict[tuple[str, str], str]:
    """(relation, column) -> the YAML description, for every model that persists its docs as
    comments; the table's own comment under column ''."""
    comments = {}
    for node in json.loads(manifest_path.read_text())["nodes"].values():
        persisted = node["config"].get("persist_docs") or {}
        if node["resource_type"] != "model" or not persisted.get("relation"):
            continue
        relation = f"{node['schema']}.{node['alias']}"
        comments[(relation, "")] = node["description"]
        if persisted.get("columns"):
            comments |= {(relation, name): column["description"] for name, column in node["columns"].items()}
    return comments


def warehouse_comments(warehouse: Path, relations: set[str]) -> dict[tuple[str, str], str]:
    with connect(warehouse, read_only=True) as conn:
        rows = conn.execute(
            "select schema_name || '.' || table_name, '', comment from duckdb_tables() union all "
            "select schema_name || '.' || table_name, column_name, comment from duckdb_columns()"
        ).fetchall()
    return {(relation, column): comment for relation, column, comment in rows if relation in relations}


def test_marts_carry_their_descriptions_as_comments_after_nights_and_a_full_refresh(
    manifest, nightly_warehouse, rebuilt_warehouse
):
    """Tables rebuilt each night and incremental ones alike: the table's comment and every
    documented column's, as the YAML has them (`+persist_docs`, where BI users browse)."""
    documented = documented_comments(manifest)
    relations = {relation for relation, _ in documented}
    assert len(relations) > 25
    for warehouse in (nightly_warehouse[0], rebuilt_warehouse):
        commented = warehouse_comments(warehouse, relations)
        assert {key: commented.get(key) for key in documented} == documented
