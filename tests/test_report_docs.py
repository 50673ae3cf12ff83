"""`revops report` and `revops docs`, rendered in headless Chromium: the report's charts and
numbers are on the page, and the static dbt docs show a mart's lineage and the exposures."""

import re

import duckdb
import pytest

from orchestration.cli import main as revops
from orchestration.publish import published_path
from tests.browser import rendered_dom, screenshot

REPORT_SECTIONS = [
    "funnel-by-channel", "conversion-trend", "handoff-sla", "bookings-vs-quota", "leaderboard", "pipeline-coverage",
    "forecast-accuracy", "cac-by-channel",
]  # fmt: skip


@pytest.fixture(scope="module")
def report(demo_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "revenue_sync.html"
    assert revops(["report", "--warehouse", str(demo_run.warehouse), "--out", str(out)]) == 0
    return out


def test_report_renders_every_chart_with_its_numbers(demo_run, report, tmp_path):
    dom = rendered_dom(report.as_uri(), budget_ms=2000)
    for section in REPORT_SECTIONS:
        match = re.search(rf"<section id=\"{section}\">(.*?)</section>", dom, re.S)
        assert match, f"section {section} missing"
        body = match.group(1)
        assert "<svg" in body and body.count("<path") > 3, f"{section}: no chart drawn"
        assert body.count("<tr>") >= 3, f"{section}: no numbers beside the chart"
    with duckdb.connect(str(published_path(demo_run.warehouse)), read_only=True) as conn:
        month, win_rate = conn.execute(
            "select period_start, win_rate from marts.fct_sales_kpis where grain = 'month' and level = 'company' "
            "and period_end <= (select max(close_date) from marts.fct_opportunity where is_closed) "
            "order by period_start desc limit 1"
        ).fetchone()
        top_rep = conn.execute(
            "select users.full_name from marts.fct_leaderboard as board join marts.dim_user as users "
            "on board.owner_id = users.user_id where ranked_by = 'revenue' and rank_in_company = 1 "
            "and period_end < (select max(period_end) from marts.fct_leaderboard) order by period_start desc limit 1"
        ).fetchone()[0]
    assert f"Bookings {month:%b %Y}" in dom
    assert f"{win_rate * 100:.1f} %" in dom
    assert f"1. {top_rep}" in dom and top_rep in dom
    image = screenshot(report.as_uri(), tmp_path / "report.png")
    assert image.stat().st_size > 100_000  # a page of charts, not a blank one


@pytest.fixture(scope="module")
def docs(demo_run):
    assert revops(["docs", "--warehouse", str(demo_run.warehouse)]) == 0
    return demo_run.warehouse.parent / "docs"


def test_dbt_docs_show_a_marts_lineage(docs):
    page = docs / "dbt" / "index.html"
    dom = rendered_dom(f"{page.as_uri()}#!/model/model.revops.fct_opportunity", budget_ms=20000)
    assert 'href="#!/model/model.revops.int_opportunities"' in dom  # depends on
    assert 'href="#!/model/model.revops.fct_sales_kpis"' in dom or "int_kpi_deals" in dom  # referenced by
    exposure = rendered_dom(f"{page.as_uri()}#!/exposure/exposure.revops.looker_explore_fct_opportunity", 20000)
    assert "looker_explore_fct_opportunity" in exposure and 'href="#!/model/model.revops.dim_user"' in exposure


def test_docs_index_links_dbt_docs_and_data_docs(docs):
    index = (docs / "index.html").read_text()
    assert "dbt/index.html" in index and "quality/" in index
