with

latest as (
    {{ latest_source_rows('inputs', 'marketing_spend', crm=false) }}
),

final as (
    select
        {{ parse_date('date') }} as spend_date,
        {{ clean_text('channel') }} as channel,
        {{ clean_text('campaign_id') }} as campaign_id,
        lower({{ clean_text('category') }}) as spend_category,
        {{ parse_decimal('amount') }} as amount,
        upper({{ clean_text('currency') }}) as currency_iso_code,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
