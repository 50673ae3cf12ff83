-- Every defect of the planning inputs (quota_plan, company_targets, rep_commitments,
-- quota_policy, ramp_schedule, composite_weights, commission_plans, shared_goals), one row per
-- file x row x column with a plain-language problem. Its test (error) stops the quota models
-- and the marts that use them: a plan that does not sum, a negative target, an unknown owner or
-- overlapping periods never reaches a commission statement.

{%- set quota_types = ['revenue', 'profit', 'activity', 'activity_call', 'activity_email', 'activity_meeting',
    'volume', 'pipeline', 'composite'] %}
{%- set methods = ['top_down', 'bottom_up', 'hybrid', 'forecast'] %}

with

quota_plan as (select * from {{ ref('stg_inputs__quota_plan') }}),

company_targets as (select * from {{ ref('stg_inputs__company_targets') }}),

rep_commitments as (select * from {{ ref('stg_inputs__rep_commitments') }}),

quota_policy as (select * from {{ ref('stg_inputs__quota_policy') }}),

ramp_schedule as (select * from {{ ref('stg_inputs__ramp_schedule') }}),

composite_weights as (select * from {{ ref('stg_inputs__composite_weights') }}),

commission_plans as (select * from {{ ref('stg_inputs__commission_plans') }}),

shared_goals as (select * from {{ ref('stg_inputs__shared_goals') }}),

users as (
    select * from {{ ref('int_users') }}
),

-- Who may own a target: reps by User Id, teams by role name, departments, the company.
owners as (
    select distinct
        'rep' as owner_type,
        user_id as owner_id
    from users
    union all
    select distinct
        'team' as owner_type,
        team_name as owner_id
    from users
    where team_name is not null
    union all
    select distinct
        'department' as owner_type,
        department as owner_id
    from users
    where department is not null
    union all
    select
        'company' as owner_type,
        'company' as owner_id
),

periods_named as (
    select
        _source_file,
        _source_row,
        period_start,
        period_end
    from quota_plan
    union all
    select
        _source_file,
        _source_row,
        period_start,
        period_end
    from company_targets
    union all
    select
        _source_file,
        _source_row,
        period_start,
        period_end
    from rep_commitments
),

-- Each planning period with the first row that names it (by file, then row).
distinct_periods as (
    select
        period_start,
        period_end,
        _source_file as first_file,
        _source_row as first_row
    from (
        select
            *,
            row_number() over (partition by period_start, period_end order by _source_file, _source_row) as naming_order
        from periods_named
        where period_start is not null and period_end >= period_start
    ) as named
    where naming_order = 1
),

