"""BI serving on a real PostgreSQL server: the demo's published marts and metric tables land in
schema analytics, equal to DuckDB; bi_reader can read them and nothing else; personal data is
hashed or dropped; a failed publication leaves the previous one in place; `revops publish`."""

import hashlib
import json
import threading
from decimal import Decimal

import duckdb
import psycopg
import pytest

from orchestration import publish_postgres
from orchestration.cli import main as revops
from orchestration.pii import pii_salt
from orchestration.publish import CATALOG_TABLE, published_path
from orchestration.publish_postgres import analytics_table_name, publish_to_postgres
from tests.pg_server import private_postgres

READER_PASSWORD = "reader-test"


@pytest.fixture(scope="module")
def server():
    with private_postgres() as pg:
        yield pg


@pytest.fixture(scope="module")
def published(demo_run):
    return published_path(demo_run.warehouse)


@pytest.fixture(scope="module")
def analytics(server, published):
    return publish_to_postgres(published, server.dsn(), reader_password=READER_PASSWORD, progress=lambda _: None)


@pytest.fixture
def reader(server, analytics):
    with psycopg.connect(server.dsn(user="bi_reader", password=READER_PASSWORD), autocommit=True) as conn:
        yield conn


def _published_tables(published) -> list[tuple[str, str]]:
    with duckdb.connect(str(published), read_only=True) as conn:
        return conn.execute(f"select schema_name, table_name from marts.{CATALOG_TABLE} order by 1, 2").fetchall()


def _normalized(rows) -> list[tuple]:
    """Rows as comparable tuples: exact decimals and floats to 9 significant digits."""

    def value(v):
        if isinstance(v, (dict, list)):  # json on PostgreSQL, text on DuckDB (the run ledger)
            return json.dumps(v, sort_keys=True)
        if isinstance(v, str) and v[:1] in "[{":
            try:
                return json.dumps(json.loads(v), sort_keys=True)
            except ValueError:
                return v
        if isinstance(v, float):
            return None if v != v else float(f"{v:.9g}")
        if isinstance(v, Decimal):
            return float(f"{float(v):.9g}")
        return v

    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


def test_every_mart_and_metric_table_equals_duckdb(published, reader):
    tables = _published_tables(published)
    assert {schema for schema, _ in tables} == {"marts", "metrics", "audit"}  # audit: the run ledger
    assert len(tables) >= 35
    with duckdb.connect(str(published), read_only=True) as source:
        for schema, table in tables:
            expected = _normalized(source.execute(f'select * from {schema}."{table}"').fetchall())
            target = analytics_table_name(schema, table)
            actual = _normalized(reader.execute(f'select * from analytics."{target}"').fetchall())
            assert actual == expected, f"analytics.{target} differs from {schema}.{table}"


def test_metric_tables_are_prefixed_and_catalogued(reader):
    names = {
        row[0]
        for row in reader.execute("select table_name from information_schema.tables where table_schema = 'analytics'")
    }
    assert {"fct_opportunity", "dim_lead", "metrics_sales_monthly", "metrics_funnel_monthly", CATALOG_TABLE} <= names
    monthly = reader.execute(
        "select period_start, bookings, win_rate from analytics.metrics_sales_monthly where bookings > 0 order by 1"
    ).fetchall()
    assert len(monthly) >= 20 and all(0 <= rate <= 1 for _, _, rate in monthly)


def test_bi_reader_can_only_read_analytics(server, reader):
    with psycopg.connect(server.dsn(), autocommit=True) as owner:
        owner.execute("create schema if not exists staging")
        owner.execute("create table if not exists staging.stg_lead_emails as select 'someone@example.com' as email")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reader.execute("select * from staging.stg_lead_emails")
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        reader.execute("delete from analytics.dim_lead")
    # Read-only by default, and without write privileges when a session turns that off.
    reader.execute("set default_transaction_read_only = off")
    for statement in ("delete from analytics.dim_lead", "create table analytics.mine (x int)", "create schema mine"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reader.execute(statement)
    privileges = reader.execute(
        "select distinct privilege_type from information_schema.role_table_grants where grantee = 'bi_reader'"
    ).fetchall()
    assert privileges == [("SELECT",)]


def test_personal_data_is_hashed_or_dropped(demo_run, reader):
    columns = {
        row[0]
        for row in reader.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'analytics' and table_name = 'dim_lead'"
        )
    }
    assert {"email_sha256", "phone_sha256"} <= columns
    assert not {"email", "phone", "lead_name"} & columns
    salt = pii_salt(demo_run.warehouse.parent)
    with duckdb.connect(str(demo_run.warehouse), read_only=True) as conn:
        leads = conn.execute("select lead_id, email from marts.dim_lead where email is not null limit 50").fetchall()
        emails = {
            row[0].lower()
            for row in conn.execute("select email from staging.stg_salesforce__lead where email is not null").fetchall()
        }
    published_hashes = dict(reader.execute("select lead_id, email_sha256 from analytics.dim_lead").fetchall())
    for lead_id, email in leads:
        assert published_hashes[lead_id] == hashlib.sha256((salt + email.strip().lower()).encode()).hexdigest()
    # No text value anywhere in analytics is a lead's address.
    text_columns = reader.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'analytics' and data_type = 'text'"
    ).fetchall()
    for table, column in text_columns:
        found = reader.execute(
            f'select count(*) from analytics."{table}" where lower("{column}") = any(%s)', [list(emails)]
        ).fetchone()[0]
        assert found == 0, f"analytics.{table}.{column} holds lead emails"


