{{ config(**changed_keys_config(
    'opportunity_id', 'opportunities_with_changed_history', 'opportunity_history_record_watermark'
)) }}
-- depends_on: {{ source('salesforce', 'opportunity_history') }}
-- What fct_opportunity reads from OpportunityHistory, per opportunity with history: how often the
-- close date was pushed out (a later close date than the row before; a pull-in is not a push)
-- and when the current stage was entered (the latest row whose stage differs from the row
-- before). A function of the opportunity's history rows alone, so a night re-derives only the
-- opportunities with history loaded or held since the last build, like
-- int_opportunity_stage_visits (10M leads: fct_opportunity's night went from 2.3-2.5 s to
-- 0.3 + 1.5 s). A full refresh gives the same table.

with

history as (
    select
        opportunity_id,
        valid_from,
        stage_name,
        close_date,
        lag(close_date) over (
            partition by opportunity_id order by valid_from, opportunity_history_id
        ) as previous_close_date,
        lag(stage_name) over (
            partition by opportunity_id order by valid_from, opportunity_history_id
        ) as previous_stage
    from {{ ref('stg_salesforce__opportunity_history') }}
    where
        not is_deleted
    {%- if is_incremental() %}
        and opportunity_id in ({{ opportunities_with_changed_history() }})
    {%- endif %}
)

select
    opportunity_id,
    count(case when close_date > previous_close_date then 1 end) as close_date_push_count,
    max(case when previous_stage is null or stage_name != previous_stage then valid_from end) as stage_entered_at
from history
group by opportunity_id
