"""Write the generated company as a Salesforce-style export, as it looked at `as_of`.

The generator produces a full timeline; this module takes the snapshot (records created by
`as_of`, each in its state at `as_of`: status, stage, amount, close date, deletion), formats it
the way Salesforce's Data Export does (API field names, 15-character Ids, ISO timestamps in UTC)
and writes one CSV per object with DuckDB's parallel CSV writer.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from orchestration.demo.activities import EVENT_TYPES, SUBJECTS, TYPES
from orchestration.demo.company import FIRST_NAMES, LAST_NAMES
from orchestration.demo.deals import OPPORTUNITY_TYPES
from orchestration.demo.finance import COST_TYPES, FORECAST_CATEGORIES
from orchestration.demo.fx import CURRENCIES
from orchestration.demo.leads import COUNTRIES
from orchestration.demo.params import (
    CHANNELS,
    INDUSTRIES,
    LEAD_STATUSES,
    OPPORTUNITY_STAGES,
    PRODUCTS,
    REGIONS,
)
from orchestration.demo.plans import DATE_COLUMNS, USER_COLUMNS

ID_PREFIX = {
    "User": "005",
    "UserRole": "00E",
    "Lead": "00Q",
    "LeadHistory": "017",
    "Contact": "003",
    "Account": "001",
    "Opportunity": "006",
    "OpportunityHistory": "008",
    "OpportunityLineItem": "00k",
    "Product2": "01t",
    "Campaign": "701",
    "CampaignMember": "00v",
    "Task": "00T",
    "Event": "00U",
    "DatedConversionRate": "04w",
    "PricebookEntry": "01u",
}
COMPANY_WORDS = (
    (
        "Acme",
        "Globex",
        "Initech",
        "Umbrella",
        "Stark",
        "Wayne",
        "Hooli",
        "Vandelay",
        "Soylent",
        "Cyberdyne",
        "Tyrell",
        "Wonka",
        "Aperture",
        "Oscorp",
        "Nakatomi",
        "Monarch",
        "Pied Piper",
        "Dunder",
        "Massive",
        "Gekko",
    ),
    (
        "Systems",
        "Analytics",
        "Labs",
        "Holdings",
        "Partners",
        "Industries",
        "Group",
        "Technologies",
        "Logistics",
        "Health",
    ),
)
LEAD_TITLES = (
    "VP Sales",
    "Head of RevOps",
    "CFO",
    "Marketing Director",
    "Data Engineer",
    "CTO",
    "Operations Manager",
    "Analyst",
)
FORECAST_CATEGORY_API = {
    "Pipeline": "Pipeline",
    "Best Case": "BestCase",
    "Commit": "Commit",
    "Closed": "Closed",
    "Omitted": "Omitted",
}


def _list(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def _macros(conn: duckdb.DuckDBPyConnection) -> None:
    first, second = COMPANY_WORDS
    statements = [
        "create macro sfid(prefix, n) as prefix || 'Dm' || lpad(cast(n as varchar), 10, '0')",
        "create macro iso_ts(s) as strftime(make_timestamp(cast(s as bigint) * 1000000), '%Y-%m-%dT%H:%M:%S.000Z')",
        "create macro iso_date(s) as strftime(make_timestamp(cast(s as bigint) * 1000000), '%Y-%m-%d')",
        "create macro reached(s) as (s >= 0 and s <= getvariable('as_of'))",
        f"create macro company_name(i) as {_list(first)}[i % {len(first)} + 1] || ' ' || "
        f"{_list(second)}[(i // {len(first)}) % {len(second)} + 1] || "
        f"case when i >= {len(first) * len(second)} then ' ' || cast(i // {len(first) * len(second)} + 1 as varchar) else '' end",
        f"create macro first_name(i) as {_list(FIRST_NAMES)}[i % {len(FIRST_NAMES)} + 1]",
        f"create macro last_name(i) as {_list(LAST_NAMES)}[(i // {len(FIRST_NAMES)}) % {len(LAST_NAMES)} + 1]",
        f"create macro channel_name(c) as {_list([c.name for c in CHANNELS])}[c + 1]",
        f"create macro status_name(c) as {_list([s for s, _ in LEAD_STATUSES])}[c + 1]",
        f"create macro stage_name(c) as {_list([s for s, _, _ in OPPORTUNITY_STAGES])}[c + 1]",
        f"create macro stage_probability(c) as {[p for _, p, _ in OPPORTUNITY_STAGES]}[c + 1]",
        f"create macro forecast_label(c) as {_list([f for _, _, f in OPPORTUNITY_STAGES])}[c + 1]",
        f"create macro forecast_api(c) as {_list([FORECAST_CATEGORY_API[f] for _, _, f in OPPORTUNITY_STAGES])}[c + 1]",
        f"create macro currency_code(c) as {_list(CURRENCIES)}[c + 1]",
        f"create macro country_name(c) as {_list([country for _, country, _ in COUNTRIES])}[c + 1]",
        f"create macro region_name(c) as {_list([r for r, _, _ in REGIONS])}[c + 1]",
        f"create macro industry_name(c) as {_list(INDUSTRIES)}[c + 1]",
        f"create macro activity_type(c) as {_list(TYPES)}[c + 1]",
        f"create macro activity_subject(c) as {_list([SUBJECTS[t] for t in TYPES])}[c + 1]",
        f"create macro opportunity_type(c) as {_list(OPPORTUNITY_TYPES)}[c + 1]",
        f"create macro lead_title(i) as {_list(LEAD_TITLES)}[i % {len(LEAD_TITLES)} + 1]",
    ]
    for statement in statements:
        conn.execute(statement)


def _register(conn: duckdb.DuckDBPyConnection, table_name: str, **columns) -> None:
    arrays = {key: pa.array(np.asarray(value)) for key, value in columns.items()}
    # The record number `i` comes from numpy, not from scan order (insertion order is not kept).
    table = pa.table({"i": pa.array(np.arange(len(next(iter(arrays.values()))), dtype=np.int64)), **arrays})
    conn.register(f"{table_name}_arrow", table)
    conn.execute(f"create table {table_name} as select * from {table_name}_arrow")
    conn.unregister(f"{table_name}_arrow")


def _company_of_lead(leads, accounts, opportunities) -> np.ndarray:
    """Company name number per lead: a lead converted into an existing account carries that
    account's company; every other lead its own."""
    company = np.arange(leads.size)
    sourced = opportunities.lead >= 0
    company[opportunities.lead[sourced]] = accounts.first_lead[opportunities.account[sourced]]
    return company


