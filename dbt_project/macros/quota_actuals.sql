{#-
  int_quota_daily_actuals' deal-based rows (revenue, profit, volume, pipeline). A deal's old
  close date, amount or owner is kept nowhere, so a night re-derives these rows whole (2.1M at
  10M leads); but writing them whole was most of the model's night (delete and insert of 2.1M
  rows, their WAL and checkpoint, a unique test reading them all). The pre-hook compares them
  with the stored rows instead and writes the difference to a side table (changes_table): the
  stored rows that changed or went are deleted, the new versions inserted, and only their days
  are tested. A full build, or a night after int_activities' log restarted, inserts them all.
-#}

{% macro quota_deal_types() -%}
    {{ return(['revenue', 'profit', 'volume', 'pipeline']) }}
{%- endmacro %}

{#- Whether `row` (an alias) is of a deal-based type. -#}
{% macro quota_is_deal_row(row) -%}
    {{ row }}.quota_type in ('{{ quota_deal_types() | join("', '") }}')
{%- endmacro %}

{#- Per owner, company day and deal-based type, the day's actual: owner_id, day, quota_type,
    actual. -#}
{% macro quota_deal_actuals() -%}
    with

    opportunities as (
        select * from {{ ref('fct_opportunity') }}
    ),

    -- Deal costs convert at the close date's rates, in the cost's currency or else the deal's.
    priced_costs as (
        select
            deal_costs.opportunity_id,
            deal_costs.amount,
            coalesce(deal_costs.currency_iso_code, opportunities.currency) as currency,
            opportunities.close_date
        from {{ ref('stg_inputs__deal_costs') }} as deal_costs
        inner join opportunities on deal_costs.opportunity_id = opportunities.opportunity_id
    ),

    cost_rates as (
        {{ rates_on_dates('priced_costs', 'currency', 'close_date') }}
    ),

    costs as (
        select
            priced_costs.opportunity_id,
            sum({{ in_reporting_currency('priced_costs.amount', 'cost_rates') }}) as cost_reporting
        from priced_costs
        left join cost_rates
            on
                priced_costs.currency = cost_rates.currency
                and priced_costs.close_date = cost_rates.close_date
        group by priced_costs.opportunity_id
    ),

    units as (
        select
            opportunity_id,
            sum(quantity) as quantity
        from {{ ref('stg_salesforce__opportunity_line_item') }}
        where not is_deleted
        group by opportunity_id
    ),

    won as (
        select
            opportunities.owner_id,
            opportunities.close_date as day,
            opportunities.amount_reporting,
            coalesce(costs.cost_reporting, 0) as cost_reporting,
            coalesce(units.quantity, 0) as quantity
        from opportunities
        left join costs on opportunities.opportunity_id = costs.opportunity_id
        left join units on opportunities.opportunity_id = units.opportunity_id
        where opportunities.is_won
    ),

    daily as (
        select
            owner_id,
            day,
            'revenue' as quota_type,
            amount_reporting as actual
        from won
        union all
        select
            owner_id,
            day,
            'profit' as quota_type,
            amount_reporting - cost_reporting as actual
        from won
        union all
        select
            owner_id,
            day,
            'volume' as quota_type,
            quantity as actual
        from won
        union all
        select
            owner_id,
            created_date as day,
            'pipeline' as quota_type,
            amount_reporting as actual
        from opportunities
    )

    {{ quota_daily_sums('daily') }}
{%- endmacro %}

{#- Per owner, company day and quota type, the sum of `daily`'s actuals (a CTE of owner_id, day,
    quota_type, actual): the deal-based rows and the activity counts alike. -#}
{% macro quota_daily_sums(daily) -%}
    select
        owner_id,
        day,
        quota_type,
        cast(sum(actual) as decimal(18, 2)) as actual
    from {{ daily }}
    where owner_id is not null and day is not null
    group by owner_id, day, quota_type
{%- endmacro %}

{#- Whether this run writes only the deal rows' difference: an incremental run whose day-keyed
    part is not rebuilt (delete_logged_days deleted every row then). Asked when it runs. -#}
{% macro quota_deals_by_difference() -%}
    {{ return(is_incremental() and not every_day_changed('int_activities')) }}
{%- endmacro %}

{#- pre-hook of int_quota_daily_actuals (after delete_logged_days): the deal rows that are new,
    changed or gone (changes_table: the new version, is_current false when gone; on DuckDB the
    stored row's id), their days logged for the tests, their stored rows deleted. One full join:
    a NOT EXISTS for the rows gone cost DuckDB a second join of the 2.1M rows. -#}
{% macro quota_deals_apply_difference() -%}
    {%- if quota_deals_by_difference() -%}
    {%- set keys = ['owner_id', 'day', 'quota_type'] -%}
    drop table if exists {{ changes_table() }};
    create table {{ changes_table() }} as
    select
        {%- for key in keys %}
        coalesce(current_rows.{{ key }}, stored.{{ key }}) as {{ key }},
        {%- endfor %}
        current_rows.actual,
        current_rows.owner_id is not null as is_current
        {%- if target.type == 'duckdb' %},
        stored._stored_row_id
        {%- endif %}
    from ({{ quota_deal_actuals() }}) as current_rows
    full outer join (
        select
            {%- if target.type == 'duckdb' %}
            rowid as _stored_row_id,
            {%- endif %}
            {{ keys | join(', ') }},
            actual
        from {{ this }} as stored
        where {{ quota_is_deal_row('stored') }}
    ) as stored
        on {{ keys_match(keys, 'current_rows', 'stored') }}
    where
        current_rows.owner_id is null
        or stored.owner_id is null
        or current_rows.actual is distinct from stored.actual;
    {{ log_changed_keys('select distinct cast(day as ' ~ dbt.type_string() ~ ') from ' ~ changes_table()).log }}
    {{ delete_matched_stored_rows(keys_match(keys, 'changed', 'stored')) }}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}
