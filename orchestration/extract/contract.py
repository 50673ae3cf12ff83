"""The source contract, read from the dbt sources YAML (one definition for dbt and extraction).

Each source table says which export file feeds it, whether the file is required, and which
columns must be present. Extraction creates every listed column in raw even when a file lacks
it, so staging models can always select it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from orchestration.extract.naming import object_match_key, to_snake_case


@dataclass(frozen=True)
class TableContract:
    source: str
    table: str
    object_name: str
    required: bool
    columns: tuple[str, ...]
    required_columns: tuple[str, ...]
    key_columns: tuple[str, ...]
    # A planning document: the latest file replaces the previous one (see _inputs__sources.yml).
    whole_file: bool = False

    @property
    def match_key(self) -> str:
        return object_match_key(self.object_name)

    @property
    def export_file_name(self) -> str:
        return f"{self.object_name}.csv"


@dataclass(frozen=True)
class SourceContract:
    tables: tuple[TableContract, ...]

    @cached_property
    def _by_match_key(self) -> dict[str, TableContract]:
        return {table.match_key: table for table in self.tables}

    def match(self, file_stem: str) -> TableContract | None:
        return self._by_match_key.get(object_match_key(file_stem))

    def table(self, name: str) -> TableContract:
        for table in self.tables:
            if table.table == name:
                return table
        raise KeyError(name)


def _meta(node: dict) -> dict:
    """dbt >= 1.10 keeps meta under config; older YAML had it at the top level."""
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def _table_contract(source: dict, table: dict) -> TableContract:
    source_meta = _meta(source)
    table_meta = _meta(table)
    standard = [to_snake_case(c) for c in source_meta.get("standard_columns", [])]
    listed = [to_snake_case(column["name"]) for column in table.get("columns", [])]
    required = [to_snake_case(column["name"]) for column in table.get("columns", []) if _meta(column).get("required")]
    object_name = table_meta.get("object") or Path(table_meta.get("file", table["name"])).stem
    key = tuple(table_meta.get("key") or ["id"])
    return TableContract(
        source=source["name"],
        table=table["name"],
        object_name=object_name,
        required=bool(table_meta.get("required", False)),
        columns=tuple(dict.fromkeys(standard + listed)),
        required_columns=tuple(required),
        key_columns=key,
        whole_file=bool(table_meta.get("whole_file", False)),
    )


CONTRACT_KINDS = frozenset({"crm", "input"})


def load_contract(dbt_project_dir: Path) -> SourceContract:
    """Read the sources of kind crm / input from every `*sources.yml` under the staging models."""
    tables: list[TableContract] = []
    for path in sorted((dbt_project_dir / "models" / "staging").rglob("*sources.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources", []):
            if _meta(source).get("kind") in CONTRACT_KINDS:
                tables.extend(_table_contract(source, table) for table in source.get("tables", []))
    if not tables:
        raise FileNotFoundError(f"no source contract (*sources.yml) under {dbt_project_dir}")
    return SourceContract(tables=tuple(tables))