def test_a_failed_publication_leaves_the_previous_one(server, published, analytics, reader, monkeypatch):
    before = reader.execute(
        f"select table_name, row_count, digest from analytics.{CATALOG_TABLE} order by 1"
    ).fetchall()
    copy_table = publish_postgres.copy_table
    calls = []

    def failing_copy(*args):
        calls.append(args[-1])
        if len(calls) == 5:
            raise RuntimeError("disk full (simulated)")
        return copy_table(*args)

    monkeypatch.setattr(publish_postgres, "copy_table", failing_copy)
    with pytest.raises(RuntimeError, match="simulated"):
        publish_to_postgres(published, server.dsn(), progress=lambda _: None)
    after = reader.execute(f"select table_name, row_count, digest from analytics.{CATALOG_TABLE} order by 1").fetchall()
    assert after == before
    schemas = {row[0] for row in reader.execute("select nspname from pg_namespace where nspname like 'analytics%'")}
    assert schemas == {"analytics"}


def test_readers_see_one_whole_publication_during_a_swap(server, published, analytics):
    """While `revops publish` replaces analytics, a BI session (autocommit, one statement at a
    time, as Looker and Metabase query) never finds a table missing or partly loaded."""
    stop = threading.Event()
    seen, problems = [], []
    catalog_sql = (
        f"select row_count from analytics.{CATALOG_TABLE} "
        "where schema_name = 'marts' and table_name = 'fct_opportunity'"
    )

    def read():
        with psycopg.connect(server.dsn(user="bi_reader", password=READER_PASSWORD), autocommit=True) as conn:
            while not stop.is_set():
                try:
                    expected = conn.execute(catalog_sql).fetchone()[0]
                    rows = conn.execute("select count(*) from analytics.fct_opportunity").fetchone()[0]
                except psycopg.Error as error:
                    problems.append(repr(error))
                    continue
                seen.append(rows)
                if rows != expected:
                    problems.append((rows, expected))

    thread = threading.Thread(target=read)
    thread.start()
    try:
        assert revops(["publish", "--dsn", server.dsn(), "--warehouse", str(published.with_name("revops.duckdb"))]) == 0
    finally:
        stop.set()
        thread.join()
    assert len(seen) > 10 and not problems


def test_publish_command_explains_a_bad_dsn(published, capsys):
    code = revops(
        [
            "publish",
            "--dsn",
            "postgresql://nobody:secret@127.0.0.1:1/none",
            "--warehouse",
            str(published.with_name("revops.duckdb")),
        ]
    )
    assert code == 1
    error = capsys.readouterr().err
    assert "analytics left as it was" in error and "secret" not in error


def test_revops_run_publishes_to_postgres_when_a_dsn_is_set(server, small_export, tmp_path, monkeypatch):
    from tests.conftest import run_pipeline

    monkeypatch.setenv("REVOPS_PG_DSN", server.dsn(dbname="postgres"))
    outcome = run_pipeline(small_export, tmp_path / "revops.duckdb")
    assert outcome.success, outcome.error
    with psycopg.connect(server.dsn(dbname="postgres")) as conn:
        runs = conn.execute(f"select distinct run_id from analytics.{CATALOG_TABLE}").fetchall()
        ledger = conn.execute("select outcome from analytics.audit_run_log where run_id = %s", [outcome.run_id])
        assert runs == [(outcome.run_id,)] and ledger.fetchall() == [("success",)]