def _register_fields(conn, table_name: str, record, prefix: str = "", skip: tuple[str, ...] = (), **extra) -> None:
    """Register the array fields of a generated dataclass as a table: the fields named
    `<prefix><column>` (all fields but those starting with `skip` when no prefix)."""
    columns = {}
    for field in dataclasses.fields(record):
        if not field.name.startswith(prefix) or (not prefix and field.name.startswith(skip)):
            continue
        column = field.name[len(prefix) :]
        columns["ts" if column == "at" else column] = getattr(record, field.name)
    _register(conn, table_name, **columns, **extra)


def register_timeline(
    conn, company, leads, campaigns, spend, accounts, opportunities, activities, rates, forecasts, costs
) -> None:
    """Load every generated array into DuckDB tables (row index `i` is the record number)."""
    _register(conn, "roles", name=np.array(company.role_names, dtype=object), parent=np.array(company.role_parent))
    _register(
        conn,
        "users",
        kind=company.user_kind,
        role=company.user_role,
        manager=company.user_manager,
        region=company.user_region,
        team=np.array(company.user_team, dtype=object),
        department=np.array(company.user_department, dtype=object),
        title=np.array(company.user_title, dtype=object),
        hired_at=company.hired_at,
        left_at=company.left_at,
    )
    _register_fields(
        conn,
        "leads",
        leads,
        skip=("event_",),
        company=_company_of_lead(leads, accounts, opportunities),
        first_touch_campaign=campaigns.first_touch,
    )
    _register_fields(conn, "lead_events", leads, prefix="event_")
    _register_fields(conn, "campaigns", campaigns, skip=("member_", "first_touch"))
    _register_fields(conn, "members", campaigns, prefix="member_")
    _register_fields(conn, "spend", spend)
    _register_fields(conn, "accounts", accounts)
    _register_fields(conn, "opportunities", opportunities, skip=("history_", "item_"))
    _register_fields(conn, "opportunity_history", opportunities, prefix="history_")
    _register_fields(conn, "line_items", opportunities, prefix="item_")
    _register_fields(conn, "activities", activities)
    months, currencies = np.meshgrid(np.arange(rates.month_start.size), np.arange(len(CURRENCIES)), indexing="ij")
    _register(
        conn,
        "rates",
        month_start=rates.month_start[months.ravel()],
        next_start=np.r_[rates.month_start[1:], rates.month_start[-1] + 31 * 86_400][months.ravel()],
        currency=currencies.ravel(),
        rate=rates.rate.ravel(),
    )
    _register_fields(conn, "forecasts", forecasts)
    _register_fields(conn, "deal_costs", costs)


