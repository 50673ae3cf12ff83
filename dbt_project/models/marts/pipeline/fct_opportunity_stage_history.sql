-- Stage visits from OpportunityHistory: consecutive history rows in the same stage are one visit,
-- entered at the first of them and exited when the next stage was entered. days_in_stage counts
-- whole company-time days until the exit (or the as-of date for the current, open stage); it is
-- NULL for a closed stage, which is never exited.

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

history as (
    select
        history.opportunity_id,
        history.opportunity_history_id,
        history.valid_from,
        history.stage_name,
        history.amount,
        history.probability,
        case
            when
                lag(history.stage_name) over (
                    partition by history.opportunity_id order by history.valid_from, history.opportunity_history_id
                ) = history.stage_name
                then 0
            else 1
        end as starts_visit
    from {{ ref('stg_salesforce__opportunity_history') }} as history
    inner join opportunities on history.opportunity_id = opportunities.opportunity_id
    where
        not history.is_deleted
        and history.valid_from is not null
),

numbered as (
    select
        history.*,
        cast(sum(history.starts_visit) over (
            partition by history.opportunity_id
            order by history.valid_from, history.opportunity_history_id
            rows between unbounded preceding and current row
        ) as bigint) as visit_number
    from history
),

visits as (
    select
        opportunity_id,
        visit_number,
        min(stage_name) as stage_name,
        min(valid_from) as entered_at,
        max(amount) as max_amount
    from numbered
    group by opportunity_id, visit_number
),

timed as (
    select
        visits.*,
        lead(visits.entered_at) over (partition by visits.opportunity_id order by visits.visit_number) as exited_at
    from visits
)

select
    timed.opportunity_id,
    timed.visit_number,
    timed.stage_name,
    timed.entered_at,
    timed.exited_at,
    timed.exited_at is null as is_current_stage,
    coalesce(stage_map.is_closed, timed.exited_at is null and opportunities.is_closed) as is_closed_stage,
    case
        when not coalesce(stage_map.is_closed, timed.exited_at is null and opportunities.is_closed)
            then {{ day_diff(
                company_date('timed.entered_at'),
                'coalesce(' ~ company_date('timed.exited_at') ~ ', as_of.as_of_date)'
            ) }}
    end as days_in_stage
from timed
inner join opportunities on timed.opportunity_id = opportunities.opportunity_id
left join stage_map on timed.stage_name = stage_map.stage_name
cross join as_of
