-- Leaderboards per planning period: reps ranked by revenue attainment and by composite
-- attainment, within their team and across the company (1 = best; equal attainment, equal rank).
with

attainment as (
    select
        attainment.*,
        people.team_name,
        people.user_function
    from {{ ref('fct_quota_attainment') }} as attainment
    inner join {{ ref('int_users') }} as people on attainment.owner_id = people.user_id
    where
        attainment.owner_type = 'rep'
        and attainment.quota_type in ('revenue', 'composite')
        and attainment.attainment_pct is not null
)

select
    period_start,
    period_end,
    quota_type as ranked_by,
    owner_id,
    team_name,
    user_function,
    attainment_pct,
    rank() over (partition by period_start, quota_type, team_name order by attainment_pct desc) as rank_in_team,
    rank() over (partition by period_start, quota_type order by attainment_pct desc) as rank_in_company,
    count(*) over (partition by period_start, quota_type) as reps_ranked
from attainment
