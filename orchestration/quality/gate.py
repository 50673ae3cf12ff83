"""The quality gate over one run: validate, quarantine, count, and decide whether marts may build.

For each suite: read the batch from staging, run its row rules, move rows failing a blocking
`quarantine` rule to quarantine.<table> (with rule, reason, batch and raw values) and out of
staging, then run the table rules on full-table aggregates and publish the row accounting.
A failing `stop` rule (or blocking table rule) fails the gate: the marts are not built.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from orchestration.extract.contract import SourceContract
from orchestration.extract.naming import quote_identifier as q
from orchestration.quality.accounting import COUNTS_DDL, RowCounts, count_rows
from orchestration.quality.suites import Suite
from orchestration.quality.validate import RuleOutcome, Validator, arrow_to_frame

ROW = ("_batch_id", "_source_file", "_source_row")  # a raw row: its load, file and row number
MESSAGE_EXAMPLES = 5
# Rows per GX validation: a full load at 10M leads is ~40M LeadHistory rows, which as one pandas
# frame would not fit in memory beside the warehouse. Outcomes are summed over the chunks.
ROW_CHUNK = 2_000_000
# Rows may change by this factor between runs before the row-count rule warns (0.5x .. 2x).
ROW_COUNT_BAND = 2.0

RESULTS_DDL = """
    create table if not exists audit.quality_results (
        run_id varchar, table_name varchar, rule varchar, severity varchar, policy varchar,
        column_name varchar, success boolean, unexpected_count bigint, examples varchar, checked_at timestamp
    )
