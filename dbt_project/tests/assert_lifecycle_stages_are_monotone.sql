-- The waterfall rule guarantees a monotone funnel: for every lead, each stage is entered no later
-- than the next, and a later stage implies every earlier one. Returns the leads that break it.
select
    lead_id,
    lead_at,
    mql_at,
    sal_at,
    sql_at,
    opportunity_at,
    won_at
from {{ ref('fct_lead_lifecycle') }}
where
    (mql_at is not null and (lead_at is null or lead_at > mql_at))
    or (sal_at is not null and (mql_at is null or mql_at > sal_at))
    or (sql_at is not null and (sal_at is null or sal_at > sql_at))
    or (opportunity_at is not null and (sql_at is null or sql_at > opportunity_at))
    or (won_at is not null and (opportunity_at is null or opportunity_at > won_at))
