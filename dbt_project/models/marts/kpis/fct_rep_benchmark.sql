-- Rep benchmarks per fiscal quarter: each AE's and SDR's rates against their team's and the
-- company's (same function, same quarter), with below_*_benchmark flags: the "training need"
-- signal. Benchmarks are ratios of the summed parts of all reps in scope, not averages of rates.
-- Metrics: win rate (won / closed deals), average deal size, sales cycle (lower is better),
-- MQL -> SQL and SAL -> SQL of the leads they own (cohort of the quarter), activity mix (share of
-- calls, emails, meetings; informative, not flagged) and productivity (share of activity minutes
-- spent selling: calls, emails, meetings, versus internal and other work).
{%- set metrics = [
    ('win_rate', 'won_deals', 'closed_deals', 'higher'),
    ('average_deal_size', 'won_amount', 'won_deals', 'higher'),
    ('avg_sales_cycle_days', 'won_cycle_days', 'won_with_cycle', 'lower'),
    ('mql_to_sql_rate', 'mqls_to_sql', 'mqls', 'higher'),
    ('sal_to_sql_rate', 'sals_to_sql', 'sals', 'higher'),
    ('call_share', 'calls', 'activities', 'neutral'),
    ('email_share', 'emails', 'activities', 'neutral'),
    ('meeting_share', 'meetings', 'activities', 'neutral'),
    ('selling_time_share', 'selling_seconds', 'activity_seconds', 'higher'),
] %}
{%- set components = ['closed_deals', 'won_deals', 'won_amount', 'won_cycle_days', 'won_with_cycle', 'mqls',
    'mqls_to_sql', 'sals', 'sals_to_sql', 'activities', 'calls', 'emails', 'meetings', 'selling_seconds',
    'activity_seconds'] %}
{%- set separator = ',\n        ' %}
{%- set summed, summed_events = [], [] %}
{%- for component in components %}
{%- do summed.append('sum(' ~ component ~ ') as ' ~ component) %}
{%- do summed_events.append('sum(events.' ~ component ~ ') as ' ~ component) %}
{%- endfor %}

with

reps as (
    select
        user_id,
        team_name,
        user_function
    from {{ ref('int_users') }}
    where user_function in ('ae', 'sdr')
),

calendar as (
    select
        date_day,
        fiscal_quarter_start
    from {{ ref('dim_date') }}
),

deals as (
    select
        owner_id as rep_id,
        close_date as event_date,
        1 as closed_deals,
        case when is_won then 1 else 0 end as won_deals,
        case when is_won then amount_reporting else 0 end as won_amount,
        case when is_won and sales_cycle_days is not null then sales_cycle_days else 0 end as won_cycle_days,
        case when is_won and sales_cycle_days is not null then 1 else 0 end as won_with_cycle
    from {{ ref('fct_opportunity') }}
    where is_closed
),

mql_cohorts as (
    select
        owner_id as rep_id,
        mql_date as event_date,
        1 as mqls,
        case when sql_at is not null then 1 else 0 end as mqls_to_sql
    from {{ ref('fct_lead_lifecycle') }}
    where mql_date is not null
),

sal_cohorts as (
    select
        owner_id as rep_id,
        sal_date as event_date,
        1 as sals,
        case when sql_at is not null then 1 else 0 end as sals_to_sql
    from {{ ref('fct_lead_lifecycle') }}
    where sal_date is not null
),

-- Per owner and day already (int_owner_activity_days, kept by day each night).
activities as (
    select
        owner_id as rep_id,
        day as event_date,
        activities,
        calls,
        emails,
        meetings,
        selling_seconds,
        activity_seconds
    from {{ ref('int_owner_activity_days') }}
),

-- Each source summed per owner and fiscal quarter before the sources meet: the union then carries
-- a few rows per owner and quarter, not one 15-column row per lead, deal and activity day (10M
-- leads: 10.9M rows into one group-by).
events as (
    {%- set sources = {
        'deals': ['closed_deals', 'won_deals', 'won_amount', 'won_cycle_days', 'won_with_cycle'],
        'mql_cohorts': ['mqls', 'mqls_to_sql'],
        'sal_cohorts': ['sals', 'sals_to_sql'],
        'activities': ['activities', 'calls', 'emails', 'meetings', 'selling_seconds', 'activity_seconds'],
    } %}
    {%- for source_cte, columns in sources.items() %}
    {%- set padded = [] %}
    {%- for component in components %}
    {%- set summed_column = 'sum(' ~ source_cte ~ '.' ~ component ~ ')' %}
    {%- do padded.append((summed_column if component in columns else '0') ~ ' as ' ~ component) %}
    {%- endfor %}
    select
        {{ source_cte }}.rep_id,
        calendar.fiscal_quarter_start as period_start,
        {{ padded | join(separator) }}
    from {{ source_cte }}
    inner join calendar on {{ source_cte }}.event_date = calendar.date_day
    group by 1, 2
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

rep_quarters as (
    select
        events.period_start,
        reps.user_id as rep_id,
        reps.team_name,
        reps.user_function,
        {{ summed_events | join(separator) }}
    from events
    inner join reps on events.rep_id = reps.user_id
    group by 1, 2, 3, 4
),

team_quarters as (
    select
        period_start,
        team_name,
        user_function,
        {{ summed | join(separator) }}
    from rep_quarters
    group by 1, 2, 3
),

company_quarters as (
    select
        period_start,
        user_function,
        {{ summed | join(separator) }}
    from rep_quarters
    group by 1, 2
),

scored as (
    {%- for metric, numerator, denominator, direction in metrics %}
    select
        rep_quarters.period_start,
        rep_quarters.rep_id,
        rep_quarters.team_name,
        rep_quarters.user_function,
        '{{ metric }}' as metric,
        '{{ direction }}' as better,
        {{ safe_ratio('rep_quarters.' ~ numerator, 'rep_quarters.' ~ denominator) }} as rep_value,
        {{ safe_ratio('team_quarters.' ~ numerator, 'team_quarters.' ~ denominator) }} as team_benchmark,
        {{ safe_ratio('company_quarters.' ~ numerator, 'company_quarters.' ~ denominator) }} as company_benchmark,
        cast(rep_quarters.{{ denominator }} as bigint) as rep_base
    from rep_quarters
    inner join team_quarters
        on
            rep_quarters.period_start = team_quarters.period_start
            and rep_quarters.team_name = team_quarters.team_name
            and rep_quarters.user_function = team_quarters.user_function
    inner join company_quarters
        on
            rep_quarters.period_start = company_quarters.period_start
            and rep_quarters.user_function = company_quarters.user_function
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    period_start,
    rep_id,
    team_name,
    user_function,
    metric,
    better,
    rep_value,
    team_benchmark,
    company_benchmark,
    rep_base,
    case
        when better = 'higher' then rep_value < team_benchmark
        when better = 'lower' then rep_value > team_benchmark
    end as below_team_benchmark,
    case
        when better = 'higher' then rep_value < company_benchmark
        when better = 'lower' then rep_value > company_benchmark
    end as below_company_benchmark
from scored
where rep_base > 0
