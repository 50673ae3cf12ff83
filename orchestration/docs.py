"""`revops docs` (`make docs`): the documentation auditors and analysts browse, as static files.

- dbt docs as one self-contained page (`dbt docs generate --static`): every model, column,
  test, metric, exposure and the lineage graph, with the warehouse's catalog (types, row counts);
- the GX Data Docs of the latest quality gate run (written by the gate, linked here).
Both go under <warehouse dir>/docs/, next to an index page linking them.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.settings import DBT_PROJECT_DIR

DOCS_TARGET = DBT_PROJECT_DIR / "target" / "docs"


class DocsError(RuntimeError):
    pass


def build_dbt_docs(warehouse: Path, out_dir: Path) -> Path:
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), "docs", "generate", "--static", "--profiles-dir", str(DBT_PROJECT_DIR),
               "--target-path", str(DOCS_TARGET), "-q"]  # fmt: skip
    env = {**os.environ, "REVOPS_WAREHOUSE": str(warehouse)}
    done = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise DocsError(f"dbt docs generate failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    target = out_dir / "dbt" / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(DOCS_TARGET / "static_index.html", target)
    return target


def latest_quality_docs(warehouse: Path) -> Path | None:
    """The GX Data Docs index of the latest gate run (audit.quality_runs), if any."""
    try:
        with duckdb.connect(str(warehouse), read_only=True) as conn:
            row = conn.execute("select docs_index from audit.quality_runs order by checked_at desc limit 1").fetchone()
    except duckdb.Error:
        return None
    return Path(row[0]) if row and row[0] and Path(row[0]).exists() else None


def build_docs(warehouse: Path) -> Path:
    if not warehouse.exists():
        raise DocsError(f"no warehouse at {warehouse}: run `revops run` first (the docs describe what it built)")
    out_dir = warehouse.parent / "docs"
    dbt_index = build_dbt_docs(warehouse, out_dir)
    quality = latest_quality_docs(warehouse)
    links = [("dbt docs: models, columns, tests, metrics, exposures and lineage", dbt_index)]
    if quality:
        links.append(("Data quality (Great Expectations Data Docs) of the latest run", quality))
    items = "".join(
        f"<li><a href='{html.escape(os.path.relpath(path, out_dir))}'>{html.escape(label)}</a></li>"
        for label, path in links
    )
    index = out_dir / "index.html"
    index.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>revops-warehouse docs</title></head>"
        f"<body><h1>revops-warehouse documentation</h1><ul>{items}</ul></body></html>"
    )
    return index
