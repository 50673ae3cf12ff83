-- Rep quotas per planning period and quota type under every planning method, side by side
-- (METRICS.md section 4), and the one in force:
--   top_down: a team's target (company_targets.csv, owner_type team) split across the team's reps
--     carrying the quota, and the company target less the team targets split across the other
--     reps, by the policy's allocation basis: equal per ramped head (target x capacity / the
--     pool's capacity; ramp built in) or prior-period bookings share (reps without prior bookings
--     get none);
--   bottom_up: the rep's own commitment (stated at full capacity) x capacity;
--   hybrid: w * top_down + (1 - w) * bottom_up, w from the policy (default 0.5);
--   forecast: the average of the rep's actuals over the N periods of the same length before
--     this one, x (1 + growth), x capacity; none when the rep has no actual in that window;
--   explicit: a row of quota_plan.csv for the rep (at full capacity) x capacity.
-- In force: the explicit row when there is one, else the policy's method (quota_policy.csv, the
-- most specific row for the period). capacity_pct is ramp x employment (int_quota_capacity).

with

periods as (
    select * from {{ ref('int_quota_periods') }}
),

capacity as (
    select * from {{ ref('int_quota_capacity') }}
),

users as (
    select * from {{ ref('int_users') }}
),

daily_actuals as (
    select * from {{ ref('int_quota_daily_actuals') }}
),

policy_for_period as (
    select
        periods.period_start,
        periods.period_end,
        policies.quota_type,
        policies.applies_to,
        policies.planning_method,
        policies.hybrid_weight,
        policies.allocation_basis,
        policies.forecast_periods,
        policies.forecast_growth,
        row_number() over (
            partition by periods.period_start, periods.period_end, policies.quota_type
            order by policies.period_start desc nulls last
        ) as specificity
    from periods
    inner join {{ ref('stg_inputs__quota_policy') }} as policies
        on
            (policies.period_start is null or periods.period_start >= policies.period_start)
            and (policies.period_end is null or periods.period_start <= policies.period_end)
),

carriers as (
    select
        capacity.period_start,
        capacity.period_end,
        capacity.user_id as owner_id,
        users.team_name,
        capacity.capacity_pct,
        capacity.ramp_pct,
        capacity.employment_pct,
        policy_for_period.quota_type,
        policy_for_period.planning_method,
        policy_for_period.hybrid_weight,
        policy_for_period.allocation_basis,
        policy_for_period.forecast_periods,
        policy_for_period.forecast_growth,
        {{ day_diff('capacity.period_start', 'capacity.period_end') }} + 1 as period_days
    from capacity
    inner join users on capacity.user_id = users.user_id
    inner join policy_for_period
        on
            capacity.period_start = policy_for_period.period_start
            and capacity.period_end = policy_for_period.period_end
            and policy_for_period.specificity = 1
            and '|' || policy_for_period.applies_to || '|' like '%|' || users.user_function || '|%'
),

top_down_targets as (
    select
        owner_type,
        case when owner_type = 'team' then owner_id end as team_name,
        period_start,
        period_end,
        quota_type,
        sum(target_value) as target_value
    from {{ ref('stg_inputs__company_targets') }}
    where owner_type in ('company', 'team')
    group by owner_type, team_name, period_start, period_end, quota_type
),

-- The target each carrier's top-down share comes from: the team's when it has one, else the
-- company's less what the teams with their own target took.
allocation_pools as (
    select
        carriers.period_start,
        carriers.owner_id,
        carriers.quota_type,
        coalesce(team_targets.team_name, '(company)') as allocation_pool,
        coalesce(
            team_targets.target_value,
            company_targets.target_value - coalesce((
                select sum(teams.target_value) from top_down_targets as teams
                where
                    teams.owner_type = 'team'
                    and teams.period_start = carriers.period_start
                    and teams.period_end = carriers.period_end
                    and teams.quota_type = carriers.quota_type
            ), 0)
        ) as pool_target
    from carriers
    left join top_down_targets as team_targets
        on
            team_targets.owner_type = 'team'
            and carriers.team_name = team_targets.team_name
            and carriers.period_start = team_targets.period_start
            and carriers.period_end = team_targets.period_end
            and carriers.quota_type = team_targets.quota_type
    left join top_down_targets as company_targets
        on
            company_targets.owner_type = 'company'
            and carriers.period_start = company_targets.period_start
            and carriers.period_end = company_targets.period_end
            and carriers.quota_type = company_targets.quota_type
),

-- The two series of the owner's actuals before the period: the prior period's bookings (revenue)
-- and the trailing N periods of the quota's own type. One row per carrier and series, so the
-- join below is keyed on (owner, quota type); keyed on the owner alone it checked every quota
-- type's days of the owner against every carrier row (twice the time at 2M leads).
history_series as (
    select
        period_start,
        owner_id,
        quota_type,
        'prior_bookings' as series,
        'revenue' as actual_type,
        period_days as window_days
    from carriers
    union all
    select
        period_start,
        owner_id,
        quota_type,
        'trailing' as series,
        quota_type as actual_type,
        period_days * greatest(forecast_periods, 1) as window_days
    from carriers
),

