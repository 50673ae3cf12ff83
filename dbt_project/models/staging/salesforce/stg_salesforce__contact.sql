with

latest as (
    {{ latest_source_rows('salesforce', 'contact') }}
),

final as (
    select
        {{ clean_text('id') }} as contact_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('owner_id') }} as owner_id,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_text('name') }} as full_name,
        {{ clean_text('email') }} as email,
        {{ clean_text('phone') }} as phone,
        {{ clean_text('title') }} as title,
        {{ clean_text('lead_source') }} as lead_source,
        {{ clean_text('mailing_country') }} as mailing_country,
        {{ parse_timestamp('created_date') }} as created_at,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
