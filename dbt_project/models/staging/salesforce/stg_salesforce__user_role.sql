with

latest as (
    {{ latest_source_rows('salesforce', 'user_role') }}
),

final as (
    select
        {{ clean_text('id') }} as user_role_id,
        {{ clean_text('name') }} as role_name,
        {{ clean_text('parent_role_id') }} as parent_role_id,
        {{ clean_text('developer_name') }} as developer_name,
        {{ clean_text('rollup_description') }} as rollup_description,
        {{ is_soft_deleted() }} as is_deleted,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
