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
),

{%- if is_incremental() %}

-- Materialized, so that the states are filtered before the range join, not its 9M rows after.
changed_states as materialized (
    select * from states
    where opportunity_id in ({{ pipeline_snapshot_changed_opportunities() }})
),
{%- endif %}

-- A state covers a day from its first day until the next state (the latest lasts to the as-of
-- date, which bounds days), and never before the opportunity was created.
{%- set covers_day %}
        states.valid_day <= days.date_day
        and coalesce(states.next_day, {{ latest_state_end() }}) > days.date_day
        and states.created_date <= days.date_day
{%- endset %}

state_days as (
    select
        days.date_day,
        states.*
    from states
    inner join days on {{ covers_day }}
    {%- if is_incremental() %}
    -- A night: the lookback days of every open deal, and every day of the changed deals (two
    -- joins, so that each filter reaches its side before the range join).
    where days.date_day >= (select cutoff from {{ pipeline_snapshot_state() }})

    union all

    select
        days.date_day,
        states.*
    from changed_states as states
    inner join days on {{ covers_day }}
    where days.date_day < (select cutoff from {{ pipeline_snapshot_state() }})
    {%- endif %}
)

select
    date_day as snapshot_date,
    opportunity_id,
    account_id,
    owner_id,
    owner_team,
    stage_name,
    forecast_category,
    amount,
    currency,
    amount_reporting,
    probability,
    -- '* 0.01', not '/ 100': DuckDB divides decimals in DOUBLE; this stays exact on every engine.
    cast(amount_reporting * probability * 0.01 as decimal(18, 2)) as weighted_amount_reporting,
    close_date as expected_close_date,
    loaded_at as _loaded_through
from state_days
