{{ config(**logged_days_config(
    'int_activities', 'day', by_day="quota_type like 'activity%'",
    also_pre_hook="{{ quota_deals_apply_difference() }}"
)) }}
-- What each owner achieved each day, per quota type (METRICS.md section 4):
-- revenue = won bookings (close date); profit = bookings minus the won deals' costs (discount,
-- shipping, attributed marketing, other; reporting currency at the close date's rate); volume =
-- units (line-item quantity) of won deals; pipeline = amounts of deals created; activity = calls,
-- emails and meetings owned (also per kind: activity_call, activity_email, activity_meeting).
-- Incremental: the activity counts by day, only for the days int_activities logged as changed
-- since the last build (macros/day_incremental.sql); the deal-based rows are re-derived whole
-- each night (a deal's old close date is not kept anywhere) but written by difference
-- (macros/quota_actuals.sql). A full refresh gives the same table.

with

deals as (
    {%- if quota_deals_by_difference() %}
    select
        owner_id,
        day,
        quota_type,
        actual
    from {{ changes_table() }}
    where is_current
    {%- else %}
    {{ quota_deal_actuals() }}
    {%- endif %}
),

activities as (
    select
        owner_id,
        occurred_date as day,
        activity_type
    from {{ ref('int_activities') }}
    where
        activity_type in ('call', 'email', 'meeting')
        and {{ on_logged_days('int_activities', 'occurred_date') }}
),

activity_daily as (
    select
        owner_id,
        day,
        'activity' as quota_type,
        1 as actual
    from activities
    union all
    select
        owner_id,
        day,
        'activity_' || activity_type as quota_type,
        1 as actual
    from activities
)

select * from deals
union all
{{ quota_daily_sums('activity_daily') }}
