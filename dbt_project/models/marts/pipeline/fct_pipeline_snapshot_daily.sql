{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        incremental_strategy='append',
        pre_hook="{{ pipeline_snapshot_prepare() }}",
        on_schema_change='fail'
    )
}}
-- The incremental branch reads these (macros/pipeline_snapshot.sql):
{{ opportunity_change_sources() }}
-- Open pipeline by day (METRICS.md section 3): one row per opportunity per day it was open,
-- from its creation day to the as-of date, with stage, amount, probability and expected close
-- date as they were that day (reconstructed from OpportunityHistory; current values when there
-- is no history). weighted_amount_reporting = amount_reporting * probability / 100 (probability
-- is a percentage, 0-100). Incremental: see macros/pipeline_snapshot.sql; a full refresh gives the
-- same table.

with

states as (
    select * from {{ ref('int_opportunity_states') }}
    where not is_closed
),

as_of as (
    select as_of_date from {{ ref('int_as_of') }}
),

days as (
    select date_day from {{ ref('dim_date') }}
    where date_day <= (select as_of.as_of_date from as_of)
)

select
    days.date_day as snapshot_date,
    states.opportunity_id,
    states.account_id,
    states.owner_id,
    states.owner_team,
    states.stage_name,
    states.forecast_category,
    states.amount,
    states.currency,
    states.amount_reporting,
    states.probability,
    -- '* 0.01', not '/ 100': DuckDB divides decimals in DOUBLE; this stays exact on every engine.
    cast(states.amount_reporting * states.probability * 0.01 as decimal(18, 2)) as weighted_amount_reporting,
    states.close_date as expected_close_date,
    states.loaded_at as _loaded_through
from states
inner join days
    on
        states.valid_day <= days.date_day
        -- the latest state (no next_day) lasts to the as-of date, which bounds days
        and (states.next_day is null or states.next_day > days.date_day)
        and states.created_date <= days.date_day
{% if is_incremental() -%}
where
    days.date_day >= (select cutoff from {{ pipeline_snapshot_state() }})
    or states.opportunity_id in ({{ pipeline_snapshot_changed_opportunities() }})
{%- endif %}
