with

latest as (
    {{ latest_source_rows('salesforce', 'product_2') }}
),

final as (
    select
        {{ clean_text('id') }} as product_id,
        {{ clean_text('name') }} as product_name,
        {{ clean_text('product_code') }} as product_code,
        {{ clean_text('family') }} as product_family,
        coalesce({{ parse_boolean('is_active') }}, true) as is_active,
        {{ clean_text('description') }} as description,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
