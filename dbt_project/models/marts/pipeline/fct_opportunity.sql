{{ config(**changed_keys_config(
    'opportunity_id', 'changed_fact_opportunities', 'fact_opportunity_record_watermark'
)) }}
-- One row per live (not deleted) opportunity (METRICS.md section 3). Incremental: a night
-- re-derives the deals its changes reach and the open ones (macros/opportunity_incremental.sql),
-- from int_opportunities' definition narrowed to them; a full refresh gives the same table.
{#- Rendered when parsing too, so that dbt sees what it reads; not on a full build or in a unit test. -#}
{%- if not execute or is_incremental() %}
{%- set changed_opportunities = live_opportunities(log_changed_keys(changed_fact_opportunities()).select) %}
{%- endif %}

with

opportunities as (
    {%- if is_incremental() %}
    {{ changed_opportunities }}
    {%- else %}
    select * from {{ ref('int_opportunities') }}
    {%- endif %}
),

as_of as (
    select as_of_date from {{ ref('int_as_of') }}
),

history_facts as (
    select * from {{ ref('int_opportunity_history_facts') }}
)

select
    opportunities.opportunity_id,
    opportunities.account_id,
    opportunities.owner_id,
    opportunities.owner_team,
    opportunities.created_at,
    opportunities.created_date,
    opportunities.close_date,
    opportunities.stage_name,
    opportunities.forecast_category,
    opportunities.is_closed,
    opportunities.is_won,
    opportunities.amount,
    opportunities.currency,
    opportunities.amount_reporting,
    opportunities.probability,
    opportunities.opportunity_type,
    opportunities.opportunity_type_source,
    opportunities.lead_source,
    opportunities.channel,
    opportunities.originating_lead_id,
    opportunities.segment,
    opportunities.industry,
    opportunities.region,
    case
        when opportunities.is_closed then {{ day_diff('opportunities.created_date', 'opportunities.close_date') }}
    end as sales_cycle_days,
    coalesce(
        opportunities.is_closed and opportunities.close_date < opportunities.created_date, false
    ) as has_negative_sales_cycle,
    coalesce(history_facts.close_date_push_count, 0) as close_date_push_count,
    {{ day_diff(
        'coalesce(' ~ company_date('history_facts.stage_entered_at') ~ ', opportunities.created_date)',
        'case when opportunities.is_closed then opportunities.close_date else as_of.as_of_date end'
    ) }} as days_in_current_stage,
    opportunities.is_won and opportunities.close_date = opportunities.account_first_won_date as is_new_customer_win,
    opportunities.has_unknown_currency,
    coalesce(opportunities.has_invalid_probability, false) as has_invalid_probability
from opportunities
cross join as_of
left join history_facts on opportunities.opportunity_id = history_facts.opportunity_id
