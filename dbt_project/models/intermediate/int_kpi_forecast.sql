-- Forecast of record (METRICS.md section 3): for each owner and submission period, the latest
-- 'commit' submitted on or before the period start plus var forecast_lock_days (company dates);
-- later submissions are ignored. A KPI period's forecast is the sum of the forecasts of record of
-- the submission periods it contains, per owner, team and company. Amounts in the reporting
-- currency at the rate of the period start.

with

submissions as (
    select
        submissions.*,
        {{ company_date('submissions.submitted_at') }} as submitted_date
    from {{ ref('stg_inputs__forecast_submissions') }} as submissions
    where
        submissions.forecast_category = 'commit'
        and submissions.submitted_at is not null
        and submissions.period_start is not null
),

users as (
    select * from {{ ref('int_users') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

grains as (
    {{ values_relation('grain', kpi_grains()) }}
),

levels as (
    {{ kpi_levels_relation() }}
),

of_record as (
    select
        owner_id,
        period_start,
        period_end,
        amount,
        coalesce(currency_iso_code, '{{ var("reporting_currency") }}') as currency,
        row_number() over (
            partition by owner_id, period_start, period_end
            order by submitted_at desc, amount desc
        ) as submission_rank
    from submissions
    where submitted_date <= {{ dbt.dateadd('day', var('forecast_lock_days'), 'period_start') }}
),

forecasts_of_record as (
    select
        owner_id,
        period_start,
        period_end,
        amount,
        currency
    from of_record
    where submission_rank = 1
),

-- Converted at the rates of the period start.
period_rates as (
    {{ rates_on_dates('forecasts_of_record', 'currency', 'period_start') }}
),

converted as (
    select
        forecasts_of_record.owner_id,
        users.team_name as owner_team,
        forecasts_of_record.period_start,
        forecasts_of_record.period_end,
        {{ in_reporting_currency('forecasts_of_record.amount', 'period_rates') }} as forecast_amount
    from forecasts_of_record
    left join users on forecasts_of_record.owner_id = users.user_id
    left join period_rates
        on
            forecasts_of_record.currency = period_rates.currency
            and forecasts_of_record.period_start = period_rates.period_start
)

select
    grains.grain,
    {{ period_start('grains.grain', 'calendar') }} as period_start,
    levels.level,
    {{ kpi_level_id('levels.level', 'converted.owner_id', 'converted.owner_team') }} as level_id,
    cast(sum(converted.forecast_amount) as decimal(18, 2)) as forecast_of_record
from converted
inner join calendar on converted.period_start = calendar.date_day
cross join grains
cross join levels
group by 1, 2, 3, 4
