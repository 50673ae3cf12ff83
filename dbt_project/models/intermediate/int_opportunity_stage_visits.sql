{{ config(**changed_keys_config(
    'opportunity_id', 'opportunities_with_changed_history', 'opportunity_history_record_watermark'
)) }}
-- depends_on: {{ source('salesforce', 'opportunity_history') }}
-- Stage visits of every opportunity with history: consecutive OpportunityHistory rows in the same
-- stage are one visit, entered at the first of them and exited when the next stage was entered,
-- with both company-time dates. A function of the opportunity's history rows alone, so a night
-- re-derives only the opportunities with history loaded or held since the last build
-- (opportunity_history_changed_since); fct_opportunity_stage_history adds what changes with the
-- deal or the as-of date (closed, days in stage). A full refresh gives the same table.

with

history as (
    select
        opportunity_id,
        opportunity_history_id,
        valid_from,
        stage_name,
        case
            when
                lag(stage_name) over (
                    partition by opportunity_id order by valid_from, opportunity_history_id
                ) = stage_name
                then 0
            else 1
        end as starts_visit
    from {{ ref('stg_salesforce__opportunity_history') }}
    where
        not is_deleted
        and valid_from is not null
    {%- if is_incremental() %}
        and opportunity_id in ({{ opportunities_with_changed_history() }})
    {%- endif %}
),

numbered as (
    select
        history.*,
        cast(sum(history.starts_visit) over (
            partition by history.opportunity_id
            order by history.valid_from, history.opportunity_history_id
            rows between unbounded preceding and current row
        ) as bigint) as visit_number
    from history
),

visits as (
    select
        opportunity_id,
        visit_number,
        min(stage_name) as stage_name,
        min(valid_from) as entered_at
    from numbered
    group by opportunity_id, visit_number
),

timed as (
    select
        visits.*,
        lead(visits.entered_at) over (partition by visits.opportunity_id order by visits.visit_number) as exited_at
    from visits
)

select
    opportunity_id,
    visit_number,
    stage_name,
    entered_at,
    exited_at,
    {{ company_date('entered_at') }} as entered_date,
    {{ company_date('exited_at') }} as exited_date
from timed
