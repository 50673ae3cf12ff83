-- Dated exchange rates: units of a currency per one unit of the corporate currency
-- (var corporate_currency), valid from valid_from until valid_to (exclusive). Rates come from the
-- export's DatedConversionRate; a currency the export never rates falls back to
-- seeds/fx_rates_fallback.csv, and the corporate currency is always 1.

with

-- The latest rate of a currency stays in force until a newer one arrives (future close dates
-- of open deals convert at it).
exported as (
    select
        iso_code,
        conversion_rate,
        start_date as valid_from,
        case
            when row_number() over (partition by iso_code order by start_date desc) = 1 then cast('9999-12-31' as date)
            else coalesce(next_start_date, cast('9999-12-31' as date))
        end as valid_to,
        'export' as rate_source
    from {{ ref('stg_salesforce__dated_conversion_rate') }}
    where
        not is_deleted
        and conversion_rate > 0
        and start_date is not null
),

fallback as (
    select
        upper(iso_code) as iso_code,
        cast(conversion_rate as decimal(18, 9)) as conversion_rate,
        cast(start_date as date) as valid_from,
        coalesce(cast(next_start_date as date), cast('9999-12-31' as date)) as valid_to,
        'seed' as rate_source
    from {{ ref('fx_rates_fallback') }}
    where upper(iso_code) not in (select exported.iso_code from exported)
),

corporate as (
    select
        '{{ var("corporate_currency") }}' as iso_code,
        cast(1 as decimal(18, 9)) as conversion_rate,
        cast('1900-01-01' as date) as valid_from,
        cast('9999-12-31' as date) as valid_to,
        'corporate' as rate_source
    where '{{ var("corporate_currency") }}' not in (select exported.iso_code from exported)
)

select * from exported
union all
select * from fallback
where iso_code != '{{ var("corporate_currency") }}'
union all
select * from corporate
