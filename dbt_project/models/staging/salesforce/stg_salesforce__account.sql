with

latest as (
    {{ latest_source_rows('salesforce', 'account') }}
),

final as (
    select
        {{ clean_text('id') }} as account_id,
        {{ clean_text('name') }} as account_name,
        {{ clean_text('type') }} as account_type,
        {{ clean_text('industry') }} as industry,
        {{ parse_integer('number_of_employees') }} as number_of_employees,
        {{ parse_decimal('annual_revenue') }} as annual_revenue,
        {{ clean_text('billing_country') }} as billing_country,
        {{ clean_text('billing_state') }} as billing_state,
        {{ clean_text('billing_city') }} as billing_city,
        {{ clean_text('owner_id') }} as owner_id,
        {{ clean_text('parent_id') }} as parent_account_id,
        {{ clean_text('account_source') }} as account_source,
        {{ clean_text('currency_iso_code') }} as currency_iso_code,
        {{ parse_timestamp('created_date') }} as created_at,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
