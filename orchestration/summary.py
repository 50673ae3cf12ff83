"""What a run leaves behind, in a few lines: rows per layer and per extracted object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration import warehouse
from orchestration.extract.naming import quote_identifier as q
from orchestration.publish import published_path
from orchestration.settings import SCHEMAS


@dataclass(frozen=True)
class LayerCount:
    schema: str
    relations: int
    rows: int


def relation_rows(path: Path, schema: str) -> dict[str, int]:
    """Row count of every table and view in `schema`."""
    with warehouse.connect(path, read_only=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
            ).fetchall()
        ]
        return {name: conn.execute(f"select count(*) from {q(schema)}.{q(name)}").fetchone()[0] for name in names}


def layer_counts(path: Path) -> list[LayerCount]:
    counts = []
    for schema in SCHEMAS:
        rows = relation_rows(path, schema)
        counts.append(LayerCount(schema, len(rows), sum(rows.values())))
    return counts


def load_counts(path: Path, batch_id: str) -> list[tuple[str, int, int, int]]:
    """(table, rows read, rows new, rows rejected) for one load batch."""
    with warehouse.connect(path, read_only=True) as conn:
        return conn.execute(
            """
            select table_name, sum(rows_read), sum(rows_inserted), sum(rows_rejected)
            from audit.load_log where batch_id = ? group by table_name order by table_name
            """,
            [batch_id],
        ).fetchall()


def format_summary(path: Path, batch_id: str, seconds: float) -> str:
    layers = layer_counts(path)
    loads = load_counts(path, batch_id)
    lines = ["", f"{'layer':<14}{'relations':>10}{'rows':>14}"]
    lines += [f"{layer.schema:<14}{layer.relations:>10}{layer.rows:>14,}" for layer in layers]
    if loads:
        read = sum(row[1] for row in loads)
        new = sum(row[2] for row in loads)
        rejected = sum(row[3] for row in loads)
        lines.append(f"\nextracted {len(loads)} objects: {read:,} rows read, {new:,} new, {rejected:,} rejected")
    lines.append(f"done in {seconds:.1f}s; warehouse: {path}")
    published = published_path(path)
    if published.exists():
        lines.append(f"published marts for BI readers: {published}")
    return "\n".join(lines)
