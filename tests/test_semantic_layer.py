"""The semantic layer agrees with the marts: every headline metric queried through MetricFlow
equals the mart column that publishes it, for every period of the demo company (and, where the
mart slices, every slice). The marts' formulas are pinned by dbt unit tests with hand-computed
values; this pins the semantic definitions to them."""

import math
from pathlib import Path

import duckdb
import pytest

from orchestration.semantic_layer import SemanticLayer, SemanticLayerError

MONTH = "metric_time__month"
QUARTER = "metric_time__fiscal_quarter"
WEEK = "metric_time__week"

# (metric, group-by, mart SQL giving the same keys then the value). Keys are compared as text.
FUNNEL_STAGES = {
    "leads": "lead",
    "mqls": "mql",
    "sals": "sal",
    "sqls": "sql",
    "opportunities_from_leads": "opportunity",
}
CONVERSIONS = {
    "lead_to_mql_rate": ("lead", "mql"),
    "mql_to_sal_rate": ("mql", "sal"),
    "sal_to_sql_rate": ("sal", "sql"),
    "sql_to_opportunity_rate": ("sql", "opportunity"),
    "opportunity_to_won_rate": ("opportunity", "won"),
    "mql_to_sql_rate": ("mql", "sql"),
    "sql_to_won_rate": ("sql", "won"),
    "mql_to_won_rate": ("mql", "won"),
    "lead_to_won_rate": ("lead", "won"),
}
VELOCITY = {
    "avg_days_mql_to_sal": ("mql", "sal", "avg_days"),
    "median_days_mql_to_sal": ("mql", "sal", "median_days"),
    "avg_days_mql_to_won": ("mql", "won", "avg_days"),
    "median_days_mql_to_won": ("mql", "won", "median_days"),
}
SALES_KPIS = {
    "bookings": "bookings",
    "won_deals": "won_count",
    "lost_deals": "lost_count",
    "win_rate": "win_rate",
    "win_rate_amount": "win_rate_amount",
    "avg_sales_cycle_days": "avg_sales_cycle_days",
    "median_sales_cycle_days": "median_sales_cycle_days",
    "average_deal_size": "average_deal_size",
    "pipeline_created": "pipeline_created",
    "opportunities_created": "opportunities_created",
    "open_pipeline": "open_pipeline_end",
    "weighted_pipeline": "weighted_pipeline_end",
    "pipeline_coverage": "pipeline_coverage",
    "revenue_quota": "quota",
    "remaining_revenue_quota_at_period_start": "remaining_quota_at_start",
    "new_customers": "new_customers",
    "cac": "cac",
    "forecast_to_actual_pct": "forecast_to_actual_pct",
    "forecast_accuracy_pct": "forecast_accuracy_pct",
}
# Additive over periods, so the fiscal-quarter grain of the mart must agree too.
QUARTER_ADDITIVE = ["bookings", "won_deals", "lost_deals", "win_rate", "pipeline_created", "new_customers"]


def _cases():
    for metric, stage in FUNNEL_STAGES.items():
        for group_by, grain in ((MONTH, "month"), (QUARTER, "quarter"), (WEEK, "week")):
            yield (
                f"{metric}-{grain}",
                metric,
                [group_by],
                f"select period_start, entries from marts.fct_funnel_period where grain = '{grain}' "
                f"and stage = '{stage}' and dimension = 'all'",
            )
        yield (
            f"{metric}-channel",
            metric,
            [MONTH, "lead__channel"],
            "select period_start, dimension_value, entries from marts.fct_funnel_period where grain = 'month' "
            f"and stage = '{stage}' and dimension = 'channel'",
        )
    for metric, (from_stage, to_stage) in CONVERSIONS.items():
        yield (
            metric,
            metric,
            [MONTH],
            "select period_start, conversion_rate from marts.fct_funnel_cohort where grain = 'month' "
            f"and from_stage = '{from_stage}' and to_stage = '{to_stage}' and dimension = 'all'",
        )
        yield (
            f"{metric}-segment-quarter",
            metric,
            [QUARTER, "lead__segment"],
            "select period_start, dimension_value, conversion_rate from marts.fct_funnel_cohort "
            f"where grain = 'quarter' and from_stage = '{from_stage}' and to_stage = '{to_stage}' "
            "and dimension = 'segment'",
        )
    for metric, (from_stage, to_stage, column) in VELOCITY.items():
        yield (
            metric,
            metric,
            [MONTH],
            f"select period_start, {column} from marts.fct_funnel_cohort where grain = 'month' "
            f"and from_stage = '{from_stage}' and to_stage = '{to_stage}' and dimension = 'all'",
        )
    yield (
        "handoff_sla_rate",
        "handoff_sla_rate",
        [WEEK],
        "select week_start, sum(met_sla) / sum(mqls) from marts.fct_lead_handoff_weekly group by week_start",
    )
    yield (
        "handoff_sla_rate-team",
        "handoff_sla_rate",
        [WEEK, "handoff__team"],
        "select week_start, owner_team, sla_rate from marts.fct_lead_handoff_weekly",
    )
    yield (
        "avg_handoff_hours-team",
        "avg_handoff_hours",
        [WEEK, "handoff__team"],
        "select week_start, owner_team, avg_handoff_hours from marts.fct_lead_handoff_weekly",
    )
    for metric, column in SALES_KPIS.items():
        yield (
            metric,
            metric,
            [MONTH],
            f"select period_start, {column} from marts.fct_sales_kpis where grain = 'month' and level = 'company'",
        )
    for metric in QUARTER_ADDITIVE:
        column = SALES_KPIS[metric]
        yield (
            f"{metric}-quarter",
            metric,
            [QUARTER],
            f"select period_start, {column} from marts.fct_sales_kpis where grain = 'quarter' and level = 'company'",
        )
        yield (
            f"{metric}-team",
            metric,
            [MONTH, "opportunity__team"],
            f"select period_start, level_id, {column} from marts.fct_sales_kpis where grain = 'month' "
            "and level = 'team'",
        )
        yield (
            f"{metric}-rep",
            metric,
            [MONTH, "owner"],
            f"select period_start, level_id, {column} from marts.fct_sales_kpis where grain = 'month' "
            "and level = 'owner'",
        )
    for metric, column in {"channel_cac": "cac", "channel_roi": "roi"}.items():
        yield (
            metric,
            metric,
            [MONTH, "channel_month_key__channel"],
            f"select period_start, channel, {column} from marts.fct_channel_performance where grain = 'month'",
        )
    yield (
        "attainment_pct",
        "attainment_pct",
        [QUARTER, "quota_line__owner_type", "quota_line__quota_type", "quota_owner"],
        "select period_start, owner_type, quota_type, owner_id, attainment_pct from marts.fct_quota_attainment",
    )


