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

rates as (
    select * from {{ ref('int_fx_rates') }}
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

converted as (
    select
        of_record.owner_id,
        users.team_name as owner_team,
        of_record.period_start,
        of_record.period_end,
        cast(
            round(of_record.amount / submission_rates.conversion_rate * reporting_rates.conversion_rate, 2)
            as decimal(18, 2)
        ) as forecast_amount
    from of_record
    left join users on of_record.owner_id = users.user_id
    left join rates as submission_rates
        on
            of_record.currency = submission_rates.iso_code
            and of_record.period_start >= submission_rates.valid_from
            and of_record.period_start < submission_rates.valid_to
    left join rates as reporting_rates
        on
            reporting_rates.iso_code = '{{ var("reporting_currency") }}'
            and of_record.period_start >= reporting_rates.valid_from
            and of_record.period_start < reporting_rates.valid_to
    where of_record.submission_rank = 1
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
