with

latest as (
    {{ latest_source_rows('salesforce', 'lead') }}
),

final as (
    select
        {{ clean_text('id') }} as lead_id,
        {{ parse_timestamp('created_date') }} as created_at,
        {{ clean_text('created_by_id') }} as created_by_id,
        {{ clean_text('status') }} as status,
        {{ clean_text('owner_id') }} as owner_id,
        {{ clean_text('lead_source') }} as lead_source,
        {{ clean_text('company') }} as company,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_text('name') }} as full_name,
        {{ clean_text('email') }} as email,
        {{ clean_text('phone') }} as phone,
        {{ clean_text('title') }} as title,
        {{ clean_text('industry') }} as industry,
        {{ parse_integer('number_of_employees') }} as number_of_employees,
        {{ parse_decimal('annual_revenue') }} as annual_revenue,
        {{ clean_text('country') }} as country,
        {{ clean_text('state') }} as state,
        {{ clean_text('city') }} as city,
        {{ clean_text('rating') }} as rating,
        coalesce({{ parse_boolean('is_converted') }}, false) as is_converted,
        {{ parse_date('converted_date') }} as converted_date,
        {{ clean_text('converted_account_id') }} as converted_account_id,
        {{ clean_text('converted_contact_id') }} as converted_contact_id,
        {{ clean_text('converted_opportunity_id') }} as converted_opportunity_id,
        {{ clean_text('currency_iso_code') }} as currency_iso_code,
        {{ parse_timestamp('last_modified_date') }} as last_modified_at,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
