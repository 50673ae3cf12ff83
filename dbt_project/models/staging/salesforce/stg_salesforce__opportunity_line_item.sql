with

latest as (
    {{ latest_source_rows('salesforce', 'opportunity_line_item') }}
),

final as (
    select
        {{ clean_text('id') }} as opportunity_line_item_id,
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ clean_text('product_2_id') }} as product_id,
        {{ clean_text('pricebook_entry_id') }} as pricebook_entry_id,
        {{ clean_text('name') }} as line_name,
        {{ clean_text('product_code') }} as product_code,
        {{ parse_decimal('quantity') }} as quantity,
        {{ parse_decimal('unit_price') }} as unit_price,
        {{ parse_decimal('list_price') }} as list_price,
        {{ parse_decimal('total_price') }} as total_price,
        {{ parse_decimal('discount', 9, 4) }} as discount_percent,
        {{ parse_date('service_date') }} as service_date,
        {{ parse_timestamp('created_date') }} as created_at,
        {{ parse_timestamp('last_modified_date') }} as last_modified_at,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
