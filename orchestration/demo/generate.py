"""Generate the demo company and write it as an export directory (SOURCES.md format).

Deterministic for a seed: each part of the company draws from its own random stream, so the
same seed and scale give byte-identical files. Vectorized with numpy and DuckDB, so large
scales (millions of leads) take minutes.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import duckdb
import numpy as np

from orchestration.demo.activities import build_activities
from orchestration.demo.company import build_company
from orchestration.demo.deals import build_opportunities
from orchestration.demo.dirty import choose_dirty_rows
from orchestration.demo.export import prepare_snapshot, register_timeline, write_csv_files, write_plan_files
from orchestration.demo.finance import build_deal_costs, build_forecasts
from orchestration.demo.fx import build_rates
from orchestration.demo.leads import build_leads
from orchestration.demo.marketing import build_campaigns, build_spend
from orchestration.demo.params import CHANNELS, DemoParams
from orchestration.demo.plans import build_plan_inputs
from orchestration.demo.sampling import epoch

TRUTH_FILE = Path("_demo") / "truth.json"
STREAMS = ("company", "leads", "campaigns", "spend", "rates", "deals", "activities", "forecasts", "costs", "plans")


def _truth(params: DemoParams, dirty_rows, counts: dict[str, int]) -> dict:
    return {
        "params": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in asdict(params).items()},
        "leads_generated": params.leads,
        "export_at": params.export_at.isoformat(),
        "channels": {
            c.name: {
                **asdict(c),
                "expected_mql_to_sql": round(c.mql_to_sql, 6),
                "expected_sql_to_won": round(c.sql_to_won, 6),
            }
            for c in CHANNELS
        },
        "dirty_rows": [row.as_dict() for row in dirty_rows],
        "row_counts": counts,
    }


def _build_timeline(conn: duckdb.DuckDBPyConnection, params: DemoParams, progress):
    """Generate the whole company and load it into DuckDB tables (the arrays are freed after);
    returns the (small) planning inputs, which are written directly."""
    streams = dict(zip(STREAMS, np.random.SeedSequence(params.seed).spawn(len(STREAMS)), strict=True))
    rng = {name: np.random.default_rng(seed) for name, seed in streams.items()}
    company = build_company(params, rng["company"])
    leads = build_leads(params, company, rng["leads"])
    progress(f"demo: {leads.size:,} leads, {leads.event_lead.size:,} status changes")
    campaigns = build_campaigns(params, company, leads, rng["campaigns"])
    spend = build_spend(params, company, leads, campaigns, rng["spend"])
    rates = build_rates(params, rng["rates"])
    accounts, opportunities = build_opportunities(params, company, leads, rates, rng["deals"])
    progress(f"demo: {opportunities.size:,} opportunities, {opportunities.history_at.size:,} history rows")
    activities = build_activities(params, company, leads, opportunities, rng["activities"])
    forecasts = build_forecasts(params, company, opportunities, rates, rng["forecasts"])
    costs = build_deal_costs(opportunities, leads, rates, rng["costs"])
    plan = build_plan_inputs(params, company, leads, opportunities, rates, rng["plans"])
    progress(f"demo: {activities.size:,} activities")
    register_timeline(
        conn, company, leads, campaigns, spend, accounts, opportunities, activities, rates, forecasts, costs
    )
    return plan


def default_memory_limit() -> str:
    """$REVOPS_DEMO_MEMORY_LIMIT, else 60 % of physical memory (10M leads need about 14 GB)."""
    if "REVOPS_DEMO_MEMORY_LIMIT" in os.environ:
        return os.environ["REVOPS_DEMO_MEMORY_LIMIT"]
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(2, int(physical * 0.6 / 2**30))}GB"


def generate_demo(
    out_dir: Path, params: DemoParams, progress: Callable[[str], None] = print, memory_limit: str | None = None
) -> dict:
    """Write the export to `out_dir` (replacing it) and return the truth document."""
    started = time.monotonic()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    scratch = out_dir / TRUTH_FILE.parent / "tmp"
    scratch.mkdir(parents=True)
    conn = duckdb.connect()
    try:
        # Every export query orders its rows explicitly; not keeping scan order lets DuckDB spill.
        conn.execute("set preserve_insertion_order = false")
        conn.execute("set temp_directory = $dir", {"dir": str(scratch)})
        conn.execute("set memory_limit = $limit", {"limit": memory_limit or default_memory_limit()})
        plan = _build_timeline(conn, params, progress)
        prepare_snapshot(conn, epoch(params.export_at))
        dirty_rows = choose_dirty_rows(conn)
        progress("demo: writing the export files")
        counts = write_csv_files(conn, out_dir)
        counts.update(write_plan_files(out_dir, plan, epoch(params.export_at)))
    finally:
        conn.close()
        shutil.rmtree(scratch, ignore_errors=True)
    truth = _truth(params, dirty_rows, counts)
    (out_dir / TRUTH_FILE).write_text(json.dumps(truth, indent=2, default=str), encoding="utf-8")
    elapsed = time.monotonic() - started
    progress(f"demo: wrote {len(counts)} files, {sum(counts.values()):,} rows in {elapsed:.1f}s -> {out_dir}")
    return truth