# One query per export file; each selects `_order` (the row order) and the API-named columns.
EXPORT_QUERIES: dict[str, str] = {
    "UserRole.csv": """
        select i as _order, sfid('00E', i + 1) as "Id", name as "Name",
            case when parent >= 0 then sfid('00E', parent + 1) end as "ParentRoleId",
            regexp_replace(name, '[^A-Za-z0-9]+', '_', 'g') as "DeveloperName",
            name as "RollupDescription"
        from roles
    """,
    "User.csv": """
        select i as _order, sfid('005', i + 1) as "Id",
            lower(first_name(i * 7)) || '.' || lower(last_name(i * 7)) || i || '@demo-revops.example' as "Username",
            last_name(i * 7) as "LastName", first_name(i * 7) as "FirstName",
            first_name(i * 7) || ' ' || last_name(i * 7) as "Name",
            lower(first_name(i * 7)) || '.' || lower(last_name(i * 7)) || i || '@demo-revops.example' as "Email",
            sfid('00E', role + 1) as "UserRoleId",
            case when manager >= 0 then sfid('005', manager + 1) end as "ManagerId",
            case when reached(left_at) then 'false' else 'true' end as "IsActive",
            department as "Department", title as "Title",
            case when region >= 0 then region_name(region) else 'Global' end as "Division",
            'America/New_York' as "TimeZoneSidKey", 'Standard' as "UserType",
            iso_ts(hired_at) as "CreatedDate",
            iso_ts(greatest(hired_at, case when reached(left_at) then left_at else 0 end)) as "LastModifiedDate",
            iso_ts(greatest(hired_at, case when reached(left_at) then left_at else 0 end)) as "SystemModstamp",
            iso_date(hired_at) as "Hire_Date__c",
            case when reached(left_at) then iso_date(left_at) end as "Termination_Date__c"
        from users
        where hired_at <= getvariable('as_of')
    """,
    "Lead.csv": """
        with conversion as (select lead, i as opportunity, account, contact from opportunities where lead >= 0)
        select l.i as _order, sfid('00Q', l.i + 1) as "Id",
            case when reached(l.deleted_at) then 'true' else 'false' end as "IsDeleted",
            last_name(l.i) as "LastName", first_name(l.i) as "FirstName",
            first_name(l.i) || ' ' || last_name(l.i) as "Name",
            company_name(l.company) as "Company",
            lead_title(l.i) as "Title",
            lower(first_name(l.i)) || '.' || lower(last_name(l.i)) || '.' || l.i || '@'
                || lower(regexp_replace(company_name(l.company), '[^A-Za-z0-9]', '', 'g')) || '.example.com' as "Email",
            '+1-555-' || lpad(cast(l.i % 10000 as varchar), 4, '0') as "Phone",
            country_name(l.country) as "Country", industry_name(l.industry) as "Industry",
            cast(l.employees as varchar) as "NumberOfEmployees",
            cast(l.employees * 150000 as varchar) as "AnnualRevenue",
            channel_name(l.channel) as "LeadSource",
            coalesce(status_name(s.status), 'Open - Not Contacted') as "Status",
            sfid('005', l.owner + 1) as "OwnerId",
            case when reached(l.converted_at) then 'true' else 'false' end as "IsConverted",
            case when reached(l.converted_at) then iso_date(l.converted_at) end as "ConvertedDate",
            case when reached(l.converted_at) then sfid('001', c.account + 1) end as "ConvertedAccountId",
            case when reached(l.converted_at) then sfid('003', c.contact + 1) end as "ConvertedContactId",
            case when reached(l.converted_at) then sfid('006', c.opportunity + 1) end as "ConvertedOpportunityId",
            currency_code(cc.currency) as "CurrencyIsoCode",
            case when l.reach_sql then 'Hot' when l.reach_mql then 'Warm' else 'Cold' end as "Rating",
            iso_ts(l.created_at) as "CreatedDate", sfid('005', l.owner + 1) as "CreatedById",
            iso_ts(greatest(l.created_at, coalesce(s.last_at, 0), case when reached(l.deleted_at) then l.deleted_at else 0 end)) as "LastModifiedDate",
            sfid('005', l.owner + 1) as "LastModifiedById",
            iso_ts(greatest(l.created_at, coalesce(s.last_at, 0), case when reached(l.deleted_at) then l.deleted_at else 0 end)) as "SystemModstamp",
            region_name(l.region) as "Region__c"
        from leads as l
        left join lead_state as s on s.lead = l.i
        left join conversion as c on c.lead = l.i
        left join country_currency as cc on cc.country = l.country
        where l.created_at <= getvariable('as_of')
    """,
    "LeadHistory.csv": """
        -- Each row's number is lead * 16 + slot (slot 0 created, 1 owner, 2-3 rating, 4+ status
        -- changes in order, 15 a dirty-row extra), so Ids need no global sort.
        with rows as (
            select i as lead, created_at as ts, 0 as slot, 'created' as field, null as old_value, null as new_value, owner as actor
            from leads where created_at <= getvariable('as_of')
            union all
            -- Lead routing: the queue hands the lead to its SDR a few minutes after creation.
            select i, created_at + 300, 1, 'Owner', 'Lead Queue', sfid('005', owner + 1), getvariable('automation_user')
            from leads where created_at + 300 <= getvariable('as_of')
            union all
            -- Rating follows qualification: Warm at the first MQL/SAL status, Hot at SQL.
            select lead, min(ts), 2, 'Rating', 'Cold', 'Warm', arg_min(actor, ts)
            from lead_events where status in (2, 3) and ts <= getvariable('as_of') group by lead
            union all
            select lead, min(ts), 3, 'Rating', 'Warm', 'Hot', arg_min(actor, ts)
            from lead_events where status = 4 and ts <= getvariable('as_of') group by lead
            union all
            select lead, ts, 4 + rank, 'Status', status_name(previous_status), status_name(status), actor
            from lead_events where ts <= getvariable('as_of')
            union all
            select lead, ts, 15, field, old_value, new_value, actor from extra_lead_history
        )
        select lead * 16 + slot as _order, sfid('017', lead * 16 + slot + 1) as "Id",
            sfid('00Q', lead + 1) as "LeadId", sfid('005', actor + 1) as "CreatedById",
            iso_ts(ts) as "CreatedDate", field as "Field", old_value as "OldValue", new_value as "NewValue",
            'false' as "IsDeleted"
        from rows
    """,
    "Account.csv": """
        select a.i as _order, sfid('001', a.i + 1) as "Id", company_name(a.first_lead) as "Name",
            case when exists (select 1 from opportunities o where o.account = a.i and o.won
                              and reached(o.closed_at) and not reached(o.deleted_at)) then 'Customer' else 'Prospect' end as "Type",
            industry_name(l.industry) as "Industry", cast(l.employees as varchar) as "NumberOfEmployees",
            cast(l.employees * 150000 as varchar) as "AnnualRevenue",
            country_name(l.country) as "BillingCountry", sfid('005', a.owner + 1) as "OwnerId",
            channel_name(l.channel) as "AccountSource", currency_code(cc.currency) as "CurrencyIsoCode",
            iso_ts(a.created_at) as "CreatedDate", iso_ts(a.created_at) as "LastModifiedDate",
            iso_ts(a.created_at) as "SystemModstamp", 'false' as "IsDeleted", region_name(l.region) as "Region__c"
        from accounts as a
        join leads as l on l.i = a.first_lead
        left join country_currency as cc on cc.country = l.country
        where a.created_at <= getvariable('as_of')
    """,
    "Contact.csv": """
        select o.contact as _order, sfid('003', o.contact + 1) as "Id", sfid('001', o.account + 1) as "AccountId",
            sfid('005', o.owner + 1) as "OwnerId", last_name(o.lead) as "LastName", first_name(o.lead) as "FirstName",
            first_name(o.lead) || ' ' || last_name(o.lead) as "Name",
            lower(first_name(o.lead)) || '.' || lower(last_name(o.lead)) || '.' || o.lead || '@customer.example.com' as "Email",
            '+1-555-' || lpad(cast(o.lead % 10000 as varchar), 4, '0') as "Phone", lead_title(o.lead) as "Title",
            channel_name(l.channel) as "LeadSource", country_name(l.country) as "MailingCountry",
            iso_ts(l.converted_at) as "CreatedDate", iso_ts(l.converted_at) as "LastModifiedDate",
            iso_ts(l.converted_at) as "SystemModstamp", 'false' as "IsDeleted"
        from opportunities as o
        join leads as l on l.i = o.lead
        where o.lead >= 0 and l.converted_at <= getvariable('as_of')
    """,
    "Opportunity.csv": """
        select o.i as _order, sfid('006', o.i + 1) as "Id",
            case when reached(o.deleted_at) then 'true' else 'false' end as "IsDeleted",
            sfid('001', o.account + 1) as "AccountId",
            company_name(a.first_lead) || ' - ' || opportunity_type(o.kind) || ' ' || strftime(make_timestamp(o.created_at * 1000000), '%Y-%m') as "Name",
            stage_name(s.stage) as "StageName", printf('%.2f', s.amount) as "Amount",
            cast(stage_probability(s.stage) as varchar) as "Probability",
            iso_date(s.close_day) as "CloseDate", opportunity_type(o.kind) as "Type",
            case when o.lead >= 0 then channel_name(l.channel) end as "LeadSource",
            case when s.stage >= 5 then 'true' else 'false' end as "IsClosed",
            case when s.stage = 5 then 'true' else 'false' end as "IsWon",
            forecast_api(s.stage) as "ForecastCategory", forecast_label(s.stage) as "ForecastCategoryName",
            currency_code(o.currency) as "CurrencyIsoCode",
            case when o.lead >= 0 and l.first_touch_campaign >= 0 then sfid('701', l.first_touch_campaign + 1) end as "CampaignId",
            sfid('005', o.owner + 1) as "OwnerId",
            printf('%.2f', s.amount * stage_probability(s.stage) / 100) as "ExpectedRevenue",
            iso_ts(o.created_at) as "CreatedDate", sfid('005', o.owner + 1) as "CreatedById",
            iso_ts(greatest(s.last_at, case when reached(o.deleted_at) then o.deleted_at else 0 end)) as "LastModifiedDate",
            sfid('005', o.owner + 1) as "LastModifiedById",
            iso_ts(greatest(s.last_at, case when reached(o.deleted_at) then o.deleted_at else 0 end)) as "SystemModstamp"
        from opportunities as o
        join opportunity_state as s on s.opportunity = o.i
        join accounts as a on a.i = o.account
        left join leads as l on l.i = o.lead
        where o.created_at <= getvariable('as_of')
    """,
    "OpportunityHistory.csv": """
        select h.i as _order, sfid('008', h.i + 1) as "Id", sfid('006', h.opportunity + 1) as "OpportunityId",
            sfid('005', o.owner + 1) as "CreatedById", iso_ts(h.ts) as "CreatedDate",
            stage_name(h.stage) as "StageName", printf('%.2f', h.amount) as "Amount",
            printf('%.2f', h.amount * stage_probability(h.stage) / 100) as "ExpectedRevenue",
            iso_date(h.close_day) as "CloseDate", cast(stage_probability(h.stage) as varchar) as "Probability",
            forecast_label(h.stage) as "ForecastCategory", 'false' as "IsDeleted"
        from opportunity_history as h
        join opportunities as o on o.i = h.opportunity
        where h.ts <= getvariable('as_of')
    """,
    "OpportunityLineItem.csv": """
        select li.i as _order, sfid('00k', li.i + 1) as "Id", sfid('006', li.opportunity + 1) as "OpportunityId",
            sfid('01t', li.product + 1) as "Product2Id", sfid('01u', li.product + 1) as "PricebookEntryId",
            p.name as "Name", p.code as "ProductCode",
            cast(case when reached(li.edited_at) then li.quantity_edited else li.quantity end as varchar) as "Quantity",
            printf('%.2f', li.unit_price) as "UnitPrice", printf('%.2f', li.list_price) as "ListPrice",
            printf('%.2f', (case when reached(li.edited_at) then li.quantity_edited else li.quantity end) * li.unit_price) as "TotalPrice",
            printf('%.2f', 100 * (1 - li.unit_price / li.list_price)) as "Discount",
            currency_code(o.currency) as "CurrencyIsoCode",
            iso_ts(li.created_at) as "CreatedDate",
            iso_ts(case when reached(li.edited_at) then li.edited_at else li.created_at end) as "LastModifiedDate",
            iso_ts(case when reached(li.edited_at) then li.edited_at else li.created_at end) as "SystemModstamp",
            'false' as "IsDeleted"
        from line_items as li
        join opportunities as o on o.i = li.opportunity
        join products as p on p.i = li.product
        where li.created_at <= getvariable('as_of')
    """,
    "Product2.csv": """
        select i as _order, sfid('01t', i + 1) as "Id", name as "Name", code as "ProductCode", family as "Family",
            'true' as "IsActive", name || ' (' || family || ')' as "Description",
            '2022-01-03T09:00:00.000Z' as "CreatedDate", '2022-01-03T09:00:00.000Z' as "LastModifiedDate",
            '2022-01-03T09:00:00.000Z' as "SystemModstamp", 'false' as "IsDeleted"
        from products
    """,
    "Campaign.csv": """
        with cost as (
            select campaign, sum(amount_usd) as total, sum(amount_usd) filter (where day <= getvariable('as_of')) as to_date
            from spend where campaign >= 0 group by campaign
        )
        select c.i as _order, sfid('701', c.i + 1) as "Id",
            strftime(make_timestamp(c.start_at * 1000000), '%Y') || '-Q' || cast((month(make_timestamp(c.start_at * 1000000)) + 2) // 3 as varchar)
                || ' ' || channel_name(c.channel) || ' - ' || ['Launch', 'Always-on', 'Spotlight'][c.theme + 1] as "Name",
            ch.campaign_type as "Type",
            case when getvariable('as_of') < c.start_at then 'Planned'
                 when getvariable('as_of') <= c.end_at then 'In Progress' else 'Completed' end as "Status",
            iso_date(c.start_at) as "StartDate", iso_date(c.end_at) as "EndDate",
            printf('%.2f', coalesce(k.total, 0) * 1.05) as "BudgetedCost", printf('%.2f', coalesce(k.to_date, 0)) as "ActualCost",
            case when getvariable('as_of') between c.start_at and c.end_at then 'true' else 'false' end as "IsActive",
            sfid('005', c.owner + 1) as "OwnerId",
            iso_ts(c.start_at - 14 * 86400) as "CreatedDate", iso_ts(c.start_at - 14 * 86400) as "LastModifiedDate",
            iso_ts(c.start_at - 14 * 86400) as "SystemModstamp", 'false' as "IsDeleted"
        from campaigns as c
        join channels as ch on ch.i = c.channel
        left join cost as k on k.campaign = c.i
        where c.start_at - 14 * 86400 <= getvariable('as_of')
    """,
    "CampaignMember.csv": """
        select m.i as _order, sfid('00v', m.i + 1) as "Id", sfid('701', m.campaign + 1) as "CampaignId",
            sfid('00Q', m.lead + 1) as "LeadId", null as "ContactId",
            case when m.responded then 'Responded' else 'Sent' end as "Status",
            case when m.responded then 'true' else 'false' end as "HasResponded",
            case when m.responded then iso_date(m.ts) end as "FirstRespondedDate",
            iso_ts(m.ts) as "CreatedDate", iso_ts(m.ts) as "LastModifiedDate", iso_ts(m.ts) as "SystemModstamp",
            'false' as "IsDeleted"
        from members as m
        where m.ts <= getvariable('as_of')
    """,
    "Task.csv": """
        select a.i as _order, sfid('00T', a.i + 1) as "Id",
            case when a.who_lead >= 0 then sfid('00Q', a.who_lead + 1) when a.who_contact >= 0 then sfid('003', a.who_contact + 1) end as "WhoId",
            case when a.what_opportunity >= 0 then sfid('006', a.what_opportunity + 1) end as "WhatId",
            case when a.account >= 0 then sfid('001', a.account + 1) end as "AccountId",
            sfid('005', a.owner + 1) as "OwnerId", activity_subject(a.type) as "Subject",
            iso_date(a.ts) as "ActivityDate", 'Completed' as "Status", 'Normal' as "Priority", 'true' as "IsClosed",
            activity_type(a.type) as "Type",
            case activity_type(a.type) when 'Call' then 'Call' when 'Email' then 'Email' else 'Task' end as "TaskSubtype",
            case when activity_type(a.type) = 'Call' then cast(a.duration_seconds as varchar) end as "CallDurationInSeconds",
            case when activity_type(a.type) = 'Call' then 'Outbound' end as "CallType",
            iso_ts(a.ts) as "CompletedDateTime", iso_ts(a.ts) as "CreatedDate", iso_ts(a.ts) as "LastModifiedDate",
            iso_ts(a.ts) as "SystemModstamp", case when a.deleted then 'true' else 'false' end as "IsDeleted"
        from activities as a
        where a.ts <= getvariable('as_of') and activity_type(a.type) not in ({event_types})
    """,
    "Event.csv": """
        select a.i as _order, sfid('00U', a.i + 1) as "Id",
            case when a.who_lead >= 0 then sfid('00Q', a.who_lead + 1) when a.who_contact >= 0 then sfid('003', a.who_contact + 1) end as "WhoId",
            case when a.what_opportunity >= 0 then sfid('006', a.what_opportunity + 1) end as "WhatId",
            case when a.account >= 0 then sfid('001', a.account + 1) end as "AccountId",
            sfid('005', a.owner + 1) as "OwnerId", activity_subject(a.type) as "Subject", activity_type(a.type) as "Type",
            iso_date(a.ts) as "ActivityDate", iso_ts(a.ts) as "ActivityDateTime", iso_ts(a.ts) as "StartDateTime",
            iso_ts(a.ts + a.duration_seconds) as "EndDateTime", cast(a.duration_seconds // 60 as varchar) as "DurationInMinutes",
            iso_ts(a.ts) as "CreatedDate", iso_ts(a.ts) as "LastModifiedDate", iso_ts(a.ts) as "SystemModstamp",
            case when a.deleted then 'true' else 'false' end as "IsDeleted"
        from activities as a
        where a.ts <= getvariable('as_of') and activity_type(a.type) in ({event_types})
    """,
    "DatedConversionRate.csv": """
        select i as _order, sfid('04w', i + 1) as "Id", currency_code(currency) as "IsoCode",
            printf('%.6f', rate) as "ConversionRate", iso_date(month_start) as "StartDate",
            iso_date(next_start) as "NextStartDate", iso_ts(month_start - 5 * 86400) as "CreatedDate",
            iso_ts(month_start - 5 * 86400) as "LastModifiedDate", iso_ts(month_start - 5 * 86400) as "SystemModstamp",
            'false' as "IsDeleted"
        from rates
        where month_start - 5 * 86400 <= getvariable('as_of')
    """,
    "marketing_spend.csv": """
        select s.i as _order, iso_date(s.day) as date,
            case when s.channel >= 0 then channel_name(s.channel) else 'Sales' end as channel,
            case when s.campaign >= 0 then sfid('701', s.campaign + 1) end as campaign_id,
            case when s.category = 0 then 'marketing' else 'sales' end as category,
            printf('%.2f', s.amount_usd * r.rate) as amount, currency_code(r.currency) as currency
        from spend as s
        join rates as r on r.currency = [0, 3, 4][s.region + 1] and s.day >= r.month_start and s.day < r.next_start
        where s.day <= getvariable('as_of')
    """,
    "forecast_submissions.csv": """
        select i as _order, sfid('005', owner + 1) as owner_id, iso_date(period_start) as period_start,
            iso_date(period_end) as period_end, {forecast_categories}[category + 1] as category,
            printf('%.2f', amount_usd) as amount, 'USD' as currency, iso_ts(submitted_at) as submitted_at
        from forecasts
        where submitted_at <= getvariable('as_of')
    """,
    "deal_costs.csv": """
        select c.i as _order, sfid('006', c.opportunity + 1) as opportunity_id,
            {cost_types}[c.cost_type + 1] as cost_type, printf('%.2f', c.amount) as amount,
            currency_code(o.currency) as currency
        from deal_costs as c
        join opportunities as o on o.i = c.opportunity
        where reached(o.closed_at) and o.created_at <= getvariable('as_of')
    """,
}


