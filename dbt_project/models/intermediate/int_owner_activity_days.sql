{{ config(**logged_days_config('int_activities', 'day')) }}
-- Each owner's activities per company day: how many (all, and calls, emails and meetings apart)
-- and their seconds (all, and those spent selling: calls, emails, meetings). fct_rep_benchmark
-- sums these per fiscal quarter instead of every activity each night (15.4M at 10M leads).
-- Incremental by day like int_quota_daily_actuals (macros/day_incremental.sql): a night recounts
-- only the days int_activities logged as changed since the last build; a full refresh gives the
-- same table.

select
    owner_id,
    occurred_date as day,
    count(*) as activities,
    cast(sum(case when activity_type = 'call' then 1 else 0 end) as bigint) as calls,
    cast(sum(case when activity_type = 'email' then 1 else 0 end) as bigint) as emails,
    cast(sum(case when activity_type = 'meeting' then 1 else 0 end) as bigint) as meetings,
    cast(
        sum(case when activity_type in ('call', 'email', 'meeting') then duration_seconds else 0 end) as bigint
    ) as selling_seconds,
    cast(sum(duration_seconds) as bigint) as activity_seconds
from {{ ref('int_activities') }}
where
    owner_id is not null
    and occurred_date is not null
    and {{ on_logged_days('int_activities', 'occurred_date') }}
group by owner_id, occurred_date
