-- Stage counts never grow down the funnel: per cohort slice, leads entering 'lead' >= 'mql' >=
-- ... >= 'won' when counted from the same cohort (leads created in the period).
with

cohorts as (
    select
        {{ dbt.date_trunc('month', 'created_at') }} as cohort_month,
        channel,
        count(lead_at) as leads,
        count(mql_at) as mqls,
        count(sal_at) as sals,
        count(sql_at) as sqls,
        count(opportunity_at) as opportunities,
        count(won_at) as won
    from {{ ref('fct_lead_lifecycle') }}
    group by 1, 2
)

select *
from cohorts
where not (leads >= mqls and mqls >= sals and sals >= sqls and sqls >= opportunities and opportunities >= won)
