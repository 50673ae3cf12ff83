with

latest as (
    {{ latest_source_rows('salesforce', 'campaign') }}
),

final as (
    select
        {{ clean_text('id') }} as campaign_id,
        {{ clean_text('name') }} as campaign_name,
        {{ clean_text('type') }} as campaign_type,
        {{ clean_text('status') }} as campaign_status,
        {{ parse_date('start_date') }} as start_date,
        {{ parse_date('end_date') }} as end_date,
        {{ parse_decimal('budgeted_cost') }} as budgeted_cost,
        {{ parse_decimal('actual_cost') }} as actual_cost,
        {{ parse_boolean('is_active') }} as is_active,
        {{ clean_text('parent_id') }} as parent_campaign_id,
        {{ clean_text('owner_id') }} as owner_id,
        {{ parse_timestamp('created_date') }} as created_at,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
