with

latest as (
    {{ latest_source_rows('salesforce', 'lead_history') }}
),

final as (
    select
        {{ clean_text('id') }} as lead_history_id,
        {{ clean_text('lead_id') }} as lead_id,
        {{ clean_text('field') }} as field_name,
        {{ clean_text('old_value') }} as old_value,
        {{ clean_text('new_value') }} as new_value,
        {{ parse_timestamp('created_date') }} as changed_at,
        {{ clean_text('created_by_id') }} as changed_by_id,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
