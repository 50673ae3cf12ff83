{#-
  The dated rates (int_fx_rates) of each distinct (currency, day) pair of `relation`: the record
  currency's rate and the reporting currency's rate on that day, as record_rate and
  reporting_rate beside the pair's `currency` and `day` columns. A model joins its rows to these
  pairs by equality on both columns, so the range joins on valid_from / valid_to run once per pair
  (a few thousand) instead of once per row: DuckDB sorts every row for a range join, which was
  most of int_opportunities' time (2.7x faster at 2M leads; DECISIONS.md, "Dated rates per
  pair"). A row whose currency or day is NULL finds no pair and converts to NULL, as the range
  join gave.
-#}
{% macro rates_on_dates(relation, currency, day) -%}
    select
        pairs.{{ currency }},
        pairs.{{ day }},
        record_rates.conversion_rate as record_rate,
        reporting_rates.conversion_rate as reporting_rate
    from (
        select distinct
            {{ currency }},
            {{ day }}
        from {{ relation }}
    ) as pairs
    left join {{ ref('int_fx_rates') }} as record_rates
        on
            pairs.{{ currency }} = record_rates.iso_code
            and pairs.{{ day }} >= record_rates.valid_from
            and pairs.{{ day }} < record_rates.valid_to
    left join {{ ref('int_fx_rates') }} as reporting_rates
        on
            reporting_rates.iso_code = '{{ var("reporting_currency") }}'
            and pairs.{{ day }} >= reporting_rates.valid_from
            and pairs.{{ day }} < reporting_rates.valid_to
{%- endmacro %}

{#- `amount` in the reporting currency at the rates of its pair (`rates`: the alias of a row of
    rates_on_dates), rounded to cents. -#}
{% macro in_reporting_currency(amount, rates) -%}
    cast(round({{ amount }} / {{ rates }}.record_rate * {{ rates }}.reporting_rate, 2) as decimal(18, 2))
{%- endmacro %}

{#- The dated spend rows (stg_inputs__marketing_spend, marketing and sales): spend_date, channel,
    spend_category and amount_reporting, in the reporting currency at the spend date's rates (a
    spend without a currency is in the reporting currency). -#}
{% macro spend_in_reporting_currency() -%}
    with

    spend as (
        select
            spend_date,
            channel,
            spend_category,
            amount,
            coalesce(currency_iso_code, '{{ var("reporting_currency") }}') as currency
        from {{ ref('stg_inputs__marketing_spend') }}
        where spend_date is not null
    ),

    spend_rates as (
        {{ rates_on_dates('spend', 'currency', 'spend_date') }}
    )

    select
        spend.spend_date,
        spend.channel,
        spend.spend_category,
        {{ in_reporting_currency('spend.amount', 'spend_rates') }} as amount_reporting
    from spend
    left join spend_rates
        on
            spend.currency = spend_rates.currency
            and spend.spend_date = spend_rates.spend_date
{%- endmacro %}
