with

latest as (
    {{ latest_source_rows('salesforce', 'event') }}
),

final as (
    select
        {{ clean_text('id') }} as event_id,
        {{ clean_text('owner_id') }} as owner_id,
        {{ clean_text('who_id') }} as who_id,
        {{ clean_text('what_id') }} as what_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('subject') }} as subject,
        {{ clean_text('type') }} as event_type,
        {{ clean_text('event_subtype') }} as event_subtype,
        {{ parse_date('activity_date') }} as activity_date,
        coalesce(
            {{ parse_timestamp('start_date_time') }}, {{ parse_timestamp('activity_date_time') }}
        ) as start_at,
        {{ parse_timestamp('end_date_time') }} as end_at,
        {{ parse_integer('duration_in_minutes') }} as duration_minutes,
        {{ parse_timestamp('created_date') }} as created_at,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
