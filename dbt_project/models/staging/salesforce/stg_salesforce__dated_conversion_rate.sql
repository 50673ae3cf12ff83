with

latest as (
    {{ latest_source_rows('salesforce', 'dated_conversion_rate') }}
),

final as (
    select
        {{ clean_text('id') }} as conversion_rate_id,
        upper({{ clean_text('iso_code') }}) as iso_code,
        {{ parse_decimal('conversion_rate', 18, 9) }} as conversion_rate,
        {{ parse_date('start_date') }} as start_date,
        {{ parse_date('next_start_date') }} as next_start_date,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
