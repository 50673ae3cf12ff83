with

latest as (
    {{ latest_source_rows('salesforce', 'campaign_member') }}
),

final as (
    select
        {{ clean_text('id') }} as campaign_member_id,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('lead_id') }} as lead_id,
        {{ clean_text('contact_id') }} as contact_id,
        {{ clean_text('status') }} as member_status,
        {{ parse_boolean('has_responded') }} as has_responded,
        {{ parse_date('first_responded_date') }} as first_responded_date,
        {{ parse_timestamp('created_date') }} as created_at,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
