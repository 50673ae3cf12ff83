-- Commission statements (METRICS.md section 4), one line per credited won deal per rep per
-- planning period, so that a rep can recompute their pay from the statement alone. Deals are
-- credited in close-date order (then by Id) against the rep's revenue target in force; the
-- rates of seeds/commission_plans.csv are progressive, like tax brackets: each part of a deal is
-- paid the rate of the attainment band it falls in (decelerator below the threshold, base,
-- accelerators above 100 %, nothing beyond the cap). A deal closing after the rep left is not
-- credited (credited = false, no commission). rate_breakdown lists the parts.

with

targets as (
    select * from {{ ref('int_quota_targets') }}
    where quota_type = 'revenue' and target > 0
),

users as (
    select * from {{ ref('int_users') }}
),

tiers as (
    select * from {{ ref('stg_inputs__commission_plans') }}
),

deals as (
    select
        targets.period_start,
        targets.period_end,
        targets.owner_id,
        targets.target,
        opportunities.opportunity_id,
        opportunities.close_date,
        opportunities.amount_reporting,
        users.termination_date is null or opportunities.close_date <= users.termination_date as credited
    from targets
    inner join users on targets.owner_id = users.user_id
    inner join {{ ref('fct_opportunity') }} as opportunities
        on
            targets.owner_id = opportunities.owner_id
            and opportunities.close_date between targets.period_start and targets.period_end
    where opportunities.is_won and opportunities.amount_reporting is not null
),

running as (
    select
        deals.*,
        coalesce(
            sum(case when deals.credited then deals.amount_reporting end) over (
                partition by deals.owner_id, deals.period_start
                order by deals.close_date, deals.opportunity_id
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as credited_before,
        row_number() over (
            partition by deals.owner_id, deals.period_start order by deals.close_date, deals.opportunity_id
        ) as line_number
    from deals
),

bounded as (
    select
        running.*,
        running.credited_before + case when running.credited then running.amount_reporting else 0 end as credited_after
    from running
),

-- The part of each credited deal that falls in each tier's band of the target.
portions as (
    select
        bounded.owner_id,
        bounded.period_start,
        bounded.opportunity_id,
        tiers.tier,
        tiers.tier_label,
        tiers.rate,
        -- Band edges in whole cents (decimal: x 0.01, as / 100 would be float), so the parts are
        -- cents that add up to the deal's amount and each pays round(part x rate, 2) as shown.
        cast(
            least(
                bounded.credited_after, coalesce(round(tiers.to_pct * bounded.target * 0.01, 2), bounded.credited_after)
            )
            - greatest(bounded.credited_before, round(tiers.from_pct * bounded.target * 0.01, 2))
            as decimal(18, 2)
        ) as portion
    from bounded
    inner join users on bounded.owner_id = users.user_id
    inner join tiers on users.user_function = tiers.user_function
    where bounded.credited
),

paid as (
    select
        owner_id,
        period_start,
        opportunity_id,
        sum(cast(round(portion * rate, 2) as decimal(18, 2))) as commission,
        max(tier) as top_tier,
        max(case when tier_label like 'accelerator%' then 1 else 0 end) = 1 as reached_accelerator,
        {{ dbt.listagg(
            "cast(cast(round(portion, 2) as decimal(18, 2)) as " ~ dbt.type_string() ~ ") || ' at '
            || cast(cast(rate * 100 as decimal(9, 2)) as " ~ dbt.type_string() ~ ") || '% (' || tier_label || ')'",
            "' + '",
            "order by tier"
        ) }} as rate_breakdown
    from portions
    where portion > 0
    group by owner_id, period_start, opportunity_id
)

select
    bounded.period_start,
    bounded.period_end,
    bounded.owner_id,
    bounded.line_number,
    bounded.opportunity_id,
    bounded.close_date,
    bounded.amount_reporting as amount,
    bounded.credited,
    bounded.target,
    cast(100 * bounded.credited_before / bounded.target as {{ type_double() }}) as attainment_before_pct,
    cast(100 * bounded.credited_after / bounded.target as {{ type_double() }}) as attainment_after_pct,
    cast(coalesce(paid.commission, 0) as decimal(18, 2)) as commission,
    cast({{ safe_ratio('coalesce(paid.commission, 0)', 'bounded.amount_reporting') }} as {{ type_double() }})
        as effective_rate,
    paid.top_tier as tier,
    coalesce(paid.reached_accelerator, false) as accelerator,
    coalesce(paid.rate_breakdown, case when bounded.credited then 'beyond the cap' else 'not credited' end)
        as rate_breakdown,
    cast(sum(coalesce(paid.commission, 0)) over (
        partition by bounded.owner_id, bounded.period_start order by bounded.line_number
    ) as decimal(18, 2)) as running_commission
from bounded
left join paid
    on
        bounded.owner_id = paid.owner_id
        and bounded.period_start = paid.period_start
        and bounded.opportunity_id = paid.opportunity_id
