{{ config(**changed_keys_config('account_id', 'changed_accounts', 'account_record_watermark')) }}
-- Accounts with segment (size band), industry, region and customer status: an account becomes a
-- customer on the close date of its first won opportunity. Incremental: a night re-derives the
-- accounts whose record changed and those of every version of a changed deal (its first won
-- deal); a full refresh gives the same table.
{#- Rendered when parsing too, so that dbt sees what it reads; not on a full build or in a unit test. -#}
{%- if not execute or is_incremental() %}
{%- set account_keys = log_changed_keys(changed_accounts()).select %}
{%- endif %}

with

accounts as (
    select * from {{ ref('stg_salesforce__account') }}
    where
        not is_deleted
    {%- if is_incremental() %}
        and account_id in ({{ account_keys }})
    {%- endif %}
),

regions as (
    select * from {{ ref('country_region_map') }}
),

bands as (
    select * from {{ ref('segment_bands') }}
),

-- Won as int_opportunities counts it: a blank IsWon falls back to the stage map, so a deal
-- counted won also makes its account a customer.
first_wins as (
    select
        opportunities.account_id,
        min(opportunities.close_date) as first_won_date
    from {{ ref('stg_salesforce__opportunity') }} as opportunities
    left join {{ ref('opportunity_stage_map') }} as stage_map
        on opportunities.stage_name = stage_map.stage_name
    where
        not opportunities.is_deleted
        and {{ is_won_deal('opportunities', 'stage_map') }}
        and opportunities.account_id is not null
    {%- if is_incremental() %}
        and opportunities.account_id in (select accounts.account_id from accounts)
    {%- endif %}
    group by opportunities.account_id
)

select
    accounts.account_id,
    accounts.account_name,
    accounts.account_type,
    coalesce(accounts.industry, 'Unknown') as industry,
    accounts.number_of_employees,
    coalesce(bands.size_band, 'Unknown') as segment,
    accounts.billing_country,
    coalesce(regions.region, 'Unknown') as region,
    accounts.owner_id,
    accounts.parent_account_id,
    accounts.currency_iso_code,
    accounts.created_at,
    first_wins.first_won_date,
    first_wins.first_won_date is not null as is_customer
from accounts
left join regions on accounts.billing_country = regions.country
left join first_wins on accounts.account_id = first_wins.account_id
left join bands
    on
        accounts.number_of_employees >= bands.min_employees
        and (bands.max_employees is null or accounts.number_of_employees <= bands.max_employees)
