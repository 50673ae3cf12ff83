with

latest as (
    {{ latest_source_rows('salesforce', 'opportunity') }}
),

final as (
    select
        {{ clean_text('id') }} as opportunity_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('owner_id') }} as owner_id,
        {{ clean_text('name') }} as opportunity_name,
        {{ clean_text('stage_name') }} as stage_name,
        {{ parse_decimal('amount') }} as amount,
        {{ parse_decimal('probability', 9, 4) }} as probability,
        {{ parse_date('close_date') }} as close_date,
        {{ parse_timestamp('created_date') }} as created_at,
        {{ parse_boolean('is_closed') }} as is_closed,
        {{ parse_boolean('is_won') }} as is_won,
        {{ clean_text('forecast_category_name') }} as forecast_category_name,
        {{ clean_text('forecast_category') }} as forecast_category,
        {{ clean_text('type') }} as opportunity_type,
        {{ clean_text('lead_source') }} as lead_source,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('currency_iso_code') }} as currency_iso_code,
        {{ parse_decimal('expected_revenue') }} as expected_revenue,
        {{ clean_text('next_step') }} as next_step,
        {{ parse_timestamp('last_modified_date') }} as last_modified_at,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
