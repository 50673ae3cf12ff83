-- Closed-won analysis: quarterly won / lost patterns by segment, channel, deal size band,
-- sales-cycle band and close-date push count, with win rates (count and amount).
with

closed as (
    select
        opportunities.*,
        calendar.fiscal_year,
        calendar.fiscal_quarter,
        case
            when opportunities.amount_reporting < 10000 then '1 under 10k'
            when opportunities.amount_reporting < 50000 then '2 10k-50k'
            when opportunities.amount_reporting < 200000 then '3 50k-200k'
            else '4 200k and over'
        end as deal_size_band,
        case
            when opportunities.sales_cycle_days < 0 then '0 negative (data error)'
            when opportunities.sales_cycle_days <= 30 then '1 up to 30 days'
            when opportunities.sales_cycle_days <= 90 then '2 31-90 days'
            when opportunities.sales_cycle_days <= 180 then '3 91-180 days'
            else '4 over 180 days'
        end as cycle_band,
        case
            when opportunities.close_date_push_count = 0 then '0 never pushed'
            when opportunities.close_date_push_count = 1 then '1 pushed once'
            else '2 pushed twice or more'
        end as push_band
    from {{ ref('fct_opportunity') }} as opportunities
    inner join {{ ref('dim_date') }} as calendar on opportunities.close_date = calendar.date_day
    where opportunities.is_closed
)

select
    fiscal_year,
    fiscal_quarter,
    segment,
    channel,
    deal_size_band,
    cycle_band,
    push_band,
    count(case when is_won then 1 end) as won,
    count(case when not is_won then 1 end) as lost,
    sum(case when is_won then amount_reporting end) as won_amount,
    sum(case when not is_won then amount_reporting end) as lost_amount,
    count(case when is_won then 1 end) * 1.0 / count(*) as win_rate,
    sum(case when is_won then amount_reporting end) / nullif(sum(amount_reporting), 0) as win_rate_amount
from closed
group by fiscal_year, fiscal_quarter, segment, channel, deal_size_band, cycle_band, push_band
order by
    fiscal_year asc, fiscal_quarter asc, segment asc, channel asc, deal_size_band asc, cycle_band asc, push_band asc
