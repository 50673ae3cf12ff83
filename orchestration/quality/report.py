"""The short quality report `revops run` prints: per object rows, quarantined (top reasons), warnings."""

from __future__ import annotations

from pathlib import Path

from orchestration import warehouse

TOP_REASONS = 3


def _reasons(conn, run_id: str, table: str, severity: str) -> str:
    rows = conn.execute(
        """
        select rule, unexpected_count from audit.quality_results
        where run_id = ? and table_name = ? and severity = ? and not success
        order by unexpected_count desc, rule limit ?
        """,
        [run_id, table, severity, TOP_REASONS],
    ).fetchall()
    return ", ".join(f"{rule} ({count:,})" for rule, count in rows)


def quality_report(path: Path, run_id: str) -> str | None:
    """None when the gate did not run in this run (e.g. extraction failed)."""
    with warehouse.connect(path, read_only=True) as conn:
        exists = "select count(*) from information_schema.tables where table_schema = 'audit' and table_name = ?"
        if not conn.execute(exists, ["quality_runs"]).fetchone()[0]:
            return None
        counts = conn.execute(
            """
            select table_name, loaded_rows, staged_rows + default_rows, quarantined_rows, held_this_run, warnings
            from audit.quality_counts where run_id = ? order by table_name
            """,
            [run_id],
        ).fetchall()
        if not counts:
            return None
        lines = [
            "",
            f"quality gate{'':12}{'loaded':>10}{'staged':>10}{'held':>7}{'new':>6}{'warn':>6}  top reasons",
        ]
        for table, loaded, staged, quarantined, held, warnings in counts:
            reasons = "; ".join(
                part
                for part in (
                    _reasons(conn, run_id, table, "blocking"),
                    _reasons(conn, run_id, table, "warning"),
                )
                if part
            )
            row = f"{table:<24}{loaded:>10,}{staged:>10,}{quarantined:>7,}{held:>6,}{warnings:>6,}  {reasons}"
            lines.append(row.rstrip())
        [docs] = conn.execute("select max(docs_index) from audit.quality_runs where run_id = ?", [run_id]).fetchone()
    held_total = sum(row[4] for row in counts)
    lines.append(
        f"{held_total:,} rows quarantined this run (quarantine.<object>); 'held' = records held out of the marts now"
    )
    if docs:
        lines.append(f"quality report (GX Data Docs): {docs}")
    return "\n".join(lines)
