with

latest as (
    {{ latest_source_rows('salesforce', 'task') }}
),

final as (
    select
        {{ clean_text('id') }} as task_id,
        {{ clean_text('owner_id') }} as owner_id,
        {{ clean_text('who_id') }} as who_id,
        {{ clean_text('what_id') }} as what_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('subject') }} as subject,
        {{ clean_text('type') }} as task_type,
        {{ clean_text('task_subtype') }} as task_subtype,
        {{ clean_text('status') }} as task_status,
        {{ parse_date('activity_date') }} as activity_date,
        {{ parse_timestamp('completed_date_time') }} as completed_at,
        {{ parse_integer('call_duration_in_seconds') }} as call_duration_seconds,
        {{ clean_text('call_type') }} as call_type,
        {{ parse_boolean('is_closed') }} as is_closed,
        {{ clean_text('priority') }} as priority,
        {{ parse_timestamp('created_date') }} as created_at,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
