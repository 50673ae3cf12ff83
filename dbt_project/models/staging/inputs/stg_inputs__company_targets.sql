with

chosen as (
    {{ plan_input_rows('company_targets', ['owner_type', 'owner_id', 'period_start', 'period_end', 'quota_type',
        'target']) }}
),

final as (
    select
        lower({{ clean_text('owner_type') }}) as owner_type,
        {{ clean_text('owner_id') }} as owner_id,
        {{ parse_date('period_start') }} as period_start,
        {{ parse_date('period_end') }} as period_end,
        lower({{ clean_text('quota_type') }}) as quota_type,
        {{ parse_decimal('target') }} as target_value,
        {{ load_metadata_columns() }}
    from chosen
)

select * from final
