-- Customer acquisition cost per period, company level (METRICS.md section 3): marketing spend
-- plus sales spend in the period (reporting currency at the rate of the spend date), divided by
-- the new customers of the period. NULL, not infinity or an error, when there are none.

with

calendar as (
    select * from {{ ref('dim_date') }}
),

grains as (
    {{ values_relation('grain', kpi_grains()) }}
),

new_customers as (
    select
        grain,
        period_start,
        new_customers
    from {{ ref('int_kpi_deals') }}
    where level = 'company'
),

converted as (
    {{ spend_in_reporting_currency() }}
),

spend_by_period as (
    select
        grains.grain,
        {{ period_start('grains.grain', 'calendar') }} as period_start,
        coalesce(sum(case when converted.spend_category = 'marketing' then converted.amount_reporting end), 0)
            as marketing_spend,
        coalesce(sum(case when converted.spend_category = 'sales' then converted.amount_reporting end), 0)
            as sales_spend
    from converted
    inner join calendar on converted.spend_date = calendar.date_day
    cross join grains
    group by 1, 2
),

periods as (
    select
        grain,
        period_start
    from spend_by_period
    union
    select
        grain,
        period_start
    from new_customers
)

select
    periods.grain,
    periods.period_start,
    cast(coalesce(spend_by_period.marketing_spend, 0) as decimal(18, 2)) as marketing_spend,
    cast(coalesce(spend_by_period.sales_spend, 0) as decimal(18, 2)) as sales_spend,
    coalesce(new_customers.new_customers, 0) as new_customers,
    {{ safe_ratio(
        'coalesce(spend_by_period.marketing_spend, 0) + coalesce(spend_by_period.sales_spend, 0)',
        'new_customers.new_customers'
    ) }} as cac
from periods
left join spend_by_period
    on periods.grain = spend_by_period.grain and periods.period_start = spend_by_period.period_start
left join new_customers
    on periods.grain = new_customers.grain and periods.period_start = new_customers.period_start
