"""The demo's dirty rows: a fixed handful (whatever the scale) that a real export also carries.

Rows are chosen deterministically from the snapshot state (the n-th record that qualifies) and
recorded as patches that the export applies while streaming each file. Each one is listed in the
export's _demo/truth.json with file, Id and column, so tests and the quality gate can check that
it is kept in raw and reported, never silently dropped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import duckdb

ORPHAN_LEAD_ID = "00QDm9999999999"
UNMAPPED_STATUS = "Pending Review"


@dataclass(frozen=True)
class DirtyRow:
    kind: str
    file: str
    record_id: str
    column: str
    value: str
    description: str

    def as_dict(self) -> dict:
        return asdict(self)


# (kind, file, column, description, query returning (record_id, value) for the chosen row).
_LIVE_OPEN_OPPORTUNITY = """
    from opportunities o join opportunity_state s on s.opportunity = o.i
    where o.created_at <= getvariable('as_of') and s.stage < 5 and not reached(o.deleted_at)
"""
_LIVE_LOST_OPPORTUNITY = """
    from opportunities o join opportunity_state s on s.opportunity = o.i
    where o.created_at <= getvariable('as_of') and s.stage = 6 and not reached(o.deleted_at)
"""
_LIVE_LEAD = "from leads l left join lead_state s on s.lead = l.i where l.created_at <= getvariable('as_of') and not reached(l.deleted_at)"

RULES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "probability_out_of_range",
        "Opportunity.csv",
        "Probability",
        "Probability typed as 1000 instead of 100 (percent is 0-100).",
        f"select sfid('006', o.i + 1), '1000' {_LIVE_OPEN_OPPORTUNITY} order by o.i limit 1",
    ),
    (
        "unknown_currency",
        "Opportunity.csv",
        "CurrencyIsoCode",
        "Currency code that is not an ISO 4217 code in use.",
        f"select sfid('006', o.i + 1), 'ZZZ' {_LIVE_OPEN_OPPORTUNITY} order by o.i limit 1 offset 1",
    ),
    (
        "close_before_create",
        "Opportunity.csv",
        "CloseDate",
        "CloseDate 12 days before CreatedDate.",
        f"select sfid('006', o.i + 1), iso_date(o.created_at - 12 * 86400) {_LIVE_LOST_OPPORTUNITY} order by o.i limit 1",
    ),
    (
        "amount_not_numeric",
        "Opportunity.csv",
        "Amount",
        "Amount with a thousands separator and a letter O for a zero.",
        f"select sfid('006', o.i + 1), '12,5OO.00' {_LIVE_LOST_OPPORTUNITY} order by o.i limit 1 offset 1",
    ),
    (
        "negative_amount",
        "Opportunity.csv",
        "Amount",
        "Negative amount.",
        f"select sfid('006', o.i + 1), '-500.00' {_LIVE_LOST_OPPORTUNITY} order by o.i limit 1 offset 2",
    ),
    (
        "unmapped_lead_status",
        "Lead.csv",
        "Status",
        "Lead.Status value that the lifecycle stage map does not know (also in LeadHistory).",
        f"select sfid('00Q', l.i + 1), '{UNMAPPED_STATUS}' {_LIVE_LEAD} and s.status = 1 order by l.i limit 1",
    ),
    (
        "unparseable_timestamp",
        "Lead.csv",
        "CreatedDate",
        "CreatedDate on 30 February.",
        f"select sfid('00Q', l.i + 1), '2025-02-30T10:00:00.000Z' {_LIVE_LEAD} and s.status is null order by l.i limit 1 offset 3",
    ),
    (
        "won_before_created",
        "Lead.csv",
        "CreatedDate",
        "Lead created 3 days after its converted opportunity closed won (events out of order).",
        """
     select sfid('00Q', l.i + 1), iso_ts(s.close_day + 3 * 86400 + 10 * 3600)
     from leads l join opportunities o on o.lead = l.i join opportunity_state s on s.opportunity = o.i
     where s.stage = 5 and reached(l.converted_at) and not reached(l.deleted_at) and not reached(o.deleted_at)
     order by l.i limit 1 offset 1
     """,
    ),
    (
        "orphan_foreign_key",
        "Task.csv",
        "WhoId",
        "Task about a lead Id that does not exist.",
        f"""
     select sfid('00T', a.i + 1), '{ORPHAN_LEAD_ID}' from activities a
     where a.who_lead >= 0 and a.ts <= getvariable('as_of') and activity_type(a.type) in ('Call', 'Email', 'Other')
     order by a.i limit 1
     """,
    ),
)
DUPLICATE_PHONE = "+44 20 7946 0999"


def choose_dirty_rows(conn: duckdb.DuckDBPyConnection) -> list[DirtyRow]:
    """Fill the `patches` and `duplicates` tables that the export applies; return the list."""
    conn.execute(
        "create or replace table patches (file varchar, record_id varchar, column_name varchar, value varchar)"
    )
    conn.execute("create or replace table duplicates (file varchar, record_id varchar, phone varchar)")
    rows: list[DirtyRow] = []
    for kind, file, column, description, query in RULES:
        chosen = conn.execute(query).fetchone()
        if chosen is None:
            continue
        record_id, value = chosen
        conn.execute("insert into patches values ($1, $2, $3, $4)", [file, record_id, column, value])
        rows.append(DirtyRow(kind, file, record_id, column, value, description))

    unmapped = next((row for row in rows if row.kind == "unmapped_lead_status"), None)
    if unmapped:
        # The status change that produced the unknown value, one minute after the last change.
        conn.execute(
            f"""
            insert into extra_lead_history
            select s.lead, s.last_at + 60, 'Status', status_name(s.status), '{UNMAPPED_STATUS}', l.owner
            from lead_state s join leads l on l.i = s.lead
            where sfid('00Q', s.lead + 1) = $id and s.last_at + 60 <= getvariable('as_of')
            """,
            {"id": unmapped.record_id},
        )
        for column in ("LastModifiedDate", "SystemModstamp"):
            conn.execute(
                """
                insert into patches
                select 'Lead.csv', $id, $column, iso_ts(ts) from extra_lead_history where sfid('00Q', lead + 1) = $id
                """,
                {"id": unmapped.record_id, "column": column},
            )
    duplicate = conn.execute(f"select sfid('00Q', l.i + 1) {_LIVE_LEAD} order by l.i limit 1 offset 5").fetchone()
    if duplicate:
        conn.execute("insert into duplicates values ('Lead.csv', $1, $2)", [duplicate[0], DUPLICATE_PHONE])
        rows.append(
            DirtyRow(
                "duplicate_id_in_file",
                "Lead.csv",
                duplicate[0],
                "Phone",
                DUPLICATE_PHONE,
                "The same lead twice in one file; the second row is a later edit (SystemModstamp + 1 h).",
            )
        )
    return rows
