"""The quality suites in expectations/: GX 1.x expectation suites, one per staged object.

Each file is a GX suite (name, expectations) whose `meta` also says how to build its batches:
  - `staging_model`, `key_column`, `table` (the raw table) and `batch` ("run": the rows loaded by
    this run; "all": every staged row, for planning documents that are small and re-read whole);
  - `raw_text`: batch columns holding an object's raw text (alias -> raw column), so a rule can
    tell "empty in the file" from "did not parse";
  - `derived`: batch columns computed in DuckDB over staging alias `s` (foreign-key lookups,
    date casts), kept in the suite so a reviewer sees exactly what a rule looks at;
  - `table_metrics`: one-row, full-table aggregates for rules of `scope: table`.
Each expectation's meta has `rule`, `severity` (blocking | warning), `policy` for blocking rules
(quarantine: hold the failing rows out of the marts and go on; stop: stop the run), `reason`, and
optionally `column` (the staged column a message names when the rule looks at a derived flag).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.settings import REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
SEVERITIES = ("blocking", "warning")
POLICIES = ("quarantine", "stop")
COLUMN_KWARGS = ("column", "column_A", "column_B")


@dataclass(frozen=True)
class Rule:
    """One expectation of a suite, with what the gate does when it fails."""

    expectation: dict
    name: str
    severity: str
    policy: str | None
    reason: str
    scope: str  # rows | table

    @property
    def column(self) -> str | None:
        """The export column a failure is about (meta.column when the rule looks at a derived flag)."""
        kwargs = self.expectation["kwargs"]
        return self.expectation["meta"].get("column") or kwargs.get("column") or kwargs.get("column_A")

    @property
    def quarantines(self) -> bool:
        return self.severity == "blocking" and self.policy == "quarantine" and self.scope == "rows"


@dataclass(frozen=True)
class Suite:
    name: str
    table: str
    staging_model: str
    key_column: str | None
    batch: str
    raw_text: dict[str, str]
    derived: dict[str, str]
    table_metrics: dict[str, str]
    rules: tuple[Rule, ...]
    path: Path = field(compare=False)

    def rules_in(self, scope: str) -> list[Rule]:
        return [rule for rule in self.rules if rule.scope == scope]

    def batch_columns(self) -> list[str]:
        """Staging columns, raw-text and derived columns the row rules look at, in a stable order."""
        names: dict[str, None] = {}
        for rule in self.rules_in("rows"):
            kwargs = rule.expectation["kwargs"]
            for key in COLUMN_KWARGS:
                if key in kwargs:
                    names[kwargs[key]] = None
            if rule.column:  # shown in messages
                names[rule.column] = None
            condition = kwargs.get("row_condition") or ""
            for alias in [*self.raw_text, *self.derived]:
                if re.search(rf"\b{re.escape(alias)}\b", condition):
                    names[alias] = None
        return list(names)


class SuiteError(ValueError):
    pass


def _rule(path: Path, expectation: dict) -> Rule:
    meta = expectation.get("meta") or {}
    severity = meta.get("severity")
    if severity not in SEVERITIES:
        raise SuiteError(f"{path.name}: {expectation['type']} needs meta.severity in {SEVERITIES}")
    policy = meta.get("policy", "quarantine") if severity == "blocking" else None
    if policy is not None and policy not in POLICIES:
        raise SuiteError(f"{path.name}: rule {meta.get('rule')} has policy {policy!r}, not one of {POLICIES}")
    return Rule(
        expectation={"type": expectation["type"], "kwargs": expectation["kwargs"], "meta": meta},
        name=meta.get("rule") or expectation["type"],
        severity=severity,
        policy=policy,
        reason=meta.get("reason") or expectation["type"],
        scope=meta.get("scope", "rows"),
    )


def load_suite(path: Path) -> Suite:
    document = json.loads(path.read_text(encoding="utf-8"))
    meta = document.get("meta") or {}
    return Suite(
        name=document["name"],
        table=meta.get("table", document["name"]),
        staging_model=meta["staging_model"],
        key_column=meta.get("key_column"),
        batch=meta.get("batch", "run"),
        raw_text=meta.get("raw_text") or {},
        derived=meta.get("derived") or {},
        table_metrics=meta.get("table_metrics") or {"staged_rows": "count(*)"},
        rules=tuple(_rule(path, expectation) for expectation in document["expectations"]),
        path=path,
    )


def load_suites(directory: Path = EXPECTATIONS_DIR) -> list[Suite]:
    suites = [load_suite(path) for path in sorted(directory.glob("*.json"))]
    if not suites:
        raise SuiteError(f"no expectation suites (*.json) in {directory}")
    return suites
