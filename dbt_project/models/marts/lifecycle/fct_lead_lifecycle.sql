{{ config(**changed_keys_config('lead_id', 'logged_lead_attributes', 'lead_changes_record_watermark')) }}
{{ lead_changes_dependency() }}
-- Incremental: the leads whose stages or attributes changed (macros/lead_incremental.sql).
-- One row per live lead: when it entered each lifecycle stage (waterfall-filled), its side
-- outcomes, skip and recycle flags, the funnel dimensions, and whole-day velocities between
-- adjacent stages (METRICS.md sections 1-2).

with

stage_dates as (
    select changed.* from {{ changed_rows(ref('int_lead_stage_dates'), 'lead_id', logged_lead_attributes) }} as changed
),

-- One row per live lead (this is the fact's grain).
dimensions as (
    select changed.* from {{ changed_rows(ref('int_lead_dimensions'), 'lead_id', logged_lead_attributes) }} as changed
),

-- Company-time-zone dates of the stage times, for whole-day velocities.
stage_days as (
    select
        lead_id,
        {{ company_date('lead_at') }} as lead_day,
        {{ company_date('mql_at') }} as mql_day,
        {{ company_date('sal_at') }} as sal_day,
        {{ company_date('sql_at') }} as sql_day,
        {{ company_date('opportunity_at') }} as opportunity_day,
        {{ company_date('won_at') }} as won_day
    from stage_dates
)

select
    dimensions.lead_id,
    dimensions.created_at,
    stage_dates.lead_at,
    stage_dates.mql_at,
    stage_dates.sal_at,
    stage_dates.sql_at,
    stage_dates.opportunity_at,
    stage_dates.won_at,
    stage_dates.lost_at,
    stage_dates.disqualified_at,
    stage_days.lead_day as lead_date,
    stage_days.mql_day as mql_date,
    stage_days.sal_day as sal_date,
    stage_days.sql_day as sql_date,
    stage_days.opportunity_day as opportunity_date,
    stage_days.won_day as won_date,
    coalesce(stage_dates.current_stage, 'lead') as current_stage,
    coalesce(stage_dates.skipped_mql, false) as skipped_mql,
    coalesce(stage_dates.skipped_sal, false) as skipped_sal,
    coalesce(stage_dates.skipped_sql, false) as skipped_sql,
    coalesce(stage_dates.skipped_opportunity, false) as skipped_opportunity,
    coalesce(stage_dates.recycled_count, 0) as recycled_count,
    coalesce(stage_dates.has_events_before_created, false) as has_events_before_created,
    coalesce(stage_dates.unmapped_events, 0) > 0 as has_unmapped_status,
    dimensions.channel,
    dimensions.campaign_id,
    dimensions.industry,
    dimensions.size_band as segment,
    dimensions.region,
    dimensions.owner_id,
    dimensions.owner_team,
    dimensions.converted_opportunity_id,
    dimensions.converted_account_id,
    dimensions.converted_contact_id,
    {{ day_diff('stage_days.lead_day', 'stage_days.mql_day') }} as days_lead_to_mql,
    {{ day_diff('stage_days.mql_day', 'stage_days.sal_day') }} as days_mql_to_sal,
    {{ day_diff('stage_days.sal_day', 'stage_days.sql_day') }} as days_sal_to_sql,
    {{ day_diff('stage_days.sql_day', 'stage_days.opportunity_day') }} as days_sql_to_opportunity,
    {{ day_diff('stage_days.opportunity_day', 'stage_days.won_day') }} as days_opportunity_to_won,
    {{ day_diff('stage_days.mql_day', 'stage_days.won_day') }} as days_mql_to_won
from dimensions
left join stage_dates on dimensions.lead_id = stage_dates.lead_id
left join stage_days on dimensions.lead_id = stage_days.lead_id
