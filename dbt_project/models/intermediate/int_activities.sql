{{ config(**changed_keys_config('activity_id', 'changed_activities', 'activities_record_watermark', 'occurred_date')) }}
-- Incremental: tasks and events loaded or held since the last build are re-derived
-- (macros/incremental.sql); a full refresh gives the same table.
-- Tasks and events as one activity stream with a normalized type:
-- call, email, meeting (Meeting / Demo events), internal (admin time), other.
-- duration_seconds: calls their duration, events their length; emails count
-- var activity_minutes_email and other tasks var activity_minutes_other (estimates). Whole
-- seconds keep sums exact.

with

tasks as (
    select
        task_id as activity_id,
        'task' as activity_kind,
        owner_id,
        who_id,
        what_id,
        account_id,
        subject,
        task_type as source_type,
        case
            when lower(task_type) = 'call' or lower(task_subtype) = 'call' then 'call'
            when lower(task_type) = 'email' or lower(task_subtype) = 'email' then 'email'
            when lower(task_type) in ('meeting', 'demo') then 'meeting'
            else 'other'
        end as activity_type,
        coalesce(completed_at, created_at, {{ company_day_start('activity_date') }}) as occurred_at,
        call_duration_seconds
    from {{ changed_rows(ref('stg_salesforce__task'), 'task_id', changed_activities) }} as task_rows  -- noqa: AL05
    where not is_deleted
),

events as (
    select
        event_id as activity_id,
        'event' as activity_kind,
        owner_id,
        who_id,
        what_id,
        account_id,
        subject,
        event_type as source_type,
        case
            when lower(event_type) in ('meeting', 'demo', 'call') then 'meeting'
            when lower(event_type) in ('internal', 'admin', 'training') then 'internal'
            else 'other'
        end as activity_type,
        coalesce(start_at, created_at, {{ company_day_start('activity_date') }}) as occurred_at,
        duration_minutes
    from {{ changed_rows(ref('stg_salesforce__event'), 'event_id', changed_activities) }} as event_rows  -- noqa: AL05
    where not is_deleted
)

select
    activity_id,
    activity_kind,
    owner_id,
    who_id,
    what_id,
    account_id,
    subject,
    source_type,
    activity_type,
    occurred_at,
    -- The company date once per changed activity here, not each night by every reader.
    {{ company_date('occurred_at') }} as occurred_date,
    case
        when activity_type = 'call' then coalesce(call_duration_seconds, 0)
        when activity_type = 'email' then {{ var('activity_minutes_email') }} * 60
        else {{ var('activity_minutes_other') }} * 60
    end as duration_seconds
from tasks

union all

select
    activity_id,
    activity_kind,
    owner_id,
    who_id,
    what_id,
    account_id,
    subject,
    source_type,
    activity_type,
    occurred_at,
    {{ company_date('occurred_at') }} as occurred_date,
    coalesce(duration_minutes, 0) * 60 as duration_seconds
from events
