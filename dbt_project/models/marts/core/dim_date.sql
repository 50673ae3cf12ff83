-- One row per calendar day with the company's fiscal calendar (fiscal year named by the
-- calendar year it ends in; start month from seeds/fiscal_calendar_settings.csv). The range
-- covers the data a year either side, so every period a fact falls in exists here.

with

settings as (
    select cast(value as integer) as fiscal_year_start_month
    from {{ ref('fiscal_calendar_settings') }}
    where setting = 'fiscal_year_start_month'
),

-- The years the data covers (int_as_of keeps its first and last day; today when there is none).
data_years as (
    select
        cast({{ dbt.date_trunc('year', 'coalesce(first_data_day, current_date)') }} as date) as first_year,
        cast({{ dbt.date_trunc('year', 'coalesce(last_data_day, current_date)') }} as date) as last_year
    from {{ ref('int_as_of') }}
),

bounds as (
    select
        {{ dbt.dateadd('year', -1, 'first_year') }} as first_day,
        {{ dbt.dateadd('year', 2, 'last_year') }} as last_day
    from data_years
),

days as (
    {{ day_series('(select first_day from bounds)', '(select last_day from bounds)') }}
),

calendar as (
    select
        days.date_day,
        cast({{ dbt.date_trunc('week', 'days.date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'days.date_day') }} as date) as month_start,
        extract(year from days.date_day) as calendar_year,
        extract(month from days.date_day) as calendar_month,
        {{ iso_day_of_week("days.date_day") }} as iso_day_of_week,
        settings.fiscal_year_start_month,
        mod(cast(extract(month from days.date_day) as integer) - settings.fiscal_year_start_month + 12, 12)
        + 1 as fiscal_month
    from days
    cross join settings
)

select
    date_day,
    week_start,
    month_start,
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month_start')) }} as date) as month_end,
    cast(calendar_year as integer) as calendar_year,
    cast(calendar_month as integer) as calendar_month,
    cast(iso_day_of_week as integer) as iso_day_of_week,
    iso_day_of_week >= 6 as is_weekend,
    cast(fiscal_month as integer) as fiscal_month,
    cast(floor((fiscal_month - 1) / 3.0) as integer) + 1 as fiscal_quarter,
    -- Named by the calendar year the fiscal year ends in.
    cast(
        calendar_year
        + case when fiscal_year_start_month > 1 and calendar_month >= fiscal_year_start_month then 1 else 0 end
        as integer
    ) as fiscal_year,
    cast({{ dbt.dateadd('month', '-1 * mod(fiscal_month - 1, 3)', 'month_start') }} as date) as fiscal_quarter_start,
    cast({{ dbt.dateadd('month', '-1 * (fiscal_month - 1)', 'month_start') }} as date) as fiscal_year_start
from calendar
