"""`revops report`: a static HTML revenue-sync report from the published marts.

One self-contained file (charts as inline SVG, no scripts, no network), so it can be mailed,
attached to a ticket or served from any static host. It reads published.duckdb only, so it shows
exactly what BI users see, and every chart has its numbers beside it.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import matplotlib

matplotlib.use("Agg")  # no display here or on a server
matplotlib.rcParams["svg.fonttype"] = "none"  # labels stay text: searchable, selectable, smaller
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

PALETTE = ["#2E5EAA", "#F28E2B", "#59A14F", "#E15759", "#76B7B2", "#B07AA1", "#EDC948", "#9C755F"]
FUNNEL_STAGES = ["lead", "mql", "sal", "sql", "opportunity", "won"]


@dataclass
class Section:
    key: str
    title: str
    caption: str
    svg: str
    table: list[tuple]
    headers: tuple[str, ...]


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prologue: the SVG is inline


def _figure(width: float = 8.0, height: float = 3.6):
    fig, axis = plt.subplots(figsize=(width, height))
    axis.spines[["top", "right"]].set_visible(False)
    axis.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    axis.set_axisbelow(True)
    return fig, axis


def _money(value: float) -> str:
    return (
        f"{value / 1e6:.2f}M" if abs(value) >= 1e6 else f"{value / 1e3:.0f}k" if abs(value) >= 1e3 else f"{value:.0f}"
    )


def funnel_by_channel(conn) -> Section:
    rows = conn.execute(
        "select dimension_value, stage, sum(entries) from marts.fct_funnel_period "
        "where grain = 'month' and dimension = 'channel' and stage in ('lead', 'mql', 'sql', 'opportunity', 'won') "
        "and period_start >= (select max(period_start) from marts.fct_funnel_period where grain = 'month') "
        "- interval 11 month group by 1, 2"
    ).fetchall()
    channels = sorted({r[0] for r in rows}, key=lambda c: -sum(r[2] for r in rows if r[0] == c and r[1] == "lead"))
    stages = [s for s in FUNNEL_STAGES if s != "sal"]
    counts = {(c, s): n for c, s, n in rows}
    fig, axis = _figure(9, 3.8)
    width = 0.8 / len(stages)
    for index, stage in enumerate(stages):
        values = [counts.get((c, stage), 0) for c in channels]
        axis.bar([i + index * width for i in range(len(channels))], values, width, label=stage.upper(),
                 color=PALETTE[index])  # fmt: skip
    axis.set_xticks([i + 0.4 - width / 2 for i in range(len(channels))], channels, rotation=0, fontsize=8)
    axis.set_yscale("log")
    axis.set_ylabel("leads entering the stage (log)")
    axis.legend(ncols=len(stages), fontsize=8, frameon=False, loc="upper right")
    table = [(c, *(counts.get((c, s), 0) for s in stages)) for c in channels]
    return Section("funnel-by-channel", "Funnel by channel, last 12 months",
                   "Leads entering each stage in the last twelve months, by first-touch channel.",
                   _svg(fig), table, ("channel", *(s.upper() for s in stages)))  # fmt: skip


def conversion_trend(conn) -> Section:
    rows = conn.execute(
        "select period_start, from_stage || '->' || to_stage, conversion_rate from marts.fct_funnel_cohort "
        "where grain = 'month' and dimension = 'all' and (from_stage, to_stage) in "
        "(('lead', 'mql'), ('mql', 'sql'), ('sql', 'won')) order by 1"
    ).fetchall()
    fig, axis = _figure()
    pairs = ["lead->mql", "mql->sql", "sql->won"]
    for index, pair in enumerate(pairs):
        points = [(p, r) for p, name, r in rows if name == pair and r is not None]
        axis.plot([p for p, _ in points], [r for _, r in points], marker="o", markersize=3, label=pair.upper(),
                  color=PALETTE[index])  # fmt: skip
    axis.yaxis.set_major_formatter(PercentFormatter(1.0))
    axis.set_ylabel("cohort conversion")
    axis.legend(fontsize=8, frameon=False)
    months = sorted({p for p, _, _ in rows})[-6:]
    by_key = {(p, name): r for p, name, r in rows}
    table = [(m.isoformat(), *(_pct(by_key.get((m, pair))) for pair in pairs)) for m in months]
    return Section("conversion-trend", "Conversion trend",
                   "Monthly cohort conversion (leads of the month that ever reached the next stage); recent "
                   "cohorts are still converting.", _svg(fig), table,
                   ("cohort", *(p.upper() for p in pairs)))  # fmt: skip


def _pct(value, scale: float = 100.0) -> str:
    return "-" if value is None else f"{value * scale:.1f} %"


def handoff_sla(conn) -> Section:
    rows = conn.execute(
        "select week_start, sum(met_sla) / sum(mqls), sum(mqls) from marts.fct_lead_handoff_weekly "
        "group by 1 order by 1"
    ).fetchall()
    fig, axis = _figure()
    axis.fill_between([r[0] for r in rows], [r[1] for r in rows], color=PALETTE[0], alpha=0.15)
    axis.plot([r[0] for r in rows], [r[1] for r in rows], color=PALETTE[0], linewidth=1.5)
    axis.yaxis.set_major_formatter(PercentFormatter(1.0))
    axis.set_ylim(0, 1)
    axis.set_ylabel("MQLs touched within the SLA")
    table = [(week.isoformat(), mqls, _pct(rate)) for week, rate, mqls in rows[-6:]]
    return Section("handoff-sla", "Hand-off SLA", "Share of each week's MQLs that sales touched within the SLA "
                   "(no touch counts as missed).", _svg(fig), table, ("week", "MQLs", "within SLA"))  # fmt: skip


def _last_complete_period(conn, table: str) -> date:
    """Start of the latest quota period that has ended (the current one is still moving)."""
    return conn.execute(
        f"select max(period_start) from marts.{table} where period_end < (select max(period_end) from marts.{table})"
    ).fetchone()[0]


def bookings_vs_quota(conn) -> Section:
    period = _last_complete_period(conn, "fct_quota_attainment")
    rows = conn.execute(
        "select owner_id, target, actual, attainment_pct from marts.fct_quota_attainment "
        "where owner_type = 'team' and quota_type = 'revenue' and period_start = ? order by owner_id",
        [period],
    ).fetchall()
    fig, axis = _figure()
    positions = range(len(rows))
    axis.bar([p - 0.2 for p in positions], [float(r[1]) for r in rows], 0.4, label="quota", color="#c9d3e6")
    axis.bar([p + 0.2 for p in positions], [float(r[2]) for r in rows], 0.4, label="bookings", color=PALETTE[0])
    for position, row in zip(positions, rows, strict=True):
        axis.annotate(f"{row[3]:.0f}%", (position + 0.2, float(row[2])), ha="center", va="bottom", fontsize=8)
    axis.set_xticks(list(positions), [r[0] for r in rows], fontsize=8)
    axis.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _money(v)))
    axis.legend(fontsize=8, frameon=False)
    table = [(r[0], _money(float(r[1])), _money(float(r[2])), f"{r[3]:.1f} %") for r in rows]
    return Section("bookings-vs-quota", f"Bookings vs quota by team, fiscal quarter from {period}",
                   "Revenue quota and bookings of the last complete fiscal quarter; labels are attainment.",
                   _svg(fig), table, ("team", "quota", "bookings", "attainment"))  # fmt: skip


def leaderboard(conn) -> Section:
    period = _last_complete_period(conn, "fct_leaderboard")
    rows = conn.execute(
        "select rank_in_company, coalesce(users.full_name, board.owner_id), board.team_name, board.attainment_pct "
        "from marts.fct_leaderboard as board left join marts.dim_user as users on board.owner_id = users.user_id "
        "where ranked_by = 'revenue' and period_start = ? order by rank_in_company limit 10",
        [period],
    ).fetchall()
    fig, axis = _figure(8, 0.4 * len(rows) + 0.8)
    names = [f"{r[0]}. {r[1]}" for r in rows][::-1]
    values = [r[3] or 0 for r in rows][::-1]
    axis.barh(names, values, color=[PALETTE[2] if v >= 100 else PALETTE[1] for v in values])
    axis.axvline(100, color="#666", linewidth=0.8, linestyle="--")
    axis.grid(axis="x", color="#e5e5e5")
    axis.set_xlabel("revenue attainment %")
    table = [(r[0], r[1], r[2], f"{r[3]:.1f} %" if r[3] is not None else "-") for r in rows]
    return Section("leaderboard", f"Leaderboard, fiscal quarter from {period}", "Reps by revenue attainment in "
                   "the last complete fiscal quarter (green: at or above 100 %).", _svg(fig), table,
                   ("rank", "rep", "team", "attainment"))  # fmt: skip


def _company_months(conn, columns: str) -> list[tuple]:
    return conn.execute(
        f"select period_start, {columns} from marts.fct_sales_kpis where grain = 'month' and level = 'company' "
        # Complete months only: the current month's numbers are still moving.
        "and period_end <= (select max(close_date) from marts.fct_opportunity where is_closed) order by 1"
    ).fetchall()


def pipeline_coverage(conn) -> Section:
    rows = _company_months(conn, "pipeline_coverage, pipeline_closing_in_period_at_start, remaining_quota_at_start")
    fig, axis = _figure()
    axis.bar([r[0] for r in rows], [r[1] or 0 for r in rows], width=20, color=PALETTE[4])
    axis.axhline(3, color="#666", linewidth=0.8, linestyle="--", label="3x rule of thumb")
    axis.set_ylabel("coverage (x quota)")
    axis.legend(fontsize=8, frameon=False)
    table = [(r[0].isoformat(), f"{r[1]:.2f}x" if r[1] else "-", _money(float(r[2] or 0)), _money(float(r[3] or 0)))
             for r in rows[-6:]]  # fmt: skip
    return Section("pipeline-coverage", "Pipeline coverage", "Open pipeline due to close in the month, at its "
                   "start, over the quota left after its first day's bookings.", _svg(fig), table,
                   ("month", "coverage", "pipeline", "quota left"))  # fmt: skip


def forecast_accuracy(conn) -> Section:
    rows = _company_months(conn, "forecast_of_record, bookings, forecast_accuracy_pct")
    rows = [r for r in rows if r[1] is not None]
    fig, axis = _figure()
    axis.plot([r[0] for r in rows], [float(r[1]) for r in rows], color=PALETTE[1], marker="o", markersize=3,
              label="forecast of record")  # fmt: skip
    axis.plot([r[0] for r in rows], [float(r[2] or 0) for r in rows], color=PALETTE[0], marker="o", markersize=3,
              label="bookings")  # fmt: skip
    axis.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _money(v)))
    axis.legend(fontsize=8, frameon=False)
    table = [(r[0].isoformat(), _money(float(r[1])), _money(float(r[2] or 0)),
              f"{r[3]:.1f} %" if r[3] is not None else "-") for r in rows[-6:]]  # fmt: skip
    return Section("forecast-accuracy", "Forecast accuracy", "Commit forecast of record vs bookings; accuracy = "
                   "100 x (1 - |forecast - bookings| / bookings).", _svg(fig), table,
                   ("month", "forecast", "bookings", "accuracy"))  # fmt: skip


def cac_by_channel(conn) -> Section:
    rows = conn.execute(
        "select channel, sum(marketing_spend), sum(new_customers), sum(bookings_attributed) "
        "from marts.fct_channel_performance where grain = 'month' and period_start >= "
        "(select max(period_start) from marts.fct_channel_performance) - interval 11 month "
        "group by 1 having sum(marketing_spend) > 0 order by 1"
    ).fetchall()
    cac = [(r[0], float(r[1]) / r[2] if r[2] else None, float(r[3] or 0) / float(r[1])) for r in rows]
    fig, axis = _figure()
    axis.bar([c[0] for c in cac], [c[1] or 0 for c in cac], color=PALETTE[3])
    axis.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _money(v)))
    axis.set_ylabel("marketing spend per new customer")
    axis.tick_params(axis="x", labelsize=8)
    table = [(c[0], _money(float(r[1])), r[2], _money(c[1]) if c[1] else "-", f"{c[2]:.1f}x")
             for c, r in zip(cac, rows, strict=True)]  # fmt: skip
    return Section("cac-by-channel", "CAC by channel, last 12 months", "Channel marketing spend over new customers "
                   "whose first touch came from the channel; ROI = attributed bookings / spend.", _svg(fig), table,
                   ("channel", "spend", "new customers", "CAC", "ROI"))  # fmt: skip


SECTIONS = [funnel_by_channel, conversion_trend, handoff_sla, bookings_vs_quota, leaderboard, pipeline_coverage,
            forecast_accuracy, cac_by_channel]  # fmt: skip


def headline(conn) -> list[tuple[str, str]]:
    month = _company_months(conn, "bookings, win_rate, pipeline_coverage, cac")[-1]
    return [
        (f"Bookings {month[0]:%b %Y}", _money(float(month[1] or 0))),
        ("Win rate", _pct(month[2])),
        ("Pipeline coverage", f"{month[3]:.2f}x" if month[3] else "-"),
        ("CAC", _money(float(month[4])) if month[4] else "-"),
    ]


def render(published: Path) -> str:
    with duckdb.connect(str(published), read_only=True) as conn:
        sections = [build(conn) for build in SECTIONS]
        tiles = headline(conn)
        run_id, built_at = conn.execute("select _run_id, _built_at from marts.fct_sales_kpis limit 1").fetchone()
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Revenue sync report</title>",
        f"<style>{STYLE}</style></head><body><header><h1>Revenue sync</h1>",
        f"<p class='meta'>From published marts of run <code>{html.escape(run_id)}</code>, "
        f"built {built_at:%Y-%m-%d %H:%M} UTC. Report written {date.today():%Y-%m-%d}.</p><div class='tiles'>",
        *(f"<div class='tile'><span>{html.escape(k)}</span><strong>{html.escape(v)}</strong></div>" for k, v in tiles),
        "</div></header><main>",
    ]
    for section in sections:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in section.headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row) + "</tr>" for row in section.table
        )
        parts.append(
            f"<section id='{section.key}'><h2>{html.escape(section.title)}</h2><p>{html.escape(section.caption)}</p>"
            f"<div class='chart'>{section.svg}</div><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            "</section>"
        )
    parts.append("</main></body></html>")
    return "\n".join(parts)


def write_report(published: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(published), encoding="utf-8")
    return out


STYLE = """
body { font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; margin: 0; color: #222;
       background: #f6f7f9; }
header { background: #1f3b6f; color: white; padding: 24px 40px; }
header h1 { margin: 0 0 4px 0; font-weight: 600; }
.meta { opacity: 0.8; font-size: 13px; margin: 0 0 16px 0; }
.tiles { display: flex; gap: 16px; flex-wrap: wrap; }
.tile { background: rgba(255,255,255,0.12); border-radius: 8px; padding: 10px 16px; min-width: 150px; }
.tile span { display: block; font-size: 12px; opacity: 0.85; }
.tile strong { font-size: 22px; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 20px; padding: 24px 40px; }
section { background: white; border-radius: 10px; padding: 16px 20px; box-shadow: 0 1px 3px rgba(0,0,0,0.08); }
section h2 { font-size: 17px; margin: 0 0 4px 0; }
section p { font-size: 13px; color: #555; margin: 0 0 8px 0; }
.chart svg { width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 12px; width: 100%; margin-top: 8px; }
th, td { text-align: right; padding: 3px 8px; border-bottom: 1px solid #eee; }
th:first-child, td:first-child { text-align: left; }
"""
