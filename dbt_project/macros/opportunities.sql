{#-
  The live opportunities with what every pipeline and KPI model needs (int_opportunities, a view):
  closed / won (from the opportunity, else seeds/opportunity_stage_map.csv), the amount in the
  reporting currency at the dated rate of the close date, type, channel (first touch), owner team
  and account attributes. `wanted` (a select of opportunity ids) narrows them to those deals, and
  the leads read to the deals' and their accounts' leads: fct_opportunity's nightly rows
  (macros/opportunity_incremental.sql). Filtering the view instead read every converted lead
  (10M leads, ~105K deals a night: 1.35 s against 0.57 s).
-#}
{% macro live_opportunities(wanted=none) -%}
    with

    opportunities as (
        select * from {{ ref('stg_salesforce__opportunity') }}
        where
            not is_deleted
            {%- if wanted is not none %}
            and opportunity_id in ({{ wanted }})
            {%- endif %}
    ),

    stage_map as (
        select * from {{ ref('opportunity_stage_map') }}
    ),

    accounts as (
        select * from {{ ref('dim_account') }}
    ),

    users as (
        select * from {{ ref('int_users') }}
    ),

    -- The leads converted into an opportunity or an account: the only leads read here (about a
    -- tenth of all), so the joins below build on them rather than on every lead.
    converted_leads as (
        select
            lead_id,
            created_at,
            channel,
            converted_account_id,
            converted_opportunity_id
        from {{ ref('int_lead_dimensions') }}
        where
            {%- if wanted is none %}
            converted_opportunity_id is not null or converted_account_id is not null
            {%- else %}
            -- The wanted deals' own leads and their accounts' leads: whole accounts, so the first lead
            -- of each is the same as among all leads.
            converted_opportunity_id in (select opportunities.opportunity_id from opportunities)
            or converted_account_id in (select opportunities.account_id from opportunities)
            {%- endif %}
    ),

    -- The lead converted into the opportunity (first by Id if several).
    first_converted_leads as (
        select
            converted_opportunity_id as opportunity_id,
            min(lead_id) as lead_id
        from converted_leads
        where converted_opportunity_id is not null
        group by converted_opportunity_id
    ),

    originating_leads as (
        select
            first_converted_leads.opportunity_id,
            first_converted_leads.lead_id,
            converted_leads.channel
        from first_converted_leads
        inner join converted_leads on first_converted_leads.lead_id = converted_leads.lead_id
    ),

    -- The channel of the first lead converted into each account (first touch at account level, for
    -- renewals and expansions that have no lead of their own).
    account_first_leads as (
        select
            converted_account_id as account_id,
            channel,
            row_number() over (partition by converted_account_id order by created_at asc, lead_id asc) as lead_rank
        from converted_leads
        where converted_account_id is not null
    ),

    -- The dated rates of each (currency, close date) pair: the range joins run once per pair, and
    -- each row finds its pair by equality (macros/currency.sql).
    close_date_rates as (
        {{ rates_on_dates('opportunities', 'currency_iso_code', 'close_date') }}
    ),

    channels as (
        select
            source_value,
            channel
        from {{ ref('channel_map') }}
        where source_field = 'Lead.LeadSource'
    )

    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.owner_id,
        users.team_name as owner_team,
        opportunities.created_at,
        {{ company_date('opportunities.created_at') }} as created_date,
        opportunities.close_date,
        opportunities.stage_name,
        stage_map.stage_order,
        coalesce(opportunities.forecast_category_name, stage_map.forecast_category) as forecast_category,
        coalesce(opportunities.is_closed, stage_map.is_closed, false) as is_closed,
        {{ is_won_deal('opportunities', 'stage_map') }} as is_won,
        opportunities.amount,
        opportunities.currency_iso_code as currency,
        {{ in_reporting_currency('opportunities.amount', 'close_date_rates') }} as amount_reporting,
        opportunities.probability,
        case
            when lower(opportunities.opportunity_type) like '%renew%' then 'renewal'
            when
                lower(opportunities.opportunity_type) like '%upgrade%'
                or lower(opportunities.opportunity_type) like '%expan%'
                or lower(opportunities.opportunity_type) like '%upsell%'
                or lower(opportunities.opportunity_type) like '%existing%'
                then 'expansion'
            when lower(opportunities.opportunity_type) like '%new%' then 'new_business'
            when opportunities.opportunity_type is null then 'unknown'
            else 'other'
        end as opportunity_type,
        opportunities.opportunity_type as opportunity_type_source,
        opportunities.lead_source,
        coalesce(
            originating_leads.channel, account_first_leads.channel, channels.channel, opportunities.lead_source, 'Unknown'
        ) as channel,
        originating_leads.lead_id as originating_lead_id,
        coalesce(accounts.segment, 'Unknown') as segment,
        coalesce(accounts.industry, 'Unknown') as industry,
        coalesce(accounts.region, 'Unknown') as region,
        accounts.first_won_date as account_first_won_date,
        close_date_rates.record_rate is null as has_unknown_currency,
        opportunities.probability < 0 or opportunities.probability > 100 as has_invalid_probability,
        opportunities._loaded_at
    from opportunities
    left join stage_map on opportunities.stage_name = stage_map.stage_name
    left join users on opportunities.owner_id = users.user_id
    left join accounts on opportunities.account_id = accounts.account_id
    left join originating_leads on opportunities.opportunity_id = originating_leads.opportunity_id
    left join account_first_leads
        on opportunities.account_id = account_first_leads.account_id and account_first_leads.lead_rank = 1
    left join channels on opportunities.lead_source = channels.source_value
    left join close_date_rates
        on
            opportunities.currency_iso_code = close_date_rates.currency_iso_code
            and opportunities.close_date = close_date_rates.close_date
{%- endmacro %}
