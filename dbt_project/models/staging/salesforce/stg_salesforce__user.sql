with

latest as (
    {{ latest_source_rows('salesforce', 'user') }}
),

final as (
    select
        {{ clean_text('id') }} as user_id,
        {{ clean_text('name') }} as full_name,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_text('email') }} as email,
        {{ clean_text('username') }} as username,
        {{ clean_text('user_role_id') }} as user_role_id,
        {{ clean_text('manager_id') }} as manager_id,
        coalesce({{ parse_boolean('is_active') }}, true) as is_active,
        {{ clean_text('department') }} as department,
        {{ clean_text('title') }} as title,
        {{ clean_text('division') }} as division,
        {{ clean_text('country') }} as country,
        {{ clean_text('time_zone_sid_key') }} as time_zone,
        {{ clean_text('user_type') }} as user_type,
        coalesce({{ parse_date('hire_date_c') }}, cast({{ parse_timestamp('created_date') }} as date)) as hired_date,
        {{ parse_date('termination_date_c') }} as termination_date,
        {{ parse_timestamp('created_date') }} as created_at,
        {{ parse_timestamp('last_modified_date') }} as last_modified_at,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