"""
RUNS_DDL = "create table if not exists audit.quality_runs (run_id varchar, docs_index varchar, checked_at timestamp)"


@dataclass
class SuiteVerdict:
    suite: Suite
    rows_checked: int = 0
    held: Counter = field(default_factory=Counter)  # reason -> rows quarantined this run
    warnings: Counter = field(default_factory=Counter)  # reason -> rows
    stops: list[str] = field(default_factory=list)  # messages of failed stop rules
    counts: RowCounts | None = None

    @property
    def passed(self) -> bool:
        return not self.stops


def _value_set(conn: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    return sorted({row[0] for row in conn.execute(sql).fetchall() if row[0] is not None})


PARAMETERS: dict[str, Callable[[duckdb.DuckDBPyConnection], Any]] = {
    "lead_statuses": lambda c: _value_set(
        c, "select source_value from staging.lifecycle_stage_map where source_field = 'Lead.Status'"
    ),
    "opportunity_stages": lambda c: _value_set(c, "select stage_name from staging.opportunity_stage_map"),
    "currency_codes": lambda c: _value_set(
        c,
        "select iso_code from staging.stg_salesforce__dated_conversion_rate"
        " union select iso_code from staging.fx_rates_fallback",
    ),
}


class Gate:
    def __init__(
        self,
        conn: duckdb.DuckDBPyConnection,
        contract: SourceContract,
        run_id: str,
        docs_dir: Path | None,
        now: datetime | None = None,
    ):
        self.conn = conn
        self.contract = contract
        self.run_id = run_id
        self.validator = Validator(docs_dir)
        # Clocks differ a little between the CRM and us: an hour's grace before "in the future".
        self.now = (now or datetime.now(UTC).replace(tzinfo=None)) + timedelta(hours=1)
        self._parameters: dict[str, Any] = {}
        for ddl in (COUNTS_DDL, RESULTS_DDL, RUNS_DDL):
            conn.execute(ddl)

    # -- batches ---------------------------------------------------------------------------------

    def _row_batch(self, suite: Suite) -> pa.Table:
        """This run's staged rows with the columns the row rules need. A raw-text column is only
        looked up for rows whose parsed value is empty (the only rows a "parses" rule can fail):
        joining every raw row back cost more than all the rules on lead_history."""
        columns = suite.batch_columns()
        staged = {alias: alias.removesuffix("__raw") for alias in suite.raw_text if alias in columns}
        selected = []
        for name in dict.fromkeys([*columns, *staged.values()]):
            if name in suite.derived:
                selected.append(f"({suite.derived[name]}) as {q(name)}")
            elif name not in staged:
                selected.append(f"s.{q(name)}")
        selected += ["s.rowid as _rowid", *(f"s.{c}" for c in ROW)]
        only_this_run = "where s._batch_id = $run" if suite.batch == "run" else ""
        row = list(ROW)
        raw_text = ""
        if staged:
            empty = " or ".join(f"{q(column)} is null" for column in staged.values())
            texts = ", ".join(f"nullif(trim(r.{q(suite.raw_text[alias])}), '') as {q(alias)}" for alias in staged)
            raw_text = f""",
            suspects as (select {", ".join(row)} from batch where {empty}),
            raw_text as (
                select {", ".join(f"r.{c}" for c in row)}, {texts}
                from raw.{q(suite.table)} as r semi join suspects using ({", ".join(row)})
            )"""
        output = ", ".join(
            f"raw_text.{q(name)}" if name in staged else f"batch.{q(name)}" for name in [*columns, "_rowid"]
        )
        joined = f"left join raw_text using ({', '.join(row)})" if staged else ""
        sql = f"""
            with batch as (select {", ".join(selected)} from staging.{q(suite.staging_model)} as s {only_this_run})
            {raw_text}
            select {output} from batch {joined}
        """
        with self.conn.cursor() as cursor:  # the relation API: Arrow without an extra copy of the rows
            return cursor.sql(sql, params={"run": self.run_id} if only_this_run else None).to_arrow_table()

    def _table_frame(self, suite: Suite):
        metrics = ", ".join(f"{sql} as {q(name)}" for name, sql in suite.table_metrics.items())
        sql = f"select {metrics} from staging.{q(suite.staging_model)}"
        return arrow_to_frame(self.conn.sql(sql).to_arrow_table())

    def _parameters_for(self, suite: Suite) -> dict[str, Any]:
        wanted = {"now": self.now}
        for rule in suite.rules:
            for value in rule.expectation["kwargs"].values():
                name = value.get("$PARAMETER") if isinstance(value, dict) else None
                if name in PARAMETERS:
                    if name not in self._parameters:
                        self._parameters[name] = PARAMETERS[name](self.conn)
                    wanted[name] = self._parameters[name]
        previous = self.conn.execute(
            """
            select staged_rows + default_rows from audit.quality_counts
            where table_name = ? and run_id <> ? order by counted_at desc limit 1
            """,
            [suite.table, self.run_id],
        ).fetchone()
        wanted["staged_rows_min"] = math.floor(previous[0] / ROW_COUNT_BAND) if previous else 0
        wanted["staged_rows_max"] = math.ceil(previous[0] * ROW_COUNT_BAND) + 10 if previous else None
        return wanted

    # -- outcomes --------------------------------------------------------------------------------

    def _describe(self, suite: Suite, outcome: RuleOutcome, batch: pa.Table | None) -> list[str]:
        """'<file> row <n>, column <c>: <reason> (value ...)' for a few failing rows."""
        rule = outcome.rule
        if batch is None or not outcome.positions:
            return [f"{suite.table}: {rule.reason} (observed {outcome.observed})"]
        column = rule.column
        failing = batch.take(list(outcome.positions))
        shown = dict(zip(failing["_rowid"].to_pylist(), failing[column].to_pylist(), strict=True))
        # The file's text when the suite maps the column to raw, else the parsed value.
        raw_column = suite.raw_text.get(f"{column}__raw")
        text = f"r.{q(raw_column)}" if raw_column else "null"
        located = self.conn.execute(
            f"""
            select s.rowid, s._source_file, s._source_row, {text}
            from staging.{q(suite.staging_model)} as s
            left join raw.{q(suite.table)} as r
                on r._batch_id = s._batch_id and r._source_file = s._source_file and r._source_row = s._source_row
            where s.rowid in (select unnest($rowids))
            order by s._source_file, s._source_row limit {MESSAGE_EXAMPLES}
            """,
            {"rowids": list(shown)},
        ).fetchall()
        return [
            f"{file} row {row}, column {column}: {rule.reason} (value {raw if raw is not None else shown[rowid]!r})"
            for rowid, file, row, raw in located
        ]

    def _record(self, suite: Suite, outcome: RuleOutcome, examples: list[str]) -> None:
        rule = outcome.rule
        self.conn.execute(
            "insert into audit.quality_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
            [
                self.run_id,
                suite.table,
                rule.name,
                rule.severity,
                rule.policy,
                rule.column,
                outcome.success,
                outcome.unexpected_count,
                "; ".join(examples) if not outcome.success else None,
            ],
        )

    def _quarantine(self, suite: Suite, failing: list[tuple[RuleOutcome, int]], batch: pa.Table) -> None:
        """Move failing rows to quarantine.<table> (raw values kept as JSON) and out of staging."""
        rowids = batch["_rowid"].take([position for _, position in failing])
        held = pa.table(
            {
                "_rowid": rowids,
                "rule": [outcome.rule.name for outcome, _ in failing],
                "column_name": [outcome.rule.column for outcome, _ in failing],
                "reason": [outcome.rule.reason for outcome, _ in failing],
            }
        )
        staging = f"staging.{q(suite.staging_model)}"
        self.conn.register("_held", held)
        try:
            self.conn.execute(
                f"""
                create or replace temp table _held_rows as
                select s._row_hash, s._batch_id, s._source_file, s._source_row, h.rule, h.column_name, h.reason
                from _held as h join {staging} as s on s.rowid = h._rowid
                """
            )
            self.conn.execute(
                f"""
                insert into quarantine.{q(suite.table)}
                select distinct on (h._row_hash, h.rule, r._source_row)
                    h._row_hash, h._batch_id, h._source_file, h._source_row, r._record_key,
                    h.rule, h.column_name, h.reason, cast(to_json(r) as varchar), $run, now()
                from _held_rows as h
                join raw.{q(suite.table)} as r
                    on r._batch_id = h._batch_id and r._source_file = h._source_file and r._source_row = h._source_row
                where not exists (
                    select 1 from quarantine.{q(suite.table)} as q
                    where q._row_hash = h._row_hash and q.rule = h.rule
                )
                """,
                {"run": self.run_id},
            )
            self.conn.execute(f"delete from {staging} where _row_hash in (select _row_hash from _held_rows)")
        finally:
            self.conn.unregister("_held")
            self.conn.execute("drop table if exists _held_rows")

    # -- the gate --------------------------------------------------------------------------------

    def check(self, suite: Suite) -> SuiteVerdict:
        verdict = SuiteVerdict(suite)
        parameters = self._parameters_for(suite)
        batch = self._row_batch(suite)
        verdict.rows_checked = batch.num_rows
        failing: list[tuple[RuleOutcome, int]] = []
        for outcome in self._validate_rows(suite, batch, parameters):
            examples = self._describe(suite, outcome, batch)
            self._record(suite, outcome, examples)
            if outcome.success:
                continue
            rule = outcome.rule
            if rule.severity == "warning":
                verdict.warnings[rule.reason] += outcome.unexpected_count
            elif rule.quarantines:
                verdict.held[rule.reason] += outcome.unexpected_count
                failing += [(outcome, position) for position in outcome.positions]
            else:
                verdict.stops += examples
        if failing:
            self._quarantine(suite, failing, batch)
        for outcome in self.validator.run(suite, "table", self._table_frame(suite), parameters):
            examples = self._describe(suite, outcome, None)
            self._record(suite, outcome, examples)
            if outcome.success:
                continue
            if outcome.rule.severity == "warning":
                verdict.warnings[outcome.rule.reason] += 1
            else:
                verdict.stops += examples
        verdict.counts = count_rows(self.conn, self.contract.table(suite.table), suite.staging_model, self.run_id)
        self._publish(verdict)
        return verdict

    def _validate_rows(self, suite: Suite, batch: pa.Table, parameters: dict[str, Any]) -> list[RuleOutcome]:
        """The row rules over the batch, ROW_CHUNK rows per GX validation; one outcome per rule with
        positions in the whole batch."""
        merged: dict[int, RuleOutcome] = {}  # by the rule's place in the suite (names can repeat)
        for start in range(0, max(batch.num_rows, 1), ROW_CHUNK):
            frame = arrow_to_frame(batch.slice(start, ROW_CHUNK).select(suite.batch_columns()))
            for index, outcome in enumerate(self.validator.run(suite, "rows", frame, parameters)):
                positions = tuple(start + position for position in outcome.positions)
                earlier = merged.get(index)
                merged[index] = replace(
                    outcome,
                    success=outcome.success and (earlier is None or earlier.success),
                    unexpected_count=outcome.unexpected_count + (earlier.unexpected_count if earlier else 0),
                    positions=(earlier.positions if earlier else ()) + positions,
                )
        return list(merged.values())

    def _publish(self, verdict: SuiteVerdict) -> None:
        c = verdict.counts
        self.conn.execute(
            "insert into audit.quality_counts values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
            [
                self.run_id,
                verdict.suite.table,
                c.raw,
                c.loaded,
                c.staged,
                c.defaults,
                c.quarantined,
                c.superseded,
                c.deleted,
                sum(verdict.held.values()),
                sum(verdict.warnings.values()),
            ],
        )

    def finish(self) -> Path | None:
        index = self.validator.build_docs()
        self.conn.execute(
            "insert into audit.quality_runs values (?, ?, now())", [self.run_id, str(index) if index else None]
        )
        return index
