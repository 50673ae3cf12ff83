-- Commission per rep per planning period: the statement's total, with the target, credited
-- bookings, attainment and effective rate.
select
    period_start,
    period_end,
    owner_id,
    max(target) as target,
    count(*) as won_deals,
    count(case when credited then 1 end) as credited_deals,
    cast(sum(case when credited then amount else 0 end) as decimal(18, 2)) as credited_bookings,
    cast(100 * sum(case when credited then amount else 0 end) / max(target) as {{ type_double() }}) as attainment_pct,
    cast(sum(commission) as decimal(18, 2)) as commission,
    cast(
        {{ safe_ratio('sum(commission)', 'sum(case when credited then amount else 0 end)') }} as {{ type_double() }}
    ) as effective_rate,
    max(tier) as top_tier,
    {{ dbt.bool_or('accelerator') }} as reached_accelerator
from {{ ref('fct_commission_statement') }}
group by period_start, period_end, owner_id
