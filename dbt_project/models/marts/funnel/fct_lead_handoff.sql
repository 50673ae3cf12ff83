{{ config(**changed_keys_config('lead_id', 'logged_lead_handoffs', 'lead_changes_record_watermark')) }}
{{ lead_changes_dependency() }}
-- Incremental: the leads whose MQL, activities or their users changed (macros/lead_incremental.sql).
-- Speed to lead (METRICS.md section 2), one row per MQL: hours from mql_at to the first sales
-- touch, i.e. the first Task or Event on the lead or its converted contact, by a user in a sales
-- role (seeds/role_function_map.csv), at or after mql_at. Without such a touch, sal_at is the
-- hand-off time (source 'sal_fallback'); with neither, the hand-off is missing and the SLA not met.

with

mqls as (
    select
        lead_id,
        mql_at,
        sal_at,
        converted_contact_id,
        channel,
        segment,
        region,
        owner_id,
        owner_team
    from {{ changed_rows(ref('fct_lead_lifecycle'), 'lead_id', logged_lead_handoffs) }} as lifecycle  -- noqa: AL05
    where mql_at is not null
),

sales_touches as (
    select
        activities.activity_id,
        activities.activity_type,
        activities.who_id,
        activities.owner_id,
        activities.occurred_at,
        sellers.team_name
    -- Incremental: only the touches of the leads rebuilt, found before the user join instead of
    -- joining every activity and then most of them away.
    from {{ changed_rows(
        ref('int_activities'), 'who_id', 'select lead_id from mqls union all select converted_contact_id from mqls'
    ) }} as activities
    inner join {{ ref('dim_user') }} as sellers on activities.owner_id = sellers.user_id
    where
        sellers.is_sales_role
        and activities.who_id is not null
),

-- Touches on the lead itself or on the contact it was converted to (two equi-joins).
candidate_touches as (
    select
        mqls.lead_id,
        sales_touches.*
    from mqls
    inner join sales_touches on mqls.lead_id = sales_touches.who_id
    where sales_touches.occurred_at >= mqls.mql_at

    union all

    select
        mqls.lead_id,
        sales_touches.*
    from mqls
    inner join sales_touches on mqls.converted_contact_id = sales_touches.who_id
    where sales_touches.occurred_at >= mqls.mql_at
),

first_touches as (
    select
        lead_id,
        activity_id,
        activity_type,
        owner_id,
        team_name,
        occurred_at,
        row_number() over (partition by lead_id order by occurred_at asc, activity_id asc) as touch_rank
    from candidate_touches
),

handoffs as (
    select
        mqls.*,
        first_touches.occurred_at as first_touch_at,
        first_touches.activity_id as first_touch_activity_id,
        first_touches.activity_type as first_touch_type,
        first_touches.owner_id as first_touch_user_id,
        first_touches.team_name as first_touch_team,
        case
            when first_touches.occurred_at is not null then 'first_touch'
            when mqls.sal_at is not null then 'sal_fallback'
            else 'none'
        end as handoff_source,
        coalesce(first_touches.occurred_at, mqls.sal_at) as handoff_at
    from mqls
    left join first_touches on mqls.lead_id = first_touches.lead_id and first_touches.touch_rank = 1
),

-- Whole seconds keep averages exact (and identical from run to run).
handoffs_timed as (
    select
        handoffs.*,
        {{ seconds_between('handoffs.mql_at', 'handoffs.handoff_at') }} as handoff_seconds
    from handoffs
)

select
    lead_id,
    mql_at,
    {{ company_date('mql_at') }} as mql_date,
    first_touch_at,
    first_touch_activity_id,
    first_touch_type,
    first_touch_user_id,
    first_touch_team,
    sal_at,
    handoff_source,
    handoff_at,
    handoff_seconds,
    cast(handoff_seconds as {{ type_double() }}) / 3600.0 as handoff_hours,
    coalesce(handoff_seconds <= {{ var('handoff_sla_hours') }} * 3600, false) as met_sla,
    channel,
    segment,
    region,
    owner_id,
    owner_team
from handoffs_timed