problems as (
    {{ plan_value_problems('quota_plan',
        {'period_start': 'date', 'period_end': 'date', 'target': 'decimal'},
        ['owner_type', 'owner_id', 'quota_type']) }}
    union all
    {{ plan_value_problems('company_targets',
        {'period_start': 'date', 'period_end': 'date', 'target': 'decimal'},
        ['owner_type', 'owner_id', 'quota_type']) }}
    union all
    {{ plan_value_problems('rep_commitments',
        {'period_start': 'date', 'period_end': 'date', 'commitment': 'decimal'},
        ['owner_id', 'quota_type']) }}
    union all
    {{ plan_value_problems('quota_policy',
        {'period_start': 'date', 'period_end': 'date', 'hybrid_weight': 'decimal', 'forecast_periods': 'integer',
         'forecast_growth': 'decimal'},
        ['quota_type', 'applies_to', 'method']) }}
    union all
    {{ plan_value_problems('ramp_schedule', {'tenure_month': 'integer', 'ramp_pct': 'decimal'}, []) }}
    union all
    {{ plan_value_problems('composite_weights', {'weight': 'decimal', 'cap_pct': 'decimal'}, ['component_type']) }}
    union all
    {{ plan_value_problems('commission_plans',
        {'tier': 'integer', 'from_pct': 'decimal', 'to_pct': 'decimal', 'rate': 'decimal'}, ['user_function']) }}
    union all
    {{ plan_value_problems('shared_goals',
        {'period_start': 'date', 'period_end': 'date', 'target': 'decimal'},
        ['goal_id', 'owner_type', 'owner_id', 'metric']) }}

    -- Values outside their vocabulary.
    union all
    {{ plan_enum_problems('quota_plan', 'owner_type', ['rep', 'team', 'department', 'company']) }}
    union all
    {{ plan_enum_problems('quota_plan', 'quota_type', quota_types) }}
    union all
    {{ plan_enum_problems('quota_plan', 'planning_method', methods, 'method') }}
    union all
    {{ plan_enum_problems('company_targets', 'owner_type', ['company', 'team']) }}
    union all
    {{ plan_enum_problems('company_targets', 'quota_type', quota_types) }}
    union all
    {{ plan_enum_problems('rep_commitments', 'quota_type', quota_types) }}
    union all
    {{ plan_enum_problems('quota_policy', 'quota_type', quota_types) }}
    union all
    {{ plan_enum_problems('quota_policy', 'planning_method', methods, 'method') }}
    union all
    {{ plan_enum_problems('quota_policy', 'allocation_basis', ['equal_ramped_heads', 'prior_bookings_share']) }}
    union all
    {{ plan_enum_problems('composite_weights', 'component_type', quota_types) }}
    union all
    {{ plan_enum_problems('shared_goals', 'owner_type', ['department', 'team', 'individual', 'shared']) }}
    union all
    {{ plan_enum_problems('shared_goals', 'metric',
        ['leads', 'mqls', 'sqls', 'bookings', 'pipeline_created', 'new_customers']) }}

    -- Negative or out-of-range numbers.
    union all
    {{ plan_range_problems('quota_plan', 'target_value', 0, none, 'is a negative target', 'target') }}
    union all
    {{ plan_range_problems('company_targets', 'target_value', 0, none, 'is a negative target', 'target') }}
    union all
    {{ plan_range_problems('rep_commitments', 'commitment', 0, none, 'is a negative commitment') }}
    union all
    {{ plan_range_problems('shared_goals', 'target_value', 0, none, 'is a negative target', 'target') }}
    union all
    {{ plan_range_problems('quota_policy', 'hybrid_weight', 0, 1, 'is not a weight between 0 and 1') }}
    union all
    {{ plan_range_problems('quota_policy', 'forecast_periods', 1, none, 'must be at least 1') }}
    union all
    {{ plan_range_problems('ramp_schedule', 'ramp_pct', 0, 100, 'is not a percentage between 0 and 100') }}
    union all
    {{ plan_range_problems('ramp_schedule', 'tenure_month', 1, none, 'must be at least 1 (month of hire)') }}
    union all
    {{ plan_range_problems('composite_weights', 'weight', 0, 1, 'is not a weight between 0 and 1') }}
    union all
    {{ plan_range_problems('composite_weights', 'cap_pct', 0, none, 'is a negative cap') }}
    union all
    {{ plan_range_problems('commission_plans', 'rate', 0, none, 'is a negative rate') }}

    -- The same key twice.
    union all
    {{ plan_duplicate_problems('quota_plan', ['owner_type', 'owner_id', 'period_start', 'period_end', 'quota_type']) }}
    union all
    {{ plan_duplicate_problems('company_targets',
        ['owner_type', 'owner_id', 'period_start', 'period_end', 'quota_type']) }}
    union all
    {{ plan_duplicate_problems('rep_commitments', ['owner_id', 'period_start', 'period_end', 'quota_type']) }}
    union all
    {{ plan_duplicate_problems('ramp_schedule', ['tenure_month']) }}
    union all
    {{ plan_duplicate_problems('composite_weights', ['component_type']) }}
    union all
    {{ plan_duplicate_problems('commission_plans', ['user_function', 'tier']) }}
    union all
    {{ plan_duplicate_problems('shared_goals', ['goal_id']) }}

    -- Owners the CRM does not know.
    union all
    select
        plan._source_file as source_file,
        plan._source_row as source_row,
        'owner_id' as column_name,
        plan.owner_id as value,
        'names no known ' || plan.owner_type || ' (reps by User Id, teams by role name)' as problem
    from (
        select
            _source_file,
            _source_row,
            owner_type,
            owner_id
        from quota_plan
        union all
        select
            _source_file,
            _source_row,
            owner_type,
            owner_id
        from company_targets
        union all
        select
            _source_file,
            _source_row,
            'rep' as owner_type,
            owner_id
        from rep_commitments
        union all
        select
            _source_file,
            _source_row,
            case owner_type when 'individual' then 'rep' else owner_type end as owner_type,
            owner_id
        from shared_goals
        where owner_type in ('individual', 'team', 'department')
    ) as plan
    where
        plan.owner_id is not null
        and plan.owner_type in ('rep', 'team', 'department', 'company')
        and not exists (
            select 1 from owners
            where owners.owner_type = plan.owner_type and owners.owner_id = plan.owner_id
        )

    -- Periods that end before they start, or overlap another planning period.
    union all
    select
        _source_file as source_file,
        _source_row as source_row,
        'period_end' as column_name,
        cast(period_end as {{ dbt.type_string() }}) as value,
        'ends before period_start ' || cast(period_start as {{ dbt.type_string() }}) as problem
    from periods_named
    where period_end < period_start
    union all
    -- Two periods that overlap: reported once, on the first row of the period named later.
    select
        later.first_file as source_file,
        later.first_row as source_row,
        'period_start' as column_name,
        cast(later.period_start as {{ dbt.type_string() }}) || '..' || cast(later.period_end as {{ dbt.type_string() }})
            as value,
        'overlaps the planning period ' || cast(earlier.period_start as {{ dbt.type_string() }}) || '..'
        || cast(earlier.period_end as {{ dbt.type_string() }}) || ' of ' || earlier.first_file || ' row '
        || cast(earlier.first_row as {{ dbt.type_string() }}) as problem
    from distinct_periods as later
    inner join distinct_periods as earlier
        on
            later.period_start <= earlier.period_end
            and later.period_end >= earlier.period_start
            and (
                later.first_file > earlier.first_file
                or (later.first_file = earlier.first_file and later.first_row > earlier.first_row)
            )
    union all
    select
        later._source_file as source_file,
        later._source_row as source_row,
        'period_start' as column_name,
        coalesce(cast(later.period_start as {{ dbt.type_string() }}), '(open)') as value,
        'overlaps the '
        || earlier.quota_type
        || ' policy of row '
        || cast(earlier._source_row as {{ dbt.type_string() }})
            as problem
    from quota_policy as later
    inner join quota_policy as earlier
        on
            later.quota_type = earlier.quota_type
            and later._source_row > earlier._source_row
            and coalesce(later.period_start, cast('1900-01-01' as date))
            <= coalesce(earlier.period_end, cast('9999-12-31' as date))
            and coalesce(earlier.period_start, cast('1900-01-01' as date))
            <= coalesce(later.period_end, cast('9999-12-31' as date))

    -- Plans that do not sum: a team, department or company row of quota_plan.csv must equal the
    -- sum of the file's rep rows in its scope (when it has any); team top-down targets may not
    -- exceed the company's; composite weights sum to 1; commission tiers run from 0 without gaps.
    union all
    select
        scope_rows._source_file as source_file,
        scope_rows._source_row as source_row,
        'target' as column_name,
        cast(scope_rows.target_value as {{ dbt.type_string() }}) as value,
        'does not equal the sum of its reps'' rows (' || cast(sum(rep_rows.target_value) as {{ dbt.type_string() }})
        || ')' as problem
    from quota_plan as scope_rows
    inner join quota_plan as rep_rows
        on
            rep_rows.owner_type = 'rep'
            and scope_rows.period_start = rep_rows.period_start
            and scope_rows.period_end = rep_rows.period_end
            and scope_rows.quota_type = rep_rows.quota_type
    inner join users on rep_rows.owner_id = users.user_id
    where
        scope_rows.owner_type in ('team', 'department', 'company')
        and scope_rows.owner_id = {{ rollup_owner_id('scope_rows.owner_type', 'users.team_name', 'users.department') }}
    group by scope_rows._source_file, scope_rows._source_row, scope_rows.target_value
    having abs(scope_rows.target_value - sum(rep_rows.target_value)) >= 0.01
    union all
    select
        max(teams._source_file) as source_file,
        max(teams._source_row) as source_row,
        'target' as column_name,
        cast(sum(teams.target_value) as {{ dbt.type_string() }}) as value,
        'team targets exceed the company target ' || cast(max(company.target_value) as {{ dbt.type_string() }})
        || ' for ' || teams.quota_type || ' ' || cast(teams.period_start as {{ dbt.type_string() }}) as problem
    from company_targets as teams
    inner join company_targets as company
        on
            company.owner_type = 'company'
            and teams.period_start = company.period_start
            and teams.period_end = company.period_end
            and teams.quota_type = company.quota_type
    where teams.owner_type = 'team'
    group by teams.quota_type, teams.period_start
    having sum(teams.target_value) > max(company.target_value)
    union all
    select
        max(_source_file) as source_file,
        max(_source_row) as source_row,
        'weight' as column_name,
        cast(sum(weight) as {{ dbt.type_string() }}) as value,
        'composite weights sum to this instead of 1' as problem
    from composite_weights
    having count(*) > 0 and abs(sum(weight) - 1) > 0.0001
    union all
    select
        _source_file as source_file,
        _source_row as source_row,
        'from_pct' as column_name,
        cast(from_pct as {{ dbt.type_string() }}) as value,
        case
            when previous_to_pct is null and tier_order = 1 then 'the first tier must start at 0'
            else 'does not continue the previous tier, which ends at ' || coalesce(
                cast(previous_to_pct as {{ dbt.type_string() }}), 'no limit'
            )
        end as problem
    from (
        select
            *,
            lag(to_pct) over (partition by user_function order by tier) as previous_to_pct,
            row_number() over (partition by user_function order by tier) as tier_order
        from commission_plans
    ) as tiers
    where
        (tier_order = 1 and from_pct != 0)
        or (tier_order > 1 and (previous_to_pct is null or from_pct != previous_to_pct))
)

select
    source_file,
    source_row,
    column_name,
    value,
    problem,
    source_file || ' row ' || coalesce(cast(source_row as {{ dbt.type_string() }}), '?') || ', column '
    || column_name || ': ' || coalesce('''' || value || ''' ', '') || problem as message
from problems
