-- The quota plan (METRICS.md section 4): owner x period x quota type with the target under every
-- planning method side by side, the method and target in force, ramp applied, and the gap between
-- what the company asks (top-down) and what the field commits (bottom-up). Reps come from
-- int_quota_targets; teams, departments and the company sum their reps (roll-ups never average).
-- Explicit plan rows for teams, departments or the company (quota_plan.csv) are shown beside the
-- summed targets as target_explicit.

with

reps as (
    select * from {{ ref('int_quota_targets') }}
),

users as (
    select * from {{ ref('int_users') }}
),

scopes as (
    {{ rollup_scopes_relation() }}
),

rolled_up as (
    select
        scopes.owner_type,
        {{ rollup_owner_id('scopes.owner_type', 'users.team_name', 'users.department') }} as owner_id,
        reps.period_start,
        reps.period_end,
        reps.quota_type,
        min(reps.planning_method) as planning_method,
        min(reps.method_in_force) as method_in_force,
        cast(sum(reps.target_top_down) as decimal(18, 2)) as target_top_down,
        cast(sum(reps.target_bottom_up) as decimal(18, 2)) as target_bottom_up,
        cast(sum(reps.target_hybrid) as decimal(18, 2)) as target_hybrid,
        cast(sum(reps.target_forecast) as decimal(18, 2)) as target_forecast,
        sum(reps.target) as target
    from reps
    inner join users on reps.owner_id = users.user_id
    cross join scopes
    group by 1, 2, 3, 4, 5
),

explicit_rollups as (
    select
        owner_type,
        owner_id,
        period_start,
        period_end,
        quota_type,
        cast(target_value as decimal(18, 2)) as target_value
    from {{ ref('stg_inputs__quota_plan') }}
    where owner_type in ('team', 'department', 'company')
)

select
    period_start,
    period_end,
    owner_type,
    owner_id,
    quota_type,
    planning_method,
    method_in_force,
    allocation_pool,
    ramp_pct,
    employment_pct,
    capacity_pct,
    target_top_down,
    target_bottom_up,
    target_hybrid,
    target_forecast,
    target_explicit,
    target,
    cast(target_top_down - target_bottom_up as decimal(18, 2)) as ask_vs_commit_gap
from reps

union all

select
    rolled_up.period_start,
    rolled_up.period_end,
    rolled_up.owner_type,
    rolled_up.owner_id,
    rolled_up.quota_type,
    rolled_up.planning_method,
    rolled_up.method_in_force,
    null as allocation_pool,
    null as ramp_pct,
    null as employment_pct,
    null as capacity_pct,
    rolled_up.target_top_down,
    rolled_up.target_bottom_up,
    rolled_up.target_hybrid,
    rolled_up.target_forecast,
    explicit_rollups.target_value as target_explicit,
    rolled_up.target,
    cast(rolled_up.target_top_down - rolled_up.target_bottom_up as decimal(18, 2)) as ask_vs_commit_gap
from rolled_up
left join explicit_rollups
    on
        rolled_up.owner_type = explicit_rollups.owner_type
        and rolled_up.owner_id = explicit_rollups.owner_id
        and rolled_up.period_start = explicit_rollups.period_start
        and rolled_up.period_end = explicit_rollups.period_end
        and rolled_up.quota_type = explicit_rollups.quota_type
