-- Department, individual and shared marketing-sales goals (METRICS.md section 5), from
-- shared_goals.csv, with the quota rules: attainment = actual / target * 100, pacing by days
-- elapsed. Metrics: leads, mqls, sqls (lifecycle entries), bookings, pipeline_created,
-- new_customers. A department goal or a shared goal (owner_type 'shared', e.g. 'Marketing+Sales')
-- counts the whole company; an individual goal counts what is attributed to the person: leads,
-- MQLs and SQLs of the campaigns they own (first touch), else of the leads they own; bookings,
-- pipeline and new customers of the deals they own.

-- depends_on: {{ ref('plan_input_problems') }}

with

goals as (
    select * from {{ ref('stg_inputs__shared_goals') }}
    where
        period_start is not null
        and period_end >= period_start
),

as_of as (
    select as_of_date from {{ ref('int_as_of') }}
),

-- The three lead counts read one narrow copy of the lifecycle, each counted per day and person
-- before the deals join them (10M leads: the select 0.65-0.75 -> 0.58 s).
leads as {{ materialized_cte() }} (
    select
        lifecycle.lead_date,
        lifecycle.mql_date,
        lifecycle.sql_date,
        coalesce(campaigns.owner_id, lifecycle.owner_id) as credited_user_id
    from {{ ref('fct_lead_lifecycle') }} as lifecycle
    left join {{ ref('dim_campaign') }} as campaigns on lifecycle.campaign_id = campaigns.campaign_id
),

opportunities as (
    select * from {{ ref('fct_opportunity') }}
),

daily as (
    select
        lead_date as day,
        'leads' as metric,
        credited_user_id,
        count(*) as value
    from leads
    where lead_date is not null
    group by lead_date, credited_user_id
    union all
    select
        mql_date as day,
        'mqls' as metric,
        credited_user_id,
        count(*) as value
    from leads
    where mql_date is not null
    group by mql_date, credited_user_id
    union all
    select
        sql_date as day,
        'sqls' as metric,
        credited_user_id,
        count(*) as value
    from leads
    where sql_date is not null
    group by sql_date, credited_user_id
    union all
    select
        close_date as day,
        'bookings' as metric,
        owner_id as credited_user_id,
        amount_reporting as value
    from opportunities
    where is_won
    union all
    select
        created_date as day,
        'pipeline_created' as metric,
        owner_id as credited_user_id,
        amount_reporting as value
    from opportunities
    union all
    select
        close_date as day,
        'new_customers' as metric,
        owner_id as credited_user_id,
        1 as value
    from opportunities
    where is_new_customer_win
),

-- Summed per day, metric and person before meeting the goals: a company goal then joins one row
-- per day, not every lead of its period (at 10M leads the lead-level range join took minutes).
daily_by_user as (
    select
        day,
        metric,
        credited_user_id,
        sum(value) as value
    from daily
    group by day, metric, credited_user_id
),

daily_total as (
    select
        day,
        metric,
        sum(value) as value
    from daily_by_user
    group by day, metric
),

-- A goal not of an individual counts the whole company; an individual one what is credited to
-- its owner.
credited as (
    select
        goals.goal_id,
        daily_total.day,
        daily_total.value
    from goals
    inner join daily_total
        on
            goals.metric = daily_total.metric
            and daily_total.day between goals.period_start and goals.period_end
    where goals.owner_type != 'individual'
    union all
    select
        goals.goal_id,
        daily_by_user.day,
        daily_by_user.value
    from goals
    inner join daily_by_user
        on
            goals.metric = daily_by_user.metric
            and goals.owner_id = daily_by_user.credited_user_id
            and daily_by_user.day between goals.period_start and goals.period_end
    where goals.owner_type = 'individual' or goals.owner_type is null
),

measured as (
    select
        goal_id,
        sum(value) as actual,
        sum(case when day <= (select as_of.as_of_date from as_of) then value end) as actual_to_date
    from credited
    group by goal_id
)

select
    goals.goal_id,
    goals.goal_name,
    goals.owner_type,
    goals.owner_id,
    goals.period_start,
    goals.period_end,
    goals.metric,
    cast(goals.target_value as decimal(18, 2)) as target,
    cast(coalesce(measured.actual, 0) as decimal(18, 2)) as actual,
    cast(100 * {{ safe_ratio('coalesce(measured.actual, 0)', 'goals.target_value') }} as {{ type_double() }})
        as attainment_pct,
    cast(coalesce(measured.actual_to_date, 0) as decimal(18, 2)) as period_to_date_actual,
    cast(
        {{ expected_pct_to_date('goals.period_start', 'goals.period_end', 'as_of.as_of_date') }}
        as {{ type_double() }}
    ) as expected_pct_to_date,
    100 * {{ safe_ratio('coalesce(measured.actual_to_date, 0)', 'goals.target_value') }}
    >= {{ expected_pct_to_date('goals.period_start', 'goals.period_end', 'as_of.as_of_date') }} as on_pace
from goals
cross join as_of
left join measured on goals.goal_id = measured.goal_id
