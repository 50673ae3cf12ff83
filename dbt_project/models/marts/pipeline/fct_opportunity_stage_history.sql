-- Stage visits (int_opportunity_stage_visits) of live opportunities: consecutive history rows in
-- the same stage are one visit, entered at the first of them and exited when the next stage was
-- entered. days_in_stage counts whole company-time days until the exit (or the as-of date for the
-- current, open stage); it is NULL for a closed stage, which is never exited.

with

opportunities as (
    select
        opportunity_id,
        is_closed
    from {{ ref('int_opportunities') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of') }}
),

stage_map as (
    select * from {{ ref('opportunity_stage_map') }}
),

visits as (
    select
        visits.*,
        coalesce(stage_map.is_closed, visits.exited_at is null and opportunities.is_closed) as is_closed_stage
    from {{ ref('int_opportunity_stage_visits') }} as visits
    inner join opportunities on visits.opportunity_id = opportunities.opportunity_id
    left join stage_map on visits.stage_name = stage_map.stage_name
)

select
    visits.opportunity_id,
    visits.visit_number,
    visits.stage_name,
    visits.entered_at,
    visits.exited_at,
    visits.exited_at is null as is_current_stage,
    visits.is_closed_stage,
    case
        when not visits.is_closed_stage
            then {{ day_diff('visits.entered_date', 'coalesce(visits.exited_date, as_of.as_of_date)') }}
    end as days_in_stage
from visits
cross join as_of
