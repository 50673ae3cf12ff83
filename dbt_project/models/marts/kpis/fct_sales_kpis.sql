-- Sales KPIs by period (calendar month, fiscal quarter) and level (owner, team, company), as
-- METRICS.md section 3 defines them; see the column descriptions. Ratios are computed from the
-- summed parts at each level (a team's win rate is its won / closed, not an average of reps').

with

deals as (
    select * from {{ ref('int_kpi_deals') }}
),

pipeline as (
    select * from {{ ref('int_kpi_pipeline') }}
),

forecasts as (
    select * from {{ ref('int_kpi_forecast') }}
),

quotas as (
    select * from {{ ref('int_kpi_quota') }}
),

acquisition as (
    select * from {{ ref('int_kpi_acquisition') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

keys as (
    select
        grain,
        period_start,
        level,
        level_id
    from deals
    union
    select
        grain,
        period_start,
        level,
        level_id
    from pipeline
    union
    select
        grain,
        period_start,
        level,
        level_id
    from forecasts
),

period_ends as (
    select
        grain,
        period_start,
        max(date_day) as period_end
    from (
        select
            grains.grain,
            calendar.date_day,
            {{ period_start('grains.grain', 'calendar') }} as period_start
        from calendar
        cross join ({{ values_relation('grain', kpi_grains()) }}) as grains
    ) as calendar_days
    group by grain, period_start
)

select
    keys.grain,
    keys.period_start,
    period_ends.period_end,
    keys.level,
    keys.level_id,
    cast(coalesce(deals.bookings, 0) as decimal(18, 2)) as bookings,
    coalesce(deals.won_count, 0) as won_count,
    coalesce(deals.lost_count, 0) as lost_count,
    deals.win_rate,
    deals.win_rate_amount,
    cast(deals.avg_sales_cycle_days as {{ type_double() }}) as avg_sales_cycle_days,
    cast(deals.median_sales_cycle_days as {{ type_double() }}) as median_sales_cycle_days,
    cast({{ safe_ratio('deals.bookings', 'deals.won_count') }} as decimal(18, 2)) as average_deal_size,
    cast(coalesce(deals.pipeline_created, 0) as decimal(18, 2)) as pipeline_created,
    coalesce(deals.opportunities_created, 0) as opportunities_created,
    cast(coalesce(pipeline.open_pipeline_start, 0) as decimal(18, 2)) as open_pipeline_start,
    cast(coalesce(pipeline.weighted_pipeline_start, 0) as decimal(18, 2)) as weighted_pipeline_start,
    cast(coalesce(pipeline.open_pipeline_end, 0) as decimal(18, 2)) as open_pipeline_end,
    cast(coalesce(pipeline.weighted_pipeline_end, 0) as decimal(18, 2)) as weighted_pipeline_end,
    cast(coalesce(pipeline.pipeline_closing_in_period_at_start, 0) as decimal(18, 2))
        as pipeline_closing_in_period_at_start,
    quotas.quota,
    cast(quotas.quota - coalesce(deals.bookings_at_period_start, 0) as decimal(18, 2)) as remaining_quota_at_start,
    -- METRICS.md: open pipeline closing in P / (quota - bookings to date), at P's first day. With
    -- nothing left to cover (first-day bookings reach the quota) the ratio has no meaning: NULL.
    case
        when quotas.quota - coalesce(deals.bookings_at_period_start, 0) > 0
            then {{ safe_ratio(
                'pipeline.pipeline_closing_in_period_at_start',
                'quotas.quota - coalesce(deals.bookings_at_period_start, 0)'
            ) }}
    end as pipeline_coverage,
    coalesce(deals.new_customers, 0) as new_customers,
    cast(case when keys.level = 'company' then acquisition.marketing_spend end as decimal(18, 2)) as marketing_spend,
    cast(case when keys.level = 'company' then acquisition.sales_spend end as decimal(18, 2)) as sales_spend,
    case when keys.level = 'company' then acquisition.cac end as cac,
    cast(forecasts.forecast_of_record as decimal(18, 2)) as forecast_of_record,
    100 * {{ safe_ratio('forecasts.forecast_of_record', 'deals.bookings') }} as forecast_to_actual_pct,
    100 * (1 - {{ safe_ratio('abs(forecasts.forecast_of_record - deals.bookings)', 'deals.bookings') }})
        as forecast_accuracy_pct
from keys
inner join period_ends on keys.grain = period_ends.grain and keys.period_start = period_ends.period_start
left join deals on {{ same_kpi_row('keys', 'deals') }}
left join pipeline on {{ same_kpi_row('keys', 'pipeline') }}
left join forecasts on {{ same_kpi_row('keys', 'forecasts') }}
left join quotas on {{ same_kpi_row('keys', 'quotas') }}
left join acquisition on keys.grain = acquisition.grain and keys.period_start = acquisition.period_start
