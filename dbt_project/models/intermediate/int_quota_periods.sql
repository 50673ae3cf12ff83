-- The planning periods: every (period_start, period_end) any planning input names. The quota
-- models all start here, after the planning inputs passed their checks:
-- depends_on: {{ ref('plan_input_problems') }}
select distinct
    period_start,
    period_end
from (
    select
        period_start,
        period_end
    from {{ ref('stg_inputs__quota_plan') }}
    union all
    select
        period_start,
        period_end
    from {{ ref('stg_inputs__company_targets') }}
    union all
    select
        period_start,
        period_end
    from {{ ref('stg_inputs__rep_commitments') }}
) as named
where
    period_start is not null
    and period_end >= period_start