-- The windows' edges (each period's start and each window's start): every window is a run of
-- whole spans between consecutive edges, so the daily actuals are summed per owner, type and span
-- first and the windows add up spans, not days (10M leads: the select 1.02-1.10 -> 0.55-0.58 s).
history_edges as (
    select period_start as edge from history_series
    union
    select {{ dbt.dateadd('day', '-1 * window_days', 'period_start') }} as edge from history_series
),

-- The span of each day with actuals: the latest edge on or before it (none before the first).
day_spans as (
    select
        actual_days.day,
        max(history_edges.edge) as span_start
    from (select distinct day from {{ ref('int_quota_daily_actuals') }}) as actual_days
    inner join history_edges on actual_days.day >= history_edges.edge
    group by actual_days.day
),

span_actuals as (
    select
        daily_actuals.owner_id,
        daily_actuals.quota_type,
        day_spans.span_start,
        sum(daily_actuals.actual) as actual
    from daily_actuals
    inner join day_spans on daily_actuals.day = day_spans.day
    -- the types a window reads, not the activity kinds (7.9M of the 15M rows at 10M leads)
    where daily_actuals.quota_type in (select history_series.actual_type from history_series)
    group by daily_actuals.owner_id, daily_actuals.quota_type, day_spans.span_start
),

history as (
    select
        history_series.period_start,
        history_series.owner_id,
        history_series.quota_type,
        sum(case when history_series.series = 'prior_bookings' then span_actuals.actual end)
            as prior_period_bookings,
        sum(case when history_series.series = 'trailing' then span_actuals.actual end) as trailing_actual
    from history_series
    inner join span_actuals
        on
            history_series.owner_id = span_actuals.owner_id
            and history_series.actual_type = span_actuals.quota_type
            and history_series.period_start > span_actuals.span_start
            and span_actuals.span_start
            >= {{ dbt.dateadd('day', '-1 * history_series.window_days', 'history_series.period_start') }}
    group by history_series.period_start, history_series.owner_id, history_series.quota_type
),

scored as (
    select
        carriers.*,
        allocation_pools.allocation_pool,
        allocation_pools.pool_target,
        commitments.commitment,
        explicit.target_value as explicit_target,
        coalesce(history.prior_period_bookings, 0) as prior_period_bookings,
        history.trailing_actual / greatest(carriers.forecast_periods, 1) as trailing_average,
        sum(carriers.capacity_pct) over (
            partition by carriers.period_start, carriers.quota_type, allocation_pools.allocation_pool
        ) as pool_capacity,
        sum(coalesce(history.prior_period_bookings, 0)) over (
            partition by carriers.period_start, carriers.quota_type, allocation_pools.allocation_pool
        ) as pool_prior_bookings
    from carriers
    inner join allocation_pools
        on
            carriers.period_start = allocation_pools.period_start
            and carriers.owner_id = allocation_pools.owner_id
            and carriers.quota_type = allocation_pools.quota_type
    left join {{ ref('stg_inputs__rep_commitments') }} as commitments
        on
            carriers.owner_id = commitments.owner_id
            and carriers.period_start = commitments.period_start
            and carriers.period_end = commitments.period_end
            and carriers.quota_type = commitments.quota_type
    left join {{ ref('stg_inputs__quota_plan') }} as explicit
        on
            explicit.owner_type = 'rep'
            and carriers.owner_id = explicit.owner_id
            and carriers.period_start = explicit.period_start
            and carriers.period_end = explicit.period_end
            and carriers.quota_type = explicit.quota_type
    left join history
        on
            carriers.period_start = history.period_start
            and carriers.owner_id = history.owner_id
            and carriers.quota_type = history.quota_type
),

methods as (
    select
        scored.*,
        case
            when scored.allocation_basis = 'prior_bookings_share' and scored.pool_prior_bookings > 0
                then scored.pool_target * scored.prior_period_bookings / scored.pool_prior_bookings
            else scored.pool_target * scored.capacity_pct / nullif(scored.pool_capacity, 0)
        end as top_down,
        scored.commitment * scored.capacity_pct / 100 as bottom_up,
        scored.trailing_average * (1 + scored.forecast_growth) * scored.capacity_pct / 100 as forecast,
        scored.explicit_target * scored.capacity_pct / 100 as explicit
    from scored
)

select
    period_start,
    period_end,
    'rep' as owner_type,
    owner_id,
    quota_type,
    planning_method,
    allocation_pool,
    case when explicit is not null then 'explicit' else planning_method end as method_in_force,
    ramp_pct,
    employment_pct,
    capacity_pct,
    cast(top_down as decimal(18, 2)) as target_top_down,
    cast(bottom_up as decimal(18, 2)) as target_bottom_up,
    cast(hybrid_weight * top_down + (1 - hybrid_weight) * bottom_up as decimal(18, 2)) as target_hybrid,
    cast(forecast as decimal(18, 2)) as target_forecast,
    cast(explicit as decimal(18, 2)) as target_explicit,
    cast(
        coalesce(
            explicit,
            case planning_method
                when 'top_down' then top_down
                when 'bottom_up' then bottom_up
                when 'hybrid' then hybrid_weight * top_down + (1 - hybrid_weight) * bottom_up
                when 'forecast' then forecast
            end
        ) as decimal(18, 2)
    ) as target
from methods
