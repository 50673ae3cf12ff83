"""Quota planning, attainment, commission and goal marts on the demo company, and a plan with
defects stopping the run with a message that names file, row and column."""

from __future__ import annotations

import csv
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal

import pytest

from orchestration.warehouse import connect
from tests.conftest import run_pipeline

QUOTA_TYPES = {"revenue", "profit", "activity", "volume", "pipeline"}


def query(run, sql, params=None):
    with connect(run.warehouse, read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def test_the_demo_plan_is_valid(demo_run):
    assert query(demo_run, "select message from quarantine.plan_input_problems") == []


def test_the_demo_plan_exercises_every_method_and_quota_type(demo_run):
    methods = {row[0] for row in query(demo_run, "select distinct method_in_force from marts.fct_quota_plan")}
    assert {"top_down", "bottom_up", "hybrid", "forecast", "explicit"} <= methods
    measured = {
        row[0]
        for row in query(
            demo_run,
            "select quota_type from marts.fct_quota_attainment where owner_type = 'rep' and target > 0 "
            "group by quota_type having sum(actual) > 0",
        )
    }
    assert QUOTA_TYPES | {"composite"} <= measured
    [(weights,)] = query(demo_run, "select count(distinct hybrid_weight) from staging.stg_inputs__quota_policy")
    assert weights >= 2  # hybrid with two different weights over time
    [(goal_kinds,)] = query(
        demo_run, "select count(distinct owner_type) from marts.fct_goal_attainment where actual > 0"
    )
    assert goal_kinds == 3  # department, individual and shared goals


def test_every_planned_rep_has_attainment_for_every_period_and_type_of_the_plan(demo_run):
    missing = query(
        demo_run,
        """
        with planned_types as (
            select distinct p.period_start, p.quota_type, u.user_function
            from marts.fct_quota_plan p join intermediate.int_users u on p.owner_id = u.user_id
            where p.owner_type = 'rep'
        ),
        expected as (
            select c.period_start, c.user_id, t.quota_type
            from intermediate.int_quota_capacity c
            join intermediate.int_users u on c.user_id = u.user_id
            join planned_types t on t.period_start = c.period_start and t.user_function = u.user_function
        )
        select e.* from expected e
        left join marts.fct_quota_attainment a
            on a.owner_type = 'rep' and a.owner_id = e.user_id and a.period_start = e.period_start
            and a.quota_type = e.quota_type
        where a.owner_id is null
        """,
    )
    assert missing == []
    [(periods,)] = query(demo_run, "select count(distinct period_start) from marts.fct_quota_attainment")
    assert periods >= 8


def test_company_revenue_actual_equals_bookings_of_the_sales_kpis(demo_run):
    rows = query(
        demo_run,
        """
        select a.period_start, a.actual, k.bookings
        from marts.fct_quota_attainment a
        join marts.fct_sales_kpis k
            on k.grain = 'quarter' and k.level = 'company' and k.period_start = a.period_start
        where a.owner_type = 'company' and a.quota_type = 'revenue'
        """,
    )
    assert len(rows) >= 8
    assert [(start, actual) for start, actual, _ in rows] == [(start, bookings) for start, _, bookings in rows]


def test_rollups_sum_reps_targets_and_kpi_quota_is_the_target_in_force(demo_run):
    mismatched = query(
        demo_run,
        """
        with reps as (
            select p.period_start, p.quota_type, u.team_name, sum(p.target) as target
            from marts.fct_quota_plan p join intermediate.int_users u on p.owner_id = u.user_id
            where p.owner_type = 'rep' group by all
        )
        select t.* from marts.fct_quota_plan t
        join reps on t.owner_type = 'team' and t.owner_id = reps.team_name
            and t.period_start = reps.period_start and t.quota_type = reps.quota_type
        where t.target is distinct from reps.target
        """,
    )
    assert mismatched == []
    rows = query(
        demo_run,
        """
        select p.target, k.quota from marts.fct_quota_plan p
        join marts.fct_sales_kpis k on k.grain = 'quarter' and k.level = 'company' and k.period_start = p.period_start
        where p.owner_type = 'company' and p.quota_type = 'revenue'
        """,
    )
    assert rows and all(abs(target - quota) <= Decimal("0.05") for target, quota in rows)


def test_a_rep_can_recompute_pay_from_the_statement_alone(demo_run):
    lines = query(
        demo_run,
        "select owner_id, period_start, commission, rate_breakdown, credited from marts.fct_commission_statement",
    )
    assert len(lines) > 100
    part = re.compile(r"([0-9.]+) at ([0-9.]+)% \(([^)]*)\)")
    for owner_id, period_start, commission, breakdown, credited in lines:
        parts = part.findall(breakdown)
        assert bool(parts) == credited, (owner_id, period_start, breakdown)
        pay = sum(
            (Decimal(amount) * Decimal(rate) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            for amount, rate, _ in parts
        )
        assert pay == commission, (owner_id, period_start, breakdown)
    totals = query(
        demo_run,
        """
        select s.owner_id from marts.fct_commission_summary s
        join (
            select owner_id, period_start, sum(commission) as total
            from marts.fct_commission_statement group by all
        ) l using (owner_id, period_start)
        where s.commission != l.total
        """,
    )
    assert totals == []
    [(accelerated,)] = query(demo_run, "select count(*) from marts.fct_commission_summary where reached_accelerator")
    assert accelerated > 0


def test_leaderboard_ranks_every_rep_with_an_attainment(demo_run):
    [(ranked, attained)] = query(
        demo_run,
        """
        select
            (select count(*) from marts.fct_leaderboard where ranked_by = 'revenue'),
            (select count(*) from marts.fct_quota_attainment
             where owner_type = 'rep' and quota_type = 'revenue' and attainment_pct is not null)
        """,
    )
    assert ranked == attained > 0


def _rewrite(path, edit):
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    edit(rows)
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


@pytest.fixture(scope="module")
def defective_plan_run(manifest, small_export, tmp_path_factory):
    export = tmp_path_factory.mktemp("bad-plan") / "export"
    shutil.copytree(small_export, export)
    shutil.rmtree(export / "_demo", ignore_errors=True)

    def quota_plan(rows):
        header = rows[0]
        target, owner = header.index("target"), header.index("owner_id")
        rep_rows = [row for row in rows[1:] if row[0] == "rep"]
        rep_rows[0][target] = "-5000"  # a negative target (and the company row no longer sums)
        rep_rows[1][owner] = "005NOBODY"  # an unknown owner
        overlapping = list(rep_rows[2])
        overlapping[header.index("period_start")], overlapping[header.index("period_end")] = "2025-01-15", "2025-04-14"
        rows.append(overlapping)  # a period overlapping the fiscal quarters

    _rewrite(export / "quota_plan.csv", quota_plan)
    _rewrite(export / "quota_policy.csv", lambda rows: rows[1].__setitem__(rows[0].index("hybrid_weight"), "1.5"))
    warehouse = tmp_path_factory.mktemp("bad-plan-warehouse") / "revops.duckdb"
    return export, warehouse, run_pipeline(export, warehouse)


def test_a_defective_plan_stops_the_run_naming_file_row_and_column(defective_plan_run):
    export, warehouse, outcome = defective_plan_run
    assert not outcome.success
    message = outcome.error
    assert "quota_plan.csv row" in message and "is a negative target" in message
    assert "column owner_id: '005NOBODY' names no known rep" in message
    assert "overlaps the planning period" in message
    assert "quota_policy.csv row 2, column hybrid_weight" in message
    assert "does not equal the sum of its reps' rows" in message or "more in" in message
    with connect(warehouse, read_only=True) as conn:
        problems = {row[0] for row in conn.execute("select problem from quarantine.plan_input_problems").fetchall()}
        built = {
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
    assert any(problem.startswith("does not equal the sum") for problem in problems)
    # The marts built on the plan were skipped; the others were built.
    assert {"fct_quota_plan", "fct_quota_attainment", "fct_commission_statement", "fct_goal_attainment"}.isdisjoint(
        built
    )
    assert "fct_opportunity" in built


def test_a_defective_plan_keeps_every_row_in_raw(defective_plan_run):
    export, warehouse, _ = defective_plan_run
    with export.joinpath("quota_plan.csv").open(newline="") as handle:
        rows_in_file = sum(1 for _ in csv.reader(handle)) - 1
    with connect(warehouse, read_only=True) as conn:
        [(rows_in_raw,)] = conn.execute("select count(*) from raw.quota_plan").fetchall()
    assert rows_in_raw == rows_in_file


def test_a_corrected_plan_replaces_the_defective_one_in_the_next_run(defective_plan_run, small_export):
    """A plan is a whole document: rows of the earlier (defective) file do not linger."""
    export, warehouse, _ = defective_plan_run
    for name in ("quota_plan.csv", "quota_policy.csv"):
        shutil.copy(small_export / name, export / name)
    outcome = run_pipeline(export, warehouse)
    assert outcome.success, outcome.error
    with export.joinpath("quota_plan.csv").open(newline="") as handle:
        rows_in_file = sum(1 for _ in csv.reader(handle)) - 1
    with connect(warehouse, read_only=True) as conn:
        [(staged, negative)] = conn.execute(
            "select count(*), count(*) filter (where target_value < 0) from staging.stg_inputs__quota_plan"
        ).fetchall()
    assert staged == rows_in_file and negative == 0
