-- Each rep's share of a full quota in each planning period (METRICS.md section 4: new reps
-- ramp). Per calendar month of the period: the ramp % of the rep's tenure month
-- (seeds/ramp_schedule.csv: month 1 is the month of hire; the last row applies afterwards) times
-- the share of the month the rep was employed (hire to termination); capacity_pct averages the
-- months. A rep who left mid-period keeps the part of the period they worked.

with

reps as (
    select * from {{ ref('int_users') }}
    where user_function in ('ae', 'sdr')
),

periods as (
    select * from {{ ref('int_quota_periods') }}
),

ramp as (
    select
        tenure_month,
        ramp_pct,
        lead(tenure_month) over (order by tenure_month) as next_tenure_month
    from {{ ref('stg_inputs__ramp_schedule') }}
    where tenure_month is not null
),

calendar as (
    select
        date_day,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start
    from (
        {{ day_series('(select min(period_start) from periods)', '(select max(period_end) from periods)') }}
    ) as series
    where date_day is not null
),

rep_days as (
    select
        periods.period_start,
        periods.period_end,
        reps.user_id,
        calendar.month_start,
        calendar.date_day,
        cast({{ dbt.date_trunc('month', 'reps.hired_date') }} as date) as hire_month,
        calendar.date_day >= coalesce(reps.hired_date, calendar.date_day)
        and calendar.date_day <= coalesce(reps.termination_date, calendar.date_day) as is_employed
    from periods
    inner join calendar on calendar.date_day between periods.period_start and periods.period_end
    cross join reps
),

rep_months as (
    select
        period_start,
        period_end,
        user_id,
        month_start,
        {{ dbt.datediff('min(hire_month)', 'month_start', 'month') }} + 1 as tenure_month,  -- noqa: LT05
        count(case when is_employed then 1 end) * 1.0 / count(*) as employed_share
    from rep_days
    group by period_start, period_end, user_id, month_start
),

ramped as (
    select
        rep_months.*,
        case
            when rep_months.tenure_month < 1 then 0
            else coalesce(ramp.ramp_pct, 100)
        end as ramp_pct
    from rep_months
    left join ramp
        on
            rep_months.tenure_month >= ramp.tenure_month
            and (ramp.next_tenure_month is null or rep_months.tenure_month < ramp.next_tenure_month)
)

select
    period_start,
    period_end,
    user_id,
    cast(avg(ramp_pct) as decimal(9, 4)) as ramp_pct,
    cast(100 * avg(employed_share) as decimal(9, 4)) as employment_pct,
    cast(avg(ramp_pct * employed_share) as decimal(9, 4)) as capacity_pct
from ramped
group by period_start, period_end, user_id
having max(employed_share) > 0
