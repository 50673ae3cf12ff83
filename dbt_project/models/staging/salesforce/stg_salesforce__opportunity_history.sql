with

latest as (
    {{ latest_source_rows('salesforce', 'opportunity_history') }}
),

final as (
    select
        {{ clean_text('id') }} as opportunity_history_id,
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ parse_timestamp('created_date') }} as valid_from,
        {{ clean_text('stage_name') }} as stage_name,
        {{ parse_decimal('amount') }} as amount,
        {{ parse_decimal('probability', 9, 4) }} as probability,
        {{ parse_date('close_date') }} as close_date,
        {{ clean_text('forecast_category') }} as forecast_category,
        {{ parse_decimal('expected_revenue') }} as expected_revenue,
        {{ clean_text('created_by_id') }} as changed_by_id,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
