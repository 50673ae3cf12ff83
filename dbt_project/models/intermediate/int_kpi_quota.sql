-- Revenue quota per KPI period and level: the revenue target in force of fct_quota_plan (the
-- method the policy or an explicit plan row sets, ramp applied), each row's target spread evenly
-- over the days of its period and summed over the days of the KPI period (a quarterly plan gives
-- each month its share). Reps are level 'owner', teams 'team' (by team name), the company
-- 'company'.

with

quota_plan as (
    select
        owner_type,
        owner_id,
        period_start,
        period_end,
        target as target_value
    from {{ ref('fct_quota_plan') }}
    where
        quota_type = 'revenue'
        and owner_type in ('rep', 'team', 'company')
        and target is not null
),

calendar as (
    select * from {{ ref('dim_date') }}
),

grains as (
    {{ values_relation('grain', kpi_grains()) }}
),

daily as (
    select
        case quota_plan.owner_type when 'rep' then 'owner' else quota_plan.owner_type end as level,
        case when quota_plan.owner_type = 'company' then 'company' else quota_plan.owner_id end as level_id,
        calendar.date_day,
        -- Decimal, so that the sums are exact (and identical from run to run).
        cast(
            quota_plan.target_value / ({{ day_diff('quota_plan.period_start', 'quota_plan.period_end') }} + 1)
            as decimal(24, 8)
        ) as daily_target
    from quota_plan
    inner join calendar on calendar.date_day between quota_plan.period_start and quota_plan.period_end
)

select
    grains.grain,
    {{ period_start('grains.grain', 'calendar') }} as period_start,
    daily.level,
    daily.level_id,
    cast(round(sum(daily.daily_target), 2) as decimal(18, 2)) as quota
from daily
inner join calendar on daily.date_day = calendar.date_day
cross join grains
group by 1, 2, 3, 4