def _lookup_tables(conn: duckdb.DuckDBPyConnection) -> None:
    _register(
        conn,
        "products",
        name=np.array([p[0] for p in PRODUCTS], dtype=object),
        code=np.array([p[1] for p in PRODUCTS], dtype=object),
        family=np.array([p[2] for p in PRODUCTS], dtype=object),
    )
    _register(conn, "channels", campaign_type=np.array([c.campaign_type for c in CHANNELS], dtype=object))
    currency_index = {code: index for index, code in enumerate(CURRENCIES)}
    _register(
        conn,
        "country_currency",
        country=np.arange(len(COUNTRIES)),
        currency=np.array([currency_index[c] for _, _, c in COUNTRIES]),
    )


STATE_TABLES = (
    """
    create table lead_state as
    select lead, arg_max(status, i) as status, max(ts) as last_at
    from lead_events where ts <= getvariable('as_of') group by lead
    """,
    """
    create table opportunity_state as
    select opportunity, arg_max(stage, i) as stage, arg_max(amount, i) as amount,
        arg_max(close_day, i) as close_day, max(ts) as last_at
    from opportunity_history where ts <= getvariable('as_of') group by opportunity
    """,
    """
    create table extra_lead_history (
        lead bigint, ts bigint, field varchar, old_value varchar, new_value varchar, actor bigint
    )
    """,
)


