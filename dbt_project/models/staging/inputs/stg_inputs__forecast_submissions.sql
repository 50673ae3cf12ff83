with

latest as (
    {{ latest_source_rows('inputs', 'forecast_submissions', crm=false) }}
),

final as (
    select
        {{ clean_text('owner_id') }} as owner_id,
        {{ parse_date('period_start') }} as period_start,
        {{ parse_date('period_end') }} as period_end,
        lower({{ clean_text('category') }}) as forecast_category,
        {{ parse_decimal('amount') }} as amount,
        upper({{ clean_text('currency') }}) as currency_iso_code,
        {{ parse_timestamp('submitted_at') }} as submitted_at,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
