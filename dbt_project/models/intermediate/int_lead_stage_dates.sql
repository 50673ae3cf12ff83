{{ config(**changed_keys_config('lead_id', 'changed_leads', 'lead_lifecycle_record_watermark')) }}
-- depends_on: {{ ref('stg_salesforce__lead') }}
-- depends_on: {{ source('salesforce', 'lead_history') }}
-- depends_on: {{ ref('stg_salesforce__lead_history') }}
-- depends_on: {{ ref('stg_salesforce__opportunity') }}
-- Incremental like int_lead_stage_events (the same changed leads).
-- One row per lead with stage events: the first entry into each stage, then the waterfall rule
-- (METRICS.md section 1): <stage>_at is the earliest entry into that stage or any later stage,
-- so every funnel is monotone. Stages reached only through the fill are flagged skipped_<stage>.

with

events as (
    select changed.* from {{ changed_rows(ref('int_lead_stage_events'), 'lead_id', changed_leads) }} as changed
),

first_entries as (
    select
        lead_id,
        min(case when event_source = 'created' then entered_at end) as created_at,
        min(case when stage = 'lead' then entered_at end) as first_lead_at,
        min(case when stage = 'mql' then entered_at end) as first_mql_at,
        min(case when stage = 'sal' then entered_at end) as first_sal_at,
        min(case when stage = 'sql' then entered_at end) as first_sql_at,
        -- The conversion date is a date; a status change into 'opportunity' on record is the
        -- same event at a finer grain, so it is preferred.
        coalesce(
            min(case when stage = 'opportunity' and event_source != 'conversion' then entered_at end),
            min(case when stage = 'opportunity' then entered_at end)
        ) as first_opportunity_at,
        min(case when stage = 'won' then entered_at end) as won_at,
        min(case when stage = 'lost' then entered_at end) as lost_at,
        min(case when stage = 'disqualified' then entered_at end) as disqualified_at,
        -- Compared as company dates: conversion and close dates carry no time of day.
        min({{ company_date('entered_at') }}) as first_event_date,
        count(case when stage = 'unmapped' then 1 end) as unmapped_events
    from events
    group by lead_id
),

-- Status events in time order, to count recycles and find the current stage.
ordered as (
    select
        lead_id,
        stage,
        lag(stage) over (partition by lead_id order by entered_at, stage_order) as previous_stage,
        row_number() over (
            partition by lead_id
            order by entered_at desc, coalesce(stage_order, 0) desc, event_source desc
        ) as recency
    from events
    where event_source != 'created'
),

recycles as (
    select
        lead_id,
        count(
            case when previous_stage = 'disqualified' and stage in ('mql', 'sal', 'sql', 'opportunity') then 1 end
        ) as recycled_count,
        max(case when recency = 1 then stage end) as latest_stage
    from ordered
    group by lead_id
),

waterfall as (
    select
        first_entries.*,
        least(first_entries.first_opportunity_at, first_entries.won_at) as opportunity_at
    from first_entries
),

filled as (
    select
        waterfall.*,
        least(waterfall.first_sql_at, waterfall.opportunity_at) as sql_at
    from waterfall
),

filled_sal as (
    select
        filled.*,
        least(filled.first_sal_at, filled.sql_at) as sal_at
    from filled
),

filled_mql as (
    select
        filled_sal.*,
        least(filled_sal.first_mql_at, filled_sal.sal_at) as mql_at
    from filled_sal
)

select
    filled_mql.lead_id,
    filled_mql.created_at,
    least(filled_mql.first_lead_at, filled_mql.mql_at) as lead_at,
    filled_mql.mql_at,
    filled_mql.sal_at,
    filled_mql.sql_at,
    filled_mql.opportunity_at,
    filled_mql.won_at,
    filled_mql.lost_at,
    filled_mql.disqualified_at,
    filled_mql.first_mql_at is null and filled_mql.mql_at is not null as skipped_mql,
    filled_mql.first_sal_at is null and filled_mql.sal_at is not null as skipped_sal,
    filled_mql.first_sql_at is null and filled_mql.sql_at is not null as skipped_sql,
    filled_mql.first_opportunity_at is null and filled_mql.opportunity_at is not null as skipped_opportunity,
    coalesce(recycles.recycled_count, 0) as recycled_count,
    coalesce(recycles.latest_stage, 'lead') as current_stage,
    filled_mql.first_event_date < {{ company_date('filled_mql.created_at') }} as has_events_before_created,
    filled_mql.unmapped_events
from filled_mql
left join recycles on filled_mql.lead_id = recycles.lead_id
