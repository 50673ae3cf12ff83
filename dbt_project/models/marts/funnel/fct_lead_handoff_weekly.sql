-- Speed to lead by week (of the MQL, company time) and the lead owner's team: MQLs, how many got
-- a sales touch, median and average hand-off hours, and the SLA rate (met / MQLs; an MQL with no
-- hand-off at all counts as missed).

with

handoffs as (
    select * from {{ ref('fct_lead_handoff') }}
),

calendar as (
    select
        date_day,
        week_start
    from {{ ref('dim_date') }}
)

select
    calendar.week_start,
    coalesce(handoffs.owner_team, '(none)') as owner_team,
    count(*) as mqls,
    count(handoffs.first_touch_at) as touched,
    count(handoffs.handoff_at) as handed_off,
    count(case when handoffs.met_sla then 1 end) as met_sla,
    {{ safe_ratio('count(case when handoffs.met_sla then 1 end)', 'count(*)') }} as sla_rate,
    cast({{ median('handoffs.handoff_hours') }} as {{ type_double() }}) as median_handoff_hours,
    {{ safe_ratio('sum(handoffs.handoff_seconds)', 'count(handoffs.handoff_seconds)') }} / 3600.0 as avg_handoff_hours
from handoffs
inner join calendar on handoffs.mql_date = calendar.date_day
group by calendar.week_start, coalesce(handoffs.owner_team, '(none)')
