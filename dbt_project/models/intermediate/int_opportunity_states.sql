{{ config(**changed_keys_config(
    'opportunity_id', 'changed_opportunity_states', 'opportunity_states_record_watermark'
)) }}
{{ opportunity_change_sources() }}
-- What each live opportunity looked like on each day it changed (METRICS.md section 3, open
-- pipeline at a date): one row per opportunity per change day, from OpportunityHistory (the last
-- change of the day wins), valid from valid_day until next_day (exclusive; NULL for the latest
-- state, which lasts: a reader bounds it by the as-of date, so a new night leaves it as it is).
-- An opportunity without history has one state: its current values from its creation day.
-- Amounts are converted at the dated rate of the state's close date.
-- Incremental: the opportunities changed since the last build (macros/pipeline_snapshot.sql,
-- opportunities_changed_since) are re-derived; a full refresh gives the same table.

{%- set changed_opportunities = changed_rows(
    ref('stg_salesforce__opportunity'), 'opportunity_id', changed_opportunity_states
) %}

with

-- Live opportunities with what a state needs (kept lean: the daily snapshot reads only this).
opportunities as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.owner_id,
        owners.team_name as owner_team,
        opportunities.currency_iso_code as currency,
        opportunities.stage_name,
        opportunities.amount,
        opportunities.probability,
        opportunities.close_date,
        coalesce(opportunities.is_closed, current_stage.is_closed, false) as is_closed,
        coalesce(opportunities.forecast_category_name, current_stage.forecast_category) as forecast_category,
        {{ company_date('opportunities.created_at') }} as created_date,
        opportunities._loaded_at
    from {{ changed_opportunities }} as opportunities
    left join {{ ref('opportunity_stage_map') }} as current_stage
        on opportunities.stage_name = current_stage.stage_name
    left join {{ ref('int_users') }} as owners on opportunities.owner_id = owners.user_id
    where not opportunities.is_deleted
),

stage_map as (
    select * from {{ ref('opportunity_stage_map') }}
),

history as (
    select
        history.opportunity_id,
        history.opportunity_history_id,
        history.valid_from,
        history.stage_name,
        history.amount,
        history.probability,
        history.close_date,
        opportunities.currency,
        history._loaded_at,
        {{ company_date('history.valid_from') }} as valid_day
    from {{ ref('stg_salesforce__opportunity_history') }} as history
    inner join opportunities on history.opportunity_id = opportunities.opportunity_id
    where
        not history.is_deleted
        and history.valid_from is not null
),

last_of_day as (
    select
        history.*,
        row_number() over (
            partition by history.opportunity_id, history.valid_day
            order by history.valid_from desc, history.opportunity_history_id desc
        ) as change_rank
    from history
),

without_history as (
    select
        opportunities.opportunity_id,
        opportunities.created_date as valid_day,
        opportunities.stage_name,
        opportunities.amount,
        opportunities.probability,
        opportunities.close_date,
        opportunities.currency
    from opportunities
    where not exists (
        select 1 from history
        where history.opportunity_id = opportunities.opportunity_id
    )
),

states as (
    select
        opportunity_id,
        valid_day,
        stage_name,
        amount,
        probability,
        close_date,
        currency
    from last_of_day
    where change_rank = 1

    union all

    select * from without_history
),

-- The dated rates of each (currency, close date) pair: the range joins run once per pair, and
-- each row finds its pair by equality (macros/currency.sql).
close_date_rates as (
    {{ rates_on_dates('states', 'currency', 'close_date') }}
),

loaded as (
    select
        opportunity_id,
        max(_loaded_at) as history_loaded_at
    from history
    group by opportunity_id
)

select
    states.opportunity_id,
    states.valid_day,
    lead(states.valid_day) over (partition by states.opportunity_id order by states.valid_day) as next_day,
    states.stage_name,
    coalesce(
        stage_map.is_closed,
        case when states.stage_name = opportunities.stage_name then opportunities.is_closed end,
        false
    ) as is_closed,
    coalesce(stage_map.forecast_category, opportunities.forecast_category) as forecast_category,
    states.amount,
    {{ in_reporting_currency('states.amount', 'close_date_rates') }} as amount_reporting,
    states.probability,
    states.close_date,
    opportunities.created_date,
    opportunities.account_id,
    opportunities.owner_id,
    opportunities.owner_team,
    opportunities.currency,
    greatest(opportunities._loaded_at, coalesce(loaded.history_loaded_at, opportunities._loaded_at)) as loaded_at
from states
inner join opportunities on states.opportunity_id = opportunities.opportunity_id
left join stage_map on states.stage_name = stage_map.stage_name
left join loaded on states.opportunity_id = loaded.opportunity_id
left join close_date_rates
    on
        states.currency = close_date_rates.currency
        and states.close_date = close_date_rates.close_date
