"""`revops lineage`: three headline metrics traced from the mart column to raw source columns
(sqlglot over dbt's compiled SQL), through the models in between."""

import pytest

from orchestration.cli import main as revops
from orchestration.lineage import ColumnRef, LineageError, LineageGraph, compiled_manifest, sources_of


@pytest.fixture(scope="module")
def graph(demo_run) -> LineageGraph:
    return LineageGraph(compiled_manifest(), demo_run.warehouse)


def _trace(graph, model, column):
    start = ColumnRef(*graph.find(model), column)
    edges = graph.edges(start)
    return edges, {str(ref) for ref in sources_of(graph, edges)}, {str(ref) for ref in edges}


def test_attainment_goes_back_to_opportunity_amounts_and_fx_rates(graph):
    edges, sources, chain = _trace(graph, "fct_quota_attainment", "attainment_pct")
    # actual / target of the model's CTEs come from the plan's target and the daily actuals.
    assert {"marts.fct_quota_plan.target", "intermediate.int_quota_daily_actuals.actual"} <= {
        str(ref) for ref in edges[ColumnRef("marts", "fct_quota_attainment", "attainment_pct")]
    }
    assert "marts.fct_opportunity.amount_reporting" in chain
    assert {"raw.opportunity.amount", "raw.dated_conversion_rate.conversion_rate"} <= sources
    assert "staging.fx_rates_fallback.conversion_rate" in sources  # the seed used when the CRM has no rate
    assert "raw.quota_plan.target" in sources


def test_win_rate_goes_back_to_opportunity_stage_flags(graph):
    _, sources, chain = _trace(graph, "fct_sales_kpis", "win_rate")
    assert "intermediate.int_kpi_deals.win_rate" in chain
    assert {"raw.opportunity.is_won", "staging.opportunity_stage_map.is_won"} <= sources
    assert not any(source.startswith("raw.lead") for source in sources)


def test_funnel_conversion_goes_back_to_lead_status_history(graph):
    _, sources, chain = _trace(graph, "fct_funnel_cohort", "conversion_rate")
    assert "marts.fct_lead_lifecycle.mql_at" in chain
    assert {"raw.lead_history.created_date", "raw.lead.converted_date", "raw.lead.created_date"} <= sources
    assert "staging.lifecycle_stage_map.stage" in sources  # statuses map to stages through the seed


def test_unknown_column_is_a_clear_error(graph):
    with pytest.raises(LineageError, match="has no column nope"):
        graph.edges(ColumnRef("marts", "fct_opportunity", "nope"))


def test_cli_prints_the_tree_and_the_sources(demo_run, capsys):
    assert revops(["lineage", "fct_quota_attainment.attainment_pct", "--warehouse", str(demo_run.warehouse)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("marts.fct_quota_attainment.attainment_pct\n")
    assert "└─ " in out and "raw.opportunity.amount  [source]" in out
    assert "source columns: " in out
    assert revops(["lineage", "no_such_model.x", "--warehouse", str(demo_run.warehouse)]) == 2