CASES = list(_cases())


@pytest.fixture(scope="module")
def layer() -> SemanticLayer:
    return SemanticLayer()


@pytest.fixture(scope="module")
def published(demo_run) -> Path:
    return demo_run.warehouse.parent / "published.duckdb"


def _key(values) -> tuple:
    """Periods as ISO dates (MetricFlow returns timestamps, marts dates), other keys as text."""
    return tuple(
        "(none)" if value is None else value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)
        for value in values
    )


def _rows(rows) -> dict:
    """key columns -> value; zero/NULL values dropped (a mart zero-fills periods MetricFlow omits)."""
    result = {}
    for *keys, value in rows:
        if value is None or (isinstance(value, float) and math.isnan(value)) or value == 0:
            continue
        result[_key(keys)] = float(value)
    return result


# The mart rounds these to cents; the semantic layer leaves rounding to the reader.
ROUNDED_TO_CENTS = {"average_deal_size", "attainment_pct"}  # composite: actual stored to cents


def _close(metric: str, a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.005 if metric in ROUNDED_TO_CENTS else 1e-6)


@pytest.mark.parametrize(("metric", "group_by", "mart_sql"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_metric_equals_mart(layer, published, metric, group_by, mart_sql):
    table = layer.query(published, metrics=[metric], group_by=group_by)
    columns = [*group_by, metric]
    semantic = _rows(zip(*[table.column(name).to_pylist() for name in columns], strict=True))
    with duckdb.connect(str(published), read_only=True) as conn:
        mart = _rows(conn.execute(mart_sql).fetchall())
    assert mart, f"the mart has no rows for {metric}: {mart_sql}"
    assert semantic.keys() == mart.keys(), (
        f"{metric}: periods/slices differ; only semantic {sorted(semantic.keys() - mart.keys())[:5]}, "
        f"only mart {sorted(mart.keys() - semantic.keys())[:5]}"
    )
    different = {key: (semantic[key], mart[key]) for key in mart if not _close(metric, semantic[key], mart[key])}
    assert not different, f"{metric}: {len(different)} of {len(mart)} values differ, e.g. {list(different.items())[:3]}"


def test_every_metric_is_covered():
    """Each metric of the semantic layer is compared with a mart, or is a component of one that is."""
    covered = {case[1] for case in CASES}
    components = {
        "leads_reaching_mql", "leads_won", "mqls_reaching_sal", "mqls_reaching_sql", "mqls_won", "sals_reaching_sql",
        "sqls_reaching_opportunity", "sqls_won", "opportunities_won_from_leads", "handoff_mqls", "handoffs_within_sla",
        "handoff_seconds", "handoffs_timed", "closed_deals", "closed_amount",
        "pipeline_closing_at_period_start", "marketing_spend", "sales_spend", "forecast_of_record",
        "channel_marketing_spend", "channel_new_customers", "channel_bookings", "quota_target", "quota_actual",
    }  # fmt: skip
    assert set(SemanticLayer().metric_names()) == covered | components


def test_unknown_metric_is_a_clear_error(layer, published):
    with pytest.raises(SemanticLayerError, match="no_such_metric"):
        layer.query(published, metrics=["no_such_metric"], group_by=[MONTH])


def test_metrics_query_command(demo_run, published, tmp_path, capsys):
    from orchestration.cli import main as revops

    warehouse = ["--warehouse", str(demo_run.warehouse)]
    assert revops(["metrics", "list"]) == 0
    assert "attainment_pct" in capsys.readouterr().out.split()
    csv_path = tmp_path / "bookings.csv"
    args = ["metrics", "query", "--metrics", "bookings,win_rate", "--group-by", "metric_time__fiscal_quarter"]
    assert revops([*args, *warehouse, "--csv", str(csv_path)]) == 0
    with duckdb.connect() as conn:
        rows = conn.execute(f"select * from read_csv('{csv_path}') where bookings > 0").fetchall()
    with duckdb.connect(str(published), read_only=True) as conn:
        quarters = conn.execute(
            "select count(*) from marts.fct_sales_kpis where grain = 'quarter' and level = 'company' and bookings > 0"
        ).fetchone()[0]
    assert len(rows) == quarters
    assert revops([*args, *warehouse, "--explain"]) == 0
    assert "fct_opportunity" in capsys.readouterr().out
    assert revops(["metrics", "query", "--metrics", "bookingz", *warehouse]) == 2
    assert "bookingz" in capsys.readouterr().err