def prepare_snapshot(conn: duckdb.DuckDBPyConnection, as_of: int) -> None:
    """Macros, lookups and the state of every lead and opportunity at `as_of`."""
    _macros(conn)
    _lookup_tables(conn)
    conn.execute("set variable as_of = $as_of", {"as_of": as_of})
    conn.execute("set variable automation_user = (select i from users where title like 'Marketing Automation%')")
    for statement in STATE_TABLES:
        conn.execute(statement)


def _export_query(file_name: str) -> str:
    substitutions = {
        "event_types": ", ".join(f"'{t}'" for t in sorted(EVENT_TYPES)),
        "forecast_categories": _list(FORECAST_CATEGORIES),
        "cost_types": _list(COST_TYPES),
    }
    return EXPORT_QUERIES[file_name].format(**substitutions)


def _patched_query(conn: duckdb.DuckDBPyConnection, file_name: str) -> str:
    """The export query with the dirty-row patches of this file applied (see dirty.py)."""
    columns = [
        row[0]
        for row in conn.execute(
            "select distinct column_name from patches where file = $file order by 1", {"file": file_name}
        ).fetchall()
    ]
    duplicated = [
        row[0]
        for row in conn.execute("select record_id from duplicates where file = $file", {"file": file_name}).fetchall()
    ]
    replaced = ", ".join(f'coalesce(p{k}.value, q."{c}") as "{c}"' for k, c in enumerate(columns))
    joins = " ".join(
        f"left join patches as p{k} on p{k}.file = '{file_name}' and p{k}.column_name = '{c}' and p{k}.record_id = q.\"Id\""
        for k, c in enumerate(columns)
    )
    body = f"select q.* {'replace (' + replaced + ')' if columns else ''}, 0 as _copy from q {joins}"
    if duplicated:
        # A later edit of the same record in the same file: new phone, timestamps + 1 hour.
        later = 'strftime(cast(q."{0}" as timestamp) + interval 1 hour, \'%Y-%m-%dT%H:%M:%S.000Z\') as "{0}"'
        body += (
            f' union all select q.* replace (d.phone as "Phone", {later.format("SystemModstamp")}, '
            f"{later.format('LastModifiedDate')}), 1 as _copy from q "
            f"join duplicates as d on d.file = '{file_name}' and d.record_id = q.\"Id\""
        )
    return f"with q as ({_export_query(file_name)}) {body}"


