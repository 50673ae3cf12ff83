-- Quota attainment (METRICS.md section 4): owner (rep, team, department, company) x planning
-- period x quota type. attainment_pct = actual / target * 100. Roll-ups sum targets (of the reps
-- with a plan) and actuals (of every owner in scope: the company's revenue actual is all
-- bookings); they never average percentages. Activity is also published per kind
-- (activity_call, activity_email, activity_meeting; no target unless planned). The composite
-- mixes the owner's component attainments by seeds/composite_weights.csv, each capped at its
-- cap_pct: actual = sum of weight x min(attainment, cap), target 100. Pacing: expected_pct_to_date
-- is the share of the period's days elapsed at the as-of date; on_pace when the period-to-date
-- attainment is at or above it.

with

plan as (
    select * from {{ ref('fct_quota_plan') }}
),

users as (
    select * from {{ ref('int_users') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of') }}
),

periods as (
    select * from {{ ref('int_quota_periods') }}
),

scopes as (
    {{ rollup_scopes_relation() }}
),

activity_kinds as (
    {{ values_relation('quota_type', ['activity_call', 'activity_email', 'activity_meeting']) }}
),

-- Every planned row, plus the activity kinds beside every planned activity row.
keys as (
    select
        period_start,
        period_end,
        owner_type,
        owner_id,
        quota_type,
        target
    from plan
    union all
    select
        plan.period_start,
        plan.period_end,
        plan.owner_type,
        plan.owner_id,
        activity_kinds.quota_type,
        null as target
    from plan
    cross join activity_kinds
    where
        plan.quota_type = 'activity'
        and not exists (
            select 1 from plan as planned
            where
                planned.owner_type = plan.owner_type
                and planned.owner_id = plan.owner_id
                and planned.period_start = plan.period_start
                and planned.quota_type = activity_kinds.quota_type
        )
),

daily as (
    select * from {{ ref('int_quota_daily_actuals') }}
),

-- The periods each day with actuals falls in: the range join runs on the distinct days (hundreds),
-- and the daily rows (millions) find theirs by equality.
actual_days as (
    -- From the table, not the CTE: a second reader made DuckDB copy the 15M daily rows (10M
    -- leads: the select 0.87-0.90 -> 0.54-0.57 s).
    select distinct day from {{ ref('int_quota_daily_actuals') }}
),

period_days as (
    select
        periods.period_start,
        periods.period_end,
        actual_days.day
    from actual_days
    inner join periods on actual_days.day between periods.period_start and periods.period_end
),

owner_actuals as (
    select
        period_days.period_start,
        period_days.period_end,
        daily.owner_id,
        daily.quota_type,
        sum(daily.actual) as actual,
        sum(case when daily.day <= (select as_of.as_of_date from as_of) then daily.actual end) as actual_to_date
    from daily
    inner join period_days on daily.day = period_days.day
    group by 1, 2, 3, 4
),

scope_actuals as (
    select
        period_start,
        period_end,
        'rep' as owner_type,
        owner_id,
        quota_type,
        actual,
        actual_to_date
    from owner_actuals
    union all
    select
        owner_actuals.period_start,
        owner_actuals.period_end,
        scopes.owner_type,
        {{ rollup_owner_id('scopes.owner_type', 'users.team_name', 'users.department') }} as owner_id,
        owner_actuals.quota_type,
        sum(owner_actuals.actual) as actual,
        sum(owner_actuals.actual_to_date) as actual_to_date
    from owner_actuals
    left join users on owner_actuals.owner_id = users.user_id
    cross join scopes
    group by 1, 2, 3, 4, 5
),

measured as (
    select
        keys.*,
        coalesce(scope_actuals.actual, 0) as actual,
        coalesce(scope_actuals.actual_to_date, 0) as period_to_date_actual,
        100 * {{ safe_ratio('coalesce(scope_actuals.actual, 0)', 'keys.target') }} as attainment_pct
    from keys
    left join scope_actuals
        on
            keys.period_start = scope_actuals.period_start
            and keys.period_end = scope_actuals.period_end
            and keys.owner_type = scope_actuals.owner_type
            and keys.owner_id = scope_actuals.owner_id
            and keys.quota_type = scope_actuals.quota_type
),

composite_weights as (
    select
        *,
        count(*) over () as component_count
    from {{ ref('stg_inputs__composite_weights') }}
),

composite as (
    select
        measured.period_start,
        measured.period_end,
        measured.owner_type,
        measured.owner_id,
        'composite' as quota_type,
        cast(100 as decimal(18, 2)) as target,
        sum(
            composite_weights.weight
            * least(measured.attainment_pct, coalesce(composite_weights.cap_pct, measured.attainment_pct))
        )
            as score,
        count(*) as components
    from measured
    inner join composite_weights on measured.quota_type = composite_weights.component_type
    where measured.attainment_pct is not null
    group by 1, 2, 3, 4
    having count(*) = max(composite_weights.component_count)
),

combined as (
    select
        period_start,
        period_end,
        owner_type,
        owner_id,
        quota_type,
        target,
        actual,
        period_to_date_actual,
        attainment_pct
    from measured
    union all
    select
        period_start,
        period_end,
        owner_type,
        owner_id,
        quota_type,
        target,
        cast(score as decimal(18, 2)) as actual,
        cast(score as decimal(18, 2)) as period_to_date_actual,
        score as attainment_pct
    from composite
)

select
    combined.period_start,
    combined.period_end,
    combined.owner_type,
    combined.owner_id,
    combined.quota_type,
    cast(combined.target as decimal(18, 2)) as target,
    cast(combined.actual as decimal(18, 2)) as actual,
    cast(combined.attainment_pct as {{ type_double() }}) as attainment_pct,
    cast(combined.period_to_date_actual as decimal(18, 2)) as period_to_date_actual,
    cast(
        {{ expected_pct_to_date('combined.period_start', 'combined.period_end', 'as_of.as_of_date') }}
        as {{ type_double() }}
    ) as expected_pct_to_date,
    100 * {{ safe_ratio('combined.period_to_date_actual', 'combined.target') }}
    >= {{ expected_pct_to_date('combined.period_start', 'combined.period_end', 'as_of.as_of_date') }} as on_pace
from combined
cross join as_of
