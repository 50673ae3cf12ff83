"""Generated BI artifacts: the LookML project parses with lkml, names only columns that exist in
the published tables, joins views that exist, and every measure implements a semantic-layer
metric; the Metabase metadata has the shape Metabase's API takes; dbt exposures cover every
explore, metric table and the report; and the committed files are what `revops bi` generates."""

import json
from pathlib import Path

import duckdb
import lkml
import pytest
import yaml

from orchestration.bi_artifacts import EXPOSURES_PATH, LOOKML_PATH, METABASE_PATH, generate_all
from orchestration.dbt import DBT_PROJECT
from orchestration.metabase import SEMANTIC_TYPES
from orchestration.publish import published_path
from orchestration.semantic_layer import SemanticLayer
from orchestration.settings import REPO_ROOT


@pytest.fixture(scope="module")
def looker_files(manifest) -> dict[str, dict]:
    files = sorted((REPO_ROOT / LOOKML_PATH).rglob("*.lkml"))
    return {path.name: lkml.load(path.read_text()) for path in files}


@pytest.fixture(scope="module")
def views(looker_files) -> dict[str, dict]:
    return {view["name"]: view for parsed in looker_files.values() for view in parsed.get("views", [])}


@pytest.fixture(scope="module")
def analytics_columns(demo_run) -> dict[str, set[str]]:
    """Columns of each table as published to analytics (metric tables get the metrics_ prefix)."""
    with duckdb.connect(str(published_path(demo_run.warehouse)), read_only=True) as conn:
        rows = conn.execute("select table_schema, table_name, column_name from information_schema.columns").fetchall()
    columns: dict[str, set[str]] = {}
    for schema, table, column in rows:
        columns.setdefault(table if schema == "marts" else f"{schema}_{table}", set()).add(column)
    return columns


def test_committed_artifacts_are_current(manifest, tmp_path):
    generate_all(manifest_path=DBT_PROJECT.manifest_path, root=tmp_path)
    generated = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    assert generated, "nothing generated"
    for relative in generated:
        committed = REPO_ROOT / relative
        assert committed.exists(), f"{relative} is not committed: run `revops bi`"
        assert committed.read_text() == (tmp_path / relative).read_text(), f"{relative} is stale: run `revops bi`"
    committed_views = {p.relative_to(REPO_ROOT) for p in (REPO_ROOT / LOOKML_PATH).rglob("*.lkml")}
    assert committed_views <= generated, "stale LookML files that `revops bi` no longer writes"


def test_every_published_table_has_a_view_on_existing_columns(views, analytics_columns):
    published = {name for name in analytics_columns if name != "_publication"}
    assert set(views) == published
    for name, view in views.items():
        assert view["sql_table_name"] == f"analytics.{name}"
        fields = view.get("dimensions", []) + view.get("dimension_groups", [])
        for field in fields:
            column = field["sql"].removeprefix("${TABLE}.")
            assert column in analytics_columns[name], f"{name}.{field['name']} reads missing column {column}"
        names = [f["name"] for f in fields + view.get("measures", [])]
        assert len(names) == len(set(names)), f"{name}: duplicate field names"


def test_every_measure_implements_a_semantic_layer_metric(views):
    metrics = set(SemanticLayer().metric_names())
    tagged = set()
    for view in views.values():
        for measure in view.get("measures", []):
            if measure["name"] == "count":
                continue
            tags = [tag.removeprefix("metric:") for tag in measure.get("tags", []) if tag.startswith("metric:")]
            assert len(tags) == 1 and tags[0] in metrics, (
                f"{view['name']}.{measure['name']}: tags {measure.get('tags')}"
            )
            tagged.add(tags[0])
    # Headline metrics are measures on their fact views (not only values in metric tables).
    on_facts = {
        tag.removeprefix("metric:")
        for name, view in views.items()
        if not name.startswith("metrics_")
        for measure in view.get("measures", [])
        for tag in measure.get("tags", [])
    }
    assert {"mqls", "sqls", "mql_to_sql_rate", "bookings", "win_rate", "handoff_sla_rate", "attainment_pct",
            "pipeline_coverage", "channel_cac", "channel_roi", "avg_sales_cycle_days"} <= on_facts  # fmt: skip
    assert tagged <= metrics


def test_measure_sql_references_only_fields_of_its_view(views):
    for view in views.values():
        names = {m["name"] for m in view.get("measures", [])}
        for measure in view.get("measures", []):
            if measure["type"] == "number":
                referenced = {part.split("}")[0] for part in measure["sql"].split("${")[1:]}
                assert referenced <= names, f"{view['name']}.{measure['name']} references {referenced - names}"


def test_model_file_has_fiscal_calendar_and_valid_joins(looker_files, views):
    model = looker_files["revops.model.lkml"]
    assert model["connection"] == "revops_analytics"
    assert model["fiscal_month_offset"] == "1"  # fiscal year starts in February (seeds)
    explores = {explore["name"]: explore for explore in model["explores"]}
    assert "fct_opportunity" in explores and "metrics_sales_monthly" in explores
    for explore in explores.values():
        assert explore["name"] in views
        for join in explore.get("joins", []):
            assert join["name"] in views
            for reference in join["sql_on"].split("${")[1:]:
                view_name, field = reference.split("}")[0].split(".")
                fields = {d["name"] for d in views[view_name].get("dimensions", [])}
                assert field in fields, f"join {explore['name']} -> {join['name']}: no {view_name}.{field}"


def test_metabase_metadata_matches_the_published_tables(analytics_columns):
    payload = json.loads((REPO_ROOT / METABASE_PATH).read_text())
    assert payload["database"] == {"engine": "postgres", "schema": "analytics"}
    tables = {table["name"]: table for table in payload["tables"]}
    assert set(tables) == {name for name in analytics_columns if name != "_publication"}
    for name, table in tables.items():
        assert set(table) >= {"schema", "name", "display_name", "description", "entity_type", "fields"}
        assert table["entity_type"].startswith("entity/")
        assert {field["name"] for field in table["fields"]} == analytics_columns[name]
        for field in table["fields"]:
            assert field["semantic_type"] is None or field["semantic_type"] in SEMANTIC_TYPES
            if field["semantic_type"] == "type/FK":
                target = field["fk_target"]
                assert target["field"] in analytics_columns[target["table"]]
    opportunity = {field["name"]: field for field in tables["fct_opportunity"]["fields"]}
    assert opportunity["opportunity_id"]["semantic_type"] == "type/PK"
    assert opportunity["owner_id"]["fk_target"]["table"] == "dim_user"
    assert opportunity["amount_reporting"]["semantic_type"] == "type/Currency"
    assert opportunity["amount_reporting"]["description"]


def test_exposures_cover_explores_metric_tables_and_report(manifest):
    exposures = yaml.safe_load((REPO_ROOT / EXPOSURES_PATH).read_text())["exposures"]
    names = {exposure["name"] for exposure in exposures}
    saved_queries = {
        q["name"] for q in json.loads(Path(DBT_PROJECT.manifest_path).read_text())["saved_queries"].values()
    }
    assert {f"metric_table_{name}" for name in saved_queries} <= names
    assert {"looker_explore_fct_opportunity", "revenue_sync_report"} <= names
    parsed = json.loads(Path(DBT_PROJECT.manifest_path).read_text())["exposures"]
    assert {exposure["name"] for exposure in parsed.values()} == names  # dbt parsed them all