def write_csv_files(conn: duckdb.DuckDBPyConnection, out_dir: Path) -> dict[str, int]:
    """Stream every export file to CSV (nothing big is held in memory); returns row counts."""
    counts = {}
    for file_name in EXPORT_QUERIES:
        written = conn.execute(
            f"copy (select * exclude (_order, _copy) from ({_patched_query(conn, file_name)}) "
            f"order by _order, _copy) to '{out_dir / file_name}' (header, delimiter ',', quote '\"')"
        ).fetchone()
        counts[file_name] = int(written[0])
    return counts


def write_plan_files(out_dir: Path, plan, as_of: int) -> dict[str, int]:
    """Write the (small) planning files with Python's csv module: periods starting by `as_of`."""
    counts = {}
    for name in ("quota_plan", "company_targets", "rep_commitments", "quota_policy", "shared_goals"):
        table = getattr(plan, name)
        rows = [row for row in table.rows if not _starts_after(table.columns, row, as_of)]
        with (out_dir / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(table.columns)
            writer.writerows(_formatted(table.columns, row) for row in rows)
        counts[f"{name}.csv"] = len(rows)
    return counts


def _starts_after(columns, row, as_of: int) -> bool:
    start = row[columns.index("period_start")]
    return isinstance(start, int | np.integer) and start > as_of


def _formatted(columns, row) -> list:
    values = []
    for column, value in zip(columns, row, strict=True):
        if value is None:
            values.append("")
        elif column in DATE_COLUMNS and isinstance(value, int | np.integer):
            values.append(np.datetime64(int(value), "s").astype("datetime64[D]").astype(str))
        elif column in USER_COLUMNS and isinstance(value, int | np.integer):
            values.append(f"{ID_PREFIX['User']}Dm{int(value) + 1:010d}")
        else:
            values.append(value)
    return values
