"""Run the suites with Great Expectations on pandas batches read from DuckDB.

GX's SQL datasource returns empty results on DuckDB (GX issue #11579), so batches are pandas
frames: the rows a run loaded (row rules) and a one-row frame of full-table aggregates (table
rules). Frames carry only the columns the rules look at, Arrow-backed; the frame index is the
row's position, which maps failures back to file and row.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.quality.suites import Rule, Suite

RESULT_FORMAT = {"result_format": "COMPLETE", "partial_unexpected_count": 5}
DOCS_SITE = "quality"


@dataclass(frozen=True)
class RuleOutcome:
    rule: Rule
    success: bool
    unexpected_count: int
    positions: tuple[int, ...]  # failing rows' positions in the batch (row rules)
    observed: Any = None  # what a table rule saw


@contextmanager
def _quiet_gx() -> Iterator[None]:
    """GX prints a progress bar per validation and logs usage statistics; neither helps a nightly log."""
    previous = os.environ.get("GX_ANALYTICS_ENABLED")
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    try:
        # GX imports pyspark when it is installed (the Spark target); its pandas-version notice
        # is about Spark DataFrames, which the gate does not use.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
            yield
    finally:
        if previous is None:
            os.environ.pop("GX_ANALYTICS_ENABLED", None)
        else:
            os.environ["GX_ANALYTICS_ENABLED"] = previous


@contextmanager
def _without_batch_fingerprint() -> Iterator[None]:
    """GX md5-hashes every pandas batch under 1 GB (pd.util.hash_pandas_object) as a batch marker.
    On 3M rows that took 2.7 s of a 2.8 s validation: the marker costs more than the checks. Our
    batches are identified by run id instead (rows carry _batch_id), so the hash is switched off
    for the gate's validations only (GX's own threshold, set to zero)."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    previous = engine.HASH_THRESHOLD
    engine.HASH_THRESHOLD = 0
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = previous


class Validator:
    """One ephemeral GX context per gate run; Data Docs (HTML) into `docs_dir` when given."""

    def __init__(self, docs_dir: Path | None):
        with _quiet_gx():
            import great_expectations as gx

        self._gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = {"globally": False}
        self.docs_dir = docs_dir
        if docs_dir is not None:
            self.context.add_data_docs_site(
                site_name=DOCS_SITE,
                site_config={
                    "class_name": "SiteBuilder",
                    "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
        self._datasource = self.context.data_sources.add_pandas("warehouse")
        self._definitions: dict[str, Any] = {}

    def run(self, suite: Suite, scope: str, frame: pd.DataFrame, parameters: dict[str, Any]) -> list[RuleOutcome]:
        """Validate `frame` against the suite's rules of `scope` ("rows" or "table")."""
        rules = suite.rules_in(scope)
        if not rules:
            return []
        from great_expectations.core.expectation_suite import ExpectationSuite

        name = suite.name if scope == "rows" else f"{suite.name}.table"
        definition = self._definitions.get(name)
        if definition is None:  # defined once, run once per chunk of rows
            gx_suite = self.context.suites.add(ExpectationSuite(name=name, expectations=[r.expectation for r in rules]))
            batch = self._datasource.add_dataframe_asset(name).add_batch_definition_whole_dataframe("run")
            definition = self.context.validation_definitions.add(
                self._gx.ValidationDefinition(name=name, data=batch, suite=gx_suite)
            )
            self._definitions[name] = definition
        with _quiet_gx(), _without_batch_fingerprint():
            result = definition.run(
                batch_parameters={"dataframe": frame},
                expectation_parameters=parameters,
                result_format=RESULT_FORMAT,
            )
        by_rule = {rule.name: rule for rule in rules}
        outcomes = []
        for item in result.results:
            rule = by_rule[item.expectation_config.meta["rule"]]
            details = item.result or {}
            if item.exception_info and item.exception_info.get("raised_exception"):
                raise RuntimeError(
                    f"{suite.path.name}: rule {rule.name} could not run: {item.exception_info.get('exception_message')}"
                )
            outcomes.append(
                RuleOutcome(
                    rule=rule,
                    success=bool(item.success),
                    unexpected_count=int(details.get("unexpected_count") or 0),
                    positions=tuple(int(i) for i in details.get("unexpected_index_list") or ()),
                    observed=details.get("observed_value"),
                )
            )
        return outcomes

    def build_docs(self) -> Path | None:
        if self.docs_dir is None:
            return None
        with _quiet_gx():
            self.context.build_data_docs(site_names=[DOCS_SITE])
        return self.docs_dir / "index.html"


# GX's pandas range checks are vectorized only for NumPy int64/float64 and datetime64[ns] columns
# (one Python call per row otherwise: 24 s instead of 0.3 s on 8.6M timestamps), so numbers and
# timestamps become NumPy columns; strings and booleans stay Arrow-backed (no copy).
NS_MIN, NS_MAX = datetime(1677, 9, 22), datetime(2262, 4, 11)


def _numpy_friendly(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_decimal(column.type) or pa.types.is_integer(column.type):
        return column.cast(pa.float64())  # NaN for nulls, exact below 2**53
    if pa.types.is_date(column.type):
        column = column.cast(pa.timestamp("us"))
    if pa.types.is_timestamp(column.type):
        # Clamp into datetime64[ns]'s range (years 1677-2262): a year-9999 typo stays "in the future".
        upper = pc.min_element_wise(column, pa.scalar(NS_MAX, column.type), skip_nulls=False)
        bounded = pc.max_element_wise(upper, pa.scalar(NS_MIN, column.type), skip_nulls=False)  # nulls stay null
        return bounded.cast(pa.timestamp("ns"))
    return column


def _pandas_type(arrow_type: pa.DataType):
    numpy_native = pa.types.is_floating(arrow_type) or pa.types.is_timestamp(arrow_type)
    return None if numpy_native else pd.ArrowDtype(arrow_type)


def arrow_to_frame(table: pa.Table) -> pd.DataFrame:
    columns = [_numpy_friendly(column) for column in table.columns]
    return pa.table(columns, names=table.column_names).to_pandas(types_mapper=_pandas_type)
