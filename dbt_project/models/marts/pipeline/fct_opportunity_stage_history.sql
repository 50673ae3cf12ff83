{{ config(**changed_keys_config(
    'opportunity_id', 'stage_history_changed_opportunities', 'stage_history_record_watermark'
)) }}
-- depends_on: {{ ref('stg_salesforce__opportunity') }}
-- depends_on: {{ ref('stg_salesforce__opportunity_history') }}
-- depends_on: {{ source('salesforce', 'opportunity_history') }}
-- Stage visits (int_opportunity_stage_visits) of live opportunities: consecutive history rows in
-- the same stage are one visit, entered at the first of them and exited when the next stage was
-- entered. days_in_stage counts whole company-time days until the exit (or the as-of date for the
-- current, open stage); it is NULL for a closed stage, which is never exited.
-- Incremental: a night re-derives the deals whose history or record changed and those whose
-- current stage is open (macros/pipeline_snapshot.sql, stage_history_changed_opportunities);
-- a full refresh gives the same table.

with

opportunities as (
    select
        opportunity_id,
        is_closed
    from {{ ref('fct_opportunity') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of') }}
),

stage_map as (
    select * from {{ ref('opportunity_stage_map') }}
),

visits as (
    select
        visits.*,
        {{ is_closed_stage('visits', 'opportunities', 'stage_map') }} as is_closed_stage
    from {{ ref('int_opportunity_stage_visits') }} as visits
    inner join opportunities on visits.opportunity_id = opportunities.opportunity_id
    left join stage_map on visits.stage_name = stage_map.stage_name
    {%- if is_incremental() %}
    where visits.opportunity_id in ({{ log_changed_keys(stage_history_changed_opportunities()).select }})
    {%- endif %}
)

select
    visits.opportunity_id,
    visits.visit_number,
    visits.stage_name,
    visits.entered_at,
    visits.exited_at,
    visits.exited_at is null as is_current_stage,
    visits.is_closed_stage,
    case
        when not visits.is_closed_stage
            then {{ day_diff('visits.entered_date', 'coalesce(visits.exited_date, as_of.as_of_date)') }}
    end as days_in_stage
from visits
cross join as_of
